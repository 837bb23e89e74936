package trust

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/attestdev/attest/reports/toms"
)

// A Signer signs the rendered PDF of d; reason is the document's title,
// recorded as the signature's reason.
type Signer func(ctx context.Context, d *toms.Document, pdf []byte, reason string) ([]byte, error)

// Site writes the whole trust site into dir, creating it: for each of
// toms.Languages in order, the TOMs (toms-LANG.pdf) and the DPA
// (dpa-LANG.pdf) built from doc(LANG), each signed with sign when it is
// not nil, then index.html in lang linking them with their SHA-256
// checksums (Write). It returns the document of the page and the
// downloads it links, in the order written.
func Site(ctx context.Context, dir, lang string, doc func(lang string) (*toms.Document, error), sign Signer, opts Options) (*toms.Document, []Download, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	var downloads []Download
	var page *toms.Document
	for _, l := range toms.Languages {
		d, err := doc(l)
		if err != nil {
			return nil, nil, err
		}
		if l == lang {
			page = d
		}
		dt, err := toms.LoadDPAText(l)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range []struct {
			name, title string
			render      func() ([]byte, error)
		}{
			{"toms-" + l + ".pdf", d.Text.Title, func() ([]byte, error) { return toms.RenderTOMs(d) }},
			{"dpa-" + l + ".pdf", dt.Title, func() ([]byte, error) { return toms.RenderDPA(d, "") }},
		} {
			pdf, err := f.render()
			if err != nil {
				return nil, nil, err
			}
			if sign != nil {
				if pdf, err = sign(ctx, d, pdf, f.title); err != nil {
					return nil, nil, err
				}
			}
			if err := os.WriteFile(filepath.Join(dir, f.name), pdf, 0o644); err != nil {
				return nil, nil, err
			}
			sum := sha256.Sum256(pdf)
			downloads = append(downloads, Download{Title: f.title, File: f.name, Lang: l, Signed: sign != nil, SHA256: hex.EncodeToString(sum[:])})
		}
	}
	if err := Write(dir, page, downloads, opts); err != nil {
		return nil, nil, err
	}
	return page, downloads, nil
}
