package evidence

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBundleRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "b")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := w.WriteRecord(Record{Operation: "s3:ListBuckets", Endpoint: "https://s3.example.com/"}, []byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := w.WriteRecord(Record{Operation: "s3:ListBuckets"}, []byte("<xml/>"))
	if sum != again || len(sum) != 64 {
		t.Fatalf("identical bodies got sums %q and %q", sum, again)
	}
	for _, id := range []string{"b", "a"} {
		if err := w.WriteResource(Resource{Type: "t", ID: id, Attributes: map[string]any{"n": 1}, Records: []string{sum}}); err != nil {
			t.Fatal(err)
		}
	}
	w.AddRun(Run{Collector: "z", Status: Complete})
	w.AddRun(Run{Collector: "a", Status: Failed})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := w.Close(Manifest{AttestVersion: "test", StartedAt: now, FinishedAt: now}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Resources != 2 || b.Manifest.Records != 2 || len(b.Records) != 2 {
		t.Errorf("counts: manifest %d/%d, records read %d", b.Manifest.Resources, b.Manifest.Records, len(b.Records))
	}
	if b.Resources[0].ID != "a" || b.Manifest.Runs[0].Collector != "a" {
		t.Error("resources or runs not sorted")
	}
	if err := b.VerifyRaw(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, RawDir, sum), []byte("<changed/>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.VerifyRaw(); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("VerifyRaw after tampering: %v", err)
	}
}

func TestCreateRefusesNonEmptyDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(dir); !errors.Is(err, ErrBundleExists) {
		t.Fatalf("Create on a non-empty dir: %v", err)
	}
}

func TestOpenReportsBadLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(Manifest{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ResourcesFile), []byte(`{"type":"t","id":"a"}`+"\n"+`{"type":`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir)
	if err == nil || !strings.Contains(err.Error(), ResourcesFile+":2:") {
		t.Fatalf("Open: %v, want an error naming %s:2", err, ResourcesFile)
	}
}

func TestOpenInterruptedBundle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Create(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not a bundle") {
		t.Fatalf("Open without manifest: %v", err)
	}
}
