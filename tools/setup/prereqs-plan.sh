#!/usr/bin/env bash
# The offline plan renders .svg/.png graphs with Graphviz.
source "$(dirname "$0")/lib.sh"
apt_install graphviz
