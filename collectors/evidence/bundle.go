package evidence

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Format is the bundle format written into every manifest. Readers reject
// bundles of another format.
const Format = "attest.bundle/v1"

// File names inside a bundle directory.
const (
	ManifestFile  = "bundle.json"
	ResourcesFile = "resources.jsonl"
	RecordsFile   = "records.jsonl"
	RawDir        = "raw"
)

// A Manifest describes a bundle as a whole.
type Manifest struct {
	Format        string    `json:"format"`
	AttestVersion string    `json:"attest_version"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	// Interrupted is set when the run was cancelled or timed out before
	// every collector finished; the runs say which ones.
	Interrupted bool `json:"interrupted,omitempty"`
	// Shard is set on the bundle of one shard of a collection split
	// across machines (attest collect --shard); Merge combines the shards
	// into one bundle without it.
	Shard     *Shard `json:"shard,omitempty"`
	Resources int    `json:"resources"`
	Records   int    `json:"records"`
	Runs      []Run  `json:"runs"`
}

// A Writer streams evidence into a new bundle directory. It is safe for
// concurrent use. Close must be called to write the manifest.
type Writer struct {
	dir string

	mu        sync.Mutex
	resources *os.File
	resBuf    *bufio.Writer
	records   *os.File
	recBuf    *bufio.Writer
	raw       map[string]bool
	runs      []Run
	nres      int
	nrec      int
	err       error
	// writeRaw writes a raw response body; tests replace it.
	writeRaw func(path string, body []byte) error
}

// ErrBundleExists is returned by Create when the directory already holds files.
var ErrBundleExists = errors.New("evidence: bundle directory is not empty")

// Create makes dir (if needed) and starts a bundle in it. The directory must
// be empty or absent, so that no evidence of an earlier run is mixed in.
func Create(dir string) (*Writer, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrBundleExists, dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, RawDir), 0o750); err != nil {
		return nil, fmt.Errorf("evidence: create bundle: %w", err)
	}
	res, err := os.Create(filepath.Join(dir, ResourcesFile))
	if err != nil {
		return nil, fmt.Errorf("evidence: create bundle: %w", err)
	}
	rec, err := os.Create(filepath.Join(dir, RecordsFile))
	if err != nil {
		_ = res.Close()
		return nil, fmt.Errorf("evidence: create bundle: %w", err)
	}
	return &Writer{
		dir:       dir,
		resources: res,
		resBuf:    bufio.NewWriterSize(res, 1<<16),
		records:   rec,
		recBuf:    bufio.NewWriterSize(rec, 1<<16),
		raw:       map[string]bool{},
		writeRaw:  writeRaw,
	}, nil
}

// Dir returns the bundle directory.
func (w *Writer) Dir() string { return w.dir }

// WriteResource appends a resource to the bundle.
func (w *Writer) WriteResource(r Resource) error {
	if r.Attributes == nil {
		r.Attributes = map[string]any{}
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("evidence: encode resource %s %s: %w", r.Type, r.ID, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.nres++
	return w.keep(writeLine(w.resBuf, line))
}

// WriteRecord stores a raw response body and its metadata. It fills in the
// record's SHA256 and Size and returns the SHA-256. Identical bodies are
// stored once. The body's file is written outside the writer's lock, so
// concurrent collectors only wait for each other to append the record's
// line; the first call with a body claims its file, and later calls with
// the same body only add their record.
func (w *Writer) WriteRecord(rec Record, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	rec.SHA256 = hex.EncodeToString(sum[:])
	rec.Size = len(body)
	line, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("evidence: encode record %s: %w", rec.Operation, err)
	}
	w.mu.Lock()
	err = w.err
	claimed := err == nil && !w.raw[rec.SHA256]
	if claimed {
		w.raw[rec.SHA256] = true
	}
	w.mu.Unlock()
	if err != nil {
		return "", err
	}
	if claimed {
		if err := w.writeRaw(filepath.Join(w.dir, RawDir, rec.SHA256), body); err != nil {
			w.mu.Lock()
			defer w.mu.Unlock()
			delete(w.raw, rec.SHA256)
			return "", w.keep(fmt.Errorf("evidence: write raw response: %w", err))
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return "", w.err
	}
	w.nrec++
	return rec.SHA256, w.keep(writeLine(w.recBuf, line))
}

// writeRaw writes a raw response body to path.
func writeRaw(path string, body []byte) error {
	return os.WriteFile(path, body, 0o640)
}

// AddRun records the outcome of one collector run.
func (w *Writer) AddRun(run Run) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.runs = append(w.runs, run)
}

// Close flushes the evidence and writes the manifest. Runs are sorted by
// collector and target so that the manifest does not depend on scheduling.
func (w *Writer) Close(m Manifest) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := errors.Join(w.err, w.resBuf.Flush(), w.recBuf.Flush(), w.resources.Close(), w.records.Close())
	if err != nil {
		return fmt.Errorf("evidence: close bundle: %w", err)
	}
	SortRuns(w.runs)
	m.Format = Format
	m.Runs = w.runs
	m.Resources = w.nres
	m.Records = w.nrec
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("evidence: encode manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, ManifestFile), append(data, '\n'), 0o640); err != nil {
		return fmt.Errorf("evidence: write manifest: %w", err)
	}
	return nil
}

func (w *Writer) keep(err error) error {
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("evidence: write bundle: %w", err)
	}
	return err
}

func writeLine(b *bufio.Writer, line []byte) error {
	if _, err := b.Write(line); err != nil {
		return err
	}
	return b.WriteByte('\n')
}

// SortRuns orders runs by collector, then target.
func SortRuns(runs []Run) {
	slices.SortFunc(runs, func(a, b Run) int {
		return cmp.Or(cmp.Compare(a.Collector, b.Collector), a.Target.Compare(b.Target))
	})
}

// SortResources orders resources by type, account, region and id.
func SortResources(rs []Resource) {
	slices.SortFunc(rs, func(a, b Resource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Region, b.Region), cmp.Compare(a.ID, b.ID))
	})
}

// A Bundle is a bundle read back from disk, with resources and records sorted.
type Bundle struct {
	Dir       string
	Manifest  Manifest
	Resources []Resource
	Records   []Record
}

// Open reads the bundle in dir. Malformed lines are reported with file and
// line number.
func Open(dir string) (*Bundle, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("evidence: %s is not a bundle (no %s; was the collection interrupted before it finished?)", dir, ManifestFile)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence: open bundle: %w", err)
	}
	b := &Bundle{Dir: dir}
	if err := json.Unmarshal(data, &b.Manifest); err != nil {
		return nil, fmt.Errorf("evidence: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if b.Manifest.Format != Format {
		return nil, fmt.Errorf("evidence: %s: format %q, want %q", filepath.Join(dir, ManifestFile), b.Manifest.Format, Format)
	}
	if b.Resources, err = readLines[Resource](filepath.Join(dir, ResourcesFile)); err != nil {
		return nil, err
	}
	if b.Records, err = readLines[Record](filepath.Join(dir, RecordsFile)); err != nil {
		return nil, err
	}
	SortResources(b.Resources)
	slices.SortFunc(b.Records, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Collector, b.Collector), a.Target.Compare(b.Target),
			cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.Endpoint, b.Endpoint), cmp.Compare(a.SHA256, b.SHA256))
	})
	return b, nil
}

func readLines[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evidence: open bundle: %w", err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v T
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("evidence: %s:%d: %w", path, n, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("evidence: read %s: %w", path, err)
	}
	return out, nil
}

// VerifyRaw checks that every record's body is present and matches its
// SHA-256.
func (b *Bundle) VerifyRaw() error {
	var errs []error
	for _, rec := range b.Records {
		data, err := os.ReadFile(filepath.Join(b.Dir, RawDir, rec.SHA256))
		if err != nil {
			errs = append(errs, fmt.Errorf("evidence: record %s %s: %w", rec.Operation, rec.SHA256, err))
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != rec.SHA256 {
			errs = append(errs, fmt.Errorf("evidence: raw/%s: content does not match its SHA-256", rec.SHA256))
		}
	}
	return errors.Join(errs...)
}
