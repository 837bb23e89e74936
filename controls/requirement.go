package controls

import (
	"errors"
	"fmt"
	"maps"
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
// that could have produced what its where selects), decided before any
// resource is read; one pass over the resources of its type (where, then
// rule, per resource: see pass), which may run on several workers, each
// with its own tally; and the decider of its mode, which turns the merged
// tally into an outcome, a reason and a reason code.

// A reqEval is one evidence requirement prepared for the pass: its
// compiled programs, its control's params and its scope.
type reqEval struct {
	control string
	req     *Requirement
	mode    Mode
	rule    *program
	where   *program
	params  ref.Val
	runs    []*evidence.Run
	// rr is the result so far: the requirement's fields and scope, and
	// the outcome when it is decided before the pass (not in scope).
	rr RequirementResult
	// scopeNote describes the incomplete runs in scope, or is "".
	scopeNote string
	// inPass is set when the requirement takes part in the pass, and
	// index is then its place in the evaluator's reqs.
	inPass bool
	index  int
}

// prepare compiles (or takes the compiled) programs of req and decides its
// scope. A requirement that no run could have produced is decided here:
// not_applicable, without a pass.
func (e *evaluator) prepare(control string, req *Requirement, params map[string]any) (*reqEval, error) {
	q := &reqEval{control: control, req: req, mode: req.Mode,
		rr: RequirementResult{Type: req.Type, Mode: req.Mode, Where: req.Where, Rule: req.Rule,
			Description: req.Description, Scope: []ScopeRef{}}}
	if q.mode == "" {
		q.mode, q.rr.Mode = Each, Each
	}
	var err error
	if q.rule, q.where, err = e.programs(req, q.mode); err != nil {
		return nil, err
	}
	q.params = types.DefaultTypeAdapter.NativeToValue(params)
	vars := &activation{params: q.params, now: types.Timestamp{Time: e.now}}
	if q.runs, err = e.scope(req.Type, q.where, vars); err != nil {
		return nil, err
	}
	var incomplete []string
	for _, run := range q.runs {
		q.rr.Scope = append(q.rr.Scope, ScopeRef{Collector: run.Collector, Target: run.Target, Status: run.Status, Failures: run.Failures})
		if run.Status != evidence.Complete {
			incomplete = append(incomplete, scopeProblem(run))
		}
		if note := readsNote(run, req.Type, req.Where, q.reads()); note != "" {
			incomplete = append(incomplete, note)
		}
	}
	if len(q.runs) == 0 {
		q.rr.Outcome, q.rr.Code = NotApplicable, CodeNotCollected
		q.rr.Reason = fmt.Sprintf("not in scope: no configured source collected %s", req.Type)
		if len(e.runs[req.Type]) > 0 {
			q.rr.Reason = fmt.Sprintf("not in scope: no configured source collected %s that the where can select", req.Type)
		}
		return q, nil
	}
	if len(incomplete) > 0 {
		q.scopeNote = "collection incomplete: " + strings.Join(incomplete, "; ")
	}
	q.inPass = true
	return q, nil
}

// reads returns the attributes the requirement's rule and where read.
func (q *reqEval) reads() []string {
	var out []string
	for _, p := range []*program{q.rule, q.where} {
		if p != nil {
			out = append(out, p.attrs...)
		}
	}
	return out
}

// A tally is what one worker's pass saw of a requirement; tallies of the
// workers are merged before the requirement is decided.
type tally struct {
	counts Counts
	// matched counts the resources the where selected.
	matched int
	// findings are those of the resources the rule was evaluated for (or
	// whose where could not be), in the order the worker saw them; counted
	// are the selected resources of a count requirement, which get a
	// finding once the count is decided.
	findings findingList
	counted  []*ResourceRef
	// unknown are the resources whose where or rule could not be
	// evaluated, with the message their label gets in a reason.
	unknown []unknown
	// waived are the ids of the waivers that applied.
	waived []string
}

// A findingList holds the findings of a requirement while the pass runs,
// compactly: a mark (the resource and the outcome) per finding, in chunks,
// so that it grows without copying or spare capacity beyond its last
// chunk, and tallies merge by taking each other's chunks. The message of a
// finding follows from its outcome (see add), but for those of
// inconclusive and waived findings, kept in notes by resource (a resource
// has at most one finding per requirement).
type findingList struct {
	chunks [][]mark
	n      int
	notes  map[*ResourceRef]string
	// pass is the worker whose pass adds to the list.
	pass uint16
}

// A mark is a finding in a findingList: 8 bytes where a Finding takes 40,
// and no pointer, so that the garbage collector does not scan the marks
// (one per resource and requirement) at every cycle.
type mark struct {
	// ref is the index of the finding's reference among those pass made
	// (see evaluator.ref).
	ref  uint32
	pass uint16
	// outcome is the finding's outcome's index in outcomeOrder.
	outcome uint8
}

// findingChunk bounds the size of a chunk; chunks start small and double
// up to it, so that a requirement over a few resources takes little.
const findingChunk = 4096

// failMessage is the message of every failing finding.
const failMessage = "rule is false"

// add adds the finding of ref: outcome o with message msg, which must be
// "" for a pass and failMessage for a failure.
func (l *findingList) add(ref *ResourceRef, o Outcome, msg string) {
	k := len(l.chunks) - 1
	if k < 0 || len(l.chunks[k]) == cap(l.chunks[k]) {
		size := 16
		if k >= 0 {
			size = min(2*cap(l.chunks[k]), findingChunk)
		}
		l.chunks = append(l.chunks, make([]mark, 0, size))
		k++
	}
	l.chunks[k] = append(l.chunks[k], mark{uint32(ref.rank), l.pass, uint8(slices.Index(outcomeOrder, o))})
	l.n++
	if o != Pass && o != Fail {
		if l.notes == nil {
			l.notes = map[*ResourceRef]string{}
		}
		l.notes[ref] = msg
	}
}

// finding returns the finding of mark m, whose reference is ref.
func (l *findingList) finding(ref *ResourceRef, m *mark) Finding {
	switch o := outcomeOrder[m.outcome]; o {
	case Pass:
		return Finding{ResourceRef: ref, Outcome: Pass}
	case Fail:
		return Finding{ResourceRef: ref, Outcome: Fail, Message: failMessage}
	default:
		return Finding{ResourceRef: ref, Outcome: o, Message: l.notes[ref]}
	}
}

// merge adds o's findings to l; they are then shared.
func (l *findingList) merge(o *findingList) {
	l.chunks = append(l.chunks, o.chunks...)
	l.n += o.n
	if len(o.notes) > 0 && l.notes == nil {
		l.notes = map[*ResourceRef]string{}
	}
	maps.Copy(l.notes, o.notes)
}

// An unknown is a resource whose where or rule could not be evaluated.
type unknown struct {
	ref *ResourceRef
	msg string
}

// merge adds o to t; o's findings are then shared.
func (t *tally) merge(o *tally) {
	t.counts.Resources += o.counts.Resources
	t.counts.Filtered += o.counts.Filtered
	t.counts.Pass += o.counts.Pass
	t.counts.Fail += o.counts.Fail
	t.counts.Inconclusive += o.counts.Inconclusive
	t.counts.Waived += o.counts.Waived
	t.matched += o.matched
	t.findings.merge(&o.findings)
	t.counted = append(t.counted, o.counted...)
	t.unknown = append(t.unknown, o.unknown...)
	t.waived = append(t.waived, o.waived...)
}

// see evaluates requirement q for resource r (whose activation is set in
// vars) and counts what it gives in t.
func (e *evaluator) see(q *reqEval, t *tally, vars *activation, r *evidence.Resource, ref *ResourceRef) error {
	t.counts.Resources++
	vars.params = q.params
	if q.where != nil {
		ok, msg, err := e.evalBool(q.where, vars, r)
		switch {
		case err != nil:
			return err
		case msg != "":
			t.counts.Inconclusive++
			t.unknown = append(t.unknown, unknown{ref, msg})
			t.findings.add(ref, Inconclusive, "where: "+msg)
			return nil
		case !ok:
			t.counts.Filtered++
			return nil
		}
	}
	t.matched++
	if q.mode == Count {
		t.counted = append(t.counted, ref)
		return nil
	}
	ok, msg, err := e.evalBool(q.rule, vars, r)
	switch {
	case err != nil:
		return err
	case msg != "":
		t.counts.Inconclusive++
		t.unknown = append(t.unknown, unknown{ref, msg})
		t.findings.add(ref, Inconclusive, msg)
	case ok:
		t.counts.Pass++
		t.findings.add(ref, Pass, "")
	default:
		if q.mode == Each {
			if w := e.waiverFor(q.control, r); w != nil {
				t.counts.Waived++
				t.waived = append(t.waived, w.ID)
				t.findings.add(ref, Waived, fmt.Sprintf("rule is false; waived by %s until %s: %s", w.ID, w.ExpiresAt().Format(time.DateOnly), w.Reason))
				return nil
			}
		}
		t.counts.Fail++
		t.findings.add(ref, Fail, failMessage)
	}
	return nil
}

// A decision is what a requirement's decider gives.
type decision struct {
	outcome Outcome
	code    Code
	reason  string
}

// A verdict is a merged tally, in resource order, with the labels its
// reasons name.
type verdict struct {
	typ       string
	matched   int
	pass      int
	failing   labels
	unknown   labels
	waived    []string
	scopeNote string
}

// decide turns the merged tally t of requirement q, its findings put in
// resource order, into q's result.
func (e *evaluator) decide(q *reqEval, t *tally) (RequirementResult, error) {
	rr := q.rr
	rr.Counts = t.counts
	rr.Findings = e.inOrder(q.req.Type, &t.findings)
	t.findings = findingList{}
	v := verdict{typ: q.req.Type, matched: t.matched, pass: t.counts.Pass, waived: t.waived, scopeNote: q.scopeNote}
	for _, f := range rr.Findings {
		if f.Outcome == Fail && len(v.failing.first) <= listMax {
			v.failing.first = append(v.failing.first, e.label(q.req.Type, f.ResourceRef))
		}
	}
	v.failing.n = t.counts.Fail
	v.unknown = e.unknownLabels(q.req.Type, t.unknown)
	var d decision
	switch q.mode {
	case Any:
		d = decideAny(v)
	case Count:
		var err error
		if d, err = e.decideCount(v, q); err != nil {
			return rr, err
		}
		for _, ref := range e.refsInOrder(q.req.Type, t.counted) {
			rr.Findings = append(rr.Findings, Finding{ResourceRef: ref, Outcome: d.outcome, Message: "counted"})
		}
	default:
		d = decideEach(v)
	}
	rr.Outcome, rr.Code, rr.Reason = d.outcome, d.code, d.reason
	if q.scopeNote != "" && rr.Outcome == Fail {
		rr.Reason += "; " + q.scopeNote
	}
	if rr.Findings == nil && q.mode != Count {
		rr.Findings = []Finding{}
	}
	return rr, nil
}

// unknownLabels labels the first few resources (in resource order) that
// could not be evaluated.
func (e *evaluator) unknownLabels(typ string, us []unknown) labels {
	l := labels{n: len(us)}
	if len(us) == 0 {
		return l
	}
	us = slices.Clone(us)
	slices.SortFunc(us, func(a, b unknown) int { return a.ref.rank - b.ref.rank })
	for _, u := range us[:min(len(us), listMax+1)] {
		l.first = append(l.first, e.label(typ, u.ref)+": "+u.msg)
	}
	return l
}

// listMax is how many labels a reason names.
const listMax = 5

// labels keeps the first few labels of a list of resources and counts
// the rest: a reason names at most five. It keeps six, so that String can
// tell five from more.
type labels struct {
	n     int
	first []string
}

// String lists up to five labels and how many more there are.
func (l labels) String() string {
	if l.n <= listMax {
		return strings.Join(l.first, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(l.first[:listMax], ", "), l.n-listMax)
}

// decideEach decides an each requirement: every selected resource must
// pass. A failure is a failure even when collection was incomplete; a pass
// needs complete collection and at least one resource.
func decideEach(v verdict) decision {
	switch {
	case v.failing.n > 0:
		return decision{Fail, CodeRuleFalse, fmt.Sprintf("%d of %d %s fail: %s", v.failing.n, v.matched, v.typ, v.failing.String())}
	case v.unknown.n > 0:
		return decision{Inconclusive, CodeRuleError, fmt.Sprintf("%d %s could not be evaluated: %s", v.unknown.n, v.typ, v.unknown.String())}
	case v.scopeNote != "":
		return decision{Inconclusive, CodeRunFailed, v.scopeNote}
	case v.matched == 0:
		return decision{NotApplicable, CodeNoResources, fmt.Sprintf("no %s in scope", v.typ)}
	case len(v.waived) > 0:
		slices.Sort(v.waived)
		return decision{Waived, CodeWaived, fmt.Sprintf("%d of %d %s fail under waivers %s", len(v.waived), v.matched, v.typ, strings.Join(slices.Compact(v.waived), ", "))}
	}
	return decision{Pass, CodeRuleTrue, fmt.Sprintf("all %d %s pass", v.matched, v.typ)}
}

// decideAny decides an any requirement: one passing resource is enough;
// none passing fails only when every resource was evaluated and collection
// was complete.
func decideAny(v verdict) decision {
	switch {
	case v.pass > 0:
		return decision{Pass, CodeRuleTrue, fmt.Sprintf("%d of %d %s satisfy the rule", v.pass, v.matched, v.typ)}
	case v.unknown.n > 0:
		return decision{Inconclusive, CodeRuleError, fmt.Sprintf("no %s satisfies the rule and %d could not be evaluated: %s", v.typ, v.unknown.n, v.unknown.String())}
	case v.scopeNote != "":
		return decision{Inconclusive, CodeRunFailed, v.scopeNote}
	}
	return decision{Fail, CodeRuleFalse, fmt.Sprintf("none of %d %s satisfies the rule", v.matched, v.typ)}
}

// decideCount decides a count requirement: the rule is evaluated once over
// the number of selected resources, which must be known exactly.
func (e *evaluator) decideCount(v verdict, q *reqEval) (decision, error) {
	switch {
	case v.unknown.n > 0:
		return decision{Inconclusive, CodeRuleError, fmt.Sprintf("%d %s could not be filtered: %s", v.unknown.n, v.typ, v.unknown.String())}, nil
	case v.scopeNote != "":
		return decision{Inconclusive, CodeRunFailed, v.scopeNote}, nil
	}
	vars := &activation{params: q.params, now: types.Timestamp{Time: e.now}, count: types.Int(v.matched)}
	ok, msg, err := e.evalBool(q.rule, vars, nil)
	switch {
	case err != nil:
		return decision{}, err
	case msg != "":
		return decision{Inconclusive, CodeRuleError, msg}, nil
	case ok:
		return decision{Pass, CodeRuleTrue, fmt.Sprintf("count %d satisfies the rule", v.matched)}, nil
	}
	return decision{Fail, CodeRuleFalse, fmt.Sprintf("count %d does not satisfy the rule", v.matched)}, nil
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
// resource: r is the resource's attribute map itself, and resource (its
// id, name, type, account and region) is built only when a rule reads it.
// Unset variables (r and resource in count mode) are unresolved, so a rule
// naming them fails instead of seeing nil.
type activation struct {
	r map[string]any
	// subject is the resource whose metadata resource is built from;
	// resource caches it.
	subject  *evidence.Resource
	resource map[string]any
	params   ref.Val
	now      ref.Val
	count    ref.Val
}

// set binds the activation to resource r with attributes attrs.
func (a *activation) set(r *evidence.Resource, attrs map[string]any) {
	a.r, a.subject, a.resource = attrs, r, nil
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "r":
		return a.r, a.r != nil
	case "resource":
		if a.resource == nil && a.subject != nil {
			r := a.subject
			a.resource = map[string]any{"id": r.ID, "name": r.Name, "type": r.Type, "account": r.Account, "region": r.Region}
		}
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
