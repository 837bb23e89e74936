package azure

import (
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

// TestBundle runs every collector through the real runner into a bundle:
// every run is complete, every resource points at the raw responses it
// came from, the records are named by the read action the collector
// declares, and the bearer token is nowhere in the bundle.
func TestBundle(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	st.PageSize = 2
	srv := serve(t, st, nil)
	src := testSource(srv, 0, 1, 10*time.Second)
	jobs, err := src.Plan(t.Context(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &collectors.Runner{Writer: w, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }, Log: slog.New(slog.DiscardHandler)}
	for _, run := range r.Run(t.Context(), jobs) {
		if run.Status != evidence.Complete {
			t.Errorf("run %s: %s %v", run.Collector, run.Status, run.Failures)
		}
	}
	if err := w.Close(evidence.Manifest{}); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range b.Resources {
		if len(res.Records) == 0 {
			t.Errorf("%s %s points at no raw response", res.Type, res.ID)
		}
	}
	declared := map[string][]string{}
	for _, c := range src.Collectors() {
		d := c.Describe()
		declared[d.ID] = d.Permissions
	}
	seen := map[string]bool{}
	for _, rec := range b.Records {
		seen[rec.Collector] = true
		if !slices.Contains(declared[rec.Collector], rec.Operation) {
			t.Errorf("record of %s named %q, not one of its permissions %v", rec.Collector, rec.Operation, declared[rec.Collector])
		}
	}
	for id := range declared {
		if !seen[id] {
			t.Errorf("%s left no raw response", id)
		}
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), azurefake.DemoToken) {
			t.Errorf("%s holds the bearer token", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
