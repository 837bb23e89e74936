package evidence

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// OpenManifest reads the manifest of the bundle in dir, with the message
// Open gives for a directory that is not a bundle, without reading its
// resources or records. Together with ScanResources it reads a bundle as
// a stream.
func OpenManifest(dir string) (Manifest, error) {
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, fmt.Errorf("evidence: %s is not a bundle (no %s; was the collection interrupted before it finished?)", dir, ManifestFile)
	}
	return ReadManifest(dir)
}

// ScanResources reads the resources of the bundle in dir once, as a
// stream: lines are decoded (numbers converted and strings interned as
// Open does) by up to workers goroutines, and fn is called with each batch
// of consecutive resources on the goroutine that decoded it, so calls are
// concurrent and in no particular order. fn may keep the resources it is
// given; ScanResources keeps none, so memory holds only the batches in
// flight. It stops at the first error of fn, of decoding (reported with
// file and line) or of ctx.
func ScanResources(ctx context.Context, dir string, workers int, fn func(worker int, batch []Resource) error) error {
	return ScanSelected(ctx, dir, workers, nil, fn)
}

// ScanSelected reads the resources of the bundle in dir as ScanResources
// does, decoding only the attributes sel selects (all when sel is nil):
// the others are checked for syntax and skipped, so a resource's
// Attributes hold only selected ones (nil when none is). Every other field
// is decoded.
func ScanSelected(ctx context.Context, dir string, workers int, sel *Selection, fn func(worker int, batch []Resource) error) error {
	path := filepath.Join(dir, ResourcesFile)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("evidence: open bundle: %w", err)
	}
	defer f.Close()
	workers = max(1, workers)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	todo := make(chan lineRun, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			in := newInterner()
			for bt := range todo {
				if ctx.Err() != nil {
					continue // drain
				}
				out, err := bt.decode(path, in, sel)
				if err != nil {
					cancel(err)
					continue
				}
				if err := fn(w, out); err != nil {
					cancel(err)
				}
			}
		})
	}
	readErr := readRuns(ctx, f, func(bt lineRun) { todo <- bt })
	close(todo)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if readErr != nil {
		return fmt.Errorf("evidence: read %s: %w", path, readErr)
	}
	return nil
}

// A lineRun is a run of consecutive non-blank lines of a JSON Lines file,
// copied into one buffer: the number of the first, and where each ends.
type lineRun struct {
	first int
	data  []byte
	ends  []int
}

// decode decodes the run's lines into resources, keeping the attributes
// sel selects. Each line is decoded by the fast decoder (decodeResource);
// one it gives up on is decoded by encoding/json as Open decodes it, so
// that results and errors (which name their line) are Open's.
func (bt lineRun) decode(path string, in *interner, sel *Selection) ([]Resource, error) {
	out := make([]Resource, 0, len(bt.ends))
	start := 0
	for i, end := range bt.ends {
		line := bt.data[start:end]
		start = end + 1
		if r, ok := decodeResource(line, in, sel); ok {
			out = append(out, r)
			continue
		}
		var r Resource
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("evidence: %s:%d: %w", path, bt.first+i, err)
		}
		in.resource(&r)
		sel.apply(&r)
		out = append(out, r)
	}
	return out, nil
}

// readRuns splits a JSON Lines file into runs of up to readBatch
// non-blank lines and passes each to send. A blank line ends a run, so
// that line numbers stay exact.
func readRuns(ctx context.Context, f *os.File, send func(lineRun)) error {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	n := 0
	bt := lineRun{first: 1}
	// size is the capacity a run's buffer starts with: that of the last
	// full run and a little more, so that buffers rarely grow (copying).
	size := 64 << 10
	flush := func(next int) {
		if len(bt.ends) > 0 {
			send(bt)
		}
		if len(bt.ends) == readBatch {
			size = max(size, len(bt.data)+len(bt.data)/8)
		}
		bt = lineRun{first: next}
	}
	for sc.Scan() {
		n++
		if ctx.Err() != nil {
			return nil
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			flush(n + 1)
			continue
		}
		if bt.data == nil {
			bt.data = make([]byte, 0, size)
			bt.ends = make([]int, 0, readBatch)
		}
		bt.data = append(bt.data, line...)
		bt.ends = append(bt.ends, len(bt.data))
		bt.data = append(bt.data, '\n')
		if len(bt.ends) == readBatch {
			flush(n + 1)
		}
	}
	flush(n + 1)
	return sc.Err()
}

// OpenRecords reads the bundle in dir as Open does but without its
// resources: the manifest and the records, sorted, which is what reports
// need of a bundle (the operation and time of each raw response).
func OpenRecords(dir string) (*Bundle, error) {
	m, err := OpenManifest(dir)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Dir: dir, Manifest: m}
	if b.Records, err = readLines(filepath.Join(dir, RecordsFile), (*interner).record); err != nil {
		return nil, err
	}
	sortRecords(b.Records)
	return b, nil
}
