package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/sanitize"
	"github.com/attestdev/attest/templates"
)

var htmlTemplate = template.Must(template.New("report.html.tmpl").ParseFS(templates.FS, "report/report.html.tmpl"))

// chartOutcomes are the outcomes in the chart, in stacking order.
var chartOutcomes = []controls.Outcome{controls.Pass, controls.Fail, controls.Inconclusive, controls.ManualOutcome, controls.Waived, controls.NotApplicable}

type htmlView struct {
	EvaluatedAt, Version, CollectedFrom, CollectedTo string
	Resources, Records                               int
	Interrupted                                      bool
	Summary                                          controls.Summary
	Outcomes                                         []htmlCount
	Frameworks                                       []htmlFramework
	Chart                                            htmlChart
	Controls                                         []htmlControl
}

type htmlCount struct {
	Outcome controls.Outcome
	Label   string
	Count   int
}

type htmlFramework struct {
	frameworkView
	Covered int
}

type htmlChart struct {
	Width, Height int
	Rows          []htmlChartRow
	Legend        []htmlLegend
}

type htmlChartRow struct {
	Label         string
	Total         int
	TextY, TotalX int
	Bars          []htmlBar
}

type htmlBar struct {
	X, Y, W, H string
	Outcome    controls.Outcome
	Title      string
}

type htmlLegend struct {
	X, Y, TextX, TextY int
	Outcome            controls.Outcome
	Label              string
}

type htmlControl struct {
	controls.ControlResult
	Frameworks, Search, SOC2, ISO27001, GDPR string
	SeverityRank                             int
	Requirements                             []htmlRequirement
}

type htmlRequirement struct {
	controls.RequirementResult
	// Findings are the requirement's resources that did not pass, up to
	// the control's share of HTMLOptions.MaxFindings.
	Findings []htmlFinding
	// More counts the resources that did not pass and are not listed;
	// Passing those that passed, which are never listed.
	More, Passing int
	Scope         []htmlScope
}

type htmlFinding struct {
	controls.Finding
	Evidence []htmlEvidence
}

type htmlEvidence struct {
	SHA256, Operation, CollectedAt string
}

type htmlScope struct {
	Collector, Target, Status string
	Failures                  []string
}

// DefaultHTMLMaxFindings is how many failing, inconclusive or waived
// resources the HTML report lists per control unless told otherwise.
const DefaultHTMLMaxFindings = 100

// HTMLOptions configure the HTML report.
type HTMLOptions struct {
	// MaxFindings is how many resources that did not pass (fail,
	// inconclusive, waived) are listed per control; the rest are counted,
	// with a pointer to the CSV and JSON reports, which list every
	// resource. Passing resources are only counted. Zero means
	// DefaultHTMLMaxFindings; a negative value lists none.
	MaxFindings int
}

// HTML writes a self-contained report with the default options (see
// HTMLWith).
func HTML(w io.Writer, res *controls.Results, b *evidence.Bundle) error {
	return HTMLWith(w, res, b, HTMLOptions{})
}

// HTMLWith writes a self-contained report: no external assets, an
// overview by framework with a chart, and per control the requirements,
// the resources that did not pass (up to opts.MaxFindings) and the
// evidence items (operation, time, SHA-256) behind them, with filters.
// Passing resources are counted, not listed, so the page stays small at
// any number of resources. html/template escapes every value from the
// results, and a Content-Security-Policy forbids anything but the inline
// style and script.
//
// The page is rendered whole, then stripped of the characters HTML forbids
// in its input (controls such as an ANSI escape in a name, and invalid
// UTF-8); the template itself holds none, so only values lose them.
func HTMLWith(w io.Writer, res *controls.Results, b *evidence.Bundle, opts HTMLOptions) error {
	limit := opts.MaxFindings
	if limit == 0 {
		limit = DefaultHTMLMaxFindings
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, buildHTML(res, b, max(limit, 0))); err != nil {
		return err
	}
	_, err := io.WriteString(w, sanitize.HTML(buf.String()))
	return err
}

func buildHTML(res *controls.Results, b *evidence.Bundle, limit int) htmlView {
	v := htmlView{
		EvaluatedAt:   res.EvaluatedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Version:       res.AttestVersion,
		CollectedFrom: res.Bundle.StartedAt.UTC().Format("2006-01-02 15:04:05"),
		CollectedTo:   res.Bundle.FinishedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Resources:     res.Bundle.Resources,
		Records:       res.Bundle.Records,
		Interrupted:   res.Bundle.Interrupted,
		Summary:       res.Summary,
	}
	s := res.Summary
	v.Outcomes = []htmlCount{
		{controls.Pass, "pass", s.Pass}, {controls.Fail, "fail", s.Fail}, {controls.Inconclusive, "inconclusive", s.Inconclusive},
		{controls.ManualOutcome, "manual", s.Manual}, {controls.Waived, "waived", s.Waived}, {controls.NotApplicable, "not applicable", s.NotApplicable},
	}
	fws := frameworks(res)
	inFramework := map[string][]string{}
	for _, fw := range fws {
		hf := htmlFramework{frameworkView: fw}
		for _, f := range res.Frameworks {
			if f.ID != fw.ID {
				continue
			}
			for _, r := range f.Requirements {
				if len(r.Controls) > 0 {
					hf.Covered++
				}
			}
		}
		v.Frameworks = append(v.Frameworks, hf)
		for _, id := range fw.Controls {
			inFramework[id] = append(inFramework[id], fw.ID)
		}
	}
	v.Chart = buildChart(fws)
	recs := records(b)
	for _, c := range byAttention(res.Controls) {
		hc := htmlControl{
			ControlResult: c,
			Frameworks:    strings.Join(inFramework[c.ID], " "),
			SOC2:          strings.Join(c.Mappings.SOC2, ", "),
			ISO27001:      strings.Join(c.Mappings.ISO27001, ", "),
			GDPR:          strings.Join(c.Mappings.GDPR, ", "),
			SeverityRank:  c.Severity.Rank(),
		}
		search := []string{c.ID, c.Title, c.Owner}
		listed := 0
		for _, req := range c.Evidence {
			hr := htmlRequirement{RequirementResult: req}
			for _, f := range req.Findings {
				switch {
				case f.Outcome == controls.Pass:
					hr.Passing++
					continue
				case listed >= limit:
					hr.More++
					continue
				}
				listed++
				hf := htmlFinding{Finding: f}
				for _, sha := range f.Records {
					ev := htmlEvidence{SHA256: sha}
					if r, ok := recs[sha]; ok {
						ev.Operation = r.Operation
						ev.CollectedAt = r.CollectedAt.UTC().Format("2006-01-02 15:04:05Z")
					}
					hf.Evidence = append(hf.Evidence, ev)
				}
				hr.Findings = append(hr.Findings, hf)
				search = append(search, f.Resource, f.Name, f.Account, f.Region)
			}
			for _, sc := range req.Scope {
				hs := htmlScope{Collector: sc.Collector, Target: sc.Target.String(), Status: string(sc.Status)}
				for _, f := range sc.Failures {
					hs.Failures = append(hs.Failures, f.String())
				}
				hr.Scope = append(hr.Scope, hs)
			}
			hc.Requirements = append(hc.Requirements, hr)
		}
		hc.Search = strings.ToLower(strings.Join(strings.Fields(strings.Join(search, " ")), " "))
		v.Controls = append(v.Controls, hc)
	}
	return v
}

// buildChart lays out one stacked horizontal bar per framework, scaled to
// the framework with the most controls.
func buildChart(fws []frameworkView) htmlChart {
	const labelW, barW, rowH, barH, top = 90, 560, 28, 18, 4
	ch := htmlChart{Width: labelW + barW + 50}
	maxTotal := 1
	for _, fw := range fws {
		maxTotal = max(maxTotal, fw.Counts.Total)
	}
	for i, fw := range fws {
		y := top + i*rowH
		row := htmlChartRow{Label: fw.Name, Total: fw.Counts.Total, TextY: y + 13}
		x := float64(labelW)
		for _, o := range chartOutcomes {
			n := countOf(fw.Counts, o)
			if n == 0 {
				continue
			}
			w := float64(n) * barW / float64(maxTotal)
			row.Bars = append(row.Bars, htmlBar{
				X: fmt.Sprintf("%.1f", x), Y: fmt.Sprint(y), W: fmt.Sprintf("%.1f", w), H: fmt.Sprint(barH),
				Outcome: o, Title: fmt.Sprintf("%s: %d %s", fw.Name, n, o),
			})
			x += w
		}
		row.TotalX = int(x) + 6
		ch.Rows = append(ch.Rows, row)
	}
	ly := top + len(fws)*rowH + 6
	for i, o := range chartOutcomes {
		x := labelW + i*95
		ch.Legend = append(ch.Legend, htmlLegend{X: x, Y: ly, TextX: x + 14, TextY: ly + 9, Outcome: o, Label: strings.ReplaceAll(string(o), "_", " ")})
	}
	ch.Height = ly + 18
	return ch
}

func countOf(s controls.Summary, o controls.Outcome) int {
	switch o {
	case controls.Pass:
		return s.Pass
	case controls.Fail:
		return s.Fail
	case controls.Inconclusive:
		return s.Inconclusive
	case controls.ManualOutcome:
		return s.Manual
	case controls.Waived:
		return s.Waived
	case controls.NotApplicable:
		return s.NotApplicable
	}
	return 0
}
