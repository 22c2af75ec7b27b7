package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/go-oauth20/oauth20/core"
)

// Exit codes, the same for every command.
const (
	// exitOK: the command did what it was asked.
	exitOK = 0
	// exitFailure: the command ran and the provider, the network or a
	// check said no (a protocol error, a refused token, a failed scenario).
	exitFailure = 1
	// exitUsage: the command cannot run as given (unknown command, flag or
	// provider, a missing argument or credential, an unreadable or invalid
	// input file).
	exitUsage = 2
)

// exitError carries the exit code of an error. Errors that a command
// returns without one are failures (exit 1); errors of cobra's own (flags,
// arguments, unknown commands) are usage errors (exit 2).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a usage error (exit 2).
func usageError(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitUsage, err: err}
}

// usagef is a usage error with a message.
func usagef(format string, args ...any) error { return usageError(fmt.Errorf(format, args...)) }

// failure marks err as a failure (exit 1), unless it already has a code.
func failure(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: exitFailure, err: err}
}

// errReported is a failure whose explanation the command has printed
// already (a failed check, a failing scenario): main prints nothing more.
var errReported = errors.New("reported")

// exitCode returns the exit code for an error of Execute.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitUsage
}

// app is what the commands read from and write to: the process's streams
// and environment in main, fakes in tests. The hooks let the tests drive
// the commands in-process, as the end-to-end tests drive a browser.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// getenv reads the environment.
	getenv func(string) string
	// openBrowser shows an authorization URL to the user: the system
	// browser in main, a test's automation in tests.
	openBrowser func(ctx context.Context, url string) error
	// prompt reads a secret from the terminal without echo; nil when
	// standard input is not a terminal.
	prompt func(label string) (string, error)
	// httpClient sends every request to providers; nil means the
	// library's own.
	httpClient *http.Client
	// clock is the login flow's clock (device-flow polling waits on it);
	// nil means the system clock.
	clock core.Clock
}

// newApp returns the app of the real process.
func newApp() *app {
	return &app{
		stdin:       os.Stdin,
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		getenv:      os.Getenv,
		openBrowser: systemBrowser,
		prompt:      terminalPrompt(),
	}
}
