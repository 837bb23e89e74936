// Package trust writes the static trust page: a self-contained index.html
// (inline CSS, no scripts, no external assets) with the security overview
// by TOM category, certifications, subprocessors, the last-verified date
// and links to the signed documents placed next to it.
package trust

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/templates"
)

// IndexFile is the name of the page in the site directory.
const IndexFile = "index.html"

// Text is the wording of the trust page in one language, read from
// templates/trust/<lang>.yaml.
type Text struct {
	Title          string `yaml:"title"`
	Intro          string `yaml:"intro"`
	LastVerified   string `yaml:"last_verified"`
	ValidUntil     string `yaml:"valid_until"`
	Verified       string `yaml:"verified"`
	Attested       string `yaml:"attested"`
	NotVerified    string `yaml:"not_verified"`
	Overview       string `yaml:"overview"`
	Certifications string `yaml:"certifications"`
	Subprocessors  string `yaml:"subprocessors"`
	Documents      string `yaml:"documents"`
	DocumentsIntro string `yaml:"documents_intro"`
	Signed         string `yaml:"signed"`
	Unsigned       string `yaml:"unsigned"`
	Checksum       string `yaml:"checksum"`
	Contact        string `yaml:"contact"`
	DPO            string `yaml:"dpo"`
	Generated      string `yaml:"generated"`
}

// A Download is a document in the site directory that the page links to.
type Download struct {
	Title string
	// File is the file name, relative to the site directory.
	File   string
	Lang   string
	Signed bool
	SHA256 string
}

// Write renders the page for doc, in doc's language, into dir/index.html.
// The downloads must already be in dir.
func Write(dir string, doc *toms.Document, downloads []Download) error {
	for _, d := range downloads {
		if _, err := os.Stat(filepath.Join(dir, d.File)); err != nil {
			return fmt.Errorf("trust: download %s: %w", d.File, err)
		}
	}
	var buf bytes.Buffer
	if err := Render(&buf, doc, downloads); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFile), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	return nil
}

// Render writes the page's HTML to w.
func Render(w io.Writer, doc *toms.Document, downloads []Download) error {
	t := &Text{}
	name := "trust/" + doc.Lang + ".yaml"
	data, err := templates.FS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	if _, err := controls.DecodeStrict("templates/"+name, data, t); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	tmpl, err := template.ParseFS(templates.FS, "trust/index.html.tmpl")
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	if err := tmpl.Execute(w, newPage(doc, t, downloads)); err != nil {
		return fmt.Errorf("trust: render page: %w", err)
	}
	return nil
}

// page is the data of index.html.tmpl.
type page struct {
	Lang, Title, Intro, LastVerified, ValidUntil, Contact string
	DocumentsIntro, NoSubprocessors, Generated            string
	T                                                     *Text
	Doc                                                   *toms.Document
	Categories                                            []category
	Certifications                                        []certification
	Subprocessors                                         []subprocessor
	Downloads                                             []download
}

type category struct {
	Heading  toms.Heading
	Measures []measure
}

type measure struct {
	Statement, How string
	InPlace        bool
}

type certification struct{ Name, Issuer, ValidUntil, URL string }

type subprocessor struct {
	Name, Purpose, Location, Transfer, DPA, Review string
	Certifications                                 []string
}

type download struct {
	Download
	State string
}

func newPage(doc *toms.Document, t *Text, downloads []Download) *page {
	tt := doc.Text
	company := doc.Company.Name
	p := &page{
		Lang:            doc.Lang,
		Title:           fill(t.Title, "company", company),
		Intro:           fill(t.Intro, "company", company),
		LastVerified:    tt.Date(doc.Date),
		ValidUntil:      tt.Date(doc.ValidUntil),
		Contact:         doc.Company.Contact,
		DocumentsIntro:  fill(t.DocumentsIntro, "company", company),
		NoSubprocessors: fill(tt.Subprocessors.None, "company", company),
		Generated:       fill(t.Generated, "date", tt.Date(doc.Date)),
		T:               t,
		Doc:             doc,
	}
	for _, g := range doc.Categories {
		if len(g.Measures) == 0 {
			continue
		}
		c := category{Heading: g.Heading}
		for _, m := range g.Measures {
			c.Measures = append(c.Measures, measure{Statement: m.Statement, How: doc.StatusText(m), InPlace: m.Status.InPlace()})
		}
		p.Categories = append(p.Categories, c)
	}
	for _, c := range doc.Certifications {
		until := c.ValidUntil
		if at, err := time.Parse(time.DateOnly, c.ValidUntil); err == nil {
			until = tt.Date(at)
		}
		p.Certifications = append(p.Certifications, certification{Name: c.Name, Issuer: c.Issuer, ValidUntil: until, URL: c.URL})
	}
	for _, s := range doc.Subprocessors {
		r := tt.RegisterRow(s)
		p.Subprocessors = append(p.Subprocessors, subprocessor{Name: s.Name, Purpose: s.Purpose + " (" + s.ServiceText() + ")",
			Location: r.Location, Transfer: r.Transfer, DPA: r.DPA, Review: r.Review, Certifications: r.Certifications})
	}
	for _, d := range downloads {
		state := t.Unsigned
		if d.Signed {
			state = t.Signed
		}
		p.Downloads = append(p.Downloads, download{Download: d, State: state})
	}
	return p
}

// fill replaces {key} placeholders, like the TOMs texts.
func fill(s string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}
