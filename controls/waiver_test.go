package controls

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

func writeWaivers(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "waivers.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodWaivers = `waivers:
  - id: W-1
    control: T-1
    resources: ["legacy-*"]
    reason: Legacy widgets are replaced in Q1.
    owner: platform
    approved_by: ciso@example.com
    created: 2026-10-01
    expires: 2027-01-31
  - id: W-2
    control: T-2
    reason: Accepted risk.
    owner: platform
    approved_by: ciso@example.com
    created: 2025-01-01
    expires: 2026-06-30
`

func TestLoadWaiversErrors(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "", "r.encrypted"))
	p := writeWaivers(t, `waivers:
  - id: W-1
    control: T-1
    reason: ""
    owner: platform
    approved_by: ciso@example.com
    created: 2026-10-01
  - id: W-1
    control: NOPE-1
    reason: r
    owner: o
    approved_by: a
    created: 2026-10-01
    expires: 2026-09-01
    resources: ["[bad"]
`)
	_, err := LoadWaivers(p, lib)
	if err == nil {
		t.Fatal("invalid waivers loaded")
	}
	for _, want := range []string{
		p + ":4: waivers[0].reason: required",
		p + ":2: waivers[0].expires: required",
		p + ":8: waivers[1].id: duplicate waiver id",
		p + `:9: waivers[1].control: unknown control "NOPE-1"`,
		p + ":14: waivers[1].expires: 2026-09-01 is not after created",
		p + `:15: waivers[1].resources[0]: bad pattern`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestWaiversApply(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "", "r.encrypted"), control("T-2", "each", "", "r.encrypted"))
	ws, err := LoadWaivers(writeWaivers(t, goodWaivers), lib)
	if err != nil {
		t.Fatal(err)
	}
	plain := map[string]any{"encrypted": false}
	b := bundle([]evidence.Run{run(evidence.Complete)}, widget("legacy-1", plain), widget("new-1", map[string]any{"encrypted": true}))
	res, err := Evaluate(t.Context(), lib, b, EvalOptions{Waivers: ws})
	if err != nil {
		t.Fatal(err)
	}
	t1, t2 := res.Controls[0], res.Controls[1]
	if t1.Outcome != Waived || !strings.Contains(t1.Reason, "1 of 2 test.widget fail under waivers W-1") {
		t.Errorf("T-1: %s %q, want waived by W-1", t1.Outcome, t1.Reason)
	}
	if t1.Evidence[0].Counts.Waived != 1 || t1.Evidence[0].Counts.Pass != 1 {
		t.Errorf("T-1 counts %+v", t1.Evidence[0].Counts)
	}
	// W-2 expired on 2026-06-30; evaluation is 2026-11-01: the failure stands.
	if t2.Outcome != Fail {
		t.Errorf("T-2 under an expired waiver: %s, want fail", t2.Outcome)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "waiver W-2 for T-2 expired on 2026-06-30 and no longer applies") {
		t.Errorf("warnings %v lack the expired waiver", res.Warnings)
	}
	if res.Summary.Waived != 1 || res.Summary.Pass != 0 {
		t.Errorf("summary %+v: a waived control must never count as a pass", res.Summary)
	}

	// A resource the selector does not match still fails.
	b = bundle([]evidence.Run{run(evidence.Complete)}, widget("legacy-1", plain), widget("other", plain))
	res, _ = Evaluate(t.Context(), lib, b, EvalOptions{Waivers: ws})
	if res.Controls[0].Outcome != Fail || !strings.Contains(res.Controls[0].Reason, "other") {
		t.Errorf("unmatched resource: %s %q", res.Controls[0].Outcome, res.Controls[0].Reason)
	}

	// A whole-control waiver covers a failure but not an inconclusive result.
	b = bundle([]evidence.Run{run(evidence.Partial, evidence.Failure{Kind: evidence.Denied, Message: "no"})}, widget("x", map[string]any{"encrypted": true}))
	res, _ = Evaluate(t.Context(), lib, b, EvalOptions{Waivers: []Waiver{{ID: "W-3", Control: "T-1", Reason: "r", Owner: "o", ApprovedBy: "a",
		created: evalTime.Add(-time.Hour), expires: evalTime.Add(time.Hour)}}})
	if res.Controls[0].Outcome != Inconclusive {
		t.Errorf("waiver hid an inconclusive result: %s", res.Controls[0].Outcome)
	}
}

func TestFreshness(t *testing.T) {
	t.Parallel()
	lib := library(t, control("T-1", "each", "", "r.encrypted"))
	r := run(evidence.Complete)
	r.FinishedAt = evalTime
	b := bundle([]evidence.Run{r}, widget("a", map[string]any{"encrypted": true}))

	res, _ := Evaluate(t.Context(), lib, b, EvalOptions{})
	if res.Controls[0].Outcome != Pass {
		t.Fatalf("fresh: %s", res.Controls[0].Outcome)
	}
	// Daily control, evaluated two days later: stale.
	res, _ = Evaluate(t.Context(), lib, b, EvalOptions{AsOf: evalTime.Add(48 * time.Hour)})
	c := res.Controls[0]
	if c.Outcome != Inconclusive || !c.Stale || !strings.Contains(c.Reason, "stale: test.widget evidence collected 2026-11-01T12:00:00Z is older than 24h0m0s allows (was pass") {
		t.Errorf("stale: %s stale=%v %q", c.Outcome, c.Stale, c.Reason)
	}
	// --max-age overrides the frequency.
	res, _ = Evaluate(t.Context(), lib, b, EvalOptions{AsOf: evalTime.Add(48 * time.Hour), MaxAge: 72 * time.Hour})
	if res.Controls[0].Outcome != Pass {
		t.Errorf("with MaxAge 72h: %s", res.Controls[0].Outcome)
	}
}

func TestManualExpiryWarning(t *testing.T) {
	t.Parallel()
	lib := library(t, `id: M-1
title: t
description: d
severity: medium
owner: o
frequency: annually
mappings: {iso27001: [A.6.3]}
tom: {category: job, statement: {en: e, de: d}}
manual: [{kind: security_training, max_age: 365d}]
remediation: r
`)
	b := bundle(nil, evidence.Resource{Type: ManualType, ID: "t", Attributes: map[string]any{
		"kind": "security_training", "performed_at": "2025-11-20T00:00:00Z", "valid_until": "", "attested_by": "hr",
	}})
	res, _ := Evaluate(t.Context(), lib, b, EvalOptions{})
	if res.Controls[0].Outcome != Pass || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "M-1: security_training evidence expires on 2026-11-20") {
		t.Errorf("outcome %s, warnings %v", res.Controls[0].Outcome, res.Warnings)
	}
}
