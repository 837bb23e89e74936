package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCollectRejectsBadRegisterFirst checks that a register that does not
// parse stops attest collect with file, line and field (exit 2) before any
// source is read and before a bundle is written.
func TestCollectRejectsBadRegisterFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	reg := filepath.Join(dir, "subprocessors.yaml")
	if err := os.WriteFile(reg, []byte("subprocessors:\n  - name: A\n    purpose: p\n    services: [s]\n    locations: [DE]\n    transfer: {mechanism: SCCs}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "attest.yaml")
	// The TLS endpoint would fail if it were read; it must not be.
	if err := os.WriteFile(cfg, []byte("subprocessors: subprocessors.yaml\nsources:\n  tls:\n    endpoints: [https://127.0.0.1:1/]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bundle")
	code, _, stderr := attest(t, "--config", cfg, "collect", "--out", out)
	want := reg + `:6: subprocessors[0].transfer.mechanism: unknown mechanism "SCCs"`
	if code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a bundle directory was created for a bad register: %v", err)
	}
}
