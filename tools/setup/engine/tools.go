//go:build tools

// Package engine pins the Pulumi CLI's main package for `go build` (see go.mod).
package engine

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
