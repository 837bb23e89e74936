package controls

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cel.dev/cel-go/cel"

	"github.com/attestdev/attest/collectors/evidence"
)

// ManualType is the resource type of organisational evidence records.
const ManualType = "manual.evidence"

// EvalOptions configure Evaluate.
type EvalOptions struct {
	// Params override control params, by control id then param name.
	Params map[string]map[string]any
	// AttestVersion is written into the results.
	AttestVersion string
	// Waivers are approved exceptions; those active at AsOf apply.
	Waivers []Waiver
	// AsOf is the evaluation time. Zero means the bundle's finish time, so
	// that re-evaluating a saved bundle reproduces its results; a later
	// time makes evidence older than a control's frequency stale.
	AsOf time.Time
	// MaxAge, when set, replaces every control's frequency as the oldest
	// evidence accepted.
	MaxAge time.Duration
	// ExpiryWarning is how far ahead expiring manual evidence and waivers
	// are warned about; zero means 30 days.
	ExpiryWarning time.Duration
}

// Evaluate runs every control of lib against bundle b. It performs no I/O
// and uses the bundle's finish time as "now", so the same bundle always
// gives the same results. It stops as soon as ctx is done, returning its
// error. The resources are evaluated on up to GOMAXPROCS goroutines; b is
// never modified.
func Evaluate(ctx context.Context, lib *Library, b *evidence.Bundle, opts EvalOptions) (*Results, error) {
	scan := func(ctx context.Context, workers int, _ *evidence.Selection, fn func(int, []evidence.Resource) error) error {
		return scanSlice(ctx, b.Resources, workers, fn)
	}
	res, _, err := evaluateStream(ctx, lib, b.Manifest, scan, false, opts)
	return res, err
}

// EvaluateDir evaluates lib against the bundle in dir as Evaluate does,
// reading the bundle once as a stream (evidence.ScanResources): resources
// are decoded, evaluated and dropped batch by batch, so memory holds the
// results, not the bundle. Only the attributes the rules read are decoded
// (see readSet). It also returns the resources that have gaps
// (without their attributes), sorted, for the gate to name the calls that
// were denied (gate.Options.Resources).
func EvaluateDir(ctx context.Context, lib *Library, dir string, opts EvalOptions) (*Results, []evidence.Resource, error) {
	m, err := evidence.OpenManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	scan := func(ctx context.Context, workers int, sel *evidence.Selection, fn func(int, []evidence.Resource) error) error {
		return evidence.ScanSelected(ctx, dir, workers, sel, fn)
	}
	return evaluateStream(ctx, lib, m, scan, true, opts)
}

// A scanFunc reads a bundle's resources once and calls fn with batches of
// them from up to workers goroutines, each with its worker number. It
// needs to give only the attributes sel selects.
type scanFunc func(ctx context.Context, workers int, sel *evidence.Selection, fn func(worker int, batch []evidence.Resource) error) error

// scanBatch is how many resources of an in-memory bundle a worker takes at
// a time.
const scanBatch = 512

// scanSlice is the scanFunc of an in-memory bundle.
func scanSlice(ctx context.Context, rs []evidence.Resource, workers int, fn func(int, []evidence.Resource) error) error {
	var next atomic.Int64
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(scanBatch)) - scanBatch
				if i >= len(rs) {
					return
				}
				if err := fn(w, rs[i:min(i+scanBatch, len(rs))]); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// evaluateStream is Evaluate over a bundle given by its manifest and a
// scan of its resources: every requirement is prepared (programs, scope)
// before the resources are read, the resources are read once and each is
// evaluated against the requirements of its type, and the controls are
// decided from what the pass saw. decoded says that the scan gives
// resources as the bundle decoder does (attributes hold only JSON values,
// numbers as int64 or float64), which need no normalising.
func evaluateStream(ctx context.Context, lib *Library, m evidence.Manifest, scan scanFunc, decoded bool, opts EvalOptions) (*Results, []evidence.Resource, error) {
	e, res, err := newEvaluator(ctx, m, opts)
	if err != nil {
		return nil, nil, err
	}
	e.decoded = decoded
	plans := make([]controlPlan, 0, len(lib.Controls))
	for _, c := range lib.Controls {
		p, err := e.plan(c, opts)
		if err != nil {
			return nil, nil, err
		}
		plans = append(plans, p)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	passes := make([]*pass, workers)
	for w := range passes {
		passes[w] = e.newPass(w)
	}
	if err := scan(ctx, workers, e.readSet(), func(w int, batch []evidence.Resource) error { return passes[w].batch(batch) }); err != nil {
		return nil, nil, err
	}
	tallies, gapped := e.merge(passes)
	crs, err := e.controls(plans, tallies, workers)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]Outcome{}
	for _, cr := range crs {
		res.Warnings = append(res.Warnings, e.expiring(cr)...)
		res.Controls = append(res.Controls, cr)
		res.Summary.add(cr.Outcome)
		byID[cr.ID] = cr.Outcome
	}
	if res.Controls == nil {
		res.Controls = []ControlResult{}
	}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	e.unrank()
	for _, fw := range lib.Frameworks {
		res.Frameworks = append(res.Frameworks, rollup(lib, fw, byID))
	}
	return res, gapped, nil
}

// controls decides the controls of plans from the merged tallies of the
// pass, on up to workers goroutines (each decision only reads the
// evaluator and its own requirements' tallies), and returns them in plan
// order, or the error of the first that failed.
func (e *evaluator) controls(plans []controlPlan, tallies []tally, workers int) ([]ControlResult, error) {
	crs := make([]ControlResult, len(plans))
	errs := make([]error, len(plans))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(plans)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plans) {
					return
				}
				crs[i], errs[i] = e.control(plans[i], tallies)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return crs, nil
}

// newEvaluator sets up an evaluation of the bundle with manifest m: its
// time, its runs by type, the active waivers, and the results without
// controls.
func newEvaluator(ctx context.Context, m evidence.Manifest, opts EvalOptions) (*evaluator, *Results, error) {
	collected := m.FinishedAt.UTC()
	if collected.IsZero() {
		return nil, nil, errors.New("controls: bundle has no finish time")
	}
	now := collected
	if !opts.AsOf.IsZero() {
		now = opts.AsOf.UTC()
	}
	warn := opts.ExpiryWarning
	if warn == 0 {
		warn = 30 * 24 * time.Hour
	}
	env, err := newEnv()
	if err != nil {
		return nil, nil, err
	}
	e := &evaluator{ctx: ctx, env: env, now: now, warn: warn, runs: map[string][]*evidence.Run{}, byType: map[string][]int{}}
	runs := slices.Clone(m.Runs)
	for i := range runs {
		run := &runs[i]
		for _, t := range run.ResourceTypes {
			e.runs[t] = append(e.runs[t], run)
		}
	}
	res := &Results{
		Schema:        ResultsSchema,
		AttestVersion: opts.AttestVersion,
		EvaluatedAt:   now,
		Bundle: BundleInfo{
			StartedAt: m.StartedAt.UTC(), FinishedAt: now, Interrupted: m.Interrupted,
			Resources: m.Resources, Records: m.Records,
		},
		Scope: m.Runs,
	}
	if res.Scope == nil {
		res.Scope = []evidence.Run{}
	}
	for i := range opts.Waivers {
		w := &opts.Waivers[i]
		switch {
		case w.Active(now):
			e.waivers = append(e.waivers, w)
			if w.ExpiresAt().Sub(now) <= warn {
				res.Warnings = append(res.Warnings, fmt.Sprintf("waiver %s for %s expires on %s", w.ID, w.Control, w.ExpiresAt().Format(time.DateOnly)))
			}
		case !w.ExpiresAt().After(now):
			res.Warnings = append(res.Warnings, fmt.Sprintf("waiver %s for %s expired on %s and no longer applies", w.ID, w.Control, w.ExpiresAt().Format(time.DateOnly)))
		}
	}
	return e, res, nil
}

type evaluator struct {
	ctx     context.Context
	env     *cel.Env
	now     time.Time
	warn    time.Duration
	waivers []*Waiver
	runs    map[string][]*evidence.Run
	// decoded is set when the resources come from the bundle decoder,
	// normalised already (see evaluateStream).
	decoded bool
	// reqs are the requirements that take part in the pass, and byType
	// their indexes by resource type.
	reqs   []*reqEval
	byType map[string][]int
	// dupNames marks type+name pairs (by their hash, see nameKey) that
	// more than one resource has; typeSize counts the resources of each
	// type the pass evaluated. Both are set by merge.
	dupNames map[uint64]bool
	typeSize map[string]int
	// manual are the manual evidence records, sorted.
	manual []evidence.Resource
	// refs are the references of the resources evaluated, by type, while
	// they are ranked (see rank and unrank).
	refs map[string][]*ResourceRef
	// made are the references each pass made, in the order it made them,
	// which findings point into (see mark), until unrank.
	made [][]*ResourceRef
}

// readSet returns the attributes the pass reads of each resource type:
// those the rules and wheres of the type's requirements read, every
// attribute of a type a rule reads as a whole and of manual evidence
// records (kept whole for the manual requirements), and none of other
// types.
func (e *evaluator) readSet() *evidence.Selection {
	sel := &evidence.Selection{All: map[string]bool{ManualType: true}, Attrs: map[string]map[string]bool{}}
	for _, q := range e.reqs {
		typ := q.req.Type
		for _, p := range []*program{q.rule, q.where} {
			if p == nil {
				continue
			}
			if p.whole {
				sel.All[typ] = true
			}
			if sel.Attrs[typ] == nil {
				sel.Attrs[typ] = map[string]bool{}
			}
			for _, a := range p.attrs {
				sel.Attrs[typ][a] = true
			}
		}
	}
	return sel
}

// A controlPlan is a control prepared for evaluation: its effective
// params, its statement and its requirements.
type controlPlan struct {
	c      *Control
	params map[string]any
	stmt   Statement
	maxAge time.Duration
	reqs   []*reqEval
}

// plan prepares control c: its params and statement, and its evidence
// requirements, which join the pass.
func (e *evaluator) plan(c *Control, opts EvalOptions) (controlPlan, error) {
	params, err := c.EffectiveParams(opts.Params[c.ID])
	if err != nil {
		return controlPlan{}, fmt.Errorf("controls: %w", err)
	}
	stmt, err := c.RenderStatement(params)
	if err != nil {
		return controlPlan{}, fmt.Errorf("controls: %s: %w", c.ID, err)
	}
	p := controlPlan{c: c, params: params, stmt: stmt, maxAge: c.Frequency.MaxAge()}
	if opts.MaxAge > 0 {
		p.maxAge = opts.MaxAge
	}
	celParams := c.celParams(params)
	for i := range c.Evidence {
		q, err := e.prepare(c.ID, &c.Evidence[i], celParams)
		if err != nil {
			return p, fmt.Errorf("controls: %s: evidence[%d]: %w", c.ID, i, err)
		}
		if q.inPass {
			e.byType[q.req.Type] = append(e.byType[q.req.Type], len(e.reqs))
			q.index = len(e.reqs)
			e.reqs = append(e.reqs, q)
		}
		p.reqs = append(p.reqs, q)
	}
	return p, nil
}

// control decides the control of plan p from the merged tallies of the
// pass.
func (e *evaluator) control(p controlPlan, tallies []tally) (ControlResult, error) {
	c := p.c
	cr := ControlResult{
		ID: c.ID, Title: c.Title, Severity: c.Severity, Owner: c.Owner,
		Mappings: c.Mappings.IDs(), TOMCategory: c.TOM.Category, Remediation: c.Remediation,
	}
	for i, q := range p.reqs {
		rr := q.rr
		if q.inPass {
			var err error
			if rr, err = e.decide(q, &tallies[q.index]); err != nil {
				return cr, fmt.Errorf("controls: %s: evidence[%d]: %w", c.ID, i, err)
			}
		}
		e.stale(&rr, q.runs, p.maxAge)
		if rr.Outcome == Fail {
			e.waive(c.ID, &rr.Outcome, &rr.Code, &rr.Reason, &cr.Waivers)
		}
		cr.Evidence = append(cr.Evidence, rr)
	}
	for _, m := range c.Manual {
		mr := e.manualResult(m)
		if mr.Outcome == Fail {
			e.waive(c.ID, &mr.Outcome, &mr.Code, &mr.Reason, &cr.Waivers)
		}
		cr.Manual = append(cr.Manual, mr)
	}
	parts := make([]part, 0, len(cr.Evidence)+len(cr.Manual))
	for _, rr := range cr.Evidence {
		parts = append(parts, part{rr.Outcome, rr.Code, rr.Reason})
		cr.Stale = cr.Stale || rr.Stale
	}
	for _, mr := range cr.Manual {
		parts = append(parts, part{mr.Outcome, mr.Code, mr.Reason})
	}
	cr.Outcome, cr.Code, cr.Reason = controlOutcome(parts)
	slices.Sort(cr.Waivers)
	cr.Waivers = slices.Compact(cr.Waivers)
	cr.Statement = &p.stmt
	if len(p.params) > 0 {
		cr.Params = p.params
	}
	return cr, nil
}

// A part is the outcome of one requirement of a control, evidence or
// manual, with its reason.
type part struct {
	outcome Outcome
	code    Code
	reason  string
}

// controlOutcome decides a control's outcome from those of its
// requirements, and gives the reason of the requirement that decided it:
//
//   - A requirement is applicable unless it is not_applicable (no resource
//     of its type is in scope, or no configured source collects it).
//   - With no applicable requirement, the control is not_applicable.
//   - Otherwise the worst applicable outcome wins, in the order fail,
//     inconclusive, waived, manual, pass. So the control passes exactly
//     when every applicable requirement passes and at least one is
//     applicable.
//   - A not_applicable requirement never changes the outcome of the
//     others: an estate without DB clusters passes an encryption control
//     on its DB instances alone.
func controlOutcome(parts []part) (Outcome, Code, string) {
	outcome, code, reason := NotApplicable, Code(""), ""
	applicable := false
	for _, p := range parts {
		if p.outcome == NotApplicable {
			if !applicable && reason == "" {
				code, reason = p.code, p.reason
			}
			continue
		}
		if !applicable || p.outcome.weight() > outcome.weight() {
			outcome, code, reason = p.outcome, p.code, p.reason
		}
		applicable = true
	}
	return outcome, code, reason
}

// stale makes a requirement inconclusive when the newest run behind it
// finished longer ago than maxAge before the evaluation time.
func (e *evaluator) stale(rr *RequirementResult, runs []*evidence.Run, maxAge time.Duration) {
	var newest time.Time
	for _, run := range runs {
		if run.FinishedAt.After(newest) {
			newest = run.FinishedAt
		}
	}
	if newest.IsZero() || maxAge == 0 || e.now.Sub(newest) <= maxAge || rr.Outcome == NotApplicable {
		return
	}
	rr.Stale = true
	rr.Code = CodeStale
	rr.Reason = fmt.Sprintf("stale: %s evidence collected %s is older than %s allows (was %s: %s)",
		rr.Type, newest.UTC().Format(time.RFC3339), maxAge, rr.Outcome, rr.Reason)
	rr.Outcome = Inconclusive
}

// waive turns a failure into waived when an active whole-control waiver
// covers it.
func (e *evaluator) waive(control string, o *Outcome, code *Code, reason *string, applied *[]string) {
	for _, w := range e.waivers {
		if w.covers(control, "", "", true) {
			*o, *code = Waived, CodeWaived
			*reason = fmt.Sprintf("waived by %s until %s (%s; owner %s, approved by %s): %s",
				w.ID, w.ExpiresAt().Format(time.DateOnly), w.Reason, w.Owner, w.ApprovedBy, *reason)
			*applied = append(*applied, w.ID)
			return
		}
	}
}

// waiverFor returns the active waiver covering a failing resource.
func (e *evaluator) waiverFor(control string, r *evidence.Resource) *Waiver {
	for _, w := range e.waivers {
		if w.covers(control, r.ID, r.Name, false) {
			return w
		}
	}
	return nil
}

// expiring warns about manual evidence that passes now but expires within
// the warning window.
func (e *evaluator) expiring(cr ControlResult) []string {
	var out []string
	for _, m := range cr.Manual {
		until, err := time.Parse(time.RFC3339, m.ValidUntil)
		if err != nil || m.Outcome != Pass || until.Sub(e.now) > e.warn {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s evidence expires on %s", cr.ID, m.Kind, until.Format(time.DateOnly)))
	}
	return out
}

// label names a resource of type typ in a reason: its name, with account
// and region when another resource of the type has the same name.
func (e *evaluator) label(typ string, r *ResourceRef) string {
	name := r.Name
	if name == "" {
		name = r.Resource
	}
	if e.dupNames[nameKey(typ, name)] {
		where := strings.Trim(r.Account+"/"+r.Region, "/")
		if where != "" {
			name += " (" + where + ")"
		}
	}
	return name
}

func scopeProblem(run *evidence.Run) string {
	s := fmt.Sprintf("%s on %s %s", run.Collector, run.Target, run.Status)
	if len(run.Failures) > 0 {
		s += " (" + run.Failures[0].String()
		if n := len(run.Failures) - 1; n > 0 {
			s += fmt.Sprintf(", and %d more", n)
		}
		s += ")"
	}
	return s
}

// manualResult evaluates a manual evidence requirement against the newest record
// of its kind.
func (e *evaluator) manualResult(m Manual) ManualResult {
	mr := ManualResult{Kind: m.Kind, MaxAge: string(m.MaxAge)}
	maxAge, _ := m.MaxAge.Parse()
	var newest *evidence.Resource
	var newestAt time.Time
	for i := range e.manual {
		r := &e.manual[i]
		if kind, _ := r.Attributes["kind"].(string); kind != m.Kind {
			continue
		}
		at, err := time.Parse(time.RFC3339, str(r.Attributes["performed_at"]))
		if err != nil {
			continue
		}
		if newest == nil || at.After(newestAt) {
			newest, newestAt = r, at
		}
	}
	if newest == nil {
		mr.Outcome, mr.Code = ManualOutcome, CodeNoEvidence
		mr.Reason = fmt.Sprintf("no %s evidence recorded: needs a human attestation", m.Kind)
		return mr
	}
	validUntil, _ := time.Parse(time.RFC3339, str(newest.Attributes["valid_until"]))
	// A requirement without a max_age and a record without valid_until
	// give no expiry: the zero time, which the check below fails.
	expires := ManualExpiry(newestAt, maxAge, validUntil)
	mr.Record = newest.ID
	mr.AttestedBy = str(newest.Attributes["attested_by"])
	if len(newest.Gaps) > 0 {
		// An attachment that is missing or changed since it was recorded
		// proves nothing: fail closed.
		mr.Outcome, mr.Code = Inconclusive, CodeUnverifiable
		mr.Reason = fmt.Sprintf("%s record %s could not be verified: %s", m.Kind, newest.ID, newest.Gaps[0].Message)
		return mr
	}
	mr.ValidUntil = expires.Format(time.RFC3339)
	if !expires.After(e.now) {
		mr.Outcome, mr.Code = Fail, CodeExpired
		mr.Reason = fmt.Sprintf("%s evidence expired on %s (performed %s)", m.Kind, expires.Format(time.DateOnly), newestAt.Format(time.DateOnly))
		return mr
	}
	mr.Outcome, mr.Code = Pass, CodeAttested
	mr.Reason = fmt.Sprintf("%s performed %s, attested by %s, valid until %s", m.Kind, newestAt.Format(time.DateOnly), mr.AttestedBy, expires.Format(time.DateOnly))
	return mr
}

func str(v any) string { s, _ := v.(string); return s }

func rollup(lib *Library, fw *Framework, outcomes map[string]Outcome) FrameworkResult {
	fr := FrameworkResult{ID: fw.ID, Name: fw.Name}
	for _, req := range fw.Requirements {
		rq := RequirementRollup{ID: req.ID, Title: req.Title, Outcome: NotApplicable, Controls: []string{}}
		for _, c := range lib.ControlsFor(fw.ID, req.ID) {
			rq.Controls = append(rq.Controls, c.ID)
			rq.Outcome = Worst(rq.Outcome, outcomes[c.ID])
		}
		slices.SortFunc(rq.Controls, cmp.Compare[string])
		fr.Requirements = append(fr.Requirements, rq)
		fr.Summary.add(rq.Outcome)
	}
	return fr
}

// normalize converts decoded JSON numbers to int64 or float64 and integers
// of every Go type to int64, so rules compare numbers the same way whether
// the resource came from a collector or from a bundle on disk. It never
// modifies its argument: a map or slice with something to convert is copied
// (so one bundle can be evaluated concurrently), and v itself is returned
// when nothing needed converting.
func normalize(v any) any {
	n, _ := normalized(v)
	return n
}

// normalized returns the normalised value and whether it differs from v.
func normalized(v any) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return map[string]any{}, true
		}
		var out map[string]any
		for k, e := range v {
			n, changed := normalized(e)
			if !changed {
				continue
			}
			if out == nil {
				out = maps.Clone(v)
			}
			out[k] = n
		}
		if out == nil {
			return v, false
		}
		return out, true
	case []any:
		var out []any
		for i, e := range v {
			n, changed := normalized(e)
			if !changed {
				continue
			}
			if out == nil {
				out = slices.Clone(v)
			}
			out[i] = n
		}
		if out == nil {
			return v, false
		}
		return out, true
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		f, _ := v.Float64()
		return f, true
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case float32:
		return float64(v), true
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out, true
	}
	return v, false
}
