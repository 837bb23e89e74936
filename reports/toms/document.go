package toms

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/subprocessors"
)

// art32IDs are the gdpr catalog requirements of Art. 32(1), in order.
var art32IDs = []string{"Art.32(1)(a)", "Art.32(1)(b)", "Art.32(1)(c)", "Art.32(1)(d)"}

// DefaultValidity is how long a document stays valid after its evidence
// date when Input.ValidFor is zero.
const DefaultValidity = 90 * 24 * time.Hour

// A Status says how a measure is known to be in place.
type Status int

// The statuses.
const (
	// NotVerified: the control did not pass; the measure is not claimed.
	NotVerified Status = iota
	// Verified: the control passed on automatically collected evidence
	// (and any attestations it also needs are current).
	Verified
	// Attested: the control passed on manual attestations only.
	Attested
)

// InPlace reports whether the status allows stating the measure as in
// place.
func (s Status) InPlace() bool { return s != NotVerified }

// A Measure is one control's TOM statement with the evidence behind it.
type Measure struct {
	ControlID string
	Category  string
	GDPR      []string
	Statement string
	Status    Status
	// Evidence lists the automatically checked resource types with the
	// number of resources checked, for Verified measures.
	Evidence []EvidenceRef
	// Attestations are the current manual attestations.
	Attestations []Attestation
}

// An EvidenceRef names a resource type a rule checked and how many
// resources it looked at.
type EvidenceRef struct {
	Type      string
	Resources int
}

// An Attestation is a manual record: who attested and until when.
type Attestation struct {
	Kind       string
	By         string
	ValidUntil time.Time
}

// A Group is a set of measures under one heading: an Art. 32(1) objective
// or a TOM category.
type Group struct {
	ID       string
	Heading  Heading
	Measures []*Measure
}

// Input is what a document is built from besides the results.
type Input struct {
	// Lang is "en" or "de".
	Lang          string
	Company       Company
	Subprocessors []subprocessors.Subprocessor
	// OmitNotInPlace leaves measures that are not verified out of the
	// document instead of listing them as not verified.
	OmitNotInPlace bool
	// ValidFor is how long the document is valid after the evidence
	// date; DefaultValidity when zero. An attestation that expires earlier
	// shortens it.
	ValidFor time.Duration
	// Producer is the PDF producer string, such as "attest v1.2.0".
	Producer string
}

// A Document is the content of a TOMs document, ready to render.
type Document struct {
	Input
	Text *Text
	// Date is the evidence date: when the results were evaluated.
	Date       time.Time
	ValidUntil time.Time
	Version    string
	Measures   []*Measure
	Art32      []Group
	Categories []Group
	// Certifications are the company's certifications valid on Date.
	Certifications []Certification
	// Counts of measures by status, before any are omitted.
	Verified, Attested, NotVerified int
	// Omitted is the number of not verified measures left out.
	Omitted int
	// Warnings are problems worth logging: a control missing from the
	// library, an expired certification.
	Warnings []string
}

// Build turns results into a TOMs document. lib supplies the statements of
// the controls in res; a control missing from it is described by its title.
func Build(lib *controls.Library, res *controls.Results, in Input) (*Document, error) {
	text, err := LoadText(in.Lang)
	if err != nil {
		return nil, err
	}
	if in.ValidFor == 0 {
		in.ValidFor = DefaultValidity
	}
	d := &Document{Input: in, Text: text, Date: res.EvaluatedAt.UTC(), Version: "1"}
	d.ValidUntil = d.Date.Add(in.ValidFor)
	if n := len(in.Company.Revisions); n > 0 {
		d.Version = in.Company.Revisions[n-1].Version
	}
	for _, cr := range res.Controls {
		if cr.TOMCategory == "" || cr.Outcome == controls.NotApplicable {
			continue
		}
		m := d.measure(lib, cr)
		switch m.Status {
		case Verified:
			d.Verified++
		case Attested:
			d.Attested++
		default:
			d.NotVerified++
			if in.OmitNotInPlace {
				d.Omitted++
				continue
			}
		}
		for _, a := range m.Attestations {
			if a.ValidUntil.Before(d.ValidUntil) {
				d.ValidUntil = a.ValidUntil
			}
		}
		d.Measures = append(d.Measures, m)
	}
	catOrder := func(c string) int {
		if i := slices.Index(controls.TOMCategories, c); i >= 0 {
			return i
		}
		return len(controls.TOMCategories)
	}
	slices.SortStableFunc(d.Measures, func(a, b *Measure) int {
		return cmp.Or(cmp.Compare(catOrder(a.Category), catOrder(b.Category)), cmp.Compare(a.ControlID, b.ControlID))
	})
	for _, id := range art32IDs {
		g := Group{ID: id, Heading: text.Art32[id]}
		for _, m := range d.Measures {
			if slices.Contains(m.GDPR, id) {
				g.Measures = append(g.Measures, m)
			}
		}
		d.Art32 = append(d.Art32, g)
	}
	for _, c := range controls.TOMCategories {
		g := Group{ID: c, Heading: text.Categories[c]}
		for _, m := range d.Measures {
			if m.Category == c {
				g.Measures = append(g.Measures, m)
			}
		}
		d.Categories = append(d.Categories, g)
	}
	for _, c := range in.Company.Certifications {
		until, err := time.Parse(time.DateOnly, c.ValidUntil)
		if err != nil {
			return nil, fmt.Errorf("toms: certification %s: valid_until: %w", c.Name, err)
		}
		if until.Before(d.Date.Truncate(24 * time.Hour)) {
			d.Warnings = append(d.Warnings, fmt.Sprintf("certification %s expired on %s: left out", c.Name, c.ValidUntil))
			continue
		}
		d.Certifications = append(d.Certifications, c)
	}
	return d, nil
}

// measure describes one control result as a measure.
func (d *Document) measure(lib *controls.Library, cr controls.ControlResult) *Measure {
	m := &Measure{ControlID: cr.ID, Category: cr.TOMCategory, GDPR: cr.Mappings.GDPR, Statement: cr.Title}
	// The statement is the one rendered from the params the control was
	// evaluated with; results from before rendered statements fall back
	// to the library's statement with its default params.
	stmt := cr.Statement
	if stmt == nil {
		if c, ok := lib.Control(cr.ID); ok {
			if params, err := c.EffectiveParams(nil); err == nil {
				if s, err := c.RenderStatement(params); err == nil {
					stmt = &s
				}
			}
		}
	}
	switch {
	case stmt != nil && d.Lang == "de" && stmt.DE != "":
		m.Statement = stmt.DE
	case stmt != nil && stmt.EN != "":
		m.Statement = stmt.EN
	default:
		d.Warnings = append(d.Warnings, fmt.Sprintf("control %s has no statement in the results or the library: described by its title", cr.ID))
	}
	if cr.Outcome != controls.Pass {
		return m
	}
	for _, r := range cr.Evidence {
		// A requirement with nothing in scope neither proves nor
		// disproves the measure: the control passed on the others.
		if r.Outcome == controls.NotApplicable {
			continue
		}
		if r.Outcome != controls.Pass {
			return m
		}
		m.Evidence = append(m.Evidence, EvidenceRef{Type: r.Type, Resources: r.Counts.Resources - r.Counts.Filtered})
	}
	for _, mr := range cr.Manual {
		until, err := time.Parse(time.RFC3339, mr.ValidUntil)
		if mr.Outcome != controls.Pass || err != nil {
			m.Evidence, m.Attestations = nil, nil
			return m
		}
		m.Attestations = append(m.Attestations, Attestation{Kind: mr.Kind, By: mr.AttestedBy, ValidUntil: until.UTC()})
	}
	switch {
	case len(m.Evidence) > 0:
		m.Status = Verified
	case len(m.Attestations) > 0:
		m.Status = Attested
	}
	return m
}

// StatusText describes how the measure is known to be in place, in the
// document's language.
func (d *Document) StatusText(m *Measure) string {
	t := d.Text
	var ev []string
	for _, e := range m.Evidence {
		ev = append(ev, fill(t.Status.Resources, "type", e.Type, "n", fmt.Sprint(e.Resources)))
	}
	var by []string
	until := ""
	if len(m.Attestations) > 0 {
		// The earliest expiry is the one that matters.
		earliest := slices.MinFunc(m.Attestations, func(a, b Attestation) int { return a.ValidUntil.Compare(b.ValidUntil) })
		until = t.Date(earliest.ValidUntil)
	}
	for _, a := range m.Attestations {
		if !slices.Contains(by, a.By) {
			by = append(by, a.By)
		}
	}
	args := []string{"date", t.Date(d.Date), "evidence", strings.Join(ev, "; "), "by", strings.Join(by, ", "), "until", until}
	switch {
	case m.Status == Verified && len(m.Attestations) > 0:
		return fill(t.Status.VerifiedAttested, args...)
	case m.Status == Verified:
		return fill(t.Status.Verified, args...)
	case m.Status == Attested:
		return fill(t.Status.Attested, args...)
	}
	return t.Status.NotVerified
}
