package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLoadSubprocessorsFeedsRegisterSource checks that subprocessors: makes
// the register a source, with its path relative to the configuration.
func TestLoadSubprocessorsFeedsRegisterSource(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "attest.yaml")
	if err := os.WriteFile(path, []byte("subprocessors: vendors/subprocessors.yaml\nsources:\n  okta:\n    org_url: https://example.okta.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Sources.Register == nil {
		t.Fatal("no register source for subprocessors:")
	}
	if want := filepath.Join(dir, "vendors", "subprocessors.yaml"); f.Sources.Register.File != want {
		t.Errorf("register file %q, want %q", f.Sources.Register.File, want)
	}

	if err := os.WriteFile(path, []byte("sources:\n  okta:\n    org_url: https://example.okta.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err = Load(path); err != nil {
		t.Fatal(err)
	}
	if f.Sources.Register != nil {
		t.Errorf("a register source without subprocessors: %+v", f.Sources.Register)
	}
}
