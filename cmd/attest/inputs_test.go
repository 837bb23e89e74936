package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// countingEndpoint returns the address of a loopback listener that counts
// the connections made to it, as a TLS endpoint attest would probe.
func countingEndpoint(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			_ = c.Close()
		}
	}()
	return l.Addr().String(), &n
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestInputsCheckedBeforeCollection: every file attest.yaml names is
// loaded and validated before the first call, and every problem is
// reported at once with file, line and field. Today a missing waivers file
// is noticed only after a full collection.
func TestInputsCheckedBeforeCollection(t *testing.T) {
	t.Parallel()
	addr, calls := countingEndpoint(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "attest.yaml")
	writeFile(t, cfg, "fail_on: high\n"+
		"waivers: missing-waivers.yaml\n"+
		"company: company.yaml\n"+
		"subprocessors: missing-subprocessors.yaml\n"+
		"sources:\n"+
		"  tls:\n"+
		"    endpoints: [https://"+addr+"]\n"+
		"  manual:\n"+
		"    dir: records\n")
	writeFile(t, filepath.Join(dir, "company.yaml"), "name: Acme\nnmae: typo\n")
	writeFile(t, filepath.Join(dir, "records", "training.yaml"), "kind: security_training\nattested_by: Jane\nperformed_at: 2026-01-01\n")
	for _, args := range [][]string{
		{"check", "--config", cfg, "--out-dir", t.TempDir()},
		{"collect", "--config", cfg, "--out", filepath.Join(t.TempDir(), "b")},
	} {
		code, _, stderr := attest(t, args...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", args[0], code, exitUsage, stderr)
		}
		for _, want := range []string{
			cfg + ":2: waivers: " + filepath.Join(dir, "missing-waivers.yaml") + ": no such file or directory",
			filepath.Join(dir, "company.yaml") + ":2: nmae",
			cfg + ":4: subprocessors: " + filepath.Join(dir, "missing-subprocessors.yaml") + ": no such file or directory",
			filepath.Join(dir, "records", "training.yaml") + ":1: title: required",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", args[0], want, stderr)
			}
		}
	}
	// A missing evidence directory and a missing baseline are named too.
	writeFile(t, cfg, "fail_on: high\nsources:\n  tls:\n    endpoints: [https://"+addr+"]\n  manual:\n    dir: nowhere\n")
	code, _, stderr := attest(t, "check", "--config", cfg, "--out-dir", t.TempDir(), "--baseline", filepath.Join(dir, "last.json"), "--waivers", filepath.Join(dir, "w.yaml"))
	for _, want := range []string{
		cfg + ":6: sources.manual.dir: evidence directory " + filepath.Join(dir, "nowhere") + " does not exist",
		"--baseline " + filepath.Join(dir, "last.json") + ": no such file or directory",
		"--waivers " + filepath.Join(dir, "w.yaml") + ": no such file or directory",
	} {
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d connections to the endpoint before the inputs were valid, want 0", n)
	}
}

// TestConfigPatternsCompiledAtLoad: a malformed repository glob used to
// pass validation and silently empty the GitHub scope; a malformed regular
// expression failed only at collection.
func TestConfigPatternsCompiledAtLoad(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "attest.yaml")
	writeFile(t, cfg, "fail_on: high\nsources:\n  github:\n    orgs: [acme]\n    repos:\n      include: [\"infra-*\", \"app-[\"]\n      exclude: [\"legacy-\\\\\"]\n  aws:\n    secrets: {name_pattern: \"(unclosed\"}\n")
	code, _, stderr := attest(t, "check", "--config", cfg, "--out-dir", t.TempDir())
	for _, want := range []string{
		cfg + `:6: sources.github.repos.include[1]: repository pattern "app-[": syntax error in pattern`,
		cfg + `:7: sources.github.repos.exclude[0]: repository pattern "legacy-\\"`,
		cfg + `:9: sources.aws.secrets.name_pattern: regular expression "(unclosed"`,
	} {
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	if strings.Contains(stderr, `"infra-*"`) {
		t.Errorf("a valid pattern was reported:\n%s", stderr)
	}
}

// TestFreshDirectory: in a directory with nothing in it, evidence list
// lists what the controls ask for, all missing, instead of failing with
// "stat .", and a missing control directory is named.
func TestFreshDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "evidence")
	code, stdout, stderr := attest(t, "evidence", "list", "--dir", dir)
	if code != exitOK || !strings.Contains(stdout, "MISSING") || !strings.Contains(stdout, "security_training") {
		t.Errorf("evidence list in a fresh directory: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "stat .") || !strings.Contains(stderr, "no evidence recorded yet") {
		t.Errorf("stderr: %s", stderr)
	}
	// The directory configured in attest.yaml is the default.
	cfgDir := t.TempDir()
	cfg := filepath.Join(cfgDir, "attest.yaml")
	writeFile(t, cfg, "sources:\n  manual: {dir: records}\n")
	code, stdout, _ = attest(t, "evidence", "add", "--config", cfg, "--kind", "security_training", "--title", "Training 2026",
		"--attested-by", "Jane Doe (CISO)", "--performed-at", "2026-01-20")
	if code != exitOK {
		t.Fatalf("evidence add: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(cfgDir, "records", strings.TrimSpace(stdout))); err != nil {
		t.Errorf("evidence add did not write into the configured directory: %v", err)
	}
	code, stdout, _ = attest(t, "evidence", "list", "--config", cfg, "--format", "json")
	if code != exitOK || !strings.Contains(stdout, "security_training-2026-01-20.yaml") {
		t.Errorf("evidence list of the configured directory: exit %d\n%s", code, stdout)
	}

	missing := filepath.Join(t.TempDir(), "nonexistent")
	code, _, stderr = attest(t, "controls", "validate", missing)
	if code != exitUsage || !strings.Contains(stderr, "control directory "+missing+" does not exist") || strings.Contains(stderr, "stat .") {
		t.Errorf("controls validate %s: exit %d, stderr %q", missing, code, stderr)
	}
	writeFile(t, cfg, "controls: [compliance/controls]\nsources: {}\n")
	code, _, stderr = attest(t, "controls", "validate", "--config", cfg)
	if want := cfg + ":1: controls[0]: control directory " + filepath.Join(cfgDir, "compliance", "controls") + " does not exist"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("configured control directory: exit %d, stderr %q, want %q", code, stderr, want)
	}
}

// TestEvidenceAddNamesMissingFlags: the flags a record needs are named as
// flags, with what to put in them.
func TestEvidenceAddNamesMissingFlags(t *testing.T) {
	t.Parallel()
	code, _, stderr := attest(t, "evidence", "add", "--dir", t.TempDir(), "--kind", "security_training")
	if code != exitUsage || !strings.Contains(stderr, "--title: what was done") || !strings.Contains(stderr, "--attested-by: who vouches") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
