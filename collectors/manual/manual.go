// Package manual collects organisational evidence: NDAs, security
// training, background checks, penetration tests, risk assessments, DR
// tests, policy acceptance, access reviews. Each is a YAML record in an
// evidence directory, saying what was done, when, by whom and for whom,
// with attached files whose SHA-256 is checked at every collection.
//
// A record looks like this:
//
//	kind: security_training
//	title: Annual security awareness training 2026
//	performed_at: 2026-01-20
//	valid_until: 2027-01-20        # optional; the control's max age applies too
//	attested_by: Jane Doe (CISO)
//	scope: {description: all employees, population: 42, covered: 42}
//	attachments:
//	  - file: files/security-training-2026-01-20/attendance.csv
//	    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// Records live anywhere in the directory except under files/, where
// `attest evidence add` copies attachments.
package manual

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SourceName is the name of the manual source in configuration and targets.
const SourceName = "manual"

// EvidenceType is the resource type of a record. The controls package
// evaluates manual requirements against it.
const EvidenceType = "manual.evidence"

// FilesDir is the directory, inside the evidence directory, that holds
// attachments. Records are not looked for in it.
const FilesDir = "files"

// DefaultDir is the evidence directory used when none is configured.
const DefaultDir = "evidence"

// Config configures the manual source.
type Config struct {
	// Dir is the evidence directory; default "evidence".
	Dir string `yaml:"dir,omitempty"`

	// FS replaces Dir as the file system read (tests and the demo).
	FS fs.FS `yaml:"-"`
	// Shift is added to every date read, so that the demo's fixed records
	// stay as fresh, or as stale, as they were written (the demo only).
	Shift time.Duration `yaml:"-"`
}

// Validate checks the configuration without reading the directory.
func (c *Config) Validate() error {
	if c.Dir != "" && strings.ContainsRune(c.Dir, 0) {
		return errors.New("dir: contains a NUL byte")
	}
	return nil
}

// DirOrDefault returns the configured directory, or DefaultDir.
func (c *Config) DirOrDefault() string { return cmp.Or(c.Dir, DefaultDir) }

func (c *Config) fsys() fs.FS {
	if c.FS != nil {
		return c.FS
	}
	return os.DirFS(c.DirOrDefault())
}

// A Source reads the evidence directory.
type Source struct {
	cfg Config
	c   *Collector
}

// NewSource returns the manual source for cfg. It performs no I/O.
func NewSource(cfg Config) *Source { return &Source{cfg: cfg, c: &Collector{cfg: cfg}} }

// Name returns "manual".
func (s *Source) Name() string { return SourceName }

// Collectors returns the record collector.
func (s *Source) Collectors() []collectors.Collector { return []collectors.Collector{s.c} }

// Plan returns one job for the evidence directory.
func (s *Source) Plan(_ context.Context, enabled func(string) bool) ([]collectors.Job, error) {
	if !enabled(s.c.Describe().ID) {
		return nil, nil
	}
	account := s.cfg.DirOrDefault()
	if s.cfg.FS != nil && s.cfg.Dir == "" {
		account = "embedded"
	}
	return []collectors.Job{{Collector: s.c, Target: evidence.Target{Source: SourceName, Account: account}}}, nil
}

// Policy lists what the source needs: read access to the directory.
func Policy(ds []collectors.Descriptor) ([]byte, error) { return collectors.PlainPolicy(ds), nil }

// Read parses every record in fsys, sorted by file. Records that do not
// parse are left out and their errors returned as problems (one per file
// and field), so that one bad file does not hide the others. err is set
// only when the directory cannot be read at all.
func Read(fsys fs.FS) (recs []*Record, problems []error, err error) {
	walkErr := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			problems = append(problems, fmt.Errorf("%s: %w", p, err))
			return nil
		}
		if d.IsDir() {
			if p != "." && (p == FilesDir || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if ext := path.Ext(p); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", p, err))
			return nil
		}
		r, err := Parse(p, data)
		if err != nil {
			problems = append(problems, unjoin(err)...)
			return nil
		}
		recs = append(recs, r)
		return nil
	})
	if walkErr != nil {
		return nil, nil, fmt.Errorf("manual: read evidence directory: %w", walkErr)
	}
	slices.SortFunc(recs, func(a, b *Record) int { return cmp.Compare(a.File, b.File) })
	return recs, problems, nil
}

// Latest returns, per kind, the file of the newest record by performed
// time (ties go to the later file name).
func Latest(recs []*Record) map[string]string {
	newest := map[string]*Record{}
	for _, r := range recs {
		if n, ok := newest[r.Kind]; !ok || !r.performed.Before(n.performed) {
			newest[r.Kind] = r
		}
	}
	out := map[string]string{}
	for k, r := range newest {
		out[k] = r.File
	}
	return out
}
