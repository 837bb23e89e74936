package evidence

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Merge combines bundles into a new bundle in dst, which must be empty or
// absent. It is meant for the shards of one collection (attest collect
// --shard i/n): every shard 0..n-1 must be given exactly once. Bundles
// without a shard may be merged too when their runs do not overlap. Merge
// refuses bundles of another format or attest version, a mix of sharded and
// unsharded bundles, and a collector run (collector and target) present in
// two bundles, so the merged bundle evaluates exactly like one collection.
//
// Resources and records are streamed line by line and raw responses are
// copied once each (they are named by their SHA-256, which is checked), so
// merging needs little memory. The merged manifest starts at the earliest
// start, finishes at the latest finish and is interrupted when any input
// was.
func Merge(dst string, srcs ...string) (Manifest, error) {
	if len(srcs) == 0 {
		return Manifest{}, errors.New("evidence: merge: no bundles given")
	}
	ms := make([]Manifest, len(srcs))
	for i, src := range srcs {
		m, err := ReadManifest(src)
		if err != nil {
			return Manifest{}, err
		}
		ms[i] = m
	}
	merged, err := mergeManifests(srcs, ms)
	if err != nil {
		return Manifest{}, err
	}
	w, err := Create(dst)
	if err != nil {
		return Manifest{}, err
	}
	for i, src := range srcs {
		if err := w.appendBundle(src, ms[i]); err != nil {
			return Manifest{}, errors.Join(fmt.Errorf("evidence: merge %s: %w", src, err), w.abort())
		}
	}
	if err := w.Close(merged); err != nil {
		return Manifest{}, err
	}
	return ReadManifest(dst)
}

// ReadManifest reads and checks the manifest of the bundle in dir without
// reading its resources.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return m, fmt.Errorf("evidence: read manifest: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("evidence: %s: %w", path, err)
	}
	if m.Format != Format {
		return m, fmt.Errorf("evidence: %s: format %q, want %q", path, m.Format, Format)
	}
	return m, nil
}

// mergeManifests checks that the bundles fit together and returns the
// manifest of their merge, without counts.
func mergeManifests(srcs []string, ms []Manifest) (Manifest, error) {
	out := Manifest{AttestVersion: ms[0].AttestVersion, StartedAt: ms[0].StartedAt, FinishedAt: ms[0].FinishedAt}
	sharded := ms[0].Shard != nil
	count := 0
	if sharded {
		count = ms[0].Shard.Count
	}
	seenShard := map[int]string{}
	seenRun := map[string]string{}
	for i, m := range ms {
		if m.AttestVersion != out.AttestVersion {
			return out, fmt.Errorf("evidence: merge: %s was written by attest %s, %s by attest %s", srcs[0], out.AttestVersion, srcs[i], m.AttestVersion)
		}
		if (m.Shard != nil) != sharded {
			return out, fmt.Errorf("evidence: merge: %s and %s: cannot merge a shard with an unsharded bundle", srcs[0], srcs[i])
		}
		if m.Shard != nil {
			if err := m.Shard.Validate(); err != nil {
				return out, fmt.Errorf("%w (in %s)", err, srcs[i])
			}
			if m.Shard.Count != count {
				return out, fmt.Errorf("evidence: merge: %s is shard %s but %s is shard %s: shard counts differ", srcs[0], ms[0].Shard, srcs[i], m.Shard)
			}
			if prev, dup := seenShard[m.Shard.Index]; dup {
				return out, fmt.Errorf("evidence: merge: shard %s is both %s and %s", m.Shard, prev, srcs[i])
			}
			seenShard[m.Shard.Index] = srcs[i]
		}
		for _, r := range m.Runs {
			key := r.Collector + " " + r.Target.String()
			if prev, dup := seenRun[key]; dup {
				return out, fmt.Errorf("evidence: merge: run %s on %s is in both %s and %s", r.Collector, r.Target, prev, srcs[i])
			}
			seenRun[key] = srcs[i]
		}
		if m.StartedAt.Before(out.StartedAt) {
			out.StartedAt = m.StartedAt
		}
		if m.FinishedAt.After(out.FinishedAt) {
			out.FinishedAt = m.FinishedAt
		}
		out.Interrupted = out.Interrupted || m.Interrupted
	}
	var missing []string
	for i := range count {
		if _, ok := seenShard[i]; !ok {
			missing = append(missing, Shard{Index: i, Count: count}.String())
		}
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("evidence: merge: missing shard(s) %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// abort closes the files of a bundle that could not be completed and
// removes it, so that no half-merged bundle is left behind.
func (w *Writer) abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = errors.Join(w.resources.Close(), w.records.Close())
	return os.RemoveAll(w.dir)
}

// appendBundle streams the bundle in src, described by m, into w.
func (w *Writer) appendBundle(src string, m Manifest) error {
	nres, err := w.appendLines(filepath.Join(src, ResourcesFile), w.resBuf)
	if err != nil {
		return err
	}
	nrec, err := w.appendLines(filepath.Join(src, RecordsFile), w.recBuf)
	if err != nil {
		return err
	}
	if nres != m.Resources || nrec != m.Records {
		return fmt.Errorf("holds %d resources and %d records but its manifest says %d and %d", nres, nrec, m.Resources, m.Records)
	}
	entries, err := os.ReadDir(filepath.Join(src, RawDir))
	if err != nil {
		return fmt.Errorf("read raw responses: %w", err)
	}
	for _, e := range entries {
		if err := w.copyRaw(filepath.Join(src, RawDir, e.Name()), e.Name()); err != nil {
			return err
		}
	}
	w.mu.Lock()
	w.runs = append(w.runs, slices.Clone(m.Runs)...)
	w.mu.Unlock()
	return nil
}

// appendLines copies the non-empty lines of path to b and counts them.
func (w *Writer) appendLines(path string, b *bufio.Writer) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := w.keep(writeLine(b, line)); err != nil {
			return n, err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("read %s: %w", path, err)
	}
	switch b {
	case w.resBuf:
		w.nres += n
	case w.recBuf:
		w.nrec += n
	}
	return n, nil
}

// copyRaw copies the raw response at path, named sum, unless the bundle
// already holds it, and checks its SHA-256.
func (w *Writer) copyRaw(path, sum string) error {
	w.mu.Lock()
	have := w.raw[sum]
	w.mu.Unlock()
	if have {
		return nil
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	dst := filepath.Join(w.dir, RawDir, sum)
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), in)
	if err = errors.Join(err, out.Close()); err != nil {
		return fmt.Errorf("copy raw response %s: %w", sum, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		_ = os.Remove(dst)
		return fmt.Errorf("raw/%s: content does not match its SHA-256", sum)
	}
	w.mu.Lock()
	w.raw[sum] = true
	w.mu.Unlock()
	return nil
}
