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
	"runtime"
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

// RemoveBundle removes the bundle in dir, so that Create can start a new
// one there. An absent or empty directory is left as it is. A directory
// that holds anything but a bundle's files is refused, so that replacing a
// bundle never deletes anything else.
func RemoveBundle(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("evidence: remove bundle: %w", err)
	}
	for _, e := range entries {
		switch e.Name() {
		case ManifestFile, ResourcesFile, RecordsFile, RawDir:
		default:
			return fmt.Errorf("%s holds %s, which is not part of an attest bundle: refusing to replace it", dir, e.Name())
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("evidence: remove bundle: %w", err)
	}
	return nil
}

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

// WriteRecordOf adds a record of a raw response the bundle already holds:
// rec.SHA256 and rec.Size name a body an earlier WriteRecord stored, for
// example when a second collector run reads a response another run of the
// same collection fetched. It returns the SHA-256, and an error when the
// bundle holds no such body.
func (w *Writer) WriteRecordOf(rec Record) (string, error) {
	line, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("evidence: encode record %s: %w", rec.Operation, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return "", w.err
	}
	if !w.raw[rec.SHA256] {
		return "", fmt.Errorf("evidence: record %s: no raw response %s in the bundle", rec.Operation, rec.SHA256)
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
	if b.Resources, err = readLines(filepath.Join(dir, ResourcesFile), (*interner).resource); err != nil {
		return nil, err
	}
	if b.Records, err = readLines(filepath.Join(dir, RecordsFile), (*interner).record); err != nil {
		return nil, err
	}
	SortResources(b.Resources)
	sortRecords(b.Records)
	return b, nil
}

// sortRecords orders records by collector, target, operation, endpoint
// and hash.
func sortRecords(rs []Record) {
	slices.SortFunc(rs, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Collector, b.Collector), a.Target.Compare(b.Target),
			cmp.Compare(a.Operation, b.Operation), cmp.Compare(a.Endpoint, b.Endpoint), cmp.Compare(a.SHA256, b.SHA256))
	})
}

// readBatch is how many lines a decoding worker takes at a time.
const readBatch = 512

// A lineBatch is a run of consecutive lines of a JSON Lines file, copied
// out of the reader, and what decoding them gave.
type lineBatch[T any] struct {
	first int // line number of lines[0]
	lines [][]byte
	out   []T
	err   error
	done  chan struct{}
}

// readLines decodes a JSON Lines file, one value a line, blank lines
// skipped, numbers as json.Number, and passes every value to fix with the
// decoding worker's interner. Lines are decoded by up to GOMAXPROCS
// workers and returned in file order; the first malformed line is
// reported with its number.
func readLines[T any](path string, fix func(*interner, *T)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evidence: open bundle: %w", err)
	}
	defer f.Close()
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	todo := make(chan *lineBatch[T], workers)
	// Batches are collected in file order; the channel's capacity bounds
	// how many are read ahead of the oldest unfinished one.
	ordered := make(chan *lineBatch[T], 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			in := newInterner()
			for bt := range todo {
				bt.out = make([]T, 0, len(bt.lines))
				for i, line := range bt.lines {
					var v T
					dec := json.NewDecoder(bytes.NewReader(line))
					dec.UseNumber()
					if err := dec.Decode(&v); err != nil {
						bt.err = fmt.Errorf("evidence: %s:%d: %w", path, bt.first+i, err)
						break
					}
					fix(in, &v)
					bt.out = append(bt.out, v)
				}
				bt.lines = nil
				close(bt.done)
			}
		})
	}
	var readErr error
	go func() {
		defer close(ordered)
		defer close(todo)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
		bt := &lineBatch[T]{first: 1, done: make(chan struct{})}
		n := 0
		flush := func(next int) {
			ordered <- bt
			todo <- bt
			bt = &lineBatch[T]{first: next, done: make(chan struct{})}
		}
		for sc.Scan() {
			n++
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				if len(bt.lines) == 0 {
					bt.first = n + 1
				} else {
					// Keep line numbers exact: a blank line ends a batch.
					flush(n + 1)
				}
				continue
			}
			bt.lines = append(bt.lines, bytes.Clone(line))
			if len(bt.lines) == readBatch {
				flush(n + 1)
			}
		}
		if len(bt.lines) > 0 {
			flush(n + 1)
		}
		readErr = sc.Err()
	}()
	var out []T
	var firstErr error
	for bt := range ordered {
		<-bt.done
		if firstErr == nil {
			firstErr = bt.err
			if firstErr == nil {
				out = append(out, bt.out...)
			}
		}
		bt.out = nil
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if readErr != nil {
		return nil, fmt.Errorf("evidence: read %s: %w", path, readErr)
	}
	return out, nil
}

// internMax bounds how many strings an interner keeps, so that a bundle
// of unique values does not grow it without limit.
const internMax = 1 << 16

// An interner makes equal strings of a bundle share one copy: resource
// types, accounts, regions, collectors, record hashes and short attribute
// values repeat across many resources.
type interner struct {
	m map[string]string
	// lastRecords is the last list of records the fast decoder read,
	// which the next resource's may share; scratch is its buffer.
	lastRecords []string
	scratch     []string
	// anys holds interned strings boxed, for the fast decoder.
	anys map[string]any
}

func newInterner() *interner { return &interner{m: map[string]string{}} }

// str returns the interned copy of s.
func (in *interner) str(s string) string {
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) < internMax {
		in.m[s] = s
	}
	return s
}

// bytes returns the interned copy of string(b), allocating only when it
// is new.
func (in *interner) bytes(b []byte) string {
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	return in.str(string(b))
}

// boxed returns the interned copy of string(b) as an any, boxing each
// string once.
func (in *interner) boxed(b []byte) any {
	if v, ok := in.anys[string(b)]; ok {
		return v
	}
	s := in.bytes(b)
	var v any = s
	if in.anys == nil {
		in.anys = map[string]any{}
	}
	if len(in.anys) < internMax {
		in.anys[s] = v
	}
	return v
}

// internLen is the longest attribute value an interner interns.
const internLen = 32

// resource interns r's repeated strings and converts the JSON numbers in
// its attributes to int64 (when integral and in range) or float64, the
// types rules compare, so that evaluation need not copy the attributes.
func (in *interner) resource(r *Resource) {
	r.Type = in.str(r.Type)
	r.Account = in.str(r.Account)
	r.Region = in.str(r.Region)
	r.Collector = in.str(r.Collector)
	for i := range r.Records {
		r.Records[i] = in.str(r.Records[i])
	}
	for k, v := range r.Attributes {
		if nv, ok := in.value(v); ok {
			r.Attributes[k] = nv
		}
	}
}

// value converts the JSON numbers in v in place and interns short strings;
// it reports whether v itself must be replaced by the returned value.
func (in *interner) value(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		f, _ := v.Float64()
		return f, true
	case string:
		if len(v) <= internLen {
			return in.str(v), true
		}
	case map[string]any:
		for k, e := range v {
			if n, ok := in.value(e); ok {
				v[k] = n
			}
		}
	case []any:
		for i, e := range v {
			if n, ok := in.value(e); ok {
				v[i] = n
			}
		}
	}
	return nil, false
}

// record interns rec's repeated strings.
func (in *interner) record(rec *Record) {
	rec.SHA256 = in.str(rec.SHA256)
	rec.Collector = in.str(rec.Collector)
	rec.Target.Source = in.str(rec.Target.Source)
	rec.Target.Account = in.str(rec.Target.Account)
	rec.Target.Region = in.str(rec.Target.Region)
	rec.Operation = in.str(rec.Operation)
	rec.Method = in.str(rec.Method)
	rec.ContentType = in.str(rec.ContentType)
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
