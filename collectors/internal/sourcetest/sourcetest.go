// Package sourcetest holds the checks every source's tests run the same
// way: the permissions policy its collectors render, and that its
// built-in controls read only what its collectors declare.
package sourcetest

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// Render returns what policy renders for the descriptors of cs; an error
// ends the test.
func Render(t *testing.T, cs []collectors.Collector, policy func([]collectors.Descriptor) ([]byte, error)) []byte {
	t.Helper()
	ds := make([]collectors.Descriptor, 0, len(cs))
	for _, c := range cs {
		ds = append(ds, c.Describe())
	}
	got, err := policy(ds)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Policy checks that policy renders exactly want for the descriptors of cs.
func Policy(t *testing.T, cs []collectors.Collector, policy func([]collectors.Descriptor) ([]byte, error), want string) {
	t.Helper()
	if diff := cmp.Diff(want, string(Render(t, cs, policy))); diff != "" {
		t.Errorf("Policy (-want +got):\n%s", diff)
	}
}

// ControlsNameDeclaredAttributes checks the built-in controls of source
// (controls/library/<source>/*.yaml, from a test in collectors/<source>)
// against the descriptors of cs: every control file is named after its id,
// every evidence type is emitted by one of cs and every r.<attribute> a
// rule or filter names is declared.
func ControlsNameDeclaredAttributes(t *testing.T, source string, cs []collectors.Collector) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "controls", "library", source, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no controls found: %v", err)
	}
	attrs := map[string][]string{}
	for _, c := range cs {
		for _, rt := range c.Describe().ResourceTypes {
			for _, a := range rt.Attributes {
				attrs[rt.Name] = append(attrs[rt.Name], a.Name)
			}
		}
	}
	ref := regexp.MustCompile(`\br\.([a-z0-9_]+)`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ctl struct {
			ID       string
			Evidence []struct{ Type, Mode, Where, Rule string }
		}
		if err := yaml.Unmarshal(data, &ctl); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if want := strings.ToLower(ctl.ID) + ".yaml"; filepath.Base(f) != want {
			t.Errorf("%s: file should be named %s", f, want)
		}
		for _, e := range ctl.Evidence {
			declared, ok := attrs[e.Type]
			if !ok {
				t.Errorf("%s: type %s is not emitted by the %s source", ctl.ID, e.Type, source)
			}
			for _, m := range ref.FindAllStringSubmatch(e.Where+" "+e.Rule, -1) {
				if !slices.Contains(declared, m[1]) {
					t.Errorf("%s: %s has no attribute %s", ctl.ID, e.Type, m[1])
				}
			}
		}
	}
}

// Bundle plans every collector of src, runs the jobs through the runner,
// its clock at now, into a new bundle, reports each run that did not
// complete, and returns the bundle read back and its directory.
func Bundle(t *testing.T, src collectors.Source, now time.Time) (*evidence.Bundle, string) {
	t.Helper()
	b, dir, runs := BundleRuns(t, src, now)
	for _, run := range runs {
		if run.Status != evidence.Complete {
			t.Errorf("run %s: %s %v", run.Collector, run.Status, run.Failures)
		}
	}
	return b, dir
}

// BundleRuns is Bundle without the check that every run completed: it
// also returns the runs, for a test that expects some of them to fail.
func BundleRuns(t *testing.T, src collectors.Source, now time.Time) (*evidence.Bundle, string, []evidence.Run) {
	t.Helper()
	jobs, err := src.Plan(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &collectors.Runner{Writer: w, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	runs := r.Run(t.Context(), jobs)
	if err := w.Close(evidence.Manifest{}); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b, dir, runs
}

// NoSecretInFiles reports each file under dir that holds secret, such as
// a bearer token that must never reach the bundle.
func NoSecretInFiles(t *testing.T, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), secret) {
			t.Errorf("%s holds the bearer token", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
