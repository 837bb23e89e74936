package evidence

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

// TestWriteRecordConcurrent writes records from many goroutines, with
// bodies they share, and checks that every body is stored once and every
// record is kept. Run it with -race.
func TestWriteRecordConcurrent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "b")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each, bodies = 8, 50, 20
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				body := fmt.Appendf(nil, `{"n":%d}`, (g*each+i)%bodies)
				if _, err := w.WriteRecord(Record{Operation: "op", Endpoint: fmt.Sprint(g, i)}, body); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(Manifest{StartedAt: time.Unix(0, 0), FinishedAt: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != workers*each || b.Manifest.Records != workers*each {
		t.Errorf("records: %d read, manifest %d, want %d", len(b.Records), b.Manifest.Records, workers*each)
	}
	raw, err := os.ReadDir(filepath.Join(dir, RawDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != bodies {
		t.Errorf("%d raw files, want %d", len(raw), bodies)
	}
	if err := b.VerifyRaw(); err != nil {
		t.Error(err)
	}
}

// TestWriteRecordOutsideLock blocks the file write of one body and checks
// that another body's record is written meanwhile: files are not created
// under the writer's lock.
func TestWriteRecordOutsideLock(t *testing.T) {
	t.Parallel()
	w, err := Create(filepath.Join(t.TempDir(), "b"))
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	w.writeRaw = func(path string, body []byte) error {
		if string(body) == "slow" {
			close(started)
			<-release
		}
		return writeRaw(path, body)
	}
	done := make(chan error, 1)
	go func() {
		_, err := w.WriteRecord(Record{Operation: "slow"}, []byte("slow"))
		done <- err
	}()
	<-started
	fast := make(chan error, 1)
	go func() {
		_, err := w.WriteRecord(Record{Operation: "fast"}, []byte("fast"))
		fast <- err
	}()
	select {
	case err := <-fast:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a record waited for another record's file to be written")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := w.Close(Manifest{}); err != nil {
		t.Fatal(err)
	}
}

// TestWriteRecordFailure makes a file write fail: the call and Close
// report it, and the bundle is not written.
func TestWriteRecordFailure(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "b")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	w.writeRaw = func(string, []byte) error { return errors.New("disk full") }
	if _, err := w.WriteRecord(Record{Operation: "op"}, []byte("x")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteRecord: %v", err)
	}
	if err := w.Close(Manifest{}); err == nil {
		t.Error("Close succeeded after a failed write")
	}
}

// TestOpenLargeFile reads a resources file longer than one decoding batch,
// with blank lines, in a bundle written by hand as an older attest would
// have: the resources keep their order before sorting, numbers become
// int64 or float64, and a malformed line is reported with its number.
func TestOpenLargeFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	manifest := `{"format":"attest.bundle/v1","attest_version":"old","started_at":"2026-01-01T00:00:00Z","finished_at":"2026-01-01T00:00:00Z","resources":1300,"records":0,"runs":[]}`
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, RecordsFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := range 1300 {
		lines = append(lines, fmt.Sprintf(`{"type":"t","id":"r%04d","attributes":{"n":%d,"f":1.5,"big":12345678901234567890,"nested":{"list":[1,"a"]}},"records":["aa"],"collector":"c","collector_version":1,"collected_at":"2026-01-01T00:00:00Z"}`, i, i))
		if i%400 == 7 {
			lines = append(lines, "", "  ")
		}
	}
	write := func(ls []string) {
		if err := os.WriteFile(filepath.Join(dir, ResourcesFile), []byte(strings.Join(ls, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(lines)
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Resources) != 1300 {
		t.Fatalf("%d resources, want 1300", len(b.Resources))
	}
	for i, r := range b.Resources {
		if r.ID != fmt.Sprintf("r%04d", i) || r.Attributes["n"] != int64(i) || r.Attributes["f"] != 1.5 {
			t.Fatalf("resource %d: %s %#v", i, r.ID, r.Attributes)
		}
	}
	r := b.Resources[42]
	if r.Attributes["big"] != 12345678901234567890.0 || r.Attributes["nested"].(map[string]any)["list"].([]any)[0] != int64(1) {
		t.Errorf("numbers: %#v", r.Attributes)
	}
	bad := append([]string(nil), lines...)
	bad[1100] = `{"type": "t", "id": }`
	write(bad)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), ResourcesFile+":1101:") {
		t.Errorf("malformed line 1101: %v", err)
	}
}

func TestRemoveBundle(t *testing.T) {
	t.Parallel()
	// An absent directory and an empty one are left alone.
	if err := RemoveBundle(filepath.Join(t.TempDir(), "absent")); err != nil {
		t.Errorf("absent: %v", err)
	}
	empty := t.TempDir()
	if err := RemoveBundle(empty); err != nil {
		t.Errorf("empty: %v", err)
	}
	if _, err := os.Stat(empty); err != nil {
		t.Errorf("empty directory removed: %v", err)
	}
	// A bundle is removed, so that Create can start again.
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(Manifest{}); err != nil {
		t.Fatal(err)
	}
	if err := RemoveBundle(dir); err != nil {
		t.Fatalf("bundle: %v", err)
	}
	if _, err := Create(dir); err != nil {
		t.Errorf("Create after RemoveBundle: %v", err)
	}
	// Anything else in the directory is refused, and nothing is removed.
	other := t.TempDir()
	for _, name := range []string{ResourcesFile, "notes.txt"} {
		if err := os.WriteFile(filepath.Join(other, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveBundle(other); err == nil || !strings.Contains(err.Error(), "holds notes.txt") {
		t.Errorf("foreign file: err = %v, want a refusal naming notes.txt", err)
	}
	if _, err := os.Stat(filepath.Join(other, ResourcesFile)); err != nil {
		t.Errorf("refused directory was changed: %v", err)
	}
}

// TestWriteRecordOf adds a second record of a stored body and refuses one
// of a body the bundle does not hold.
func TestWriteRecordOf(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "b")
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := w.WriteRecord(Record{Collector: "a", Operation: "op"}, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.WriteRecordOf(Record{Collector: "b", Operation: "op", SHA256: sum, Size: 2}); err != nil || got != sum {
		t.Fatalf("WriteRecordOf = %q, %v", got, err)
	}
	if _, err := w.WriteRecordOf(Record{Collector: "b", Operation: "op", SHA256: strings.Repeat("0", 64)}); err == nil {
		t.Error("a record of a body the bundle does not hold was accepted")
	}
	if err := w.Close(Manifest{AttestVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Records != 2 || len(b.Records) != 2 || b.Records[0].SHA256 != sum || b.Records[1].SHA256 != sum {
		t.Errorf("records %+v (manifest %d), want two of %s", b.Records, b.Manifest.Records, sum)
	}
	if err := b.VerifyRaw(); err != nil {
		t.Error(err)
	}
}
