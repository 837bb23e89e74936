package controls

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

func TestRunTestsFixture(t *testing.T) {
	t.Parallel()
	lib, err := Load(Options{NoBuiltin: true, Dirs: []string{"testdata/cases"}, Types: testTypes})
	if err != nil {
		t.Fatal(err)
	}
	results := lib.RunTests(t.Context())
	if len(results) != 6 {
		t.Fatalf("ran %d cases, want 6", len(results))
	}
	for _, r := range results {
		if !r.Passed() {
			t.Errorf("%s: got %s (%s; err %v), want %s", r.Case, r.Got, r.Reason, r.Err, r.Want)
		}
	}
	// A case that expects the wrong outcome fails.
	c := lib.Controls[0]
	c.Tests[1].Outcome = Pass
	r := lib.RunTests(t.Context(), c.ID)[1]
	if r.Passed() || r.Got != Fail {
		t.Errorf("a case wanting pass on an old widget: passed=%v got %s", r.Passed(), r.Got)
	}
}

// v2 is a control in format v2 with one param, a map mapping, a templated
// statement and two cases; edit replaces the first occurrence of old by new.
func v2(edits ...string) string {
	s := `id: V2-001
title: t
description: d
severity: high
owner: o
frequency: daily
params:
  max_age:
    type: int
    default: 30
    doc: The oldest a widget may be, in days.
mappings:
  soc2:
    CC6.1: Widgets hold access credentials.
tom:
  category: data-access
  statement:
    en: Widgets are at most {{.max_age}} days old.
    de: Widgets sind höchstens {{.max_age}} Tage alt.
evidence:
  - type: test.widget
    rule: 'days_since(r.created) <= params.max_age'
remediation: r
tests:
  - name: young
    params: {max_age: 10}
    resources:
      - type: test.widget
        attributes: {created: "2025-12-30T00:00:00Z"}
    outcome: pass
`
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			panic("v2: no " + edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return s
}

func loadOne(t *testing.T, data string) (*Library, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(Options{NoBuiltin: true, Dirs: []string{dir}, Types: testTypes})
}

// TestLoadV2Errors checks that every problem in the new fields is a load
// error naming file, line and field.
func TestLoadV2Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edits []string
		want  string // after "<dir>/c.yaml"
	}{
		{"bad param type", []string{"type: int", "type: integer"}, `:9: params.max_age.type: "integer": want one of int, float, string, bool, duration, list`},
		{"default not of the type", []string{"default: 30", "default: thirty"}, `:10: params.max_age.default: "thirty" (a string) is not of type int`},
		{"no default", []string{"    default: 30\n", ""}, `:9: params.max_age.default: required`},
		{"unknown param field", []string{"doc: The", "unit: days\n    doc: The"}, `:11: params.max_age.unit: unknown field`},
		{"bad duration default", []string{"type: int\n    default: 30", "type: duration\n    default: 30x"}, `:10: params.max_age.default: bad duration "30x"`},
		{"list of numbers", []string{"type: int\n    default: 30", "type: list\n    default: [1, 2]"}, `:10: params.max_age.default: item 0 is 1 (an int), want a string`},
		{"bad param name", []string{"  max_age:\n", "  MaxAge:\n", ".max_age}} days old.", ".MaxAge}} days old.", ".max_age}} Tage", ".MaxAge}} Tage", "params.max_age'", "params.MaxAge'", "max_age: 10", "MaxAge: 10"}, `:8: params.MaxAge: use lower-case snake_case`},
		{"template does not parse", []string{"{{.max_age}} days", "{{.max_age days"}, `:18: tom.statement.en: template: `},
		{"template names an unknown param", []string{"{{.max_age}} Tage", "{{.max_days}} Tage"}, `:19: tom.statement.de: template names .max_days, which is not a declared param (declared: max_age)`},
		{"template fails on the default", []string{"{{.max_age}} days", "{{list .max_age}} days"}, `:18: tom.statement.en: does not render with the default params: `},
		{"unknown mapping id", []string{"CC6.1: Widgets", "CC99.1: Widgets"}, `:14: mappings.soc2.CC99.1: unknown soc2 requirement "CC99.1"`},
		{"rationale not a string", []string{"CC6.1: Widgets hold access credentials.", "CC6.1: [a, b]"}, `:14: mappings.soc2.CC6.1: the rationale must be a one-line string`},
		{"unknown framework", []string{"  soc2:\n", "  pci:\n    X: y\n  soc2:\n"}, `:13: mappings.pci: unknown framework`},
		{"bad tom category", []string{"category: data-access", "category: vibes"}, `:16: tom.category: "vibes"`},
		{"unknown param in a case", []string{"{max_age: 10}", "{max_days: 10}"}, `:26: tests[0].params.max_days: unknown param "max_days" (declared: max_age)`},
		{"case param of the wrong type", []string{"{max_age: 10}", "{max_age: ten}"}, `:26: tests[0].params.max_age: "ten" (a string) is not of type int`},
		{"bad outcome", []string{"outcome: pass", "outcome: passes"}, `:30: tests[0].outcome: "passes": want one of`},
		{"unknown attribute in a case", []string{"{created:", "{craeted:"}, `:29: tests[0].resources[0].attributes.craeted: the resource type test.widget has no attribute "craeted"`},
		{"resource type not in the control", []string{"      - type: test.widget\n", "      - type: test.gadget\n"}, `:28: tests[0].resources[0].type: "test.gadget": the control has no evidence of this type`},
		{"unknown case field", []string{"    outcome: pass", "    outcome: pass\n    expect: pass"}, `:31: expect: unknown field`},
		{"bad now", []string{"  - name: young\n", "  - name: young\n    now: tomorrow\n"}, `:26: tests[0].now: "tomorrow": want an RFC 3339 time`},
		{"bad run status", []string{"    outcome: pass", "    runs: [{type: test.widget, status: broken}]\n    outcome: pass"}, `:30: tests[0].runs[0].status: "broken": want complete, partial or failed`},
		{"duplicate case name", []string{"    outcome: pass\n", "    outcome: pass\n  - name: young\n    outcome: fail\n"}, `:31: tests[1].name: "young": another case has the same name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadOne(t, v2(tt.edits...))
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.Contains(err.Error(), "c.yaml"+tt.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  c.yaml%s", err, tt.want)
			}
			var le *Error
			if !errors.As(err, &le) || le.Line == 0 {
				t.Errorf("error is not an *Error with a line: %#v", err)
			}
		})
	}
}

func TestLoadV2Forms(t *testing.T) {
	t.Parallel()
	lib, err := loadOne(t, v2("  soc2:\n    CC6.1: Widgets hold access credentials.\n", "  soc2:\n    CC6.1: Widgets hold access credentials.\n    CC6.7: >-\n      Widgets travel\n      encrypted.\n  iso27001: [A.8.24, A.5.17]\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := lib.Controls[0]
	if got := c.Mappings.SOC2; !slices.Equal(got, []string{"CC6.1", "CC6.7"}) {
		t.Errorf("soc2 = %v", got)
	}
	if got := c.Mappings.ISO27001; !slices.Equal(got, []string{"A.8.24", "A.5.17"}) {
		t.Errorf("iso27001 (list form) = %v, want file order", got)
	}
	if got := c.Mappings.Rationale("soc2", "CC6.7"); got != "Widgets travel encrypted." {
		t.Errorf("rationale = %q", got)
	}
	if got := c.Mappings.Rationale("iso27001", "A.8.24"); got != "" {
		t.Errorf("list form rationale = %q, want empty", got)
	}
	lint := c.Lint()
	var msgs []string
	for _, f := range lint {
		msgs = append(msgs, f.Field+": "+f.Msg)
	}
	want := []string{
		"tests: no test case with outcome fail",
		"mappings.iso27001.A.8.24: no rationale",
		"mappings.iso27001.A.5.17: no rationale",
	}
	if len(msgs) != len(want) {
		t.Fatalf("lint = %q, want %d findings", msgs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(msgs[i], w) {
			t.Errorf("lint[%d] = %q, want %q...", i, msgs[i], w)
		}
	}
	// The old param form still loads, typed from its value, and lint
	// asks for a declaration.
	lib, err = loadOne(t, v2("  max_age:\n    type: int\n    default: 30\n    doc: The oldest a widget may be, in days.\n", "  max_age: 30\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := lib.Controls[0].Params["max_age"]
	if p.Type != IntParam || p.Default != int64(30) || !p.Legacy {
		t.Errorf("old form param = %+v", p)
	}
	if f := lib.Controls[0].Lint(); !slices.ContainsFunc(f, func(f LintFinding) bool { return strings.Contains(f.Msg, "old param form") }) {
		t.Errorf("lint does not flag the old param form: %v", f)
	}
	// A control without a TOM category loads.
	if _, err := loadOne(t, v2("  category: data-access\n", "")); err != nil {
		t.Errorf("a control without tom.category: %v", err)
	}
}

func TestRenderStatement(t *testing.T) {
	t.Parallel()
	c := &Control{
		ID: "R-1",
		Params: map[string]*Param{
			"regions": {Type: ListParam, Default: []string{"eu-central-1", "eu-west-1", "eu-north-1"}},
			"days":    {Type: IntParam, Default: int64(90)},
			"every":   {Type: DurationParam, Default: "2w"},
		},
		TOM: TOM{Statement: Statement{
			EN: "Data stays in {{list .regions}} ({{join .regions \"/\"}}); keys are at most {{.days}} days old, checked every {{.every}}.",
			DE: "Daten bleiben in {{list .regions}}; Schlüssel sind höchstens {{.days}} Tage alt.",
		}},
	}
	tests := []struct {
		overrides map[string]any
		en, de    string
	}{
		{nil,
			"Data stays in eu-central-1, eu-west-1 and eu-north-1 (eu-central-1/eu-west-1/eu-north-1); keys are at most 90 days old, checked every 2w.",
			"Daten bleiben in eu-central-1, eu-west-1 und eu-north-1; Schlüssel sind höchstens 90 Tage alt."},
		{map[string]any{"regions": []any{"eu-central-1", "eu-west-1"}, "days": 30},
			"Data stays in eu-central-1 and eu-west-1 (eu-central-1/eu-west-1); keys are at most 30 days old, checked every 2w.",
			"Daten bleiben in eu-central-1 und eu-west-1; Schlüssel sind höchstens 30 Tage alt."},
		{map[string]any{"regions": []any{"eu-central-1"}},
			"Data stays in eu-central-1 (eu-central-1); keys are at most 90 days old, checked every 2w.",
			"Daten bleiben in eu-central-1; Schlüssel sind höchstens 90 Tage alt."},
	}
	for _, tt := range tests {
		params, err := c.EffectiveParams(tt.overrides)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.RenderStatement(params)
		if err != nil {
			t.Fatal(err)
		}
		if got.EN != tt.en || got.DE != tt.de {
			t.Errorf("overrides %v:\n got %q\n     %q\nwant %q\n     %q", tt.overrides, got.EN, got.DE, tt.en, tt.de)
		}
	}
	for _, bad := range []map[string]any{{"day": 3}, {"days": "many"}, {"regions": "eu"}, {"every": "soon"}} {
		if _, err := c.EffectiveParams(bad); err == nil {
			t.Errorf("EffectiveParams(%v) succeeded", bad)
		}
	}
}

// TestDurationParam checks that rules see a duration param as a CEL
// duration.
func TestDurationParam(t *testing.T) {
	t.Parallel()
	lib, err := loadOne(t, v2(
		"type: int\n    default: 30", "type: duration\n    default: 30d",
		"'days_since(r.created) <= params.max_age'", "'now - timestamp(r.created) <= params.max_age'",
		"{max_age: 10}", "{max_age: 10d}",
	))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lib.RunTests(t.Context()) {
		if !r.Passed() {
			t.Errorf("%s: got %s (%s, %v)", r.Case, r.Got, r.Reason, r.Err)
		}
	}
	c := lib.Controls[0]
	b := bundle([]evidence.Run{run(evidence.Complete)}, widget("old", map[string]any{"created": evalTime.Add(-20 * 24 * time.Hour).Format(time.RFC3339)}))
	for _, tt := range []struct {
		max  string
		want Outcome
	}{{"30d", Pass}, {"2w", Fail}} {
		res, err := Evaluate(t.Context(), lib, b, EvalOptions{Params: map[string]map[string]any{c.ID: {"max_age": tt.max}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Controls[0]; got.Outcome != tt.want || got.Statement == nil || !strings.Contains(got.Statement.EN, tt.max) || got.Params["max_age"] != tt.max {
			t.Errorf("max_age %s: %s, statement %+v, params %v; want %s", tt.max, got.Outcome, got.Statement, got.Params, tt.want)
		}
	}
}

// TestControlOutcome checks the outcome rules of controlOutcome.
func TestControlOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []Outcome
		want Outcome
	}{
		{[]Outcome{Pass}, Pass},
		{[]Outcome{Pass, NotApplicable}, Pass},
		{[]Outcome{NotApplicable, Pass}, Pass},
		{[]Outcome{NotApplicable, NotApplicable}, NotApplicable},
		{[]Outcome{Pass, Fail}, Fail},
		{[]Outcome{NotApplicable, Inconclusive}, Inconclusive},
		{[]Outcome{Pass, ManualOutcome}, ManualOutcome},
		{[]Outcome{Pass, Waived, NotApplicable}, Waived},
		{[]Outcome{Inconclusive, Fail}, Fail},
		{[]Outcome{Waived, Inconclusive}, Inconclusive},
	}
	for _, tt := range tests {
		var parts []part
		for i, o := range tt.in {
			parts = append(parts, part{o, Code(fmt.Sprintf("c%d", i)), fmt.Sprintf("r%d", i)})
		}
		got, code, reason := controlOutcome(parts)
		if got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.in, got, tt.want)
		}
		if want := fmt.Sprintf("r%d", slices.Index(tt.in, tt.want)); reason != want {
			t.Errorf("%v: reason %q, want that of the deciding requirement %q", tt.in, reason, want)
		}
		if want := Code(fmt.Sprintf("c%d", slices.Index(tt.in, tt.want))); code != want {
			t.Errorf("%v: code %q, want that of the deciding requirement %q", tt.in, code, want)
		}
	}
}

// TestNotApplicableRequirementKeepsPass evaluates a control over two types
// where one has no resources in scope: it passes on the other.
func TestNotApplicableRequirementKeepsPass(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := strings.Replace(control("T-1", "each", "", "r.encrypted"), "remediation: r", `  - type: test.gadget
    rule: r.encrypted
remediation: r`, 1)
	if err := os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	lib, err := Load(Options{NoBuiltin: true, Dirs: []string{dir}, Types: map[string][]string{"test.widget": {"encrypted"}, "test.gadget": {"encrypted"}}})
	if err != nil {
		t.Fatal(err)
	}
	runs := []evidence.Run{run(evidence.Complete), {Collector: "test", Target: evidence.Target{Source: "test", Account: "acct"}, ResourceTypes: []string{"test.gadget"}, Status: evidence.Complete}}
	b := bundle(runs, widget("a", map[string]any{"encrypted": true}))
	b.Manifest.Runs[1].FinishedAt = evalTime
	b.Manifest.Runs[0].FinishedAt = evalTime
	res, err := Evaluate(t.Context(), lib, b, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cr := res.Controls[0]
	if cr.Outcome != Pass || cr.Evidence[1].Outcome != NotApplicable {
		t.Fatalf("got %s (%s), requirements %s and %s; want pass with the gadget requirement not applicable", cr.Outcome, cr.Reason, cr.Evidence[0].Outcome, cr.Evidence[1].Outcome)
	}
	// With a failing gadget it fails, and with a partial gadget run it
	// is inconclusive: not applicable only means nothing is in scope.
	b.Resources = append(b.Resources, evidence.Resource{Type: "test.gadget", ID: "g", Attributes: map[string]any{"encrypted": false}})
	res, _ = Evaluate(t.Context(), lib, b, EvalOptions{})
	if got := res.Controls[0].Outcome; got != Fail {
		t.Errorf("with a failing gadget: %s, want fail", got)
	}
	b.Resources = b.Resources[:1]
	b.Manifest.Runs[1].Status = evidence.Partial
	res, _ = Evaluate(t.Context(), lib, b, EvalOptions{})
	if got := res.Controls[0].Outcome; got != Inconclusive {
		t.Errorf("with a partial gadget run: %s, want inconclusive", got)
	}
}

// TestLibraryStatementsRenderParams checks every built-in statement against
// its params: changing a param it names changes the text, and no text
// outside a template action holds a param's default literally.
func TestLibraryStatementsRenderParams(t *testing.T) {
	t.Parallel()
	lib, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lib.Controls {
		if c.statements == nil {
			t.Errorf("%s: statements not compiled at load", c.ID)
			continue
		}
		defaults, err := c.EffectiveParams(nil)
		if err != nil {
			t.Fatal(err)
		}
		base, err := c.RenderStatement(defaults)
		if err != nil {
			t.Errorf("%s: %v", c.ID, err)
			continue
		}
		named := c.StatementParams()
		for _, name := range sortedKeys(c.Params) {
			p := c.Params[name]
			changed, err := c.EffectiveParams(map[string]any{name: otherValue(p)})
			if err != nil {
				t.Fatalf("%s.%s: %v", c.ID, name, err)
			}
			got, err := c.RenderStatement(changed)
			if err != nil {
				t.Errorf("%s.%s: %v", c.ID, name, err)
				continue
			}
			if named[name] && (got.EN == base.EN || got.DE == base.DE) {
				t.Errorf("%s: the statement names .%s but does not change when it does", c.ID, name)
			}
			for _, lit := range literals(p) {
				re := regexp.MustCompile(`(^|[^\w.-])` + regexp.QuoteMeta(lit) + `($|[^\w-])`)
				for _, tmpl := range []*[2]string{{"en", c.TOM.Statement.EN}, {"de", c.TOM.Statement.DE}} {
					st := c.statements.en
					if tmpl[0] == "de" {
						st = c.statements.de
					}
					for _, text := range templateText(st) {
						if re.MatchString(text) {
							t.Errorf("%s: tom.statement.%s writes %q, the default of param %s, literally: render {{.%s}}", c.ID, tmpl[0], lit, name, name)
						}
					}
				}
			}
		}
	}
}

// otherValue returns a value of p's type different from its default.
func otherValue(p *Param) any {
	switch v := p.Default.(type) {
	case int64:
		return v*2 + 7
	case float64:
		return v*2 + 0.5
	case bool:
		return !v
	case []string:
		return append(slices.Clone(v), "zz-other")
	case string:
		if p.Type == DurationParam {
			return "123d"
		}
		return v + "-other"
	}
	panic(fmt.Sprintf("param default %T", p.Default))
}

// literals returns the forms in which a param's default could be written
// into a statement by hand.
func literals(p *Param) []string {
	switch v := p.Default.(type) {
	case int64:
		return []string{fmt.Sprint(v)}
	case float64:
		return []string{fmt.Sprint(v)}
	case []string:
		return v
	case string:
		if v == "" {
			return nil
		}
		out := []string{v}
		if p.Type == DurationParam {
			out = append(out, strings.TrimRight(v, "dwyhms"))
		}
		return out
	}
	return nil
}

// TestLibraryCases runs the test cases of the built-in library.
func TestLibraryCases(t *testing.T) {
	t.Parallel()
	lib, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lib.RunTests(t.Context()) {
		if !r.Passed() {
			t.Errorf("%s: %s: %s: got %s (%s; %v), want %s", r.File, r.Control, r.Case, r.Got, r.Reason, r.Err, r.Want)
		}
	}
}

// TestLibraryComplete checks that every built-in control has a pass and a
// fail case, a rationale for every mapping and a doc for every param, as
// attest controls test --strict does.
func TestLibraryComplete(t *testing.T) {
	t.Parallel()
	lib, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lib.Controls {
		for _, f := range c.Lint() {
			t.Error(f)
		}
	}
}
