// Command testsummary runs go test with -json and prints what a person
// needs from it: each package's result line, the output of failing tests,
// and, at the end, every skipped test with the reason it gave. make test
// uses it so that a skip is never silent.
//
//	testsummary -log FILE -- [go test flags and packages]
//	testsummary -report FILE
//
// The first form runs go test -json with the arguments after --, appends
// the skips and counts to FILE and exits with go test's exit code. The
// second prints the skips of every run logged in FILE and a closing line
// "tests: N passed, N failed, N skipped".
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// event is one line of go test -json (see go doc test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// entry is one line of the log: a skip, or the counts of a run.
type entry struct {
	Package string  `json:"package,omitempty"`
	Test    string  `json:"test,omitempty"`
	Reason  string  `json:"reason,omitempty"`
	Counts  *counts `json:"counts,omitempty"`
}

type counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

func main() {
	logFile := flag.String("log", "", "append the skips and counts of this run to `FILE`")
	report := flag.String("report", "", "print the skips and counts logged in `FILE`")
	flag.Parse()
	var err error
	code := 0
	switch {
	case *report != "":
		err = printReport(os.Stdout, *report)
	case *logFile != "":
		code, err = runTests(flag.Args(), *logFile)
	default:
		err = errors.New("want -log FILE -- [go test arguments] or -report FILE")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// runTests runs go test -json args, prints the summary output and logs
// the skips and counts. It returns go test's exit code.
func runTests(args []string, logFile string) (int, error) {
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	entries, c, scanErr := summarise(stdout, os.Stdout)
	waitErr := cmd.Wait()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(waitErr, &ee) {
		code = ee.ExitCode()
	} else if waitErr != nil {
		return 0, waitErr
	}
	if scanErr != nil {
		return 0, scanErr
	}
	f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	enc := json.NewEncoder(f)
	for _, e := range append(entries, entry{Counts: &c}) {
		if err := enc.Encode(e); err != nil {
			_ = f.Close()
			return 0, err
		}
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if code == 0 && c.Failed > 0 {
		code = 1
	}
	return code, nil
}

// summarise reads go test -json from r and writes to w what go test
// writes without -v: package result lines, build errors and the output of
// failing tests. It returns the skipped tests with their reasons.
func summarise(r io.Reader, w io.Writer) ([]entry, counts, error) {
	var skips []entry
	var c counts
	buf := map[string][]string{} // package + test -> output lines
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Not an event (e.g. a message of go itself): pass it on.
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "build-output":
			fmt.Fprint(w, e.Output)
		case "output":
			if e.Test == "" {
				if e.Output != "PASS\n" && !strings.HasPrefix(e.Output, "=== ") {
					fmt.Fprint(w, e.Output)
				}
				continue
			}
			buf[key] = append(buf[key], e.Output)
		case "pass":
			if e.Test != "" {
				c.Passed++
			}
			delete(buf, key)
		case "fail":
			if e.Test != "" {
				c.Failed++
				fmt.Fprint(w, strings.Join(buf[key], ""))
			}
			delete(buf, key)
		case "skip":
			if e.Test != "" {
				c.Skipped++
				skips = append(skips, entry{Package: e.Package, Test: e.Test, Reason: reason(buf[key])})
			}
			delete(buf, key)
		}
	}
	return skips, c, sc.Err()
}

// reason returns what a skipped test logged, without go test's own lines.
func reason(lines []string) string {
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return "(no reason given)"
	}
	return strings.Join(out, " ")
}

// printReport prints the skips and counts logged in file.
func printReport(w io.Writer, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var skips []entry
	var total counts
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var e entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return fmt.Errorf("%s:%d: %w", file, i+1, err)
		}
		if e.Counts != nil {
			total.Passed += e.Counts.Passed
			total.Failed += e.Counts.Failed
			total.Skipped += e.Counts.Skipped
			continue
		}
		skips = append(skips, e)
	}
	slices.SortStableFunc(skips, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.Package, b.Package), cmp.Compare(a.Test, b.Test))
	})
	skips = slices.CompactFunc(skips, func(a, b entry) bool { return a == b })
	fmt.Fprintf(w, "\nSkipped tests (%d):\n", len(skips))
	if len(skips) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, s := range skips {
		fmt.Fprintf(w, "  %s %s: %s\n", strings.TrimPrefix(s.Package, "github.com/attestdev/attest/"), s.Test, s.Reason)
	}
	_, err = fmt.Fprintf(w, "\ntests: %d passed, %d failed, %d skipped\n", total.Passed, total.Failed, total.Skipped)
	return err
}
