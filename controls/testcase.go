package controls

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// DefaultTestNow is the evaluation time of a test case that gives none.
var DefaultTestNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// A TestCase is one case of a control's tests: a small bundle, optional
// param overrides, and the outcome the control must have on it.
type TestCase struct {
	Name string `yaml:"name" json:"name"`
	// Now is the evaluation time (RFC 3339); default DefaultTestNow.
	Now string `yaml:"now,omitempty" json:"now,omitempty"`
	// Params override the control's declared params.
	Params map[string]any `yaml:"params,omitempty" json:"params,omitempty"`
	// Resources are the resources of the bundle.
	Resources []TestResource `yaml:"resources,omitempty" json:"resources,omitempty"`
	// Runs are the collector runs of the bundle. When empty, every
	// resource type the control's evidence names gets one complete run
	// that finished at Now.
	Runs    []TestRun `yaml:"runs,omitempty" json:"runs,omitempty"`
	Outcome Outcome   `yaml:"outcome" json:"outcome"`
}

// A TestResource is a resource of a test case's bundle.
type TestResource struct {
	Type       string         `yaml:"type" json:"type"`
	ID         string         `yaml:"id,omitempty" json:"id,omitempty"`
	Name       string         `yaml:"name,omitempty" json:"name,omitempty"`
	Account    string         `yaml:"account,omitempty" json:"account,omitempty"`
	Region     string         `yaml:"region,omitempty" json:"region,omitempty"`
	Attributes map[string]any `yaml:"attributes,omitempty" json:"attributes,omitempty"`
}

// A TestRun is a collector run of a test case's bundle.
type TestRun struct {
	Type   string             `yaml:"type" json:"type"`
	Status evidence.RunStatus `yaml:"status,omitempty" json:"status,omitempty"`
	// Error is the kind of the run's failure, when it is not complete.
	Error      evidence.FailureKind `yaml:"error,omitempty" json:"error,omitempty"`
	Permission string               `yaml:"permission,omitempty" json:"permission,omitempty"`
	// Collector, Source, Account and Region describe the run's target;
	// by default the collector is "test" and the source the first part
	// of Type.
	Collector string `yaml:"collector,omitempty" json:"collector,omitempty"`
	Source    string `yaml:"source,omitempty" json:"source,omitempty"`
	Account   string `yaml:"account,omitempty" json:"account,omitempty"`
	Region    string `yaml:"region,omitempty" json:"region,omitempty"`
	// Finished is when the run finished (RFC 3339); default the case's
	// Now.
	Finished string `yaml:"finished,omitempty" json:"finished,omitempty"`
	// Fixed are attribute values every resource of Type from the run has
	// (see evidence.Run.Fixed), such as {system: aws}.
	Fixed map[string]any `yaml:"fixed,omitempty" json:"fixed,omitempty"`
}

// Outcomes lists every outcome.
var Outcomes = []Outcome{Pass, Fail, Inconclusive, NotApplicable, ManualOutcome, Waived}

var runStatuses = []evidence.RunStatus{evidence.Complete, evidence.Partial, evidence.Failed}

var failureKinds = []evidence.FailureKind{evidence.Denied, evidence.Throttled, evidence.Timeout, evidence.Cancelled, evidence.Errored}

// validateTests checks a control's test cases: params declared and of
// their type, outcomes, times, resource types and attribute names.
func (v *validator) validateTests(c *Control, bad func(string, string, ...any)) {
	evTypes := map[string]bool{}
	for _, r := range c.Evidence {
		evTypes[r.Type] = true
	}
	if len(c.Manual) > 0 {
		evTypes[ManualType] = true
	}
	names := map[string]bool{}
	for i, tc := range c.Tests {
		field := fmt.Sprintf("tests[%d]", i)
		if strings.TrimSpace(tc.Name) == "" {
			bad(field+".name", "required")
		} else if names[tc.Name] {
			bad(field+".name", "%q: another case has the same name", tc.Name)
		}
		names[tc.Name] = true
		if !slices.Contains(Outcomes, tc.Outcome) {
			bad(field+".outcome", "%q: want one of pass, fail, inconclusive, not_applicable, manual or waived", tc.Outcome)
		}
		if tc.Now != "" {
			if _, err := time.Parse(time.RFC3339, tc.Now); err != nil {
				bad(field+".now", "%q: want an RFC 3339 time such as 2026-01-01T00:00:00Z", tc.Now)
			}
		}
		caseParams(c, tc, field, bad)
		v.caseResources(tc, field, evTypes, bad)
		caseRuns(tc, field, evTypes, bad)
	}
}

// caseParams checks that the params a case sets are declared and of their
// type.
func caseParams(c *Control, tc TestCase, field string, bad func(string, string, ...any)) {
	for _, name := range sortedKeys(tc.Params) {
		p, ok := c.Params[name]
		if !ok {
			bad(field+".params."+name, "unknown param %q%s", name, c.declared())
			continue
		}
		if !slices.Contains(ParamTypes, p.Type) {
			continue // reported at the declaration
		}
		if _, err := p.Type.Convert(tc.Params[name]); err != nil {
			bad(field+".params."+name, "%v", err)
		}
	}
}

// caseResources checks that a case's resources are of a type the control's
// evidence names and set only attributes that type has.
func (v *validator) caseResources(tc TestCase, field string, evTypes map[string]bool, bad func(string, string, ...any)) {
	for j, r := range tc.Resources {
		rf := fmt.Sprintf("%s.resources[%d]", field, j)
		if r.Type == "" {
			bad(rf+".type", "required")
			continue
		}
		if !evTypes[r.Type] {
			bad(rf+".type", "%q: the control has no evidence of this type", r.Type)
			continue
		}
		if attrs, ok := v.types[r.Type]; ok && v.types != nil {
			for _, a := range sortedKeys(r.Attributes) {
				if _, ok := attrs[a]; !ok {
					bad(rf+".attributes."+a, "the resource type %s has no attribute %q", r.Type, a)
				}
			}
		}
	}
}

// caseRuns checks a case's runs: type, status, failure kind and time.
func caseRuns(tc TestCase, field string, evTypes map[string]bool, bad func(string, string, ...any)) {
	for j, run := range tc.Runs {
		rf := fmt.Sprintf("%s.runs[%d]", field, j)
		if !evTypes[run.Type] {
			bad(rf+".type", "%q: the control has no evidence of this type", run.Type)
		}
		if run.Status != "" && !slices.Contains(runStatuses, run.Status) {
			bad(rf+".status", "%q: want complete, partial or failed", run.Status)
		}
		if run.Error != "" && !slices.Contains(failureKinds, run.Error) {
			bad(rf+".error", "%q: want one of %v", run.Error, failureKinds)
		}
		if run.Finished != "" {
			if _, err := time.Parse(time.RFC3339, run.Finished); err != nil {
				bad(rf+".finished", "%q: want an RFC 3339 time", run.Finished)
			}
		}
	}
}

// A CaseResult is the outcome of one test case.
type CaseResult struct {
	Control string
	File    string
	Case    string
	Want    Outcome
	Got     Outcome
	// Reason is the control's reason for its outcome.
	Reason string
	// Err is set when the case could not be run.
	Err error
}

// Passed reports whether the control had the outcome the case wants.
func (r CaseResult) Passed() bool { return r.Err == nil && r.Got == r.Want }

// Bundle returns the evidence bundle a test case describes for control c.
func (tc *TestCase) Bundle(c *Control) (*evidence.Bundle, error) {
	now := DefaultTestNow
	if tc.Now != "" {
		t, err := time.Parse(time.RFC3339, tc.Now)
		if err != nil {
			return nil, fmt.Errorf("now: %w", err)
		}
		now = t.UTC()
	}
	b := &evidence.Bundle{Manifest: evidence.Manifest{Format: evidence.Format, StartedAt: now.Add(-time.Minute), FinishedAt: now}}
	counts := map[string]int{}
	for _, r := range tc.Resources {
		id := r.ID
		if id == "" {
			id = fmt.Sprintf("%s/%d", r.Type, counts[r.Type])
		}
		counts[r.Type]++
		attrs := r.Attributes
		if attrs == nil {
			attrs = map[string]any{}
		}
		b.Resources = append(b.Resources, evidence.Resource{
			Type: r.Type, ID: id, Name: r.Name, Account: r.Account, Region: r.Region,
			Attributes: attrs, Collector: "test", CollectedAt: now,
		})
	}
	runs := tc.Runs
	if len(runs) == 0 {
		seen := map[string]bool{}
		for _, r := range c.Evidence {
			if !seen[r.Type] {
				seen[r.Type] = true
				runs = append(runs, TestRun{Type: r.Type})
			}
		}
	}
	for _, tr := range runs {
		finished := now
		if tr.Finished != "" {
			t, err := time.Parse(time.RFC3339, tr.Finished)
			if err != nil {
				return nil, fmt.Errorf("runs: finished: %w", err)
			}
			finished = t.UTC()
		}
		run := evidence.Run{
			Collector:     cmp.Or(tr.Collector, "test"),
			Target:        evidence.Target{Source: cmp.Or(tr.Source, strings.Split(tr.Type, ".")[0]), Account: tr.Account, Region: tr.Region},
			ResourceTypes: []string{tr.Type},
			Status:        cmp.Or(tr.Status, evidence.Complete),
			StartedAt:     finished.Add(-time.Minute),
			FinishedAt:    finished,
		}
		for _, r := range b.Resources {
			if r.Type == tr.Type {
				run.Resources++
			}
		}
		if tr.Fixed != nil {
			run.Fixed = map[string]map[string]any{tr.Type: tr.Fixed}
		}
		if run.Status != evidence.Complete || tr.Error != "" {
			kind := cmp.Or(tr.Error, evidence.Errored)
			run.Failures = append(run.Failures, evidence.Failure{Kind: kind, Permission: tr.Permission, Message: "test case: " + string(kind)})
		}
		b.Manifest.Runs = append(b.Manifest.Runs, run)
	}
	b.Manifest.Resources = len(b.Resources)
	return b, nil
}

// RunTests runs every test case of the controls in lib (all of them when
// ids is empty) through Evaluate, each against a library holding only its
// control and the framework catalogs. Results are in control and case
// order.
func (l *Library) RunTests(ctx context.Context, ids ...string) []CaseResult {
	var out []CaseResult
	for _, c := range l.Controls {
		if len(ids) > 0 && !slices.Contains(ids, c.ID) {
			continue
		}
		for i := range c.Tests {
			out = append(out, l.runCase(ctx, c, &c.Tests[i]))
		}
	}
	return out
}

func (l *Library) runCase(ctx context.Context, c *Control, tc *TestCase) CaseResult {
	cr := CaseResult{Control: c.ID, File: c.File, Case: tc.Name, Want: tc.Outcome}
	b, err := tc.Bundle(c)
	if err != nil {
		cr.Err = err
		return cr
	}
	one := &Library{Frameworks: l.Frameworks, Controls: []*Control{c}}
	opts := EvalOptions{AttestVersion: "test"}
	if len(tc.Params) > 0 {
		opts.Params = map[string]map[string]any{c.ID: tc.Params}
	}
	res, err := Evaluate(ctx, one, b, opts)
	if err != nil {
		cr.Err = err
		return cr
	}
	cr.Got, cr.Reason = res.Controls[0].Outcome, res.Controls[0].Reason
	return cr
}

// A LintFinding is a gap in a control's tests or mappings: an error in
// the built-in library, a warning for users' own controls.
type LintFinding struct {
	File, Field string
	Line        int
	Control     string
	Msg         string
}

func (f LintFinding) String() string {
	return (&Error{File: f.File, Line: f.Line, Field: f.Field, Msg: f.Msg}).Error()
}

// Lint reports what a control lacks to be complete: a pass case, a fail
// case, a rationale for each mapping, a doc for each param.
func (c *Control) Lint() []LintFinding {
	var out []LintFinding
	add := func(field string, line int, format string, args ...any) {
		out = append(out, LintFinding{File: c.File, Field: field, Line: line, Control: c.ID, Msg: fmt.Sprintf(format, args...)})
	}
	has := map[Outcome]bool{}
	for _, tc := range c.Tests {
		has[tc.Outcome] = true
	}
	for _, o := range []Outcome{Pass, Fail} {
		if !has[o] {
			add("tests", c.lines["tests"], "no test case with outcome %s", o)
		}
	}
	for _, fw := range FrameworkIDs {
		for _, id := range c.Mappings.For(fw) {
			if c.Mappings.Rationale(fw, id) == "" {
				add("mappings."+fw+"."+id, c.Mappings.lines[fw][id], "no rationale: say in one line why the control supports %s %s", fw, id)
			}
		}
	}
	for _, name := range sortedKeys(c.Params) {
		p := c.Params[name]
		if p.Legacy {
			add("params."+name, c.lines["params."+name], "old param form: declare {type, default, doc}")
		} else if p.Doc == "" {
			add("params."+name+".doc", c.lines["params."+name], "no doc: say what the param means")
		}
	}
	return out
}
