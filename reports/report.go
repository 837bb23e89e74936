package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
)

// Formats are the formats Render writes, in the order the audit pack
// stores them.
var Formats = []string{"html", "md", "json", "csv", "junit", "sarif", "oscal"}

// Extension returns the file extension of format, with the dot.
func Extension(format string) string {
	switch format {
	case "md":
		return ".md"
	case "junit":
		return ".junit.xml"
	case "sarif":
		return ".sarif"
	case "oscal":
		return ".oscal.json"
	}
	return "." + format
}

// Render writes res in format to w. The bundle may be nil; the HTML and
// OSCAL reports then list evidence record hashes without their operation
// and time.
func Render(w io.Writer, format string, res *controls.Results, b *evidence.Bundle) error {
	return RenderWith(w, format, res, b, Options{})
}

// Options configure RenderWith.
type Options struct {
	// HTML configures the HTML report.
	HTML HTMLOptions
}

// RenderWith is Render with options.
func RenderWith(w io.Writer, format string, res *controls.Results, b *evidence.Bundle, opts Options) error {
	var err error
	switch format {
	case "html":
		err = HTMLWith(w, res, b, opts.HTML)
	case "md":
		err = Markdown(w, res)
	case "json":
		err = JSON(w, res)
	case "csv":
		err = CSV(w, res)
	case "junit":
		err = JUnit(w, res)
	case "sarif":
		err = SARIF(w, res)
	case "oscal":
		err = OSCAL(w, res, b)
	default:
		return fmt.Errorf("reports: unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("reports: render %s: %w", format, err)
	}
	return nil
}

// frameworkNames are the short names of the frameworks for headings.
var frameworkNames = map[string]string{"soc2": "SOC 2", "iso27001": "ISO 27001", "gdpr": "GDPR"}

// A frameworkView is one framework's share of the results: the controls
// mapped to it and their outcomes.
type frameworkView struct {
	ID, Name string
	// Counts counts the controls mapped to the framework by outcome.
	Counts controls.Summary
	// Requirements counts the framework's requirements by rolled-up outcome.
	Requirements controls.Summary
	Controls     []string
}

// frameworks returns the frameworks of res in report order (SOC 2, ISO
// 27001, GDPR, then any other by id) with the outcomes of their controls.
func frameworks(res *controls.Results) []frameworkView {
	byID := map[string]*controls.ControlResult{}
	for i := range res.Controls {
		byID[res.Controls[i].ID] = &res.Controls[i]
	}
	var out []frameworkView
	for _, fw := range res.Frameworks {
		v := frameworkView{ID: fw.ID, Name: cmpOr(frameworkNames[fw.ID], fw.Name), Requirements: fw.Summary}
		seen := map[string]bool{}
		for _, req := range fw.Requirements {
			for _, id := range req.Controls {
				if !seen[id] {
					seen[id] = true
					v.Controls = append(v.Controls, id)
				}
			}
		}
		slices.Sort(v.Controls)
		for _, id := range v.Controls {
			if c, ok := byID[id]; ok {
				addOutcome(&v.Counts, c.Outcome)
			}
		}
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(a, b frameworkView) int {
		return frameworkRank(a.ID) - frameworkRank(b.ID)
	})
	return out
}

func frameworkRank(id string) int {
	if i := slices.Index(controls.FrameworkIDs, id); i >= 0 {
		return i
	}
	return len(controls.FrameworkIDs)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func addOutcome(s *controls.Summary, o controls.Outcome) {
	s.Total++
	switch o {
	case controls.Pass:
		s.Pass++
	case controls.Fail:
		s.Fail++
	case controls.Inconclusive:
		s.Inconclusive++
	case controls.NotApplicable:
		s.NotApplicable++
	case controls.ManualOutcome:
		s.Manual++
	case controls.Waived:
		s.Waived++
	}
}

// byAttention returns the controls sorted by outcome (worst first, see
// controls.CompareOutcomes), then by descending severity, then by id.
func byAttention(cs []controls.ControlResult) []controls.ControlResult {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b controls.ControlResult) int {
		if d := controls.CompareOutcomes(a.Outcome, b.Outcome); d != 0 {
			return d
		}
		if d := b.Severity.Rank() - a.Severity.Rank(); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// A findingRow is one finding with the control and requirement it belongs
// to. Requirements without findings (no resource in scope) and manual
// requirements give one row with an empty Finding.Resource, so every
// outcome appears.
type findingRow struct {
	Control     *controls.ControlResult
	Requirement string
	Finding     controls.Finding
	// Scope names the collector runs behind the requirement and their
	// status, e.g. "aws.s3 aws/123456789012 complete".
	Scope string
}

// scopeText lists collector runs as "collector target status", joined by
// "; ".
func scopeText(refs []controls.ScopeRef) string {
	parts := make([]string, 0, len(refs))
	for _, sc := range refs {
		parts = append(parts, sc.Collector+" "+sc.Target.String()+" "+string(sc.Status))
	}
	return strings.Join(parts, "; ")
}

// findingRows calls fn with the rows res flattens into, in control order,
// one at a time, so that a report over millions of findings never holds
// them as rows. It stops at fn's first error.
func findingRows(res *controls.Results, fn func(findingRow) error) error {
	empty := func(o controls.Outcome, msg string) controls.Finding {
		return controls.Finding{ResourceRef: &controls.ResourceRef{}, Outcome: o, Message: msg}
	}
	for i := range res.Controls {
		c := &res.Controls[i]
		for _, req := range c.Evidence {
			scope := scopeText(req.Scope)
			if len(req.Findings) == 0 {
				if err := fn(findingRow{Control: c, Requirement: req.Type, Scope: scope, Finding: empty(req.Outcome, req.Reason)}); err != nil {
					return err
				}
				continue
			}
			for _, f := range req.Findings {
				if err := fn(findingRow{Control: c, Requirement: req.Type, Scope: scope, Finding: f}); err != nil {
					return err
				}
			}
		}
		for _, m := range c.Manual {
			f := empty(m.Outcome, m.Reason)
			if m.Record != "" {
				f.Records = []string{m.Record}
			}
			if err := fn(findingRow{Control: c, Requirement: "manual:" + m.Kind, Finding: f}); err != nil {
				return err
			}
		}
		if len(c.Evidence) == 0 && len(c.Manual) == 0 {
			if err := fn(findingRow{Control: c, Finding: empty(c.Outcome, c.Reason)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// records indexes a bundle's records by SHA-256; nil gives an empty index.
func records(b *evidence.Bundle) map[string]evidence.Record {
	m := map[string]evidence.Record{}
	if b == nil {
		return m
	}
	for _, r := range b.Records {
		m[r.SHA256] = r
	}
	return m
}
