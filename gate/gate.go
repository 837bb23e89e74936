// Package gate decides what a CI gate reports for an evaluation: which
// controls fail it, and why the controls that could not be evaluated were
// not. It is the policy behind the exit codes of attest check, evaluate,
// diff and collect; the command only maps a verdict to an exit code.
//
// The gate is fail-closed: a control at or above the fail-on severity that
// failed, rests on stale evidence, or could not be evaluated (a call was
// denied, throttled or failed, or evidence is missing) fails the gate,
// unless inconclusive controls are explicitly allowed.
package gate

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/diff"
)

// A Kind says why a control could not be evaluated.
type Kind string

// The kinds, in the order a summary lists them.
const (
	// Denied: the credentials lack a permission.
	Denied Kind = "denied"
	// Throttled: the provider rate limited attest past its retries.
	Throttled Kind = "throttled"
	// Unreachable: a call timed out, could not connect or failed
	// otherwise, or the run was interrupted.
	Unreachable Kind = "unreachable"
	// Missing: evidence is missing or could not be verified (no resource
	// carried the attribute, an attachment changed, a rule could not be
	// decided).
	Missing Kind = "missing"
	// Stale: the evidence is older than the control's frequency allows.
	Stale Kind = "stale"
)

// Kinds lists every kind in summary order.
var Kinds = []Kind{Denied, Throttled, Unreachable, Missing, Stale}

// kindOf maps a collector failure kind to a gate kind.
func kindOf(k evidence.FailureKind) Kind {
	switch k {
	case evidence.Denied:
		return Denied
	case evidence.Throttled:
		return Throttled
	}
	// Timeouts, cancellations, connection errors and any kind a collector
	// adds later: the evidence was not reachable.
	return Unreachable
}

// A Cause is one reason a control could not be evaluated: a kind and what
// it concerns (the permission, else the API operation, else the target or
// resource type).
type Cause struct {
	Kind Kind   `json:"kind"`
	What string `json:"what"`
}

// An Unevaluated control is inconclusive, with its causes, sorted.
type Unevaluated struct {
	Control  string            `json:"control"`
	Severity controls.Severity `json:"severity"`
	Causes   []Cause           `json:"causes"`
	// Gating is set when the control is at or above fail-on.
	Gating bool `json:"gating"`
}

// Options configure the gate.
type Options struct {
	// FailOn is the lowest severity that gates.
	FailOn controls.Severity
	// AllowInconclusive reports inconclusive and stale controls without
	// failing the gate on them.
	AllowInconclusive bool
	// Resources, when set, are the bundle's resources: the attribute gaps
	// of resources whose rule could not be decided then name the denied
	// permission. Without them such controls count as missing evidence.
	Resources []evidence.Resource
}

// A Verdict is the decision of the gate.
type Verdict struct {
	FailOn            controls.Severity `json:"fail_on"`
	AllowInconclusive bool              `json:"allow_inconclusive"`
	// Failed are controls (or, in drift mode, "CONTROL resource"
	// regressions) at or above fail-on that fail the gate.
	Failed []string `json:"failed"`
	// Unevaluated are every inconclusive control (newly inconclusive ones
	// in drift mode), gating or not, sorted by id.
	Unevaluated []Unevaluated `json:"unevaluated"`
	// drift is set in drift mode, for the wording of messages.
	drift bool
}

// Check is the gate over one evaluation: failed controls at or above
// opts.FailOn fail it, and so do inconclusive or stale ones unless
// opts.AllowInconclusive is set.
func Check(res *controls.Results, opts Options) *Verdict {
	v := &Verdict{FailOn: opts.FailOn, AllowInconclusive: opts.AllowInconclusive}
	gaps := gapIndex(opts.Resources)
	for _, c := range res.Controls {
		at := c.Severity.Rank() >= opts.FailOn.Rank()
		switch {
		case c.Outcome == controls.Fail:
			if at {
				v.Failed = append(v.Failed, c.ID)
			}
		case c.Outcome == controls.Inconclusive || c.Stale:
			v.Unevaluated = append(v.Unevaluated, Unevaluated{Control: c.ID, Severity: c.Severity, Causes: causes(c, gaps), Gating: at})
		}
	}
	return v
}

// Drift is the gate over the drift from a baseline to cur: controls and
// resources that newly fail at or above opts.FailOn fail it, and so do
// controls that are newly inconclusive there unless opts.AllowInconclusive
// is set. A control that was already inconclusive in the baseline does not
// fail the gate again.
func Drift(d *diff.Drift, cur *controls.Results, opts Options) *Verdict {
	v := &Verdict{FailOn: opts.FailOn, AllowInconclusive: opts.AllowInconclusive, drift: true}
	v.Failed = d.Regressions(opts.FailOn)
	byID := map[string]controls.ControlResult{}
	for _, c := range cur.Controls {
		byID[c.ID] = c
	}
	gaps := gapIndex(opts.Resources)
	for _, ch := range d.NewlyInconclusive {
		c, ok := byID[ch.Control]
		if !ok {
			c = controls.ControlResult{ID: ch.Control, Severity: ch.Severity, Outcome: ch.Now, Reason: ch.Reason}
		}
		v.Unevaluated = append(v.Unevaluated, Unevaluated{Control: c.ID, Severity: c.Severity, Causes: causes(c, gaps),
			Gating: c.Severity.Rank() >= opts.FailOn.Rank()})
	}
	slices.SortFunc(v.Unevaluated, func(a, b Unevaluated) int { return cmp.Compare(a.Control, b.Control) })
	return v
}

// Gating returns the ids of the unevaluated controls at or above fail-on.
func (v *Verdict) Gating() []string {
	var out []string
	for _, u := range v.Unevaluated {
		if u.Gating {
			out = append(out, u.Control)
		}
	}
	return out
}

// Pass reports whether the gate passes.
func (v *Verdict) Pass() bool {
	return len(v.Failed) == 0 && (v.AllowInconclusive || len(v.Gating()) == 0)
}

// Message returns what the gate says on stderr: the failures, and how many
// controls could not be evaluated and why, grouped by kind and by the
// permission, operation or target concerned. It is empty when there is
// nothing to say.
func (v *Verdict) Message() string {
	var b strings.Builder
	if len(v.Failed) > 0 {
		if v.drift {
			fmt.Fprintf(&b, "attest: %d regression(s) at or above severity %s since the baseline: %s\n", len(v.Failed), v.FailOn, strings.Join(v.Failed, ", "))
		} else {
			fmt.Fprintf(&b, "attest: %d control(s) failed at or above severity %s: %s\n", len(v.Failed), v.FailOn, strings.Join(v.Failed, ", "))
		}
	}
	if len(v.Unevaluated) == 0 {
		return b.String()
	}
	newly := ""
	if v.drift {
		newly = "newly "
	}
	fmt.Fprintf(&b, "attest: %d control(s) %scould not be evaluated:\n", len(v.Unevaluated), newly)
	for _, k := range Kinds {
		groups := map[string][]string{}
		n := map[string]bool{}
		for _, u := range v.Unevaluated {
			for _, c := range u.Causes {
				if c.Kind == k {
					groups[c.What] = append(groups[c.What], u.Control)
					n[u.Control] = true
				}
			}
		}
		if len(n) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s (%d): %s\n", k, len(n), kindHelp[k])
		for _, what := range slices.Sorted(maps.Keys(groups)) {
			ids := slices.Compact(slices.Sorted(slices.Values(groups[what])))
			fmt.Fprintf(&b, "    %s: %s\n", what, abbreviate(ids, 8))
		}
	}
	gating := v.Gating()
	stale := 0
	for _, u := range v.Unevaluated {
		if u.Gating && slices.ContainsFunc(u.Causes, func(c Cause) bool { return c.Kind == Stale }) {
			stale++
		}
	}
	switch {
	case len(gating) == 0:
		fmt.Fprintf(&b, "attest: none of them is at or above severity %s\n", v.FailOn)
	case v.AllowInconclusive:
		fmt.Fprintf(&b, "attest: %d of them at or above severity %s do not fail the gate: --allow-inconclusive is set\n", len(gating), v.FailOn)
	default:
		fmt.Fprintf(&b, "attest: %d control(s) %sinconclusive at or above severity %s fail the gate", len(gating), newly, v.FailOn)
		if stale > 0 {
			fmt.Fprintf(&b, " (%d rest on stale evidence)", stale)
		}
		fmt.Fprintf(&b, ": %s\n  (fix the access above, or pass --allow-inconclusive to report them without failing)\n", strings.Join(gating, ", "))
	}
	return b.String()
}

var kindHelp = map[Kind]string{
	Denied:      "the credentials lack these permissions (attest permissions SOURCE prints them)",
	Throttled:   "rate limited past the retries",
	Unreachable: "calls that timed out, could not connect or failed",
	Missing:     "evidence missing or not verifiable",
	Stale:       "evidence older than the control's frequency allows",
}

func abbreviate(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}

// gapKey identifies a resource by type, account, region and id.
func gapKey(typ, account, region, id string) string {
	return typ + "\x00" + account + "\x00" + region + "\x00" + id
}

func gapIndex(rs []evidence.Resource) map[string][]evidence.Gap {
	m := map[string][]evidence.Gap{}
	for _, r := range rs {
		if len(r.Gaps) > 0 {
			m[gapKey(r.Type, r.Account, r.Region, r.ID)] = r.Gaps
		}
	}
	return m
}

// causes returns why control c could not be evaluated, sorted and
// without duplicates.
func causes(c controls.ControlResult, gaps map[string][]evidence.Gap) []Cause {
	var out []Cause
	add := func(k Kind, what string) { out = append(out, Cause{Kind: k, What: what}) }
	for _, rr := range c.Evidence {
		if rr.Outcome != controls.Inconclusive {
			continue
		}
		if rr.Stale {
			add(Stale, rr.Type)
			continue
		}
		n := len(out)
		for _, s := range rr.Scope {
			if s.Status == evidence.Complete {
				continue
			}
			for _, f := range s.Failures {
				add(kindOf(f.Kind), what(f.Permission, f.Operation, s.Target))
			}
			if len(s.Failures) == 0 {
				add(Unreachable, s.Target.String()+" ("+string(s.Status)+" run)")
			}
		}
		for _, f := range rr.Findings {
			if f.Outcome != controls.Inconclusive || f.ResourceRef == nil {
				continue
			}
			for _, g := range gaps[gapKey(rr.Type, f.Account, f.Region, f.Resource)] {
				add(kindOf(g.Kind), what(g.Permission, g.Operation, evidence.Target{Source: rr.Type}))
			}
		}
		if len(out) == n {
			add(Missing, rr.Type)
		}
	}
	for _, m := range c.Manual {
		if m.Outcome == controls.Inconclusive {
			add(Missing, "manual evidence "+m.Kind)
		}
	}
	if c.Stale && !slices.ContainsFunc(out, func(c Cause) bool { return c.Kind == Stale }) {
		add(Stale, c.ID)
	}
	if len(out) == 0 {
		add(Missing, c.ID)
	}
	slices.SortFunc(out, func(a, b Cause) int {
		return cmp.Or(cmp.Compare(slices.Index(Kinds, a.Kind), slices.Index(Kinds, b.Kind)), cmp.Compare(a.What, b.What))
	})
	return slices.Compact(out)
}

// what names what a failure concerns: the permission it needs, else the
// operation, else the target (the endpoint, account or region).
func what(permission, operation string, t evidence.Target) string {
	switch {
	case permission != "":
		return permission
	case operation != "":
		return operation + " on " + t.String()
	}
	return t.String()
}
