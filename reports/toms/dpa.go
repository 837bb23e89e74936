package toms

import (
	"strconv"
	"strings"
)

// DPAText is the wording of the data processing agreement in one
// language, read from templates/toms/dpa.<lang>.yaml.
type DPAText struct {
	Title         string   `yaml:"title"`
	Subtitle      string   `yaml:"subtitle"`
	Between       string   `yaml:"between"`
	Controller    string   `yaml:"controller"`
	CustomerBlank string   `yaml:"customer_blank"`
	And           string   `yaml:"and"`
	Processor     string   `yaml:"processor"`
	Agreement     string   `yaml:"agreement"`
	Clauses       []Clause `yaml:"clauses"`
	Signatures    struct {
		Controller string `yaml:"controller"`
		Processor  string `yaml:"processor"`
		PlaceDate  string `yaml:"place_date"`
	} `yaml:"signatures"`
	AnnexTOMs          string `yaml:"annex_toms"`
	AnnexTOMsIntro     string `yaml:"annex_toms_intro"`
	AnnexSubprocessors string `yaml:"annex_subprocessors"`
}

// A Clause is one numbered clause of the DPA.
type Clause struct {
	Title string   `yaml:"title"`
	Text  []string `yaml:"text"`
}

// LoadDPAText reads the DPA wording for lang ("en" or "de").
func LoadDPAText(lang string) (*DPAText, error) {
	t := &DPAText{}
	if err := loadTemplate("toms/dpa."+lang+".yaml", lang, t); err != nil {
		return nil, err
	}
	return t, nil
}

// RenderDPA renders a data processing agreement between the document's
// company (processor) and customer (controller; a blank line to fill in
// when empty), with the measures by TOM category as Annex 1 and the
// subprocessor register as Annex 2, as an unsigned PDF.
func RenderDPA(d *Document, customer string) ([]byte, error) {
	dt, err := LoadDPAText(d.Lang)
	if err != nil {
		return nil, err
	}
	t := d.Text
	if customer == "" {
		customer = dt.CustomerBlank
	}
	m := meta{
		Title:     dt.Title + " – " + d.Company.Name,
		Subject:   dt.Subtitle,
		Author:    d.Company.Name,
		Producer:  d.Producer,
		Lang:      d.Lang,
		Footer:    []string{d.Company.Name, dt.Title + " – " + t.Cover.Version + " " + d.Version},
		PageLabel: t.Page,
		Contents:  t.Contents,
		Date:      d.Date,
	}
	cover := func(w *writer) {
		pdf := w.pdf
		pdf.SetY(50)
		w.font("B", 24, colorHeading)
		pdf.MultiCell(bodyWidth, 11, dt.Title, "", "L", false)
		w.font("", 12, colorText)
		pdf.MultiCell(bodyWidth, 6.5, dt.Subtitle, "", "L", false)
		pdf.Ln(14)
		for _, line := range []string{
			dt.Between,
			fill(dt.Controller, "customer", customer),
			dt.And,
			fill(dt.Processor, "company", d.Company.Name, "address", strings.Join(d.Company.Address, ", ")),
		} {
			w.para(line)
		}
		pdf.Ln(8)
		w.keyValues([][2]string{
			{t.Cover.Version, d.Version},
			{t.Cover.Date, t.Date(d.Date)},
			{t.Cover.Contact, d.Company.Contact},
			{t.Cover.DPO, d.Company.DPO},
		})
	}
	var sections []section
	for i, c := range dt.Clauses {
		sections = append(sections, section{Title: c.Title, Level: 1, Inline: i > 0, Body: func(w *writer) {
			for _, p := range c.Text {
				w.para(fill(p, "company", d.Company.Name))
			}
			if i == len(dt.Clauses)-1 {
				signatureBlock(w, dt)
			}
		}})
	}
	sections = append(sections, section{Title: dt.AnnexTOMs, Level: 1, Body: func(w *writer) {
		w.para(fill(dt.AnnexTOMsIntro, "date", t.Date(d.Date)))
		if d.Omitted > 0 {
			w.note(fill(t.Omitted, "n", strconv.Itoa(d.Omitted)))
		}
	}})
	sections = append(sections, d.groupSections(d.Categories)...)
	sections = append(sections, section{Title: dt.AnnexSubprocessors, Level: 1, Body: d.subprocessorTable})
	return render(m, cover, sections)
}

// signatureBlock draws lines for both parties to sign on.
func signatureBlock(w *writer, dt *DPAText) {
	pdf := w.pdf
	if pdf.GetY() > 297-margin-60 {
		pdf.AddPage()
	}
	pdf.Ln(18)
	half := bodyWidth/2 - 5
	y := pdf.GetY()
	for i, who := range []string{dt.Signatures.Controller, dt.Signatures.Processor} {
		x := margin + float64(i)*(half+10)
		pdf.SetDrawColor(0, 0, 0)
		pdf.Line(x, y+14, x+half, y+14)
		pdf.SetXY(x, y+15)
		w.font("", 9, colorMuted)
		pdf.CellFormat(half, 5, dt.Signatures.PlaceDate, "", 2, "L", false, 0, "")
		pdf.SetX(x)
		w.font("B", 9, colorText)
		pdf.CellFormat(half, 5, who, "", 0, "L", false, 0, "")
	}
	pdf.SetXY(margin, y+30)
}
