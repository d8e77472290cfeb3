// Package cli is sfbridge's command tree: it parses the arguments, runs the
// chosen command and maps its outcome to an exit code.
package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/alecthomas/kong"
)

// root is the command tree. Each command is a struct with a Run method.
type root struct {
	Version versionCmd `cmd:"" help:"Print the version and exit."`
}

// env is what every command's Run receives.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
}

// Run parses args, runs the command and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var r root
	exited := -1
	parser, err := kong.New(&r,
		kong.Name("sfbridge"),
		kong.Description("A self-hosted Salesforce connector server, with a local Salesforce emulator."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exited = code }),
		kong.UsageOnError(),
	)
	if err != nil {
		fmt.Fprintf(stderr, "sfbridge: %v\n", err)
		return ExitInternal
	}
	kctx, err := parser.Parse(args)
	if exited >= 0 { // --help and friends
		return exited
	}
	if err != nil {
		fmt.Fprintf(stderr, "sfbridge: %v\n", err)
		return ExitInvalid
	}
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr}
	if err := kctx.Run(e); err != nil {
		fmt.Fprintf(stderr, "sfbridge: %v\n", err)
		return exitCode(err)
	}
	return ExitOK
}

type versionCmd struct{}

func (versionCmd) Run(e *env) error {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	fmt.Fprintf(e.stdout, "sfbridge %s\n", v)
	return nil
}
