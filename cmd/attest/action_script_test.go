package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/attestdev/attest/controls"
)

// actionStep returns the env and run script of the step of action.yml
// with the given name.
func actionStep(t *testing.T, name string) (env map[string]string, script string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs struct {
			Steps []struct {
				Name string            `yaml:"name"`
				Env  map[string]string `yaml:"env"`
				Run  string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Runs.Steps {
		if s.Name == name {
			return s.Env, s.Run
		}
	}
	t.Fatalf("action.yml has no step %q", name)
	return nil, ""
}

// runStep runs a step's script with bash as the runner would, with the
// built attest and any fakes in bin first on PATH, and env in place of the
// step's ${{ }} expressions.
func runStep(t *testing.T, script, dir string, bins []string, env map[string]string) (int, string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found: the action's steps are bash scripts")
	}
	// The options GitHub's runner gives a "shell: bash" step.
	c := exec.CommandContext(t.Context(), "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	c.Dir = dir
	c.Env = append(os.Environ(), "PATH="+strings.Join(bins, string(os.PathListSeparator))+string(os.PathListSeparator)+os.Getenv("PATH"))
	for k, v := range env {
		c.Env = append(c.Env, k+"="+v)
	}
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	c.WaitDelay = 5 * time.Second
	var ee *exec.ExitError
	if err := c.Run(); err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return c.ProcessState.ExitCode(), out.String()
}

// TestActionCheckStepWhenAttestFailsEarly: attest exits 2 on a bad
// configuration before it creates the out dir. The step used to redirect
// the summary into that missing folder; it must still write the summary,
// with the error, and pass attest's exit code on.
func TestActionCheckStepWhenAttestFailsEarly(t *testing.T) {
	bin := attestBinary(t)
	env, script := actionStep(t, "Run attest check")
	for _, k := range []string{"CONFIG", "FAIL_ON", "BASELINE", "OUT_DIR", "REPORTS", "ALLOW_INCONCLUSIVE"} {
		if _, ok := env[k]; !ok {
			t.Errorf("the step's env lacks %s", k)
		}
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "attest.yaml"), "fail_on: high\nsources:\n  tls:\n    endpionts: [https://example.com]\n")
	gh := filepath.Join(dir, "github")
	vars := map[string]string{
		"CONFIG": "attest.yaml", "FAIL_ON": "high", "BASELINE": "", "OUT_DIR": "out/attest", "REPORTS": "junit,sarif",
		"ALLOW_INCONCLUSIVE": "false", "GITHUB_OUTPUT": gh + "-output", "GITHUB_STEP_SUMMARY": gh + "-summary", "RUNNER_TEMP": t.TempDir(),
	}
	code, out := runStep(t, script, dir, []string{bin}, vars)
	if code != exitUsage {
		t.Errorf("step exit %d, want attest's %d\n%s", code, exitUsage, out)
	}
	summary, err := os.ReadFile(filepath.Join(dir, "out", "attest", "summary.md"))
	if err != nil {
		t.Fatalf("no summary.md: %v\nstep output:\n%s", err, out)
	}
	for _, want := range []string{"attest check failed before writing results (exit 2)", "attest.yaml:4: endpionts"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	if step, _ := os.ReadFile(gh + "-summary"); !strings.Contains(string(step), "exit 2") {
		t.Errorf("step summary: %q", step)
	}
	if outputs, _ := os.ReadFile(gh + "-output"); !strings.Contains(string(outputs), "exit-code=2\n") {
		t.Errorf("outputs: %q", outputs)
	}
}

// TestActionCommentFitsGitHubLimit: with a baseline, the summary of the
// small demo organisation is longer than GitHub's 65,536 characters for
// a comment. The comment step must shorten it and point to the artifact.
func TestActionCommentFitsGitHubLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds attest and runs the demo")
	}
	bin := attestBinary(t)
	env, script := actionStep(t, "Comment on the pull request")
	for _, k := range []string{"OUT_DIR", "ARTIFACT", "ARTIFACT_URL", "RUN_URL", "PR", "GH_TOKEN"} {
		if _, ok := env[k]; !ok {
			t.Errorf("the step's env lacks %s", k)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "attest-out")
	if code, _, stderr := attest(t, "demo", "--out-dir", out, "--report", "md", "--log-level", "error"); code != exitGate {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	// A baseline in which everything passed: the drift lists every
	// failure and resource, as on a first run against an old baseline.
	res, err := controls.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Controls {
		res.Controls[i].Outcome, res.Controls[i].Evidence = controls.Pass, nil
	}
	data, _ := json.Marshal(res)
	baseline := filepath.Join(dir, "baseline.json")
	writeFile(t, baseline, string(data))
	_, drift, _ := attest(t, "diff", baseline, filepath.Join(out, "results.json"), "--format", "md")
	report, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	summary := string(report) + "\n" + drift
	if utf8.RuneCountInString(summary) <= 65536 {
		t.Fatalf("the demo summary with a baseline has only %d characters; the test needs one over the limit", utf8.RuneCountInString(summary))
	}
	writeFile(t, filepath.Join(out, "summary.md"), summary)

	// A fake gh that keeps the comment body.
	fakes := t.TempDir()
	writeFile(t, filepath.Join(fakes, "gh"), "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --body-file ]; then cp \"$2\" \"$GH_BODY\"; fi; shift; done\n")
	if err := os.Chmod(filepath.Join(fakes, "gh"), 0o755); err != nil {
		t.Fatal(err)
	}
	body := filepath.Join(dir, "posted.md")
	const artifactURL = "https://github.com/acme/app/actions/runs/42/artifacts/7"
	code, log := runStep(t, script, dir, []string{bin, fakes}, map[string]string{
		"OUT_DIR": "attest-out", "ARTIFACT": "attest-report", "ARTIFACT_URL": artifactURL, "RUN_URL": "https://github.com/acme/app/actions/runs/42",
		"PR": "7", "GH_TOKEN": "x", "GITHUB_REPOSITORY": "acme/app", "GH_BODY": body,
	})
	if code != 0 {
		t.Fatalf("comment step exit %d:\n%s", code, log)
	}
	posted, err := os.ReadFile(body)
	if err != nil {
		t.Fatalf("gh was not called with a body: %v\n%s", err, log)
	}
	if n := utf8.RuneCount(posted); n > 65536 {
		t.Errorf("the comment has %d characters, over GitHub's 65,536", n)
	}
	if !strings.Contains(string(posted), "[attest-report]("+artifactURL+")") || !strings.Contains(string(posted), "**Truncated:**") {
		t.Errorf("the comment does not point to the artifact:\n%s", posted[max(0, len(posted)-400):])
	}
	if !strings.HasPrefix(string(posted), string(report[:200])) {
		t.Error("the comment does not start with the report")
	}
}

// TestActionCheckStepPassesExitCode: the step runs attest check, writes
// the report as the summary and exits with attest's code; the
// allow-inconclusive input reaches attest.
func TestActionCheckStepPassesExitCode(t *testing.T) {
	bin := attestBinary(t)
	_, script := actionStep(t, "Run attest check")
	cfg := unreachableTLS(t)
	for _, tt := range []struct {
		allow string
		want  int
	}{{"false", exitGate}, {"true", exitOK}} {
		dir := t.TempDir()
		gh := filepath.Join(dir, "github")
		code, out := runStep(t, script, dir, []string{bin}, map[string]string{
			"CONFIG": cfg, "FAIL_ON": "high", "BASELINE": "", "OUT_DIR": "attest-out", "REPORTS": "junit",
			"ALLOW_INCONCLUSIVE": tt.allow, "GITHUB_OUTPUT": gh + "-output", "GITHUB_STEP_SUMMARY": gh + "-summary", "RUNNER_TEMP": t.TempDir(),
		})
		if code != tt.want {
			t.Errorf("allow-inconclusive %s: step exit %d, want %d\n%s", tt.allow, code, tt.want, out)
		}
		report, err := os.ReadFile(filepath.Join(dir, "attest-out", "report.md"))
		if err != nil {
			t.Fatalf("no report.md: %v\n%s", err, out)
		}
		summary, _ := os.ReadFile(filepath.Join(dir, "attest-out", "summary.md"))
		step, _ := os.ReadFile(gh + "-summary")
		if !bytes.Equal(summary, report) || !bytes.Equal(step, report) {
			t.Errorf("allow-inconclusive %s: summary.md (%d bytes) and the step summary (%d bytes) differ from report.md (%d bytes)", tt.allow, len(summary), len(step), len(report))
		}
		if !strings.Contains(out, "could not be evaluated") {
			t.Errorf("allow-inconclusive %s: the log lacks attest's stderr:\n%s", tt.allow, out)
		}
	}
}
