package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A shellExample is one command of a ```sh block in README.md.
type shellExample struct {
	Line int    // line in README.md
	Cmd  string // the command, continuation lines joined
	Exit int    // the exit code a "# exits N" comment announces, else 0
}

var exitsComment = regexp.MustCompile(`#\s*exits (\d+)`)

// shellExamples returns the commands of the ```sh blocks in markdown.
func shellExamples(markdown string) []shellExample {
	var out []shellExample
	in := false
	var cur *shellExample
	for i, line := range strings.Split(markdown, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !in && (trimmed == "```sh" || trimmed == "```bash" || trimmed == "```shell"):
			in = true
			continue
		case in && trimmed == "```":
			in = false
			continue
		case !in:
			continue
		}
		if cur != nil {
			cur.Cmd += " " + strings.TrimSuffix(trimmed, `\`)
			if !strings.HasSuffix(trimmed, `\`) {
				out = append(out, *cur)
				cur = nil
			}
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ex := shellExample{Line: i + 1, Cmd: strings.TrimSuffix(trimmed, `\`)}
		if m := exitsComment.FindStringSubmatch(trimmed); m != nil {
			ex.Exit, _ = strconv.Atoi(m[1])
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur = &ex
			continue
		}
		out = append(out, ex)
	}
	return out
}

// anchorSkip is why the README's verification examples, which name the
// reader's own anchor files, do not run here; the first-run example
// verifies the demo's pack against the demo's CA.
const anchorSkip = "names the reader's own anchor files (ca.pem, key.pub, tsa.pem); the first-run example verifies the demo's pack against its CA"

// readmeSkips are the README commands that cannot run offline against
// the demo, by their first words, with the reason.
var readmeSkips = []struct{ prefix, reason string }{
	{"attest check", "collects from the sources in attest.yaml: needs real credentials"},
	{"attest collect", "collects from the sources in attest.yaml: needs real credentials"},
	{"attest access-review start", "reads the identity sources: needs real credentials"},
	{"make ", "a make target: runs the build and the test suite themselves"},
	{"attest verify pack.zip --ca ca.pem", anchorSkip},
	{"attest verify pack.zip --ed25519-pub key.pub", anchorSkip},
	{"attest verify toms.pdf --ca ca.pem", anchorSkip},
	{"attest verify pack.zip --tsa-cert tsa.pem", anchorSkip},
}

// TestREADMEExamples runs every shell example in README.md as printed,
// with the built binary first on PATH, in a directory prepared by attest
// demo, in order (so that later commands see what earlier ones wrote).
// Commands that need real credentials, or are not attest commands, are
// skipped with the reason.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the README examples build attest and run the demo")
	}
	bin := attestBinary(t)
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	examples := shellExamples(string(data))
	if len(examples) < 10 {
		t.Fatalf("found %d shell examples in README.md; the parser or the README is broken", len(examples))
	}
	dir := t.TempDir()
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1")
	sh := func(t *testing.T, cmd string) (int, string) {
		t.Helper()
		c := exec.CommandContext(t.Context(), "bash", "-c", cmd)
		c.Dir, c.Env = dir, env
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		c.WaitDelay = 5 * time.Second
		var ee *exec.ExitError
		if err := c.Run(); err != nil && !errors.As(err, &ee) {
			t.Fatalf("%s: %v", cmd, err)
		}
		return c.ProcessState.ExitCode(), out.String()
	}
	// Prepare the directory as the README's first run does.
	if code, out := sh(t, "attest demo --out-dir attest-demo --log-level error"); code != 1 {
		t.Fatalf("attest demo: exit %d, want 1\n%s", code, out)
	}
	attach := regexp.MustCompile(`--attach\s+(\S+)`)
	for _, ex := range examples {
		t.Run(fmt.Sprintf("README.md:%d", ex.Line), func(t *testing.T) {
			for _, s := range readmeSkips {
				if strings.HasPrefix(ex.Cmd, s.prefix) {
					t.Skipf("%s: %s", ex.Cmd, s.reason)
				}
			}
			if !strings.HasPrefix(ex.Cmd, "attest ") {
				t.Skipf("%s: not an attest command", ex.Cmd)
			}
			// The user's own files that examples attach.
			for _, m := range attach.FindAllStringSubmatch(ex.Cmd, -1) {
				if p := filepath.Join(dir, m[1]); !exists(p) {
					if err := os.WriteFile(p, []byte("name,completed\nJane Doe,2026-01-20\n"), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			code, out := sh(t, ex.Cmd)
			if code != ex.Exit {
				t.Errorf("README.md:%d: %s\nexit %d, want %d (annotate other codes with \"# exits N\")\n%s", ex.Line, ex.Cmd, code, ex.Exit, out)
			}
		})
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestShellExamplesParser(t *testing.T) {
	t.Parallel()
	md := "text\n```sh\n# a comment\nattest a   # exits 1\nattest b \\\n  --flag x\n\n```\n```yaml\nattest not: shell\n```\n```sh\nmake demo\n```\n"
	got := shellExamples(md)
	want := []shellExample{{Line: 4, Cmd: "attest a   # exits 1", Exit: 1}, {Line: 5, Cmd: "attest b  --flag x"}, {Line: 13, Cmd: "make demo"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
