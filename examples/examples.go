// Package examples holds the sample workflows, runnable against the
// emulator's demo org, embedded so that "sfbridge demo" can install them.
package examples

import "embed"

// Workflows are the sample workflow files (*.yaml).
//
//go:embed *.yaml
var Workflows embed.FS
