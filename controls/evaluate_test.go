package controls

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

var evalTime = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// control returns a control file with one evidence requirement.
func control(id, mode, where, rule string) string {
	return fmt.Sprintf(`id: %s
title: t
description: d
severity: high
owner: o
frequency: daily
mappings: {soc2: [CC6.1], iso27001: [A.8.24]}
tom: {category: data-access, statement: {en: e, de: d}}
params: {max_age: 30}
evidence:
  - type: test.widget
    mode: %s
    where: '%s'
    rule: '%s'
remediation: r
`, id, mode, where, rule)
}

func library(t *testing.T, files ...string) *Library {
	t.Helper()
	dir := t.TempDir()
	for i, f := range files {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("c%d.yaml", i)), []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	lib, err := Load(Options{NoBuiltin: true, Dirs: []string{dir}, Types: testTypes})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func widget(id string, attrs map[string]any, gaps ...evidence.Gap) evidence.Resource {
	return evidence.Resource{Type: "test.widget", ID: id, Name: id, Account: "acct", Attributes: attrs, Gaps: gaps}
}

func run(status evidence.RunStatus, failures ...evidence.Failure) evidence.Run {
	return evidence.Run{Collector: "test", Target: evidence.Target{Source: "test", Account: "acct"}, ResourceTypes: []string{"test.widget"}, Status: status, Failures: failures}
}

func bundle(runs []evidence.Run, rs ...evidence.Resource) *evidence.Bundle {
	return &evidence.Bundle{Manifest: evidence.Manifest{Format: evidence.Format, StartedAt: evalTime.Add(-time.Minute), FinishedAt: evalTime, Runs: runs}, Resources: rs}
}

func TestEvaluateModes(t *testing.T) {
	t.Parallel()
	enc := map[string]any{"encrypted": true, "size": 10}
	plain := map[string]any{"encrypted": false, "size": 200}
	complete := []evidence.Run{run(evidence.Complete)}
	denied := []evidence.Run{run(evidence.Partial, evidence.Failure{Kind: evidence.Denied, Operation: "test:Get", Permission: "test:Get", Message: "AccessDenied"})}
	tests := []struct {
		name       string
		mode       string
		where      string
		rule       string
		runs       []evidence.Run
		resources  []evidence.Resource
		want       Outcome
		wantReason string
		wantCode   Code
	}{
		{"each all pass", "each", "", "r.encrypted", complete, []evidence.Resource{widget("a", enc), widget("b", enc)}, Pass, "all 2 test.widget pass", CodeRuleTrue},
		{"each one fails", "each", "", "r.encrypted", complete, []evidence.Resource{widget("a", enc), widget("b", plain)}, Fail, "1 of 2 test.widget fail: b", CodeRuleFalse},
		{"each no resources", "each", "", "r.encrypted", complete, nil, NotApplicable, "no test.widget in scope", CodeNoResources},
		{"each where filters", "each", "r.size > 100", "r.encrypted", complete, []evidence.Resource{widget("a", enc), widget("b", plain)}, Fail, "1 of 1 test.widget fail: b", CodeRuleFalse},
		{"each where filters all out", "each", "r.size > 1000", "r.encrypted", complete, []evidence.Resource{widget("a", enc)}, NotApplicable, "no test.widget in scope", CodeNoResources},
		{"each missing attribute is inconclusive", "each", "", "r.encrypted", complete, []evidence.Resource{widget("a", enc), widget("b", map[string]any{"size": 1})}, Inconclusive, "1 test.widget could not be evaluated: b: no such key: encrypted", CodeRuleError},
		{"each gap names the denied call", "each", "", "r.encrypted", denied, []evidence.Resource{widget("a", map[string]any{}, evidence.Gap{Attribute: "encrypted", Kind: evidence.Denied, Operation: "test:Get", Permission: "test:Get"})}, Inconclusive, "encrypted not collected (denied test:Get, needs test:Get)", CodeRuleError},
		{"each pass with incomplete run is inconclusive", "each", "", "r.encrypted", denied, []evidence.Resource{widget("a", enc)}, Inconclusive, "collection incomplete: test on test/acct partial (denied test:Get (needs test:Get): AccessDenied)", CodeRunFailed},
		{"each fail with incomplete run stays fail", "each", "", "r.encrypted", denied, []evidence.Resource{widget("a", plain)}, Fail, "1 of 1 test.widget fail: a; collection incomplete", CodeRuleFalse},
		{"each failed run without resources", "each", "", "r.encrypted", []evidence.Run{run(evidence.Failed, evidence.Failure{Kind: evidence.Throttled, Message: "Throttling"})}, nil, Inconclusive, "collection incomplete: test on test/acct failed (throttled: Throttling)", CodeRunFailed},
		{"no collector ran", "each", "", "r.encrypted", nil, []evidence.Resource{widget("a", enc)}, NotApplicable, "not in scope: no configured source collected test.widget", CodeNotCollected},
		{"any one passes", "any", "", "r.encrypted", complete, []evidence.Resource{widget("a", plain), widget("b", enc)}, Pass, "1 of 2 test.widget satisfy the rule", CodeRuleTrue},
		{"any none passes", "any", "", "r.encrypted", complete, []evidence.Resource{widget("a", plain)}, Fail, "none of 1 test.widget satisfies the rule", CodeRuleFalse},
		{"any zero resources fails", "any", "", "r.encrypted", complete, nil, Fail, "none of 0 test.widget satisfies the rule", CodeRuleFalse},
		{"any none but incomplete is inconclusive", "any", "", "r.encrypted", denied, []evidence.Resource{widget("a", plain)}, Inconclusive, "collection incomplete", CodeRunFailed},
		{"count within limit", "count", "!r.encrypted", "count <= 1", complete, []evidence.Resource{widget("a", plain), widget("b", enc)}, Pass, "count 1 satisfies the rule", CodeRuleTrue},
		{"count over limit", "count", "!r.encrypted", "count == 0", complete, []evidence.Resource{widget("a", plain)}, Fail, "count 1 does not satisfy the rule", CodeRuleFalse},
		{"count with incomplete run", "count", "", "count >= 0", denied, nil, Inconclusive, "collection incomplete", CodeRunFailed},
		{"params and days_since", "each", "", "days_since(r.created) <= params.max_age", complete, []evidence.Resource{widget("new", map[string]any{"created": "2026-10-25T00:00:00Z"}), widget("old", map[string]any{"created": "2026-01-01T00:00:00Z"})}, Fail, "1 of 2 test.widget fail: old", CodeRuleFalse},
		{"bad timestamp is inconclusive", "each", "", "days_since(r.created) <= 30", complete, []evidence.Resource{widget("a", map[string]any{"created": "yesterday"})}, Inconclusive, `not an RFC 3339 time: "yesterday"`, CodeRuleError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lib := library(t, control("T-1", tt.mode, tt.where, tt.rule))
			res, err := Evaluate(t.Context(), lib, bundle(tt.runs, tt.resources...), EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c := res.Controls[0]
			if c.Outcome != tt.want || !strings.Contains(c.Reason, tt.wantReason) {
				t.Errorf("got %s %q, want %s containing %q", c.Outcome, c.Reason, tt.want, tt.wantReason)
			}
			if c.Code != tt.wantCode || c.Evidence[0].Code != tt.wantCode {
				t.Errorf("code %q (requirement %q), want %q", c.Code, c.Evidence[0].Code, tt.wantCode)
			}
		})
	}
}

func TestEvaluateNeverPassesWithoutEvidence(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "", "r.encrypted"))
	faults := []evidence.FailureKind{evidence.Denied, evidence.Throttled, evidence.Timeout, evidence.Cancelled, evidence.Errored}
	for _, kind := range faults {
		for _, status := range []evidence.RunStatus{evidence.Partial, evidence.Failed} {
			b := bundle([]evidence.Run{run(status, evidence.Failure{Kind: kind, Message: string(kind)})},
				widget("a", map[string]any{"encrypted": true}))
			res, err := Evaluate(t.Context(), lib, b, EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Controls[0].Outcome; got != Inconclusive {
				t.Errorf("%s %s: outcome %s, want inconclusive", status, kind, got)
			}
		}
	}
}

func TestEvaluateParamsOverride(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "", "days_since(r.created) <= params.max_age"))
	b := bundle([]evidence.Run{run(evidence.Complete)}, widget("a", map[string]any{"created": "2026-09-01T00:00:00Z"}))
	res, err := Evaluate(t.Context(), lib, b, EvalOptions{Params: map[string]map[string]any{"T-1": {"max_age": 90}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Controls[0].Outcome; got != Pass {
		t.Errorf("with max_age 90: %s, want pass (%s)", got, res.Controls[0].Reason)
	}
}

func TestEvaluateManual(t *testing.T) {
	t.Parallel()
	file := `id: M-1
title: t
description: d
severity: medium
owner: o
frequency: annually
mappings: {iso27001: [A.6.3]}
tom: {category: job, statement: {en: e, de: d}}
manual:
  - kind: security_training
    max_age: 365d
remediation: r
`
	lib := library(t, file)
	record := func(performed, validUntil string) evidence.Resource {
		return evidence.Resource{Type: ManualType, ID: "training-" + performed, Attributes: map[string]any{
			"kind": "security_training", "performed_at": performed, "valid_until": validUntil, "attested_by": "ciso@example.com",
		}}
	}
	tests := []struct {
		name    string
		records []evidence.Resource
		want    Outcome
		reason  string
	}{
		{"none recorded", nil, ManualOutcome, "no security_training evidence recorded"},
		{"fresh", []evidence.Resource{record("2026-03-01T00:00:00Z", "")}, Pass, "valid until 2027-03-01"},
		{"expired by max_age", []evidence.Resource{record("2025-10-01T00:00:00Z", "")}, Fail, "expired on 2026-10-01"},
		{"expired by valid_until", []evidence.Resource{record("2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z")}, Fail, "expired on 2026-06-01"},
		{"newest wins", []evidence.Resource{record("2025-01-01T00:00:00Z", ""), record("2026-05-01T00:00:00Z", "")}, Pass, "performed 2026-05-01"},
		{"changed attachment is inconclusive", []evidence.Resource{func() evidence.Resource {
			r := record("2026-03-01T00:00:00Z", "")
			r.Gaps = []evidence.Gap{{Attribute: "attachments", Kind: evidence.Errored, Message: "files/a.csv: SHA-256 does not match the record"}}
			return r
		}()}, Inconclusive, "could not be verified: files/a.csv: SHA-256 does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Evaluate(t.Context(), lib, bundle(nil, tt.records...), EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c := res.Controls[0]
			if c.Outcome != tt.want || !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("got %s %q, want %s containing %q", c.Outcome, c.Reason, tt.want, tt.reason)
			}
		})
	}
}

func TestEvaluateFrameworkRollup(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "", "r.encrypted"), strings.Replace(control("T-2", "each", "", "r.size < 100"), "soc2: [CC6.1]", "soc2: [CC6.1, CC7.2]", 1))
	b := bundle([]evidence.Run{run(evidence.Complete)}, widget("a", map[string]any{"encrypted": true, "size": 500}))
	res, err := Evaluate(t.Context(), lib, b, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]RequirementRollup{}
	for _, fw := range res.Frameworks {
		for _, r := range fw.Requirements {
			got[fw.ID+":"+r.ID] = r
		}
	}
	want := map[string]RequirementRollup{
		"soc2:CC6.1":               {ID: "CC6.1", Outcome: Fail, Controls: []string{"T-1", "T-2"}},
		"soc2:CC7.2":               {ID: "CC7.2", Outcome: Fail, Controls: []string{"T-2"}},
		"soc2:CC1.1":               {ID: "CC1.1", Outcome: NotApplicable, Controls: []string{}},
		"gdpr:TOM.data-access":     {ID: "TOM.data-access", Outcome: Fail, Controls: []string{"T-1", "T-2"}},
		"iso27001:A.8.24":          {ID: "A.8.24", Outcome: Fail, Controls: []string{"T-1", "T-2"}},
		"gdpr:TOM.physical-access": {ID: "TOM.physical-access", Outcome: NotApplicable, Controls: []string{}},
	}
	for k, w := range want {
		g := got[k]
		g.Title = ""
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if res.Summary.Pass != 1 || res.Summary.Fail != 1 || res.Summary.Total != 2 {
		t.Errorf("summary %+v", res.Summary)
	}
}

// TestEvaluateDeterministic writes a bundle to disk, reads it back twice and
// checks that both evaluations encode to the same bytes.
func TestEvaluateDeterministic(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "", "r.encrypted"), control("T-2", "count", "r.size > 5", "count < 3"))
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		// Written out of order on purpose.
		id := fmt.Sprintf("w%02d", (i*37)%50)
		if err := w.WriteResource(widget(id, map[string]any{"encrypted": i%7 != 0, "size": i, "tags": map[string]any{"b": 1, "a": 2}})); err != nil {
			t.Fatal(err)
		}
	}
	w.AddRun(run(evidence.Complete))
	if err := w.Close(evidence.Manifest{StartedAt: evalTime.Add(-time.Minute), FinishedAt: evalTime}); err != nil {
		t.Fatal(err)
	}
	var outs [][]byte
	for range 2 {
		b, err := evidence.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Evaluate(t.Context(), lib, b, EvalOptions{AttestVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		data, err := res.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, data)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatalf("two evaluations of one bundle differ:\n%s", cmp.Diff(string(outs[0]), string(outs[1])))
	}
	if !bytes.Contains(outs[0], []byte(`"resource": "w00"`)) {
		t.Error("findings missing from results")
	}
}

// TestEvaluateDoesNotModifyBundle evaluates one bundle from two goroutines
// (run with -race) and checks the bundle's attribute values are untouched.
func TestEvaluateDoesNotModifyBundle(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "r.size > 1", "r.encrypted"))
	attrs := map[string]any{"encrypted": true, "size": 5, "tags": []any{json.Number("7")}}
	b := bundle([]evidence.Run{run(evidence.Complete)}, widget("a", attrs))
	done := make(chan error, 2)
	for range 2 {
		go func() {
			res, err := Evaluate(t.Context(), lib, b, EvalOptions{})
			if err == nil && res.Controls[0].Outcome != Pass {
				err = fmt.Errorf("outcome %s: %s", res.Controls[0].Outcome, res.Controls[0].Reason)
			}
			done <- err
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := attrs["size"].(int); !ok {
		t.Errorf("size became %T: Evaluate modified the bundle", attrs["size"])
	}
	if _, ok := attrs["tags"].([]any)[0].(json.Number); !ok {
		t.Error("a nested value was modified")
	}
}

// TestEvaluateFindingsAcrossPasses evaluates a bundle read in several
// batches by four workers, whose findings each point into their own
// pass's references (see mark), and checks every finding names the
// resource it is about: outcome, message and order by id.
func TestEvaluateFindingsAcrossPasses(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	lib := library(t, control("T-1", "each", "", "r.encrypted"))
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	for i := range n {
		j := (i * 7919) % n // written out of order
		attrs := map[string]any{"encrypted": j%7 != 0}
		if j%11 == 0 {
			attrs = map[string]any{"size": j}
		}
		if err := w.WriteResource(widget(fmt.Sprintf("w%05d", j), attrs)); err != nil {
			t.Fatal(err)
		}
	}
	w.AddRun(run(evidence.Complete))
	if err := w.Close(evidence.Manifest{StartedAt: evalTime.Add(-time.Minute), FinishedAt: evalTime}); err != nil {
		t.Fatal(err)
	}
	res, _, err := EvaluateDir(t.Context(), lib, dir, EvalOptions{AttestVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Controls[0].Evidence[0].Findings
	if len(fs) != n {
		t.Fatalf("%d findings, want %d", len(fs), n)
	}
	for j, f := range fs {
		want, msg := Pass, ""
		switch {
		case j%11 == 0:
			want, msg = Inconclusive, "no such key: encrypted"
		case j%7 == 0:
			want, msg = Fail, failMessage
		}
		if f.Resource != fmt.Sprintf("w%05d", j) || f.Name != f.Resource || f.Outcome != want || msg != f.Message {
			t.Fatalf("finding %d: %s %s %q, want w%05d %s %q", j, f.Resource, f.Outcome, f.Message, j, want, msg)
		}
	}
}
