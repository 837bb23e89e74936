package pack

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"runtime"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports"
)

// A Manifest lists every file of a pack with its SHA-256 and size.
type Manifest struct {
	Format        string      `json:"format"`
	AttestVersion string      `json:"attest_version"`
	CreatedAt     time.Time   `json:"created_at"`
	Files         []FileEntry `json:"files"`
}

// A FileEntry is one file of a pack.
type FileEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Options say what goes into a pack.
type Options struct {
	// Results are the evaluation; their EvaluatedAt is the pack's time.
	Results *controls.Results
	// BundleDir is the evidence bundle the results came from; it is copied
	// whole under evidence/ after its raw responses are checked.
	BundleDir string
	// Controls are the definitions of the evaluated controls, written to
	// controls/<id>.yaml.
	Controls []*controls.Control
	// Config is the configuration the results were evaluated with. The
	// pack stores a copy rebuilt from its fields (PortableConfig) as
	// attest.yaml, with the waivers, company data, subprocessor register,
	// manual evidence directory and extra control directories it names,
	// so that the pack re-evaluates alone. Nil stores an empty one.
	Config *config.File
	// ControlDirs are extra control directories given besides those of
	// Config; they are copied like Config.Controls.
	ControlDirs []string
	// AttestVersion is the version of the tool writing the pack.
	AttestVersion string
	// Signer signs the manifest.
	Signer Signer
	// Timestamp, when set, returns an RFC 3161 token over the manifest
	// (see RequestTimestamp); it is stored as manifest.tsr.
	Timestamp func(manifest []byte) ([]byte, error)
}

// Write writes a signed audit pack to w. Entries are sorted and carry the
// evaluation time, so the same inputs give the same entries; only the
// signature may differ between runs.
func Write(w io.Writer, o Options) error {
	if o.Signer == nil {
		return fmt.Errorf("pack: no signer: an audit pack is always signed")
	}
	b, err := evidence.Open(o.BundleDir)
	if err != nil {
		return err
	}
	if err := b.VerifyRaw(); err != nil {
		return fmt.Errorf("pack: the bundle in %s is damaged: %w", o.BundleDir, err)
	}
	at := o.Results.EvaluatedAt.UTC()
	pw := &writer{zw: zip.NewWriter(w), at: at}
	if err := pw.tree(o.BundleDir, "evidence"); err != nil {
		return err
	}
	if err := pw.evaluation(o, b); err != nil {
		return err
	}
	if err := pw.inputs(o.Config, o.ControlDirs); err != nil {
		return err
	}
	tool, err := json.MarshalIndent(map[string]string{"attest_version": o.AttestVersion, "go_version": runtime.Version()}, "", "  ")
	if err != nil {
		return err
	}
	pw.add("tool.json", append(tool, '\n'))
	if pw.err != nil {
		return pw.err
	}
	slices.SortFunc(pw.files, func(a, b FileEntry) int { return cmp.Compare(a.Path, b.Path) })
	m := Manifest{Format: Format, AttestVersion: o.AttestVersion, CreatedAt: at, Files: pw.files}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	manifest = append(manifest, '\n')
	if err := pw.sign(o, manifest); err != nil {
		return err
	}
	if pw.err != nil {
		return pw.err
	}
	if err := pw.zw.Close(); err != nil {
		return fmt.Errorf("pack: write zip: %w", err)
	}
	return nil
}

// evaluation adds the results, every report format rendered from them and
// the controls evaluated.
func (p *writer) evaluation(o Options, b *evidence.Bundle) error {
	results, err := o.Results.MarshalIndent()
	if err != nil {
		return err
	}
	p.add("results.json", results)
	for _, f := range reports.Formats {
		var buf bytes.Buffer
		if err := reports.Render(&buf, f, o.Results, b); err != nil {
			return err
		}
		p.add("reports/report"+reports.Extension(f), buf.Bytes())
	}
	for _, c := range o.Controls {
		data, err := yaml.Marshal(c)
		if err != nil {
			return fmt.Errorf("pack: control %s: %w", c.ID, err)
		}
		p.add("controls/"+c.ID+".yaml", data)
	}
	return nil
}

// sign adds the manifest, its signatures (sorted by file name) and, with
// o.Timestamp, its time-stamp token.
func (p *writer) sign(o Options, manifest []byte) error {
	sigs, err := o.Signer.Sign(manifest)
	if err != nil {
		return err
	}
	p.files = nil
	p.add(ManifestFile, manifest)
	names := make([]string, 0, len(sigs))
	for name := range sigs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p.add(name, sigs[name])
	}
	if o.Timestamp != nil {
		token, err := o.Timestamp(manifest)
		if err != nil {
			return err
		}
		p.add(TimestampFile, token)
	}
	return nil
}

// writer adds entries to the zip and records them for the manifest; the
// first error sticks.
type writer struct {
	zw    *zip.Writer
	at    time.Time
	files []FileEntry
	err   error
}

func (p *writer) create(name string) (io.Writer, error) {
	return p.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: p.at})
}

func (p *writer) add(name string, data []byte) {
	p.copy(name, bytes.NewReader(data))
}

func (p *writer) copy(name string, r io.Reader) {
	if p.err != nil {
		return
	}
	zf, err := p.create(name)
	if err != nil {
		p.err = fmt.Errorf("pack: add %s: %w", name, err)
		return
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(zf, h), r)
	if err != nil {
		p.err = fmt.Errorf("pack: add %s: %w", name, err)
		return
	}
	p.files = append(p.files, FileEntry{Path: name, SHA256: sum(h), Size: n})
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
