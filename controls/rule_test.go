package controls

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cel.dev/cel-go/common/types"

	"github.com/attestdev/attest/collectors/evidence"
)

// typedOpts declares test.widget with typed attributes.
func typedOpts(dir string) Options {
	return Options{NoBuiltin: true, Dirs: []string{dir}, Types: testTypes, AttributeTypes: map[string]map[string]string{
		"test.widget": {"encrypted": "bool", "size": "int", "tags": "list", "created": "timestamp", "owner": "string"},
	}}
}

func writeControl(t *testing.T, data string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRuleTypes checks that rules and wheres are type-checked against the
// declared attribute types at load.
func TestRuleTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode, where, rule string
		want              string // "" for valid
	}{
		{"each", "", "r.encrypted", ""},
		{"each", "r.size > 3", `r.owner == "x" && "a" in r.tags && days_since(r.created) < params.max_age`, ""},
		{"each", "", "r.owner", `:14: evidence[0].rule: rule yields string, want bool`},
		{"each", "", "r.owner > 1", `:14: evidence[0].rule: ERROR: <input>:1:9: found no matching overload for '_>_' applied to '(string, int)'`},
		{"each", "r.size", "r.encrypted", `:13: evidence[0].where: where yields int, want bool`},
		{"each", `r.encrypted == "yes"`, "r.encrypted", `:13: evidence[0].where: ERROR`},
		{"count", "r.encrypted", "count <= params.max_age", ""},
		{"count", "r.encrypted", "count", `:14: evidence[0].rule: count rule yields int, want bool`},
		{"count", "", "r.encrypted", `:14: evidence[0].rule: ERROR: <input>:1:1: undeclared reference to 'r'`},
		{"each", "", "r.encrypted && count > 1", `:14: evidence[0].rule: ERROR: <input>:1:16: undeclared reference to 'count'`},
		{"count", "count > 1", "count > 1", `:13: evidence[0].where: ERROR: <input>:1:1: undeclared reference to 'count'`},
	}
	for _, tt := range tests {
		t.Run(tt.mode+" "+tt.where+" "+tt.rule, func(t *testing.T) {
			t.Parallel()
			dir := writeControl(t, control("T-1", tt.mode, tt.where, tt.rule))
			_, err := Load(typedOpts(dir))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), "c.yaml"+tt.want)):
				t.Fatalf("error\n  %v\nwant it to contain\n  c.yaml%s", err, tt.want)
			}
		})
	}
}

// TestRulesCompiledOnce checks that Load keeps the compiled programs on the
// control, and that evaluation uses them.
func TestRulesCompiledOnce(t *testing.T) {
	t.Parallel()
	lib, err := Load(typedOpts(writeControl(t, control("T-1", "each", "r.size > 1", "r.encrypted"))))
	if err != nil {
		t.Fatal(err)
	}
	req := &lib.Controls[0].Evidence[0]
	if req.rule == nil || req.where == nil || req.where.partial == nil {
		t.Fatalf("programs not kept: rule %v, where %v", req.rule, req.where)
	}
	e := &evaluator{ctx: t.Context()}
	rule, where, err := e.programs(req, Each)
	if err != nil || rule != req.rule || where != req.where {
		t.Errorf("evaluation compiles again: %v", err)
	}
}

// TestRuleCostLimit checks that a rule over its cost limit makes its
// requirement inconclusive with a reason that says so.
func TestRuleCostLimit(t *testing.T) {
	t.Parallel()
	costly := `r.tags.all(a, r.tags.all(b, r.tags.all(c, a + b + c != "")))`
	opts := typedOpts(writeControl(t, control("T-1", "each", "", costly)))
	opts.CostLimit = 100_000
	lib, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	var tags []any
	for i := range 100 {
		tags = append(tags, fmt.Sprint(i))
	}
	b := bundle([]evidence.Run{run(evidence.Complete)},
		widget("small", map[string]any{"tags": []any{"a", "b"}}),
		widget("big", map[string]any{"tags": tags}))
	res, err := Evaluate(t.Context(), lib, b, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rr := res.Controls[0].Evidence[0]
	if rr.Outcome != Inconclusive || rr.Counts.Pass != 1 || !strings.Contains(rr.Reason, "big: ") || !strings.Contains(rr.Reason, "exceeds its cost limit") {
		t.Errorf("got %s (%s), counts %+v; want inconclusive naming big and the cost limit", rr.Outcome, rr.Reason, rr.Counts)
	}
}

// TestEvaluateStopsOnCancel checks that evaluation stops at once when its
// context is cancelled, even inside a long rule.
func TestEvaluateStopsOnCancel(t *testing.T) {
	t.Parallel()
	long := `r.tags.all(a, r.tags.all(b, r.tags.all(c, a + b + c != "")))`
	opts := typedOpts(writeControl(t, control("T-1", "each", "", long)))
	opts.CostLimit = 1 << 62
	lib, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	var tags []any
	for i := range 2000 {
		tags = append(tags, fmt.Sprint(i))
	}
	b := bundle([]evidence.Run{run(evidence.Complete)}, widget("huge", map[string]any{"tags": tags}))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Evaluate(ctx, lib, b, EvalOptions{})
	if err == nil || ctx.Err() == nil {
		t.Fatalf("Evaluate returned %v before the context was done", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Evaluate took %v after cancellation", d)
	}
}

// TestScopedDependence checks that a requirement depends only on the runs
// that could have produced what its where selects: a GitHub control over
// identity.account is not made inconclusive by a partial AWS IAM run, but
// is by a partial GitHub run, and by a run that fixes nothing.
func TestScopedDependence(t *testing.T) {
	t.Parallel()
	lib, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := lib.Control("GH-ORG-002")
	if !ok || !strings.Contains(c.Evidence[0].Where, `r.system == "github"`) {
		t.Fatalf("GH-ORG-002 no longer selects GitHub accounts: %+v", c)
	}
	one := &Library{Frameworks: lib.Frameworks, Controls: []*Control{c}}
	identityRun := func(source string, status evidence.RunStatus, fixed bool) evidence.Run {
		r := evidence.Run{Collector: source + ".identity", Target: evidence.Target{Source: source, Account: source + "-acct"},
			ResourceTypes: []string{"identity.account"}, Status: status, FinishedAt: evalTime}
		if status != evidence.Complete {
			r.Failures = []evidence.Failure{{Kind: evidence.Denied, Permission: "iam:GenerateCredentialReport", Message: "AccessDenied"}}
		}
		if fixed {
			r.Fixed = map[string]map[string]any{"identity.account": {"system": source}}
		}
		return r
	}
	account := func(system, user string, mfa bool) evidence.Resource {
		return evidence.Resource{Type: "identity.account", ID: system + ":" + user, Name: user, Account: system + "-acct",
			Attributes: map[string]any{"system": system, "user": user, "mfa": mfa}}
	}
	resources := []evidence.Resource{account("github", "octocat", true), account("aws", "deploy", false)}
	tests := []struct {
		name string
		runs []evidence.Run
		want Outcome
		// scope lists the collectors the requirement names as its scope.
		scope []string
	}{
		{"partial aws run is out of scope", []evidence.Run{identityRun("aws", evidence.Partial, true), identityRun("github", evidence.Complete, true)}, Pass, []string{"github.identity"}},
		{"failed aws run is out of scope", []evidence.Run{identityRun("aws", evidence.Failed, true), identityRun("github", evidence.Complete, true)}, Pass, []string{"github.identity"}},
		{"partial github run counts", []evidence.Run{identityRun("aws", evidence.Complete, true), identityRun("github", evidence.Partial, true)}, Inconclusive, []string{"github.identity"}},
		{"a run that fixes nothing counts", []evidence.Run{identityRun("aws", evidence.Partial, false), identityRun("github", evidence.Complete, true)}, Inconclusive, []string{"aws.identity", "github.identity"}},
		{"only aws runs: not applicable", []evidence.Run{identityRun("aws", evidence.Partial, true)}, NotApplicable, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bundle(tt.runs, resources...)
			res, err := Evaluate(t.Context(), one, b, EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cr := res.Controls[0]
			var scope []string
			for _, s := range cr.Evidence[0].Scope {
				scope = append(scope, s.Collector)
			}
			if cr.Outcome != tt.want || strings.Join(scope, ",") != strings.Join(tt.scope, ",") {
				t.Errorf("got %s (%s), scope %v; want %s, scope %v", cr.Outcome, cr.Reason, scope, tt.want, tt.scope)
			}
		})
	}
}

// TestScopeIsConservative checks that partial evaluation keeps a run in
// scope whenever the where might select what it produces.
func TestScopeIsConservative(t *testing.T) {
	t.Parallel()
	env, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	e := &evaluator{ctx: t.Context(), env: env}
	vars := &activation{params: types.DefaultTypeAdapter.NativeToValue(map[string]any{"systems": []any{"github"}}), now: types.Timestamp{Time: evalTime}}
	fixed := map[string]any{"system": "aws"}
	for where, want := range map[string]bool{
		`r.system == "github"`:                            false,
		`r.system == "github" && r.mfa`:                   false,
		`r.system in params.systems`:                      false,
		`r.system == "aws"`:                               true,
		`r.system == "github" || r.mfa`:                   true,
		`r.user == "x"`:                                   true,
		`resource.account == "1" && r.system == "github"`: false,
		`resource.account == "1"`:                         true,
		`r.system.startsWith("gith")`:                     false,
		`has(r.system) && r.system == "github"`:           false,
	} {
		p, err := compileRule(env, env, where, nil, 0, true)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		got, err := e.mayProduce("identity.account", p, vars, fixed)
		if err != nil || got != want {
			t.Errorf("%s: may produce = %v (%v), want %v", where, got, err, want)
		}
	}
}

// TestReadAttributes checks the read sets that decide which attributes
// EvaluateDir decodes: r.NAME reads NAME; any other use of r reads every
// attribute.
func TestReadAttributes(t *testing.T) {
	t.Parallel()
	env, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		expr  string
		attrs []string
		whole bool
	}{
		{`r.b && r.a`, []string{"a", "b"}, false},
		{`has(r.x) && r.tags.exists(t, t == "prod")`, []string{"tags", "x"}, false},
		{`r.c.d == 1`, []string{"c"}, false},
		{`resource.name == "x"`, nil, false},
		{`"a" in r`, nil, true},
		{`r["a"] == 1 && r.b`, []string{"b"}, true},
		{`r.size() > 2`, nil, true},
		{`r.tags.exists(r, r == "x")`, []string{"tags"}, true},
	} {
		p, err := compileRule(env, env, c.expr, nil, 0, false)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if !slices.Equal(p.attrs, c.attrs) || p.whole != c.whole {
			t.Errorf("%s: reads %v (whole %v), want %v (whole %v)", c.expr, p.attrs, p.whole, c.attrs, c.whole)
		}
	}
}

// TestUncountedRulesSameOutcome checks the rules compiled without
// counting their cost (boundedCost) against the same rules compiled with
// the cost limit: over resources of the declared types, of other types,
// without the attributes and with huge strings and lists, both give the
// same value, message and error. It also checks which rules are left
// uncounted: those without loops whose cost does not grow with the sizes.
func TestUncountedRulesSameOutcome(t *testing.T) {
	t.Parallel()
	env, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"encrypted": "bool", "size": "int", "tags": "list", "created": "timestamp", "owner": "string", "public": "bool", "config": "map"}
	check, err := checkEnv(env, attrs)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{ // rule -> compiled without counting
		`r.encrypted`:                    true,
		`!r.public || r.encrypted`:       true,
		`r.encrypted && r.size < 900`:    true,
		`r.owner != ""`:                  true,
		`r.owner == "team"`:              true,
		`r.owner.startsWith("t")`:        true,
		`has(r.owner) && r.size >= 0`:    true,
		`size(r.tags) > 1`:               true,
		`days_since(r.created) <= 400`:   true,
		`resource.region == "eu-west-1"`: true,
		`r.size / 0 == 1`:                true,
		`r.owner == r.owner`:             false,
		`r.owner.matches("^t.*m$")`:      false,
		`"prod" in r.tags`:               false,
		`r.owner + "x" == "teamx"`:       false,
		`r.config == r.config`:           false,
		`r.tags.exists(t, t == "prod")`:  false,
	}
	huge := strings.Repeat("t", 2_000_000)
	var hugeList []any
	for i := range 200_000 {
		hugeList = append(hugeList, fmt.Sprint(i))
	}
	resources := []map[string]any{
		{"encrypted": true, "size": int64(7), "tags": []any{"prod", "eu"}, "created": "2025-12-01T00:00:00Z", "owner": "team", "public": false, "config": map[string]any{"a": int64(1)}},
		{"encrypted": false, "size": int64(950), "tags": []any{}, "created": "2020-01-01T00:00:00Z", "owner": "", "public": true},
		{},
		{"encrypted": "yes", "size": "big", "tags": "prod", "created": int64(3), "owner": []any{"a"}, "public": nil, "config": "x"},
		{"encrypted": huge, "size": hugeList, "tags": hugeList, "created": huge, "owner": huge, "public": hugeList, "config": map[string]any{"a": huge}},
	}
	e := &evaluator{ctx: t.Context(), env: env}
	for expr, uncounted := range rules {
		p, err := compileRule(env, check, expr, attrs, 0, false)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		checked, _ := check.Compile(expr)
		ast, _ := env.Compile(expr)
		if got := boundedCost(p.loops, DefaultCostLimit, check, checked, env, ast); got != uncounted {
			t.Errorf("%s: compiled without counting its cost: %v, want %v", expr, got, uncounted)
		}
		if boundedCost(p.loops, 10_000, check, checked, env, ast) {
			t.Errorf("%s: compiled without counting its cost under a limit of 10000", expr)
		}
		counted, err := newProgram(env, ast, DefaultCostLimit, true)
		if err != nil {
			t.Fatal(err)
		}
		q := *p
		q.prg = counted
		for i, r := range resources {
			vars := map[string]any{"r": r, "resource": map[string]any{"region": "eu-west-1"}, "now": types.Timestamp{Time: evalTime}}
			gotOK, gotMsg, gotErr := e.evalBool(p, vars, nil)
			wantOK, wantMsg, wantErr := e.evalBool(&q, vars, nil)
			if gotOK != wantOK || gotMsg != wantMsg || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("%s, resource %d: got %v %q %v, counted %v %q %v", expr, i, gotOK, gotMsg, gotErr, wantOK, wantMsg, wantErr)
			}
		}
	}
}
