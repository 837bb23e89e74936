// Package trust writes the static trust page: a self-contained index.html
// (one hashed inline stylesheet, no scripts, no external assets, a strict
// Content-Security-Policy) that opens with a summary and keeps the details
// collapsed: the measures in place by TOM category, certifications,
// subprocessors and links to the signed documents placed next to it.
//
// By default the page lists only measures in place and names no person;
// Options opt in to the rest.
package trust

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/yamlfile"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/templates"
)

// IndexFile is the name of the page in the site directory.
const IndexFile = "index.html"

// Text is the wording of the trust page in one language, read from
// templates/trust/<lang>.yaml.
type Text struct {
	Title                string `yaml:"title"`
	Intro                string `yaml:"intro"`
	InPlace              string `yaml:"in_place"`
	LastVerified         string `yaml:"last_verified"`
	ValidUntil           string `yaml:"valid_until"`
	Verified             string `yaml:"verified"`
	Attested             string `yaml:"attested"`
	NotVerified          string `yaml:"not_verified"`
	NotVerifiedCount     string `yaml:"not_verified_count"`
	Overview             string `yaml:"overview"`
	OverviewIntro        string `yaml:"overview_intro"`
	NotShown             string `yaml:"not_shown"`
	None                 string `yaml:"none"`
	Certifications       string `yaml:"certifications"`
	Subprocessors        string `yaml:"subprocessors"`
	SubprocessorsSummary string `yaml:"subprocessors_summary"`
	Documents            string `yaml:"documents"`
	DocumentsIntro       string `yaml:"documents_intro"`
	Signed               string `yaml:"signed"`
	Unsigned             string `yaml:"unsigned"`
	Checksum             string `yaml:"checksum"`
	Contact              string `yaml:"contact"`
	DPO                  string `yaml:"dpo"`
	Generated            string `yaml:"generated"`
}

// Options choose what the page shows beyond its defaults.
type Options struct {
	// ShowNotVerified lists the measures that are not in place too,
	// marked as not verified, with their count in the summary.
	ShowNotVerified bool
	// ShowNames names the people who attested measures and the data
	// protection officer.
	ShowNames bool
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
func Write(dir string, doc *toms.Document, downloads []Download, opts Options) error {
	for _, d := range downloads {
		if _, err := os.Stat(filepath.Join(dir, d.File)); err != nil {
			return fmt.Errorf("trust: download %s: %w", d.File, err)
		}
	}
	var buf bytes.Buffer
	if err := Render(&buf, doc, downloads, opts); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFile), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	return nil
}

// Render writes the page's HTML to w.
func Render(w io.Writer, doc *toms.Document, downloads []Download, opts Options) error {
	t := &Text{}
	name := "trust/" + doc.Lang + ".yaml"
	data, err := templates.FS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	if _, err := yamlfile.Decode("templates/"+name, data, t); err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	css, err := templates.FS.ReadFile("trust/style.css")
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	tmpl, err := template.ParseFS(templates.FS, "trust/index.html.tmpl")
	if err != nil {
		return fmt.Errorf("trust: %w", err)
	}
	p := newPage(doc, t, downloads, opts)
	p.Style = template.CSS(css)
	p.CSP = CSP(css)
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("trust: render page: %w", err)
	}
	return nil
}

// CSP is the page's Content-Security-Policy: nothing may load or run
// except the one inline stylesheet whose SHA-256 is given, the empty
// favicon and links to the documents. It forbids scripts, frames, forms,
// fonts, plugins and a changed base URL.
func CSP(css []byte) string {
	sum := sha256.Sum256(css)
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"img-src data:; base-uri 'none'; form-action 'none'"
}

// page is the data of index.html.tmpl.
type page struct {
	Lang, Title, Intro, LastVerified, ValidUntil, Contact, DPO string
	DocumentsIntro, NoSubprocessors, Generated                 string
	SubprocessorsSummary                                       string
	CSP                                                        string
	Style                                                      template.CSS
	ShowNotVerified                                            bool
	// InPlace and NotVerified count the page's distinct statements.
	InPlace, NotVerified int
	T                    *Text
	Doc                  *toms.Document
	Categories           []category
	Certifications       []certification
	Subprocessors        []subprocessor
	Downloads            []download
}

type category struct {
	Title string
	Lines []line
}

// A line is one distinct statement with every measure that states it.
type line struct {
	Statement, How string
	// InPlace is set when every measure behind the statement is in place.
	InPlace  bool
	measures []*toms.Measure
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

func newPage(doc *toms.Document, t *Text, downloads []Download, opts Options) *page {
	tt := doc.Text
	company := doc.Company.Name
	p := &page{
		Lang:                 doc.Lang,
		Title:                fill(t.Title, "company", company),
		Intro:                fill(t.Intro, "company", company),
		LastVerified:         tt.Date(doc.Date),
		ValidUntil:           tt.Date(doc.ValidUntil),
		Contact:              doc.Company.Contact,
		DocumentsIntro:       fill(t.DocumentsIntro, "company", company),
		NoSubprocessors:      fill(tt.Subprocessors.None, "company", company),
		SubprocessorsSummary: fill(t.SubprocessorsSummary, "n", fmt.Sprint(len(doc.Subprocessors))),
		Generated:            fill(t.Generated, "date", tt.Date(doc.Date)),
		ShowNotVerified:      opts.ShowNotVerified,
		T:                    t,
		Doc:                  doc,
	}
	if opts.ShowNames {
		p.DPO = doc.Company.DPO
	}
	p.Categories = lines(doc, opts)
	for _, c := range p.Categories {
		for _, l := range c.Lines {
			if l.InPlace {
				p.InPlace++
			} else {
				p.NotVerified++
			}
		}
	}
	if !opts.ShowNotVerified {
		var kept []category
		for _, c := range p.Categories {
			var ls []line
			for _, l := range c.Lines {
				if l.InPlace {
					ls = append(ls, l)
				}
			}
			if len(ls) > 0 {
				kept = append(kept, category{Title: c.Title, Lines: ls})
			}
		}
		p.Categories = kept
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

// lines groups the document's measures into one line per distinct
// statement, under the category of its first measure. A line is in place
// only when every measure behind it is; its description joins the
// distinct descriptions of its measures.
func lines(doc *toms.Document, opts Options) []category {
	var out []category
	seen := map[string]*line{}
	for _, g := range doc.Categories {
		c := category{Title: g.Heading.Title}
		var ls []*line
		for _, m := range g.Measures {
			key := strings.Join(strings.Fields(m.Statement), " ")
			if l, ok := seen[key]; ok {
				l.measures = append(l.measures, m)
				continue
			}
			l := &line{Statement: m.Statement, measures: []*toms.Measure{m}}
			seen[key] = l
			ls = append(ls, l)
		}
		for _, l := range ls {
			c.Lines = append(c.Lines, *l)
		}
		out = append(out, c)
	}
	// Complete the lines once every measure is known: a statement seen
	// again in a later category counts towards its first line.
	for i := range out {
		for j := range out[i].Lines {
			l := &out[i].Lines[j]
			l.measures = seen[strings.Join(strings.Fields(l.Statement), " ")].measures
			l.InPlace = true
			var hows []string
			for _, m := range l.measures {
				l.InPlace = l.InPlace && m.Status.InPlace()
			}
			for _, m := range l.measures {
				how := doc.How(m, opts.ShowNames)
				if !l.InPlace {
					how = doc.Text.Status.NotVerified
				}
				if !slices.Contains(hows, how) {
					hows = append(hows, how)
				}
			}
			l.How = strings.Join(hows, "; ")
		}
	}
	return slices.DeleteFunc(out, func(c category) bool { return len(c.Lines) == 0 })
}

// fill replaces {key} placeholders, like the TOMs texts.
func fill(s string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}
