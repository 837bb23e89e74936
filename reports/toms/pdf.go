package toms

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry in millimetres (A4).
const (
	margin    = 20.0
	pageWidth = 210.0
	bodyWidth = pageWidth - 2*margin
	lineH     = 5.0
)

// Colours as RGB.
var (
	colorHeading = [3]int{0x1f, 0x3a, 0x5f}
	colorMuted   = [3]int{0x55, 0x5f, 0x6d}
	colorPass    = [3]int{0x1b, 0x6e, 0x3a}
	colorGap     = [3]int{0x9a, 0x3b, 0x12}
	colorHeader  = [3]int{0xe8, 0xee, 0xf4}
	colorText    = [3]int{0x1a, 0x1a, 0x1a}
)

// meta is the document information of a PDF.
type meta struct {
	Title, Subject, Author, Producer, Lang, PageLabel, Contents string
	// Footer is the company name and the rest of the footer line; the
	// name is shortened when the line would reach the page number.
	Footer []string
	Date   time.Time
}

// A section is a numbered part of a document: a heading, its entry in the
// table of contents and its body.
type section struct {
	Title string
	Level int // 1 or 2
	// Inline keeps a level 1 section on the current page; by default it
	// starts a new one.
	Inline bool
	Body   func(w *writer)
}

// writer wraps an fpdf document with the helpers the documents share.
type writer struct {
	pdf *fpdf.Fpdf
}

// render lays out a document twice: the first pass finds the page of every
// section, the second writes the table of contents with those pages.
func render(m meta, cover func(w *writer), sections []section) ([]byte, error) {
	pages, total, err := layout(m, cover, sections)
	if err != nil {
		return nil, err
	}
	w, err := newWriter(m, total)
	if err != nil {
		return nil, err
	}
	w.compose(m, cover, sections, pages)
	var buf bytes.Buffer
	if err := w.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("toms: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// layout runs the first pass and returns each section's page and the page
// count.
func layout(m meta, cover func(w *writer), sections []section) ([]int, int, error) {
	w, err := newWriter(m, 0)
	if err != nil {
		return nil, 0, err
	}
	got := w.compose(m, cover, sections, nil)
	if err := w.pdf.Error(); err != nil {
		return nil, 0, fmt.Errorf("toms: lay out PDF: %w", err)
	}
	return got, w.pdf.PageNo(), nil
}

func newWriter(m meta, total int) (*writer, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("toms: load fonts: %w", err)
	}
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin+5)
	pdf.SetTitle(m.Title, true)
	pdf.SetSubject(m.Subject, true)
	pdf.SetAuthor(m.Author, true)
	pdf.SetCreator("attest", true)
	pdf.SetProducer(m.Producer, true)
	pdf.SetLang(m.Lang)
	pdf.SetCreationDate(m.Date)
	pdf.SetModificationDate(m.Date)
	pdf.SetCatalogSort(true)
	w := &writer{pdf: pdf}
	pdf.SetFooterFunc(func() {
		if pdf.PageNo() == 1 {
			return
		}
		pdf.SetY(-margin)
		w.font("", footerSize, colorMuted)
		page := fmt.Sprintf("%s %d", m.PageLabel, pdf.PageNo())
		if total > 0 {
			page += fmt.Sprintf(" / %d", total)
		}
		pageW := w.pageBoxWidth(m.PageLabel, max(total, pdf.PageNo()))
		footer := w.footerText(m.Footer, bodyWidth-pageW-footerGap)
		pdf.CellFormat(bodyWidth-pageW, 5, footer, "T", 0, "L", false, 0, "")
		pdf.CellFormat(pageW, 5, page, "T", 0, "R", false, 0, "")
	})
	return w, nil
}

// Footer geometry: font size in points and the least space between the
// footer text and the page number, in mm.
const (
	footerSize = 8.0
	footerGap  = 4.0
)

// pageBoxWidth is the width of the footer's page number box: wide enough
// for "Page n / n" with n the largest page number, in the footer font.
func (w *writer) pageBoxWidth(label string, pages int) float64 {
	w.pdf.SetFont("go", "", footerSize)
	return w.pdf.GetStringWidth(fmt.Sprintf("%s %d / %d", label, pages, pages)) + 2
}

// footerText joins the footer's parts with dashes, shortening the first
// (the company name) and then, if still needed, the whole line to width.
func (w *writer) footerText(parts []string, width float64) string {
	const sep = " – "
	if len(parts) == 0 {
		return ""
	}
	rest := ""
	if len(parts) > 1 {
		rest = sep + strings.Join(parts[1:], sep)
	}
	if avail := width - w.pdf.GetStringWidth(rest); avail > width/3 {
		return w.fitText(w.fitText(parts[0], avail)+rest, width)
	}
	return w.fitText(parts[0]+rest, width)
}

// fitText returns s, or s shortened at a word boundary and ended with an
// ellipsis, so that it is at most width wide in the current font.
func (w *writer) fitText(s string, width float64) string {
	pdf := w.pdf
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	runes := []rune(s)
	for n := len(runes) - 1; n > 0; n-- {
		cut := strings.TrimRight(string(runes[:n]), " ,–-")
		if i := strings.LastIndex(cut, " "); i > 0 && n-i < 12 {
			cut = strings.TrimRight(cut[:i], " ,–-")
		}
		if t := cut + "…"; pdf.GetStringWidth(t) <= width {
			return t
		}
	}
	return "…"
}

// compose writes cover, contents and sections; pages are the section pages
// from an earlier pass (nil in the first). It returns the pages found.
func (w *writer) compose(m meta, cover func(w *writer), sections []section, pages []int) []int {
	pdf := w.pdf
	pdf.AddPage()
	cover(w)
	pdf.AddPage()
	w.heading(m.Contents, 1)
	links := make([]int, len(sections))
	numbers := numberSections(sections)
	for i, s := range sections {
		links[i] = pdf.AddLink()
		indent := 0.0
		size := 11.0
		style := "B"
		if s.Level > 1 {
			indent, size, style = 8, 10, ""
		}
		w.font(style, size, colorText)
		page := ""
		if pages != nil {
			page = fmt.Sprint(pages[i])
		}
		pdf.SetX(margin + indent)
		pdf.CellFormat(12, 6.5, numbers[i], "", 0, "L", false, links[i], "")
		pdf.CellFormat(bodyWidth-indent-12-15, 6.5, s.Title, "", 0, "L", false, links[i], "")
		pdf.CellFormat(15, 6.5, page, "", 1, "R", false, links[i], "")
	}
	got := make([]int, len(sections))
	for i, s := range sections {
		if s.Level == 1 && !s.Inline {
			pdf.AddPage()
		} else if pdf.GetY() > 297-margin-45 {
			pdf.AddPage()
		} else if s.Level == 1 {
			pdf.Ln(6)
		}
		got[i] = pdf.PageNo()
		pdf.SetLink(links[i], pdf.GetY(), pdf.PageNo())
		pdf.Bookmark(numbers[i]+" "+s.Title, s.Level-1, -1)
		w.heading(numbers[i]+"  "+s.Title, s.Level)
		s.Body(w)
	}
	return got
}

// numberSections returns "1", "1.1", "2" … for the sections.
func numberSections(sections []section) []string {
	out := make([]string, len(sections))
	major, minor := 0, 0
	for i, s := range sections {
		if s.Level == 1 {
			major, minor = major+1, 0
			out[i] = fmt.Sprint(major)
			continue
		}
		minor++
		out[i] = fmt.Sprintf("%d.%d", major, minor)
	}
	return out
}

func (w *writer) font(style string, size float64, color [3]int) {
	w.pdf.SetFont("go", style, size)
	w.pdf.SetTextColor(color[0], color[1], color[2])
}

func (w *writer) heading(s string, level int) {
	size := 16.0
	if level > 1 {
		size = 12.5
		w.pdf.Ln(3)
	}
	w.font("B", size, colorHeading)
	w.pdf.MultiCell(bodyWidth, size*0.5, s, "", "L", false)
	w.pdf.Ln(2)
}

// para writes a paragraph of body text.
func (w *writer) para(s string) {
	w.font("", 10, colorText)
	w.pdf.MultiCell(bodyWidth, lineH, strings.Join(strings.Fields(s), " "), "", "L", false)
	w.pdf.Ln(2)
}

// note writes a paragraph in small muted text.
func (w *writer) note(s string) {
	w.font("", 9, colorMuted)
	w.pdf.MultiCell(bodyWidth, 4.5, strings.Join(strings.Fields(s), " "), "", "L", false)
	w.pdf.Ln(2)
}

// A column of a table: its header and width in mm.
type column struct {
	Header string
	Width  float64
}

// A cell of a table with an optional colour and bold text. A NoWrap cell
// stays on one line: its font shrinks when it does not fit its column.
type cell struct {
	Text   string
	Color  *[3]int
	Bold   bool
	NoWrap bool
}

// cellSize is the font size of table cells in points.
const cellSize = 9.0

// table writes a bordered table whose rows grow to fit wrapped text; the
// header repeats on every page the table spans.
func (w *writer) table(cols []column, rows [][]cell) {
	pdf := w.pdf
	headerRow := make([]cell, len(cols))
	for i, c := range cols {
		headerRow[i] = cell{Text: c.Header, Bold: true}
	}
	_, pageH := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	w.tableRow(cols, headerRow, true)
	for _, row := range rows {
		if pdf.GetY()+w.rowHeight(cols, row) > pageH-bottom {
			pdf.AddPage()
			w.tableRow(cols, headerRow, true)
		}
		w.tableRow(cols, row, false)
	}
	pdf.Ln(3)
}

const (
	cellPad  = 1.5
	cellLine = 4.6
)

// cellLines wraps a cell's text to its column.
func (w *writer) cellLines(c cell, width float64) []string {
	style := ""
	if c.Bold {
		style = "B"
	}
	w.pdf.SetFont("go", style, cellSize)
	if c.NoWrap {
		return []string{c.Text}
	}
	lines := w.pdf.SplitText(c.Text, width-2*cellPad)
	if len(lines) == 0 {
		return []string{""}
	}
	return lines
}

// rowHeight is the height of a table row: its tallest cell.
func (w *writer) rowHeight(cols []column, row []cell) float64 {
	height := 0.0
	for i, c := range row {
		height = max(height, float64(len(w.cellLines(c, cols[i].Width)))*cellLine+2*cellPad)
	}
	return height
}

// tableRow draws one row of bordered cells at the current position.
func (w *writer) tableRow(cols []column, row []cell, fill bool) {
	pdf := w.pdf
	height := w.rowHeight(cols, row)
	x, y := margin, pdf.GetY()
	pdf.SetFillColor(colorHeader[0], colorHeader[1], colorHeader[2])
	for i, c := range row {
		lines := w.cellLines(c, cols[i].Width)
		color := colorText
		if c.Color != nil {
			color = *c.Color
		}
		style := ""
		if c.Bold {
			style = "B"
		}
		size := cellSize
		if c.NoWrap {
			size = w.noWrapSize(c.Text, style, cols[i].Width)
		}
		w.font(style, size, color)
		if fill {
			pdf.Rect(x, y, cols[i].Width, height, "FD")
		} else {
			pdf.Rect(x, y, cols[i].Width, height, "D")
		}
		for j, l := range lines {
			pdf.SetXY(x+cellPad, y+cellPad+float64(j)*cellLine)
			pdf.CellFormat(cols[i].Width-2*cellPad, cellLine, l, "", 0, "L", false, 0, "")
		}
		x += cols[i].Width
	}
	pdf.SetXY(margin, y+height)
}

// noWrapSize is the largest font size, at most cellSize, at which text
// fits on one line of a cell width wide.
func (w *writer) noWrapSize(text, style string, width float64) float64 {
	w.pdf.SetFont("go", style, cellSize)
	tw := w.pdf.GetStringWidth(text)
	if avail := width - 2*cellPad; tw > avail {
		return cellSize * avail / tw
	}
	return cellSize
}

// textWidth is the width of text in the table font at size.
func (w *writer) textWidth(text, style string, size float64) float64 {
	w.pdf.SetFont("go", style, size)
	return w.pdf.GetStringWidth(text)
}

// keyValues writes label: value lines, skipping empty values.
func (w *writer) keyValues(pairs [][2]string) {
	for _, p := range pairs {
		if p[1] == "" {
			continue
		}
		w.font("B", 10, colorMuted)
		w.pdf.CellFormat(50, 6, p[0], "", 0, "L", false, 0, "")
		w.font("", 10, colorText)
		w.pdf.MultiCell(bodyWidth-50, 6, p[1], "", "L", false)
	}
}
