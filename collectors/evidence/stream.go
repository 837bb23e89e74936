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
	path := filepath.Join(dir, ResourcesFile)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("evidence: open bundle: %w", err)
	}
	defer f.Close()
	workers = max(1, workers)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type batch struct {
		first int
		lines [][]byte
	}
	todo := make(chan batch, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			in := newInterner()
			var out []Resource
			for bt := range todo {
				if ctx.Err() != nil {
					continue // drain
				}
				out = out[:0:0]
				for i, line := range bt.lines {
					var r Resource
					dec := json.NewDecoder(bytes.NewReader(line))
					dec.UseNumber()
					if err := dec.Decode(&r); err != nil {
						cancel(fmt.Errorf("evidence: %s:%d: %w", path, bt.first+i, err))
						break
					}
					in.resource(&r)
					out = append(out, r)
				}
				if ctx.Err() != nil {
					continue
				}
				if err := fn(w, out); err != nil {
					cancel(err)
				}
			}
		})
	}
	readErr := readBatches(ctx, f, func(first int, lines [][]byte) {
		todo <- batch{first, lines}
	})
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

// readBatches splits a JSON Lines file into batches of up to readBatch
// non-blank lines and passes each with the number of its first line to
// send. A blank line ends a batch, so that line numbers stay exact.
func readBatches(ctx context.Context, f *os.File, send func(first int, lines [][]byte)) error {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	first, n := 1, 0
	var lines [][]byte
	flush := func(next int) {
		if len(lines) > 0 {
			send(first, lines)
		}
		first, lines = next, nil
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
		lines = append(lines, bytes.Clone(line))
		if len(lines) == readBatch {
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
