package toms

import (
	"fmt"
	"strings"
	"time"

	"github.com/attestdev/attest/subprocessors"
)

// RenderTOMs renders the TOMs document as an unsigned PDF. The output
// depends only on the document: its dates come from the evidence date.
func RenderTOMs(d *Document) ([]byte, error) {
	t := d.Text
	m := meta{
		Title:     t.Title + " – " + d.Company.Name,
		Subject:   t.Subtitle,
		Author:    d.Company.Name,
		Producer:  d.Producer,
		Lang:      d.Lang,
		Footer:    []string{d.Company.Name, t.Title + " – " + t.Cover.Version + " " + d.Version},
		PageLabel: t.Page,
		Contents:  t.Contents,
		Date:      d.Date,
	}
	return render(m, d.cover, d.sections())
}

// sections are the TOMs document's sections after the cover and contents.
func (d *Document) sections() []section {
	t := d.Text
	// Only the first chapter starts a new page; the others continue the
	// page of the one before when there is room for a heading and the
	// start of their body.
	s := []section{
		{Title: t.Sections.About, Level: 1, Body: d.about},
		{Title: t.Sections.Art32, Level: 1, Inline: true, Body: func(*writer) {}},
	}
	s = append(s, d.groupSections(d.Art32)...)
	s = append(s, section{Title: t.Sections.Categories, Level: 1, Inline: true, Body: func(*writer) {}})
	s = append(s, d.groupSections(d.Categories)...)
	return append(s,
		section{Title: t.Sections.Subprocessors, Level: 1, Inline: true, Body: d.subprocessorTable},
		section{Title: t.Sections.Certifications, Level: 1, Inline: true, Body: d.certificationTable},
		section{Title: t.Sections.Revisions, Level: 1, Inline: true, Body: d.revisionTable},
	)
}

func (d *Document) cover(w *writer) {
	t := d.Text
	pdf := w.pdf
	pdf.SetY(55)
	w.font("B", 13, colorMuted)
	pdf.MultiCell(bodyWidth, 7, d.Company.Name, "", "L", false)
	pdf.Ln(4)
	w.font("B", 24, colorHeading)
	pdf.MultiCell(bodyWidth, 11, t.Title, "", "L", false)
	w.font("", 13, colorText)
	pdf.MultiCell(bodyWidth, 7, t.Subtitle, "", "L", false)
	pdf.Ln(12)
	w.keyValues([][2]string{
		{t.Cover.Version, d.Version},
		{t.Cover.Date, t.Date(d.Date)},
		{t.Cover.ValidUntil, t.Date(d.ValidUntil)},
		{t.Cover.Address, strings.Join(d.Company.Address, ", ")},
		{t.Cover.Contact, d.Company.Contact},
		{t.Cover.DPO, d.Company.DPO},
		{t.Cover.Website, d.Company.Website},
	})
	pdf.SetY(225)
	w.note(t.Cover.Generated)
	w.note(fill(t.Cover.Signed, "company", d.Company.Name))
}

func (d *Document) about(w *writer) {
	t := d.Text
	for _, p := range t.About {
		w.para(fill(p, "company", d.Company.Name, "verified", fmt.Sprint(d.Verified),
			"attested", fmt.Sprint(d.Attested), "not_verified", fmt.Sprint(d.NotVerified)))
	}
	if d.Omitted > 0 {
		w.para(fill(t.Omitted, "n", fmt.Sprint(d.Omitted)))
	}
}

func (d *Document) groupSections(groups []Group) []section {
	out := make([]section, 0, len(groups))
	for _, g := range groups {
		out = append(out, section{Title: g.Heading.Title, Level: 2, Body: func(w *writer) { d.measureTable(w, g) }})
	}
	return out
}

// measureTable writes a group's introduction and its measures.
func (d *Document) measureTable(w *writer, g Group) {
	t := d.Text
	if intro := d.Intro(g); intro != "" {
		w.note(intro)
	}
	if len(g.Measures) == 0 {
		w.para(t.None)
		return
	}
	rows := make([][]cell, 0, len(g.Measures))
	for _, m := range g.Measures {
		color := &colorPass
		if !m.Status.InPlace() {
			color = &colorGap
		}
		rows = append(rows, []cell{{Text: m.ControlID, NoWrap: true}, {Text: m.Statement}, {Text: d.StatusText(m), Color: color}})
	}
	idW := d.idColumnWidth(w)
	w.table([]column{{t.Table.Control, idW}, {t.Table.Measure, bodyWidth - idW - statusWidth}, {t.Table.Status, statusWidth}}, rows)
}

// Widths of the measure tables' columns in mm.
const (
	statusWidth = 58.0
	minIDWidth  = 24.0
	maxIDWidth  = 38.0
)

// idColumnWidth is wide enough for the document's longest control id on
// one line, within minIDWidth and maxIDWidth; an id wider still is set in
// a smaller font rather than broken.
func (d *Document) idColumnWidth(w *writer) float64 {
	width := minIDWidth
	for _, m := range d.Measures {
		width = max(width, w.textWidth(m.ControlID, "", cellSize)+2*cellPad+0.5)
	}
	return min(width, maxIDWidth)
}

func (d *Document) subprocessorTable(w *writer) {
	t := d.Text
	if len(d.Subprocessors) == 0 {
		w.para(fill(t.Subprocessors.None, "company", d.Company.Name))
		return
	}
	w.para(fill(t.Subprocessors.Intro, "company", d.Company.Name))
	rows := make([][]cell, 0, len(d.Subprocessors))
	for _, s := range d.Subprocessors {
		loc := t.Subprocessors.Locations[string(s.Location)]
		if loc == "" {
			loc = string(s.Location)
		}
		dpa := ""
		if s.DPASigned != "" {
			if at, err := time.Parse(time.DateOnly, s.DPASigned); err == nil {
				dpa = t.Date(at)
			}
		}
		rows = append(rows, []cell{
			{Text: s.Name, Bold: true},
			{Text: purposeText(s)},
			{Text: loc},
			{Text: s.TransferMechanism},
			{Text: dpa},
		})
	}
	sp := t.Subprocessors
	w.table([]column{{sp.Name, 34}, {sp.Purpose, 46}, {sp.Location, 16}, {sp.Transfer, 46}, {sp.DPA, 28}}, rows)
}

func (d *Document) certificationTable(w *writer) {
	t := d.Text
	if len(d.Certifications) == 0 {
		w.para(t.Certifications.None)
		return
	}
	w.para(t.Certifications.Intro)
	rows := make([][]cell, 0, len(d.Certifications))
	for _, c := range d.Certifications {
		until, _ := time.Parse(time.DateOnly, c.ValidUntil)
		name := c.Name
		if c.URL != "" {
			name += "\n" + c.URL
		}
		rows = append(rows, []cell{{Text: name}, {Text: c.Issuer}, {Text: t.Date(until)}})
	}
	c := t.Certifications
	w.table([]column{{c.Name, 80}, {c.Issuer, 55}, {c.ValidUntil, 35}}, rows)
}

func (d *Document) revisionTable(w *writer) {
	t := d.Text
	if len(d.Company.Revisions) > 0 {
		rows := make([][]cell, 0, len(d.Company.Revisions))
		for _, r := range d.Company.Revisions {
			at, _ := time.Parse(time.DateOnly, r.Date)
			rows = append(rows, []cell{{Text: r.Version}, {Text: t.Date(at)}, {Text: r.Changes}})
		}
		rv := t.Revisions
		w.table([]column{{rv.Version, 25}, {rv.Date, 40}, {rv.Changes, 105}}, rows)
	}
	w.note(fill(t.Revisions.Generated, "date", t.Date(d.Date)))
}

// purposeText is a subprocessor's purpose, service and data categories.
func purposeText(s subprocessors.Subprocessor) string {
	text := s.Purpose + " (" + s.Service + ")"
	if len(s.DataCategories) > 0 {
		text += "\n" + strings.Join(s.DataCategories, ", ")
	}
	return text
}
