package gate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/diff"
)

func scope(status evidence.RunStatus, target string, fs ...evidence.Failure) controls.ScopeRef {
	src, acct, _ := strings.Cut(target, "/")
	return controls.ScopeRef{Collector: src, Target: evidence.Target{Source: src, Account: acct}, Status: status, Failures: fs}
}

func results() *controls.Results {
	inc := func(id string, sev controls.Severity, rr ...controls.RequirementResult) controls.ControlResult {
		return controls.ControlResult{ID: id, Severity: sev, Outcome: controls.Inconclusive, Evidence: rr}
	}
	req := func(typ string, sc ...controls.ScopeRef) controls.RequirementResult {
		return controls.RequirementResult{Type: typ, Outcome: controls.Inconclusive, Scope: sc}
	}
	return &controls.Results{Controls: []controls.ControlResult{
		{ID: "A-PASS", Severity: controls.Critical, Outcome: controls.Pass},
		{ID: "A-FAIL", Severity: controls.High, Outcome: controls.Fail},
		{ID: "A-FAIL-LOW", Severity: controls.Low, Outcome: controls.Fail},
		inc("B-DENIED", controls.High, req("aws.iam.user", scope(evidence.Failed, "aws/111",
			evidence.Failure{Kind: evidence.Denied, Operation: "iam:GenerateCredentialReport", Permission: "iam:GenerateCredentialReport"}))),
		inc("B-THROTTLED", controls.Critical, req("github.repository", scope(evidence.Partial, "github/acme",
			evidence.Failure{Kind: evidence.Throttled, Operation: "GET /orgs/{org}/repos"}))),
		inc("B-UNREACHABLE", controls.Medium, req("tls.endpoint", scope(evidence.Failed, "tls/127.0.0.1:1",
			evidence.Failure{Kind: evidence.Timeout, Message: "dial tcp: connection refused"}))),
		inc("B-GAP", controls.High, controls.RequirementResult{Type: "aws.s3.bucket", Outcome: controls.Inconclusive,
			Scope:    []controls.ScopeRef{scope(evidence.Complete, "aws/111")},
			Findings: []controls.Finding{{ResourceRef: &controls.ResourceRef{Resource: "arn:aws:s3:::b", Account: "111"}, Outcome: controls.Inconclusive}}}),
		{ID: "B-MANUAL", Severity: controls.High, Outcome: controls.Inconclusive,
			Manual: []controls.ManualResult{{Kind: "pen_test", Outcome: controls.Inconclusive}}},
		{ID: "B-STALE", Severity: controls.High, Outcome: controls.Inconclusive, Stale: true,
			Evidence: []controls.RequirementResult{{Type: "gcp.project", Outcome: controls.Inconclusive, Stale: true}}},
	}}
}

var resources = []evidence.Resource{{Type: "aws.s3.bucket", ID: "arn:aws:s3:::b", Account: "111",
	Gaps: []evidence.Gap{{Attribute: "policy", Kind: evidence.Denied, Operation: "s3:GetBucketPolicy", Permission: "s3:GetBucketPolicy"}}}}

func TestCheck(t *testing.T) {
	t.Parallel()
	v := Check(results(), Options{FailOn: controls.High, Resources: resources})
	if v.Pass() {
		t.Fatal("the gate passed with failures and inconclusive controls")
	}
	if diff := cmp.Diff([]string{"A-FAIL"}, v.Failed); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
	want := []Unevaluated{
		{Control: "B-DENIED", Severity: controls.High, Gating: true, Causes: []Cause{{Denied, "iam:GenerateCredentialReport"}}},
		{Control: "B-THROTTLED", Severity: controls.Critical, Gating: true, Causes: []Cause{{Throttled, "GET /orgs/{org}/repos on github/acme"}}},
		{Control: "B-UNREACHABLE", Severity: controls.Medium, Causes: []Cause{{Unreachable, "tls/127.0.0.1:1"}}},
		{Control: "B-GAP", Severity: controls.High, Gating: true, Causes: []Cause{{Denied, "s3:GetBucketPolicy"}}},
		{Control: "B-MANUAL", Severity: controls.High, Gating: true, Causes: []Cause{{Missing, "manual evidence pen_test"}}},
		{Control: "B-STALE", Severity: controls.High, Gating: true, Causes: []Cause{{Stale, "gcp.project"}}},
	}
	if diff := cmp.Diff(want, v.Unevaluated); diff != "" {
		t.Errorf("unevaluated (-want +got):\n%s", diff)
	}
	msg := v.Message()
	for _, s := range []string{
		"1 control(s) failed at or above severity high: A-FAIL",
		"6 control(s) could not be evaluated",
		"  denied (2):", "    iam:GenerateCredentialReport: B-DENIED", "    s3:GetBucketPolicy: B-GAP",
		"  throttled (1):", "  unreachable (1):", "    tls/127.0.0.1:1: B-UNREACHABLE",
		"  missing (1):", "  stale (1):",
		"5 control(s) inconclusive at or above severity high fail the gate (1 rest on stale evidence): B-DENIED, B-THROTTLED, B-GAP, B-MANUAL, B-STALE",
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
	// Kinds are listed in a fixed order.
	if strings.Index(msg, "denied (") > strings.Index(msg, "throttled (") || strings.Index(msg, "missing (") > strings.Index(msg, "stale (") {
		t.Errorf("kinds out of order:\n%s", msg)
	}

	// Without the bundle, a gap is missing evidence of its type.
	v = Check(results(), Options{FailOn: controls.High})
	for _, u := range v.Unevaluated {
		if u.Control == "B-GAP" && !cmp.Equal(u.Causes, []Cause{{Missing, "aws.s3.bucket"}}) {
			t.Errorf("B-GAP without resources: %v", u.Causes)
		}
	}
}

func TestCheckOptOutAndSeverity(t *testing.T) {
	t.Parallel()
	res := results()
	res.Controls = res.Controls[3:] // only inconclusive controls
	if v := Check(res, Options{FailOn: controls.High}); v.Pass() {
		t.Error("inconclusive controls at or above high passed the gate")
	}
	v := Check(res, Options{FailOn: controls.High, AllowInconclusive: true})
	if !v.Pass() || !strings.Contains(v.Message(), "--allow-inconclusive is set") {
		t.Errorf("allowed: pass=%v\n%s", v.Pass(), v.Message())
	}
	v = Check(&controls.Results{Controls: res.Controls[2:3]}, Options{FailOn: controls.High}) // B-UNREACHABLE, medium
	if !v.Pass() || !strings.Contains(v.Message(), "none of them is at or above severity high") {
		t.Errorf("below fail-on: pass=%v\n%s", v.Pass(), v.Message())
	}
	// A failure still fails when inconclusive ones are allowed.
	if v := Check(results(), Options{FailOn: controls.High, AllowInconclusive: true}); v.Pass() {
		t.Error("--allow-inconclusive let a failure pass")
	}
	if v := Check(&controls.Results{}, Options{FailOn: controls.Low}); !v.Pass() || v.Message() != "" {
		t.Errorf("empty results: pass=%v msg=%q", v.Pass(), v.Message())
	}
}

func TestDrift(t *testing.T) {
	t.Parallel()
	cur := results()
	old := results()
	for i := range old.Controls {
		if old.Controls[i].ID != "B-DENIED" { // already inconclusive in the baseline
			old.Controls[i].Outcome = controls.Pass
		}
		if old.Controls[i].ID == "A-FAIL" {
			old.Controls[i].Outcome = controls.Fail
		}
	}
	v := Drift(diff.Compare(old, cur), cur, Options{FailOn: controls.High, Resources: resources})
	if v.Pass() {
		t.Fatal("newly inconclusive controls passed the drift gate")
	}
	if len(v.Failed) != 0 {
		t.Errorf("regressions = %v, want none (A-FAIL failed before)", v.Failed)
	}
	if diff := cmp.Diff([]string{"B-GAP", "B-MANUAL", "B-STALE", "B-THROTTLED"}, v.Gating()); diff != "" {
		t.Errorf("gating (-want +got):\n%s", diff)
	}
	if msg := v.Message(); !strings.Contains(msg, "newly could not be evaluated") || !strings.Contains(msg, "4 control(s) newly inconclusive at or above severity high fail the gate") {
		t.Errorf("message:\n%s", msg)
	}
	if v := Drift(diff.Compare(old, cur), cur, Options{FailOn: controls.High, AllowInconclusive: true}); !v.Pass() {
		t.Errorf("allowed drift failed:\n%s", v.Message())
	}
	if v := Drift(diff.Compare(cur, cur), cur, Options{FailOn: controls.Low}); !v.Pass() {
		t.Errorf("no drift failed:\n%s", v.Message())
	}
}

func TestCollect(t *testing.T) {
	t.Parallel()
	runs := []evidence.Run{
		{Collector: "aws.iam", Target: evidence.Target{Source: "aws", Account: "111"}, Status: evidence.Complete},
		{Collector: "aws.s3", Target: evidence.Target{Source: "aws", Account: "111", Region: "eu-west-1"}, Status: evidence.Partial,
			Failures: []evidence.Failure{{Kind: evidence.Throttled, Operation: "s3:GetBucketPolicy", Permission: "s3:GetBucketPolicy"}}},
		{Collector: "github.org", Target: evidence.Target{Source: "github", Account: "acme"}, Status: evidence.Failed,
			Failures: []evidence.Failure{{Kind: evidence.Denied, Permission: "read:org"}}},
		{Collector: "tls.endpoint", Target: evidence.Target{Source: "tls", Account: "a.example:443"}, Status: evidence.Failed},
	}
	c := Collect(runs)
	if c.Pass() || c.Incomplete != 3 || c.Runs != 4 {
		t.Fatalf("verdict %+v", c)
	}
	msg := c.Message()
	for _, s := range []string{"3 of 4 collector runs did not complete (2 failed, 1 partial)",
		"  denied:", "    read:org: github.org github/acme", "  throttled:", "    s3:GetBucketPolicy: aws.s3 aws/111/eu-west-1",
		"  unreachable:", "    tls/a.example:443: tls.endpoint tls/a.example:443"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
	if c := Collect(runs[:1]); !c.Pass() || c.Message() != "" {
		t.Errorf("complete collection: %+v %q", c, c.Message())
	}
}
