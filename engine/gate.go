package engine

import (
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/gate"
	"github.com/attestdev/attest/reports/diff"
)

// FailOn returns the lowest severity that fails the gate: flag when given,
// else fail_on in cfg, else high.
func FailOn(flag string, cfg *config.File) (controls.Severity, error) {
	s := flag
	if s == "" {
		s = cfg.FailOn
	}
	if s == "" {
		s = string(controls.High)
	}
	return controls.ParseSeverity(s)
}

// Gate returns the gate's verdict over res: it fails when a control failed,
// rests on stale evidence or could not be evaluated at or above failOn
// (the last two unless allowInconclusive). b, when set, is the bundle of
// res with the resources that have gaps (Setup.Evaluate), which name why a
// control could not be evaluated. The policy is in package gate.
func Gate(res *controls.Results, b *evidence.Bundle, failOn controls.Severity, allowInconclusive bool) *gate.Verdict {
	return gate.Check(res, gateOptions(b, failOn, allowInconclusive))
}

// Drift compares cur with the baseline old and returns the drift with the
// gate's verdict over it: it fails when something regressed at or above
// failOn, a new failure or, unless allowInconclusive, a newly
// inconclusive control. b is as for Gate.
func Drift(old, cur *controls.Results, b *evidence.Bundle, failOn controls.Severity, allowInconclusive bool) (*diff.Drift, *gate.Verdict) {
	d := diff.Compare(old, cur)
	return d, gate.Drift(d, cur, gateOptions(b, failOn, allowInconclusive))
}

func gateOptions(b *evidence.Bundle, failOn controls.Severity, allowInconclusive bool) gate.Options {
	opts := gate.Options{FailOn: failOn, AllowInconclusive: allowInconclusive}
	if b != nil {
		opts.Resources = b.Resources
	}
	return opts
}

// CheckGate is the gate of attest check over cur. With a baseline (old not
// nil) it gates on the drift from old, so only regressions fail (Drift),
// and returns that drift to show; without one it gates on every failure
// (Gate) and the drift is nil. b, failOn and allowInconclusive are as for
// Gate.
func CheckGate(old, cur *controls.Results, b *evidence.Bundle, failOn controls.Severity, allowInconclusive bool) (*diff.Drift, *gate.Verdict) {
	if old == nil {
		return nil, Gate(cur, b, failOn, allowInconclusive)
	}
	return Drift(old, cur, b, failOn, allowInconclusive)
}
