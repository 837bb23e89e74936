package evidence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeStream writes a bundle of n resources (out of order) and two
// records.
func writeStream(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := n - 1; i >= 0; i-- {
		if err := w.WriteResource(Resource{Type: "t", ID: fmt.Sprintf("r-%05d", i), Attributes: map[string]any{"n": i, "f": 0.5}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, op := range []string{"b:List", "a:List"} {
		if _, err := w.WriteRecord(Record{Collector: "c", Operation: op, CollectedAt: time.Unix(0, 0).UTC()}, []byte(op)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(Manifest{FinishedAt: time.Unix(1, 0).UTC()}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestScanResources checks that a scan on several workers sees every
// resource once, with numbers converted as Open converts them.
func TestScanResources(t *testing.T) {
	t.Parallel()
	const n = 5000
	dir := writeStream(t, n)
	var mu sync.Mutex
	var ids []string
	workers := map[int]bool{}
	err := ScanResources(t.Context(), dir, 3, func(w int, batch []Resource) error {
		mu.Lock()
		defer mu.Unlock()
		workers[w] = true
		for _, r := range batch {
			if _, ok := r.Attributes["n"].(int64); !ok {
				return fmt.Errorf("%s: n is %T, want int64", r.ID, r.Attributes["n"])
			}
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	if len(ids) != n || len(slices.Compact(ids)) != n || ids[0] != "r-00000" {
		t.Errorf("%d resources seen (%d distinct)", len(ids), len(slices.Compact(ids)))
	}
	for w := range workers {
		if w < 0 || w >= 3 {
			t.Errorf("worker %d out of range", w)
		}
	}
}

// TestScanResourcesErrors checks that an error of fn stops the scan and is
// returned, that a malformed line is reported with its number (blank lines
// counted), and that a cancelled context stops the scan.
func TestScanResourcesErrors(t *testing.T) {
	t.Parallel()
	dir := writeStream(t, 2000)
	stop := errors.New("stop")
	if err := ScanResources(t.Context(), dir, 2, func(int, []Resource) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn error: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := ScanResources(ctx, dir, 2, func(int, []Resource) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, ResourcesFile), []byte("{\"type\":\"t\",\"id\":\"a\"}\n\n{\"type\":\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := ScanResources(t.Context(), bad, 2, func(int, []Resource) error { return nil })
	if err == nil || !strings.Contains(err.Error(), ResourcesFile+":3:") {
		t.Errorf("malformed line: %v, want %s:3", err, ResourcesFile)
	}
	// Two halves of an object on two lines are two malformed lines, not
	// one resource, although one decoder over both would accept them.
	if err := os.WriteFile(filepath.Join(bad, ResourcesFile), []byte("{\"type\":\"t\",\"id\":\"a\"}\n{\"type\":\"t\",\n\"id\":\"b\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = ScanResources(t.Context(), bad, 2, func(int, []Resource) error { return nil })
	if err == nil || !strings.Contains(err.Error(), ResourcesFile+":2:") {
		t.Errorf("object split over lines: %v, want %s:2", err, ResourcesFile)
	}
}

// TestOpenRecords checks that OpenRecords gives Open's manifest and
// records without the resources.
func TestOpenRecords(t *testing.T) {
	t.Parallel()
	dir := writeStream(t, 10)
	full, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Resources != nil || len(b.Records) != 2 || b.Records[0].Operation != "a:List" || b.Manifest.Resources != 10 {
		t.Errorf("OpenRecords: %d resources, records %+v, manifest %+v", len(b.Resources), b.Records, b.Manifest)
	}
	if !slices.EqualFunc(b.Records, full.Records, func(a, b Record) bool { return a.SHA256 == b.SHA256 }) {
		t.Error("records differ from Open's")
	}
	if _, err := OpenRecords(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a bundle") {
		t.Errorf("no manifest: %v", err)
	}
}
