package reports

import (
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/templates"
)

// maxMarkdownFindings bounds the resources listed per control, so a
// summary stays within the size limits of pull-request comments and step
// summaries.
const maxMarkdownFindings = 20

var markdownTemplate = template.Must(template.New("markdown.md.tmpl").
	Funcs(template.FuncMap{"md": MarkdownEscape}).
	ParseFS(templates.FS, "report/markdown.md.tmpl"))

type mdControl struct {
	controls.ControlResult
	Findings []controls.Finding
	More     int
}

type mdSection struct {
	Title    string
	Controls []mdControl
}

// Markdown writes a summary for pull-request comments and the GitHub
// Actions step summary: counts per framework, then failed, inconclusive and
// manual controls with the resources behind them.
func Markdown(w io.Writer, res *controls.Results) error {
	s := res.Summary
	headline := fmt.Sprintf("%d of %d controls pass", s.Pass, s.Total)
	if s.Fail > 0 {
		headline = fmt.Sprintf("%d of %d controls fail", s.Fail, s.Total)
	}
	sections := []mdSection{{Title: "Failed"}, {Title: "Inconclusive"}, {Title: "Needs attestation"}}
	var passed []controls.ControlResult
	for _, c := range byAttention(res.Controls) {
		var i int
		switch c.Outcome {
		case controls.Fail:
			i = 0
		case controls.Inconclusive:
			i = 1
		case controls.ManualOutcome:
			i = 2
		default:
			passed = append(passed, c)
			continue
		}
		mc := mdControl{ControlResult: c}
		for _, req := range c.Evidence {
			for _, f := range req.Findings {
				if f.Outcome != c.Outcome {
					continue
				}
				if len(mc.Findings) == maxMarkdownFindings {
					mc.More++
					continue
				}
				mc.Findings = append(mc.Findings, f)
			}
		}
		sections[i].Controls = append(sections[i].Controls, mc)
	}
	var nonEmpty []mdSection
	for _, sec := range sections {
		if len(sec.Controls) > 0 {
			nonEmpty = append(nonEmpty, sec)
		}
	}
	return markdownTemplate.Execute(w, map[string]any{
		"Headline":    headline,
		"EvaluatedAt": res.EvaluatedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		"Version":     res.AttestVersion,
		"Resources":   res.Bundle.Resources,
		"Records":     res.Bundle.Records,
		"Interrupted": res.Bundle.Interrupted,
		"Frameworks":  frameworks(res),
		"Summary":     res.Summary,
		"Sections":    nonEmpty,
		"Passed":      passed,
		"Warnings":    res.Warnings,
		"Scope":       scopeSummary(res),
	})
}

var markdownReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"|", `\|`, "#", `\#`, "!", `\!`, "~", `\~`,
	"<", "&lt;", ">", "&gt;", "&", "&amp;",
)

// MarkdownEscape makes s safe inside Markdown text and table cells: it
// collapses whitespace, escapes Markdown punctuation and turns HTML into
// entities, so a resource name cannot inject links, markup or table cells.
func MarkdownEscape(s string) string {
	return markdownReplacer.Replace(oneLine(s))
}

// A scopeView summarises the collector runs behind the results: how many
// completed, the ones that did not, and what was skipped on purpose.
type scopeView struct {
	Runs, Complete, Skipped int
	Incomplete              []scopeRun
}

type scopeRun struct {
	Collector, Target, Status, Problem string
}

func scopeSummary(res *controls.Results) scopeView {
	var v scopeView
	for _, run := range res.Scope {
		v.Runs++
		v.Skipped += len(run.Skipped)
		if run.Status == evidence.Complete {
			v.Complete++
			continue
		}
		sr := scopeRun{Collector: run.Collector, Target: run.Target.String(), Status: string(run.Status)}
		if len(run.Failures) > 0 {
			sr.Problem = run.Failures[0].String()
			if n := len(run.Failures) - 1; n > 0 {
				sr.Problem += fmt.Sprintf(" (and %d more)", n)
			}
		}
		v.Incomplete = append(v.Incomplete, sr)
	}
	return v
}
