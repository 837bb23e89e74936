package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hstsControl is a user control over tls.endpoint with a declared param
// and two cases; edits replace old by new.
func hstsControl(edits ...string) string {
	s := `id: USER-HSTS-001
title: HSTS is long
description: d
severity: high
owner: o
frequency: daily
params:
  min_seconds:
    type: int
    default: 31536000
    doc: The shortest HSTS max-age, in seconds.
mappings:
  soc2:
    CC6.7: HSTS keeps browsers on encrypted connections.
tom:
  category: transfer
  statement:
    en: Browsers keep to HTTPS for at least {{.min_seconds}} seconds.
    de: Browser bleiben mindestens {{.min_seconds}} Sekunden bei HTTPS.
evidence:
  - type: tls.endpoint
    rule: r.hsts && r.hsts_max_age >= params.min_seconds
remediation: r
tests:
  - name: a year passes
    resources:
      - type: tls.endpoint
        attributes: {hsts: true, hsts_max_age: 31536000}
    outcome: pass
  - name: a day fails
    resources:
      - type: tls.endpoint
        attributes: {hsts: true, hsts_max_age: 86400}
    outcome: fail
`
	for i := 0; i+1 < len(edits); i += 2 {
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return s
}

func TestControlsTest(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, data string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "hsts.yaml"), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("passing cases", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr := attest(t, "controls", "test", write(t, hstsControl()))
		if code != 0 || !strings.Contains(stdout, "ok    USER-HSTS-001  a day fails: fail") || !strings.Contains(stdout, "2 cases in 1 controls: 2 passed, 0 failed; 0 controls incomplete") {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
	t.Run("failing case", func(t *testing.T) {
		t.Parallel()
		code, stdout, _ := attest(t, "controls", "test", write(t, hstsControl("hsts_max_age: 86400}", "hsts_max_age: 86400000}")))
		if code != 1 || !strings.Contains(stdout, "FAIL  USER-HSTS-001  a day fails: got pass (all 1 tls.endpoint pass), want fail") {
			t.Errorf("exit %d\nstdout:\n%s", code, stdout)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		t.Parallel()
		dir := write(t, hstsControl("  - name: a day fails\n", "  - name: a day fails\n    params: {min_days: 3}\n"))
		code, _, stderr := attest(t, "controls", "test", dir)
		want := filepath.Join(dir, "hsts.yaml") + `:31: tests[1].params.min_days: unknown param "min_days" (declared: min_seconds)`
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d\nstderr:\n%s\nwant\n%s", code, stderr, want)
		}
	})
	t.Run("incomplete user control warns", func(t *testing.T) {
		t.Parallel()
		code, _, stderr := attest(t, "controls", "test", "--strict", write(t, hstsControl("CC6.7: HSTS keeps browsers on encrypted connections.", "CC6.7: ''")))
		if code != 0 || !strings.Contains(stderr, "warning: ") || !strings.Contains(stderr, "mappings.soc2.CC6.7: no rationale") {
			t.Errorf("exit %d\nstderr:\n%s", code, stderr)
		}
	})
	t.Run("built-in library", func(t *testing.T) {
		t.Parallel()
		code, stdout, stderr := attest(t, "controls", "test")
		if code != 0 || !strings.Contains(stdout, "controls: ") {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
}

// TestBadParamsStopBeforeCollection checks that a wrong param in attest.yaml
// stops check before any collector runs, naming file, line and field.
func TestBadParamsStopBeforeCollection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "attest.yaml")
	data := "params:\n  TLS-002:\n    min_days_remaining: soon\nsources:\n  tls:\n    endpoints: [https://127.0.0.1:1]\n"
	if err := os.WriteFile(cfg, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := attest(t, "check", "--config", cfg, "--out-dir", filepath.Join(dir, "out"))
	want := cfg + `:3: params.TLS-002.min_days_remaining: "soon" (a string) is not of type int`
	if code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d\nstderr:\n%s\nwant\n%s", code, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil || stdout != "" {
		t.Errorf("check collected before rejecting the params: stdout %q", stdout)
	}
}
