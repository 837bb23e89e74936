package engine

import (
	"testing"

	"github.com/attestdev/attest/controls"
)

// TestCheckGate checks which gate attest check applies: without a
// baseline every failure at or above fail-on fails and there is no drift;
// with one only regressions fail and the drift is returned.
func TestCheckGate(t *testing.T) {
	t.Parallel()
	res := func(o controls.Outcome) *controls.Results {
		return &controls.Results{Controls: []controls.ControlResult{{ID: "X-1", Severity: controls.High, Outcome: o}}}
	}
	failing := res(controls.Fail)

	d, v := CheckGate(nil, failing, nil, controls.High, false)
	if d != nil {
		t.Errorf("no baseline: drift %+v, want none", d)
	}
	if v.Pass() {
		t.Error("no baseline: a high failure passes")
	}
	if _, v := CheckGate(nil, res(controls.Pass), nil, controls.High, false); !v.Pass() {
		t.Errorf("no baseline: a pass fails: %s", v.Message())
	}

	d, v = CheckGate(res(controls.Fail), failing, nil, controls.High, false)
	if d == nil {
		t.Fatal("baseline: no drift returned")
	}
	if !v.Pass() {
		t.Errorf("baseline that already failed: the same failure fails the gate: %s", v.Message())
	}
	d, v = CheckGate(res(controls.Pass), failing, nil, controls.High, false)
	if d == nil || v.Pass() {
		t.Errorf("baseline that passed: new failure gives drift %v, pass %v; want a drift and a failing gate", d != nil, v.Pass())
	}
	if _, v := CheckGate(res(controls.Pass), res(controls.Inconclusive), nil, controls.High, true); !v.Pass() {
		t.Errorf("baseline: newly inconclusive with allow-inconclusive fails: %s", v.Message())
	}
}
