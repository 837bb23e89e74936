package toms

import (
	"cmp"
	"fmt"
	"regexp"
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

// An Attestation is a manual record: who attested, when the attestation
// was made and until when it is valid. By, At and ValidUntil are zero when
// the results and the records do not say.
type Attestation struct {
	Kind       string
	By         string
	At         time.Time
	ValidUntil time.Time
}

// A Record is what a manual evidence record (resource type
// manual.evidence) says about its attestation, keyed by resource id in
// Input.Records.
type Record struct {
	Title      string
	By         string
	At         time.Time
	ValidUntil time.Time
}

// ManualType is the resource type of manual evidence records: evidence of
// this type is an attestation, never an automatic verification.
const ManualType = "manual.evidence"

// RegisterTypePrefix begins the resource types of the subprocessor
// register (vendor.subprocessor, vendor.hosting, vendor.provider): evidence
// the company declares, so measures resting on it are attested, never
// verified automatically.
const RegisterTypePrefix = "vendor."

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
	// Records are the manual evidence records of the bundle the results
	// were evaluated from, by resource id: they say who attested a
	// measure that rests on manual.evidence requirements, and when. May be
	// nil; such measures then name the record instead of the person.
	Records map[string]Record
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
			if !a.ValidUntil.IsZero() && a.ValidUntil.Before(d.ValidUntil) {
				d.ValidUntil = a.ValidUntil
			}
		}
		d.Measures = append(d.Measures, m)
	}
	d.group()
	if err := d.certifications(in.Company.Certifications); err != nil {
		return nil, err
	}
	return d, nil
}

// group sorts the measures by category and control and groups them by
// GDPR Art. 32 paragraph and by TOM category.
func (d *Document) group() {
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
		g := Group{ID: id, Heading: d.Text.Art32[id]}
		for _, m := range d.Measures {
			if slices.Contains(m.GDPR, id) {
				g.Measures = append(g.Measures, m)
			}
		}
		d.Art32 = append(d.Art32, g)
	}
	for _, c := range controls.TOMCategories {
		g := Group{ID: c, Heading: d.Text.Categories[c]}
		for _, m := range d.Measures {
			if m.Category == c {
				g.Measures = append(g.Measures, m)
			}
		}
		d.Categories = append(d.Categories, g)
	}
}

// certifications lists the company's certifications valid on the
// document's date; an expired one is left out with a warning.
func (d *Document) certifications(certs []Certification) error {
	for _, c := range certs {
		until, err := time.Parse(time.DateOnly, c.ValidUntil)
		if err != nil {
			return fmt.Errorf("toms: certification %s: valid_until: %w", c.Name, err)
		}
		if until.Before(d.Date.Truncate(24 * time.Hour)) {
			d.Warnings = append(d.Warnings, fmt.Sprintf("certification %s expired on %s: left out", c.Name, c.ValidUntil))
			continue
		}
		d.Certifications = append(d.Certifications, c)
	}
	return nil
}

// measure describes one control result as a measure.
func (d *Document) measure(lib *controls.Library, cr controls.ControlResult) *Measure {
	m := &Measure{ControlID: cr.ID, Category: cr.TOMCategory, GDPR: cr.Mappings.GDPR, Statement: cr.Title}
	d.statement(lib, cr, m)
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
		if strings.HasPrefix(r.Type, RegisterTypePrefix) {
			// The subprocessor register is what the company declares
			// about its vendors: a record it keeps, not a provider's
			// API, so a measure resting on it is attested.
			if !slices.ContainsFunc(m.Attestations, func(a Attestation) bool { return a.Kind == d.Text.Status.Register }) {
				m.Attestations = append(m.Attestations, Attestation{Kind: d.Text.Status.Register})
			}
			continue
		}
		if r.Type == ManualType {
			// A manual record was written by a person: it is attested,
			// not read from a provider's API.
			m.Attestations = append(m.Attestations, d.recordAttestations(r)...)
			continue
		}
		m.Evidence = append(m.Evidence, EvidenceRef{Type: r.Type, Resources: r.Counts.Resources - r.Counts.Filtered})
	}
	for _, mr := range cr.Manual {
		until, err := time.Parse(time.RFC3339, mr.ValidUntil)
		if mr.Outcome != controls.Pass || err != nil {
			m.Evidence, m.Attestations = nil, nil
			return m
		}
		a := Attestation{Kind: mr.Kind, By: mr.AttestedBy, At: attestedAt(mr), ValidUntil: until.UTC()}
		if rec, ok := d.Records[mr.Record]; ok && !rec.At.IsZero() {
			a.At = rec.At
		}
		m.Attestations = append(m.Attestations, a)
	}
	switch {
	case len(m.Evidence) > 0:
		m.Status = Verified
	case len(m.Attestations) > 0:
		m.Status = Attested
	}
	return m
}

// statement sets m's statement in the document's language: the one
// rendered from the params the control was evaluated with; results from
// before rendered statements fall back to the library's statement with
// its default params, and a control with neither keeps its title.
func (d *Document) statement(lib *controls.Library, cr controls.ControlResult, m *Measure) {
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
}

// recordAttestations returns an attestation per passing manual evidence
// record among the findings of requirement r, named by the record's title.
func (d *Document) recordAttestations(r controls.RequirementResult) []Attestation {
	var out []Attestation
	for _, f := range r.Findings {
		if f.ResourceRef == nil || f.Outcome != controls.Pass {
			continue
		}
		a := Attestation{Kind: f.Name}
		if rec, ok := d.Records[f.Resource]; ok {
			a.By, a.At, a.ValidUntil = rec.By, rec.At, rec.ValidUntil
			if rec.Title != "" {
				a.Kind = rec.Title
			}
		}
		if a.Kind == "" {
			a.Kind = f.Resource
		}
		out = append(out, a)
	}
	return out
}

// performedRe finds the date an attestation was made in a manual result's
// reason ("… performed 2026-01-20, attested by …"), which results.json
// carries as the only record of it.
var performedRe = regexp.MustCompile(`performed (\d{4}-\d{2}-\d{2})`)

// attestedAt is when the attestation of a passing manual result was made,
// or zero when the result does not say.
func attestedAt(mr controls.ManualResult) time.Time {
	if m := performedRe.FindStringSubmatch(mr.Reason); m != nil {
		if at, err := time.Parse(time.DateOnly, m[1]); err == nil {
			return at
		}
	}
	return time.Time{}
}

// StatusText describes how the measure is known to be in place, in the
// document's language, naming who attested it.
func (d *Document) StatusText(m *Measure) string { return d.statusText(m, true) }

// StatusTextWithoutNames is StatusText without the names of the people who
// attested: for pages published to everyone.
func (d *Document) StatusTextWithoutNames(m *Measure) string { return d.statusText(m, false) }

func (d *Document) statusText(m *Measure, names bool) string {
	if how := d.How(m, names); how != "" {
		return d.Text.Status.InPlace + " " + how
	}
	return d.Text.Status.NotVerified
}

// How says how a measure in place is known to be: verified automatically
// on the evidence date (with the evidence) and/or attested (by whom when
// names is set, when, until when). It is empty for a measure not in place.
func (d *Document) How(m *Measure, names bool) string {
	t := d.Text
	var ev []string
	for _, e := range m.Evidence {
		ev = append(ev, fill(t.Status.Resources, "type", e.Type, "n", fmt.Sprint(e.Resources)))
	}
	verified := fill(t.Status.Verified, "date", t.Date(d.Date), "evidence", strings.Join(ev, "; "))
	var att []string
	for _, a := range d.attestationTexts(m, names) {
		if !slices.Contains(att, a) {
			att = append(att, a)
		}
	}
	if len(att) > maxListedAttestations {
		att = []string{d.attestationSummary(m, names)}
	}
	attested := fill(t.Status.Attested, "attestations", strings.Join(att, "; "))
	switch {
	case m.Status == Verified && len(m.Attestations) > 0:
		return verified + "; " + attested
	case m.Status == Verified:
		return verified
	case m.Status == Attested:
		return attested
	}
	return ""
}

// maxListedAttestations is the most attestations a measure lists one by
// one; more are summed up by attestationSummary.
const maxListedAttestations = 3

// attestationSummary sums up many attestations: how many records, by whom
// (when names is set), between which dates they were made and the
// earliest expiry.
func (d *Document) attestationSummary(m *Measure, names bool) string {
	t := d.Text
	var by []string
	var from, to, until time.Time
	for _, a := range m.Attestations {
		if a.By != "" && !slices.Contains(by, a.By) {
			by = append(by, a.By)
		}
		if !a.At.IsZero() {
			if from.IsZero() || a.At.Before(from) {
				from = a.At
			}
			if a.At.After(to) {
				to = a.At
			}
		}
		if !a.ValidUntil.IsZero() && (until.IsZero() || a.ValidUntil.Before(until)) {
			until = a.ValidUntil
		}
	}
	parts := []string{fill(t.Status.Records, "n", fmt.Sprint(len(m.Attestations)))}
	if names && len(by) > 0 {
		parts = append(parts, fill(t.Status.By, "by", strings.Join(by, "; ")))
	}
	if !from.IsZero() {
		parts = append(parts, fill(t.Status.Between, "from", t.Date(from), "to", t.Date(to)))
	}
	s := strings.Join(parts, " ")
	if !until.IsZero() {
		s += ", " + fill(t.Status.Until, "date", t.Date(until))
	}
	return s
}

// attestationTexts describes each attestation of m: who (when names is
// set), when and until when, or the record when the results do not say.
func (d *Document) attestationTexts(m *Measure, names bool) []string {
	t := d.Text
	out := make([]string, 0, len(m.Attestations))
	for _, a := range m.Attestations {
		var who []string
		if names && a.By != "" {
			who = append(who, fill(t.Status.By, "by", a.By))
		}
		if !a.At.IsZero() {
			who = append(who, fill(t.Status.On, "date", t.Date(a.At)))
		}
		if len(who) == 0 || (names && a.By == "") {
			who = append([]string{fill(t.Status.Record, "record", a.Kind)}, who...)
		}
		parts := []string{strings.Join(who, " ")}
		if !a.ValidUntil.IsZero() {
			parts = append(parts, fill(t.Status.Until, "date", t.Date(a.ValidUntil)))
		}
		out = append(out, strings.Join(parts, ", "))
	}
	return out
}

// Intro is the introduction of a group of measures: its objective, then
// how many of the measures listed are in place, or plainly that none is.
// It asserts nothing beyond the measures shown as in place.
func (d *Document) Intro(g Group) string {
	t := d.Text
	var parts []string
	if g.Heading.Objective != "" {
		parts = append(parts, fill(t.Section.Objective, "objective", g.Heading.Objective))
	}
	if len(g.Measures) == 0 {
		return strings.Join(parts, " ")
	}
	verified, attested := 0, 0
	for _, m := range g.Measures {
		switch m.Status {
		case Verified:
			verified++
		case Attested:
			attested++
		}
	}
	var breakdown []string
	if verified > 0 {
		breakdown = append(breakdown, fill(t.Section.Verified, "n", fmt.Sprint(verified)))
	}
	if attested > 0 {
		breakdown = append(breakdown, fill(t.Section.Attested, "n", fmt.Sprint(attested)))
	}
	kv := []string{"n", fmt.Sprint(len(g.Measures)), "in_place", fmt.Sprint(verified + attested),
		"breakdown", strings.Join(breakdown, t.Section.And)}
	switch verified + attested {
	case 0:
		parts = append(parts, t.Section.Nothing)
	case len(g.Measures):
		parts = append(parts, fill(t.Section.All, kv...))
	default:
		parts = append(parts, fill(t.Section.Some, kv...))
	}
	return strings.Join(parts, " ")
}
