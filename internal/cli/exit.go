package cli

import "errors"

// Exit codes, documented in the README.
const (
	ExitOK          = 0 // the command did what was asked
	ExitInternal    = 1 // a bug or an unexpected failure inside sfbridge
	ExitInvalid     = 2 // the input was wrong: flags, configuration, a workflow file
	ExitEnvironment = 3 // something outside sfbridge failed: Salesforce, the database, the network
)

// exitError carries the exit code a command's failure maps to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// invalid marks err as caused by the user's input (exit code 2). It returns
// nil for nil.
func invalid(err error) error { return withCode(ExitInvalid, err) }

// environment marks err as caused by something outside sfbridge (exit code
// 3). It returns nil for nil.
func environment(err error) error { return withCode(ExitEnvironment, err) }

// withCode marks err with an exit code, unless it already carries one.
func withCode(code int, err error) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return &exitError{code: code, err: err}
}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitInternal
}
