// Package diff compares two evaluations for the CI drift gate: which
// controls newly fail, which were fixed, which became inconclusive, and
// which resources appeared or vanished.
package diff

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports"
	"github.com/attestdev/attest/reports/sanitize"
)

// A Change is a control whose outcome changed between two evaluations.
// Was is empty for a control the baseline did not have.
type Change struct {
	Control  string            `json:"control"`
	Title    string            `json:"title"`
	Severity controls.Severity `json:"severity"`
	Was      controls.Outcome  `json:"was,omitempty"`
	Now      controls.Outcome  `json:"now"`
	Reason   string            `json:"reason,omitempty"`
}

// A ResourceChange is a resource that appeared, vanished or newly failed
// under one control.
type ResourceChange struct {
	Control  string            `json:"control"`
	Severity controls.Severity `json:"severity"`
	Resource string            `json:"resource"`
	Name     string            `json:"name,omitempty"`
	Was      controls.Outcome  `json:"was,omitempty"`
	Now      controls.Outcome  `json:"now,omitempty"`
}

// Drift is the difference between a baseline and a new evaluation.
type Drift struct {
	BaselineAt time.Time `json:"baseline_evaluated_at"`
	CurrentAt  time.Time `json:"current_evaluated_at"`
	// NewFailures are controls that fail now and did not before.
	NewFailures []Change `json:"new_failures"`
	// NewFailingResources are resources that fail now under a control that
	// already failed, where the resource did not fail before: a regression
	// hidden behind an unchanged control outcome.
	NewFailingResources []ResourceChange `json:"new_failing_resources"`
	// Fixed are controls that failed before and pass now.
	Fixed []Change `json:"fixed"`
	// NewlyInconclusive are controls that are inconclusive now and were
	// not before: evidence went missing.
	NewlyInconclusive []Change `json:"newly_inconclusive"`
	// OtherChanges are the remaining outcome changes.
	OtherChanges []Change `json:"other_changes"`
	// NewResources and VanishedResources compare findings by control and
	// resource id.
	NewResources      []ResourceChange `json:"new_resources"`
	VanishedResources []ResourceChange `json:"vanished_resources"`
}

// Compare returns the drift from baseline to current.
func Compare(baseline, current *controls.Results) *Drift {
	d := &Drift{BaselineAt: baseline.EvaluatedAt, CurrentAt: current.EvaluatedAt}
	old := map[string]controls.ControlResult{}
	for _, c := range baseline.Controls {
		old[c.ID] = c
	}
	for _, c := range current.Controls {
		was, had := old[c.ID]
		d.control(was, had, c)
		d.resources(was, c)
		delete(old, c.ID)
	}
	// Controls the current evaluation no longer has: their resources vanished.
	for _, id := range sortedKeys(old) {
		c := old[id]
		res := findings(c)
		for _, rid := range sortedKeys(res) {
			d.VanishedResources = append(d.VanishedResources, ResourceChange{Control: c.ID, Severity: c.Severity, Resource: rid, Name: res[rid].Name, Was: res[rid].Outcome})
		}
	}
	for _, list := range [][]Change{d.NewFailures, d.Fixed, d.NewlyInconclusive, d.OtherChanges} {
		slices.SortFunc(list, func(a, b Change) int { return cmp.Compare(a.Control, b.Control) })
	}
	for _, list := range [][]ResourceChange{d.NewFailingResources, d.NewResources, d.VanishedResources} {
		slices.SortFunc(list, func(a, b ResourceChange) int {
			return cmp.Or(cmp.Compare(a.Control, b.Control), cmp.Compare(a.Resource, b.Resource))
		})
	}
	return d
}

// control files the change of control c's outcome from was (had: the
// baseline has the control).
func (d *Drift) control(was controls.ControlResult, had bool, c controls.ControlResult) {
	ch := Change{Control: c.ID, Title: c.Title, Severity: c.Severity, Was: was.Outcome, Now: c.Outcome, Reason: c.Reason}
	switch {
	case c.Outcome == controls.Fail && was.Outcome != controls.Fail:
		d.NewFailures = append(d.NewFailures, ch)
	case c.Outcome == controls.Pass && was.Outcome == controls.Fail:
		d.Fixed = append(d.Fixed, ch)
	case c.Outcome == controls.Inconclusive && was.Outcome != controls.Inconclusive:
		d.NewlyInconclusive = append(d.NewlyInconclusive, ch)
	case had && c.Outcome != was.Outcome:
		d.OtherChanges = append(d.OtherChanges, ch)
	}
}

// resources files the resources of control c that are new, newly failing
// or vanished since was.
func (d *Drift) resources(was, c controls.ControlResult) {
	oldRes := findings(was)
	newRes := findings(c)
	for _, id := range sortedKeys(newRes) {
		f := newRes[id]
		o, ok := oldRes[id]
		rc := ResourceChange{Control: c.ID, Severity: c.Severity, Resource: id, Name: f.Name, Was: o.Outcome, Now: f.Outcome}
		if !ok {
			d.NewResources = append(d.NewResources, rc)
		}
		if c.Outcome == controls.Fail && was.Outcome == controls.Fail && f.Outcome == controls.Fail && o.Outcome != controls.Fail {
			d.NewFailingResources = append(d.NewFailingResources, rc)
		}
	}
	for _, id := range sortedKeys(oldRes) {
		if _, ok := newRes[id]; !ok {
			d.VanishedResources = append(d.VanishedResources, ResourceChange{Control: c.ID, Severity: c.Severity, Resource: id, Name: oldRes[id].Name, Was: oldRes[id].Outcome})
		}
	}
}

// findings maps resource id to its worst finding in control c.
func findings(c controls.ControlResult) map[string]controls.Finding {
	m := map[string]controls.Finding{}
	for _, req := range c.Evidence {
		for _, f := range req.Findings {
			if prev, ok := m[f.Resource]; ok {
				f.Outcome = controls.Worst(prev.Outcome, f.Outcome)
			}
			m[f.Resource] = f
		}
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Regressions returns the new failures and newly failing resources at or
// above failOn, as "CONTROL" or "CONTROL resource" strings, sorted.
func (d *Drift) Regressions(failOn controls.Severity) []string {
	var out []string
	for _, c := range d.NewFailures {
		if c.Severity.Rank() >= failOn.Rank() {
			out = append(out, c.Control)
		}
	}
	for _, r := range d.NewFailingResources {
		if r.Severity.Rank() >= failOn.Rank() {
			out = append(out, r.Control+" "+r.Resource)
		}
	}
	return out
}

// Empty reports whether nothing changed.
func (d *Drift) Empty() bool {
	return len(d.NewFailures)+len(d.NewFailingResources)+len(d.Fixed)+len(d.NewlyInconclusive)+
		len(d.OtherChanges)+len(d.NewResources)+len(d.VanishedResources) == 0
}

// Formats are the formats Write accepts.
var Formats = []string{"table", "md", "json"}

// Write renders d as a table, Markdown or JSON.
func Write(w io.Writer, format string, d *Drift) error {
	switch format {
	case "table":
		return writeTable(w, d)
	case "md":
		return writeMarkdown(w, d)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(nonNil(d))
	}
	return fmt.Errorf("diff: unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// nonNil returns a copy of d whose lists encode as [] rather than null.
func nonNil(d *Drift) *Drift {
	c := *d
	for _, l := range []*[]Change{&c.NewFailures, &c.Fixed, &c.NewlyInconclusive, &c.OtherChanges} {
		if *l == nil {
			*l = []Change{}
		}
	}
	for _, l := range []*[]ResourceChange{&c.NewFailingResources, &c.NewResources, &c.VanishedResources} {
		if *l == nil {
			*l = []ResourceChange{}
		}
	}
	return &c
}

func was(o controls.Outcome) string {
	if o == "" {
		return "new"
	}
	return string(o)
}

func writeTable(w io.Writer, d *Drift) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANGE\tSEVERITY\tCONTROL\tWAS\tNOW\tRESOURCE")
	for _, s := range []struct {
		label string
		list  []Change
	}{{"NEW FAILURE", d.NewFailures}, {"FIXED", d.Fixed}, {"NEWLY INCONCLUSIVE", d.NewlyInconclusive}, {"CHANGED", d.OtherChanges}} {
		for _, c := range s.list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", s.label, c.Severity, oneLine(c.Control), was(c.Was), c.Now)
		}
	}
	for _, s := range []struct {
		label string
		list  []ResourceChange
	}{{"NEW FAILING RESOURCE", d.NewFailingResources}, {"NEW RESOURCE", d.NewResources}, {"VANISHED RESOURCE", d.VanishedResources}} {
		for _, r := range s.list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.label, r.Severity, oneLine(r.Control), was(r.Was), r.Now, oneLine(r.Resource))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", d.summary())
	return err
}

func (d *Drift) summary() string {
	return fmt.Sprintf("%d new failure(s), %d newly failing resource(s), %d fixed, %d newly inconclusive, %d other change(s), %d new and %d vanished resource(s)",
		len(d.NewFailures), len(d.NewFailingResources), len(d.Fixed), len(d.NewlyInconclusive), len(d.OtherChanges), len(d.NewResources), len(d.VanishedResources))
}

func writeMarkdown(w io.Writer, d *Drift) error {
	var b strings.Builder
	md := reports.MarkdownEscape
	fmt.Fprintf(&b, "### attest drift since %s\n\n%s.\n", d.BaselineAt.UTC().Format("2006-01-02 15:04 UTC"), d.summary())
	changes := func(title string, list []Change) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n#### %s\n\n| Severity | Control | Title | Was | Now |\n|---|---|---|---|---|\n", title)
		for _, c := range list {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", c.Severity, md(c.Control), md(c.Title), was(c.Was), c.Now)
		}
	}
	resources := func(title string, list []ResourceChange) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n<details><summary>%s (%d)</summary>\n\n| Control | Resource | Was | Now |\n|---|---|---|---|\n", title, len(list))
		for _, r := range list {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", md(r.Control), md(r.Resource), was(r.Was), r.Now)
		}
		b.WriteString("\n</details>\n")
	}
	changes("New failures", d.NewFailures)
	resources("Newly failing resources", d.NewFailingResources)
	changes("Fixed", d.Fixed)
	changes("Newly inconclusive", d.NewlyInconclusive)
	changes("Other changes", d.OtherChanges)
	resources("New resources", d.NewResources)
	resources("Vanished resources", d.VanishedResources)
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine returns s fit for one terminal table cell: control sequences
// removed (sanitize.Terminal) and white space collapsed.
func oneLine(s string) string { return strings.Join(strings.Fields(sanitize.Terminal(s)), " ") }
