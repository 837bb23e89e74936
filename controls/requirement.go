package controls

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/attestdev/attest/collectors/evidence"
)

// A requirement is evaluated in three steps: its scope (the collector runs
// that could have produced what its where selects), one pass over the
// resources of its type (where, then rule, per resource), and the decider
// of its mode, which turns what the pass saw into an outcome and a reason.

// A tally is what the pass over the resources of a requirement saw.
type tally struct {
	typ string
	// matched counts the resources the where selected.
	matched int
	// counted are the selected resources of a count requirement, which
	// get a finding once the count is decided; nil in other modes.
	counted []*ResourceRef
	// failing and unknown label the resources whose rule was false or
	// could not be evaluated: the first few, for the reason, and how
	// many. waived are the ids of the waivers that applied.
	failing, unknown labels
	waived           []string
	// scopeNote describes the incomplete runs in scope, or is "".
	scopeNote string
}

// requirement evaluates one evidence requirement and returns the runs it
// depends on. Its only errors are the context's (evaluation stops) and
// rules that do not compile, which Load already rules out.
func (e *evaluator) requirement(control string, req *Requirement, params map[string]any) (RequirementResult, []*evidence.Run, error) {
	rr := RequirementResult{
		Type: req.Type, Mode: req.Mode, Where: req.Where, Rule: req.Rule, Description: req.Description,
		Scope: []ScopeRef{},
	}
	if rr.Mode == "" {
		rr.Mode = Each
	}
	rule, where, err := e.programs(req, rr.Mode)
	if err != nil {
		return rr, nil, err
	}
	vars := &activation{params: types.DefaultTypeAdapter.NativeToValue(params), now: types.Timestamp{Time: e.now}}

	runs, err := e.scope(req.Type, where, vars)
	if err != nil {
		return rr, nil, err
	}
	t := tally{typ: req.Type}
	var incomplete []string
	for _, run := range runs {
		rr.Scope = append(rr.Scope, ScopeRef{Collector: run.Collector, Target: run.Target, Status: run.Status, Failures: run.Failures})
		if run.Status != evidence.Complete {
			incomplete = append(incomplete, scopeProblem(run))
		}
	}
	if len(runs) == 0 {
		rr.Outcome = NotApplicable
		rr.Reason = fmt.Sprintf("not in scope: no configured source collected %s", req.Type)
		if len(e.runs[req.Type]) > 0 {
			rr.Reason = fmt.Sprintf("not in scope: no configured source collected %s that the where can select", req.Type)
		}
		return rr, runs, nil
	}
	if len(incomplete) > 0 {
		t.scopeNote = "collection incomplete: " + strings.Join(incomplete, "; ")
	}

	subjects := e.byType[req.Type]
	if rr.Mode != Count {
		rr.Findings = make([]Finding, 0, len(subjects))
	}
	for _, sub := range subjects {
		if err := e.ctx.Err(); err != nil {
			return rr, nil, err
		}
		r, ref := sub.Resource, sub.ref
		rr.Counts.Resources++
		vars.r, vars.resource = sub.attrs, sub.meta
		if where != nil {
			ok, msg, err := e.evalBool(where, vars, r)
			if err != nil {
				return rr, nil, err
			}
			if msg != "" {
				rr.Counts.Inconclusive++
				t.unknown.add(func() string { return e.label(r) + ": " + msg })
				rr.Findings = append(rr.Findings, finding(ref, Inconclusive, "where: "+msg))
				continue
			}
			if !ok {
				rr.Counts.Filtered++
				continue
			}
		}
		t.matched++
		if rr.Mode == Count {
			t.counted = append(t.counted, ref)
			continue
		}
		ok, msg, err := e.evalBool(rule, vars, r)
		switch {
		case err != nil:
			return rr, nil, err
		case msg != "":
			rr.Counts.Inconclusive++
			t.unknown.add(func() string { return e.label(r) + ": " + msg })
			rr.Findings = append(rr.Findings, finding(ref, Inconclusive, msg))
		case ok:
			rr.Counts.Pass++
			rr.Findings = append(rr.Findings, finding(ref, Pass, ""))
		default:
			if w := e.waiverFor(control, r); w != nil && rr.Mode == Each {
				rr.Counts.Waived++
				t.waived = append(t.waived, w.ID)
				rr.Findings = append(rr.Findings, finding(ref, Waived, fmt.Sprintf("rule is false; waived by %s until %s: %s", w.ID, w.ExpiresAt().Format(time.DateOnly), w.Reason)))
				continue
			}
			rr.Counts.Fail++
			t.failing.add(func() string { return e.label(r) })
			rr.Findings = append(rr.Findings, finding(ref, Fail, "rule is false"))
		}
	}

	switch rr.Mode {
	case Each:
		rr.Outcome, rr.Reason = decideEach(t)
	case Any:
		rr.Outcome, rr.Reason = decideAny(t, rr.Counts.Pass)
	case Count:
		vars.count = types.Int(t.matched)
		vars.r, vars.resource = nil, nil
		rr.Outcome, rr.Reason, err = e.decideCount(t, rule, vars)
		if err != nil {
			return rr, nil, err
		}
		for _, ref := range t.counted {
			rr.Findings = append(rr.Findings, Finding{ResourceRef: ref, Outcome: rr.Outcome, Message: "counted"})
		}
	}
	if t.scopeNote != "" && rr.Outcome == Fail {
		rr.Reason += "; " + t.scopeNote
	}
	return rr, runs, nil
}

// listMax is how many labels a reason names (see list).
const listMax = 5

// labels keeps the first few labels of a list of resources and counts
// the rest: a reason names at most five (see list), so labels past them
// are never built.
type labels struct {
	n     int
	first []string
}

// add counts one resource and, while fewer than six are kept, builds its
// label. Six, so that String can tell five from more.
func (l *labels) add(label func() string) {
	l.n++
	if len(l.first) <= listMax {
		l.first = append(l.first, label())
	}
}

// String lists the labels as list does: up to five and how many more.
func (l labels) String() string {
	if l.n <= listMax {
		return strings.Join(l.first, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(l.first[:listMax], ", "), l.n-listMax)
}

// decideEach decides an each requirement: every selected resource must
// pass. A failure is a failure even when collection was incomplete; a pass
// needs complete collection and at least one resource.
func decideEach(t tally) (Outcome, string) {
	switch {
	case t.failing.n > 0:
		return Fail, fmt.Sprintf("%d of %d %s fail: %s", t.failing.n, t.matched, t.typ, t.failing.String())
	case t.unknown.n > 0:
		return Inconclusive, fmt.Sprintf("%d %s could not be evaluated: %s", t.unknown.n, t.typ, t.unknown.String())
	case t.scopeNote != "":
		return Inconclusive, t.scopeNote
	case t.matched == 0:
		return NotApplicable, fmt.Sprintf("no %s in scope", t.typ)
	case len(t.waived) > 0:
		slices.Sort(t.waived)
		return Waived, fmt.Sprintf("%d of %d %s fail under waivers %s", len(t.waived), t.matched, t.typ, strings.Join(slices.Compact(t.waived), ", "))
	}
	return Pass, fmt.Sprintf("all %d %s pass", t.matched, t.typ)
}

// decideAny decides an any requirement: one passing resource is enough;
// none passing fails only when every resource was evaluated and collection
// was complete.
func decideAny(t tally, pass int) (Outcome, string) {
	switch {
	case pass > 0:
		return Pass, fmt.Sprintf("%d of %d %s satisfy the rule", pass, t.matched, t.typ)
	case t.unknown.n > 0:
		return Inconclusive, fmt.Sprintf("no %s satisfies the rule and %d could not be evaluated: %s", t.typ, t.unknown.n, t.unknown.String())
	case t.scopeNote != "":
		return Inconclusive, t.scopeNote
	}
	return Fail, fmt.Sprintf("none of %d %s satisfies the rule", t.matched, t.typ)
}

// decideCount decides a count requirement: the rule is evaluated once over
// the number of selected resources, which must be known exactly.
func (e *evaluator) decideCount(t tally, rule *program, vars *activation) (Outcome, string, error) {
	switch {
	case t.unknown.n > 0:
		return Inconclusive, fmt.Sprintf("%d %s could not be filtered: %s", t.unknown.n, t.typ, t.unknown.String()), nil
	case t.scopeNote != "":
		return Inconclusive, t.scopeNote, nil
	}
	ok, msg, err := e.evalBool(rule, vars, nil)
	switch {
	case err != nil:
		return "", "", err
	case msg != "":
		return Inconclusive, msg, nil
	case ok:
		return Pass, fmt.Sprintf("count %d satisfies the rule", t.matched), nil
	}
	return Fail, fmt.Sprintf("count %d does not satisfy the rule", t.matched), nil
}

// programs returns the compiled rule and where of req: those Load compiled,
// or, for a control built in code, freshly compiled ones.
func (e *evaluator) programs(req *Requirement, mode Mode) (rule, where *program, err error) {
	rule, where = req.rule, req.where
	if rule == nil {
		env := e.env
		if mode == Count {
			if env, err = newCountEnv(); err != nil {
				return nil, nil, err
			}
		}
		if rule, err = compileRule(env, env, req.Rule, nil, 0, false); err != nil {
			return nil, nil, fmt.Errorf("rule: %w", err)
		}
	}
	if where == nil && req.Where != "" {
		if where, err = compileRule(e.env, e.env, req.Where, nil, 0, true); err != nil {
			return nil, nil, fmt.Errorf("where: %w", err)
		}
	}
	return rule, where, nil
}

// scope returns the runs of type typ that could have produced a resource
// where selects. A run is left out only when where is false for every
// resource it could have produced, judged by partial evaluation over what
// is known of them before looking: the attributes its collector fixes for
// the type (evidence.Run.Fixed, such as system: aws for identity.account);
// every other attribute, and the resource's id, name, account and region,
// are unknown. So a GitHub control over identity.account (where
// r.system == "github") does not depend on an AWS IAM run, while an error
// or an unknown keeps the run in scope (fail-closed).
func (e *evaluator) scope(typ string, where *program, vars *activation) ([]*evidence.Run, error) {
	runs := e.runs[typ]
	if where == nil || where.partial == nil {
		return runs, nil
	}
	var out []*evidence.Run
	for _, run := range runs {
		may, err := e.mayProduce(typ, where, vars, run.Fixed[typ])
		if err != nil {
			return nil, err
		}
		if may {
			out = append(out, run)
		}
	}
	return out, nil
}

// mayProduce reports whether a run whose resources of type typ all have the
// attribute values fixed could have produced one for which where is not
// false.
func (e *evaluator) mayProduce(typ string, where *program, vars *activation, fixed map[string]any) (bool, error) {
	if len(fixed) == 0 {
		return true, nil // nothing known: no point evaluating
	}
	r := map[string]any{}
	var patterns []*cel.AttributePatternType
	for _, a := range where.attrs {
		if v, ok := fixed[a]; ok {
			r[a] = normalize(v)
			continue
		}
		patterns = append(patterns, cel.AttributePattern("r").QualString(a))
	}
	meta := map[string]any{"type": typ}
	for _, f := range []string{"id", "name", "account", "region"} {
		patterns = append(patterns, cel.AttributePattern("resource").QualString(f))
	}
	act, err := cel.PartialVars(map[string]any{"r": r, "resource": meta, "params": vars.params, "now": vars.now}, patterns...)
	if err != nil {
		return true, nil
	}
	out, _, err := where.partial.ContextEval(e.ctx, act)
	if e.ctx.Err() != nil {
		return false, e.ctx.Err()
	}
	if err != nil || types.IsUnknownOrError(out) {
		return true, nil
	}
	b, ok := out.Value().(bool)
	return !ok || b, nil
}

// evalBool evaluates a compiled rule under the evaluation's context. It
// returns a non-empty message when the rule could not be decided: an
// evaluation error (such as a missing attribute), a result that is not a
// bool, or a rule over its cost limit. The resource's gaps are added to the
// message so that the reason names the denied call. Its error is the
// context's, when it is done.
func (e *evaluator) evalBool(p *program, vars any, r *evidence.Resource) (bool, string, error) {
	// A rule without loops is bounded by its size: the context is checked
	// between resources. One with loops checks it while it runs.
	var out ref.Val
	var err error
	if p.loops {
		out, _, err = p.prg.ContextEval(e.ctx, vars)
	} else {
		out, _, err = p.prg.Eval(vars)
	}
	if ctxErr := e.ctx.Err(); ctxErr != nil {
		return false, "", ctxErr
	}
	msg := ""
	var cancelled interpreter.EvalCancelledError
	switch {
	case errors.As(err, &cancelled) && cancelled.Cause == interpreter.CostLimitExceeded:
		return false, fmt.Sprintf("%q exceeds its cost limit: the rule does too much work per resource (simplify it, or raise the limit)", p.expr), nil
	case err != nil:
		msg = err.Error()
	default:
		if b, ok := out.Value().(bool); ok {
			return b, "", nil
		}
		msg = fmt.Sprintf("rule yields %v, not a bool", out.Value())
	}
	if r != nil && len(r.Gaps) > 0 {
		var gaps []string
		for _, g := range r.Gaps {
			s := fmt.Sprintf("%s not collected (%s", g.Attribute, g.Kind)
			if g.Operation != "" {
				s += " " + g.Operation
			}
			if g.Permission != "" {
				s += ", needs " + g.Permission
			}
			gaps = append(gaps, s+")")
		}
		msg += "; " + strings.Join(gaps, "; ")
	}
	return false, msg, nil
}

// An activation binds the rule variables without building a map per
// resource. Unset variables (r and resource in count mode) are unresolved,
// so a rule naming them fails instead of seeing nil.
type activation struct {
	r, resource map[string]any
	params      ref.Val
	now         ref.Val
	count       ref.Val
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "r":
		return a.r, a.r != nil
	case "resource":
		return a.resource, a.resource != nil
	case "params":
		return a.params, true
	case "now":
		return a.now, true
	case "count":
		return a.count, a.count != nil
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }
