package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/alecthomas/kong"
)

// root is the command tree. Each command is a struct with a Run method.
type root struct {
	LogLevel string `help:"Least severe log level: debug, info, warn or error (default info, or $SFBRIDGE_LOG_LEVEL)." placeholder:"LEVEL"`
	Progress bool   `help:"Show progress bars even when stderr is not a terminal."`

	Emulator   emulatorCmd   `cmd:"" help:"Run the local Salesforce emulator."`
	Serve      serveCmd      `cmd:"" help:"Run the sfbridge server: the sync scheduler and /healthz."`
	Demo       demoCmd       `cmd:"" help:"Run the emulator, connect it and sync the sample workflows, all locally."`
	Org        orgCmd        `cmd:"" help:"Register Salesforce orgs, connect to them, show their state."`
	Workflow   workflowCmd   `cmd:"" help:"Validate, apply, run and inspect workflows."`
	Sheet      sheetCmd      `cmd:"" help:"List, show and export sheets, the local tables workflows fill."`
	Deadletter deadletterCmd `cmd:"" help:"List, requeue or discard the changes Salesforce refused for good."`
	Conflict   conflictCmd   `cmd:"" help:"List and resolve fields changed both in a sheet and in Salesforce."`
	Activity   activityCmd   `cmd:"" help:"Log emails, links and meetings in Salesforce as Tasks and Events, list and retry them."`
	Search     searchCmd     `cmd:"" help:"Search Salesforce records as one user, with their own connection."`
	Listview   listviewCmd   `cmd:"" help:"List, enable and show an object's list views as one user."`
	Version    versionCmd    `cmd:"" help:"Print the version and exit."`
}

// env is what every command's Run receives: the process's context,
// streams and environment, and the global flags.
type env struct {
	ctx       context.Context
	stdout    io.Writer
	stderr    io.Writer
	lookupEnv func(string) (string, bool)
	// logLevel is --log-level; empty leaves the configuration's.
	logLevel string
	// progress says whether long work draws progress bars on stderr:
	// --progress, or stderr is a terminal.
	progress bool
}

// Run parses args, runs the command and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, &env{stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv})
}

func run(ctx context.Context, args []string, e *env) int {
	var r root
	exited := -1
	parser, err := kong.New(&r,
		kong.Name("sfbridge"),
		kong.Description("A self-hosted Salesforce connector server, with a local Salesforce emulator.\n\n"+
			"Exit codes: 0 done, 1 internal error, 2 invalid input, 3 environment (Salesforce, database or network)."),
		kong.Writers(e.stdout, e.stderr),
		kong.Exit(func(code int) { exited = code }),
		kong.UsageOnError(),
	)
	if err != nil {
		fmt.Fprintf(e.stderr, "sfbridge: %v\n", err)
		return ExitInternal
	}
	kctx, err := parser.Parse(args)
	if exited >= 0 { // --help and friends
		return exited
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sfbridge: %v\n", err)
		return ExitInvalid
	}
	e.ctx, e.logLevel = ctx, r.LogLevel
	e.progress = r.Progress || isTerminal(e.stderr)
	if err := kctx.Run(e); err != nil {
		fmt.Fprintf(e.stderr, "sfbridge: %v\n", err)
		return exitCode(err)
	}
	return ExitOK
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
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
