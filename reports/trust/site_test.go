package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attestdev/attest/reports/toms"
)

// TestSite checks the assembly of the site: both languages' TOMs and DPA
// PDFs, signed when a signer is given, their checksums over the bytes
// written, and the page in the requested language.
func TestSite(t *testing.T) {
	t.Parallel()
	docs := map[string]*toms.Document{}
	for _, l := range toms.Languages {
		docs[l] = document(t, l, false)
	}
	doc := func(l string) (*toms.Document, error) { return docs[l], nil }
	dpaDE, err := toms.LoadDPAText("de")
	if err != nil {
		t.Fatal(err)
	}
	for _, signed := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "site")
		var reasons []string
		var sign Signer
		if signed {
			sign = func(_ context.Context, d *toms.Document, pdf []byte, reason string) ([]byte, error) {
				reasons = append(reasons, d.Lang+":"+reason)
				return append(slices.Clip(pdf), "%signed\n"...), nil
			}
		}
		page, downloads, err := Site(context.Background(), dir, "de", doc, sign, Options{})
		if err != nil {
			t.Fatalf("signed=%v: Site: %v", signed, err)
		}
		if page != docs["de"] {
			t.Errorf("signed=%v: page is not the German document", signed)
		}
		var files []string
		for _, d := range downloads {
			files = append(files, d.File)
			b, err := os.ReadFile(filepath.Join(dir, d.File))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if d.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("signed=%v: %s: checksum %s is not over the file written", signed, d.File, d.SHA256)
			}
			if d.Signed != signed || bytes.HasSuffix(b, []byte("%signed\n")) != signed {
				t.Errorf("signed=%v: %s: Signed=%v, file signed=%v", signed, d.File, d.Signed, bytes.HasSuffix(b, []byte("%signed\n")))
			}
			if !strings.HasSuffix(d.File, "-"+d.Lang+".pdf") {
				t.Errorf("%s: language %s", d.File, d.Lang)
			}
		}
		if want := []string{"toms-en.pdf", "dpa-en.pdf", "toms-de.pdf", "dpa-de.pdf"}; !slices.Equal(files, want) {
			t.Errorf("signed=%v: downloads %v, want %v", signed, files, want)
		}
		if downloads[2].Title != docs["de"].Text.Title || downloads[3].Title != dpaDE.Title {
			t.Errorf("German titles %q, %q; want %q, %q", downloads[2].Title, downloads[3].Title, docs["de"].Text.Title, dpaDE.Title)
		}
		if signed {
			want := []string{"en:" + docs["en"].Text.Title, "en:" + downloads[1].Title, "de:" + docs["de"].Text.Title, "de:" + dpaDE.Title}
			if !slices.Equal(reasons, want) {
				t.Errorf("signature reasons %q, want %q", reasons, want)
			}
		}
		index, err := os.ReadFile(filepath.Join(dir, IndexFile))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Render(&buf, docs["de"], downloads, Options{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(index, buf.Bytes()) {
			t.Errorf("signed=%v: index.html is not the German page over the downloads", signed)
		}
		for _, d := range downloads {
			if !bytes.Contains(index, []byte(d.SHA256)) {
				t.Errorf("signed=%v: index.html lacks the checksum of %s", signed, d.File)
			}
		}
	}
}

// TestSiteErrors checks that a document or signing error stops the site
// before the page is written.
func TestSiteErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	good := func(l string) (*toms.Document, error) { return document(t, l, false), nil }
	for name, c := range map[string]struct {
		doc  func(string) (*toms.Document, error)
		sign Signer
	}{
		"document": {func(string) (*toms.Document, error) { return nil, boom }, nil},
		"sign":     {good, func(context.Context, *toms.Document, []byte, string) ([]byte, error) { return nil, boom }},
	} {
		dir := t.TempDir()
		if _, _, err := Site(context.Background(), dir, "en", c.doc, c.sign, Options{}); !errors.Is(err, boom) {
			t.Errorf("%s: Site = %v, want %v", name, err, boom)
		}
		if _, err := os.Stat(filepath.Join(dir, IndexFile)); !os.IsNotExist(err) {
			t.Errorf("%s: index.html written after an error (%v)", name, err)
		}
	}
}
