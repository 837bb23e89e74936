// Command attest collects compliance evidence from cloud, VCS and identity
// APIs, evaluates it against controls mapped to SOC 2, ISO/IEC 27001:2022
// and GDPR Art. 32, and reports the results.
//
// Exit codes: 0 when the gate passed, 1 when a control failed, rests on
// stale evidence or could not be evaluated at or above --fail-on (or, with
// a baseline, newly did), 2 on a usage, configuration or runtime error, 3
// when attest collect wrote a bundle but a collector run failed or was
// partial.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// The exit codes. README.md documents them; keep the two in step.
const (
	exitOK         = 0
	exitGate       = 1
	exitUsage      = 2
	exitIncomplete = 3
)

// An exitError carries an exit code other than 2 out of a command.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newRoot(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "attest: %v\n", err)
	return exitUsage
}
