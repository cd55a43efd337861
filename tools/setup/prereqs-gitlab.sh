#!/usr/bin/env bash
# The GitLab double serves its repositories over smart HTTP with `git http-backend`, and the tests
# clone them with git: both come with Debian's git package.
source "$(dirname "$0")/lib.sh"
apt_install git
[ -x "$(git --exec-path)/git-http-backend" ] || { echo "prereqs: git-http-backend missing from $(git --exec-path)" >&2; exit 1; }
