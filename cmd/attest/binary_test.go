package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// TestMain removes the attest binary that script tests build.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// attestBinary builds this command once per test run and returns the
// directory holding the attest binary, for tests that run shell scripts
// as a user or a CI runner would. It skips when the go command is absent.
func attestBinary(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: cannot build the attest binary for script tests")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "attest-bin-"); binErr != nil {
			return
		}
		out, err := exec.Command(gobin, "build", "-o", filepath.Join(binDir, "attest"), ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{err: err, out: string(out)}
		}
	})
	if binErr != nil {
		t.Fatalf("build attest: %v", binErr)
	}
	return binDir
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }
