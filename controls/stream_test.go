package controls

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// streamLibrary is a library of every mode, a where, a count and a manual
// requirement over test.widget.
func streamLibrary(t *testing.T) *Library {
	t.Helper()
	manual := `id: T-MAN
title: t
description: d
severity: low
owner: o
frequency: daily
mappings: {soc2: [CC6.1]}
tom: {category: data-access, statement: {en: e, de: d}}
manual:
  - kind: security_training
    max_age: 365d
remediation: r
`
	return library(t,
		control("T-EACH", "each", "", "r.encrypted"),
		control("T-WHERE", "each", "r.size > 500", "r.encrypted && resource.account != \"\""),
		control("T-ANY", "any", "", `r.tags.exists(x, x == "prod")`),
		control("T-COUNT", "count", "!r.encrypted", "count <= 10"),
		control("T-UNKNOWN", "each", "", "r.owner != \"\""),
		manual)
}

// writeStreamBundle writes n widgets in reverse bundle order, so that the
// evaluation must put them back in order: every 13th unencrypted, every
// 7th without an owner (inconclusive), every 50th with a gap, names that
// repeat across accounts, and two manual records of one kind.
func writeStreamBundle(t *testing.T, dir string, n int) {
	t.Helper()
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := n - 1; i >= 0; i-- {
		attrs := map[string]any{"encrypted": i%13 != 0, "size": i % 1000, "tags": []any{"eu"}, "created": "2026-01-01T00:00:00Z"}
		if i%7 != 0 {
			attrs["owner"] = "team"
		}
		if i == n/2 {
			attrs["tags"] = []any{"prod"}
		}
		r := evidence.Resource{Type: "test.widget", ID: fmt.Sprintf("w-%05d", i), Name: fmt.Sprintf("name-%d", i%(n/3)),
			Account: fmt.Sprintf("acct-%d", i%3), Region: "eu-west-1", Attributes: attrs, Records: []string{"sha"},
			Collector: "test", CollectedAt: evalTime}
		if i%50 == 0 {
			r.Gaps = []evidence.Gap{{Attribute: "owner", Kind: evidence.Denied, Operation: "test:Get", Permission: "test:Get"}}
		}
		if err := w.WriteResource(r); err != nil {
			t.Fatal(err)
		}
	}
	for i, at := range []string{"2026-06-01T00:00:00Z", "2026-03-01T00:00:00Z"} {
		if err := w.WriteResource(evidence.Resource{Type: ManualType, ID: fmt.Sprintf("m-%d", i), Attributes: map[string]any{
			"kind": "security_training", "performed_at": at, "attested_by": "ciso@example.com"}}); err != nil {
			t.Fatal(err)
		}
	}
	w.AddRun(evidence.Run{Collector: "test", Target: evidence.Target{Source: "test"}, ResourceTypes: []string{"test.widget"},
		Status: evidence.Complete, FinishedAt: evalTime})
	if err := w.Close(evidence.Manifest{StartedAt: evalTime.Add(-time.Minute), FinishedAt: evalTime}); err != nil {
		t.Fatal(err)
	}
}

// TestEvaluateDirMatchesEvaluate checks that evaluating a bundle read as a
// stream gives byte for byte the results of evaluating it opened in memory,
// that both put findings and labels in bundle order whatever the order of
// the file, and that the gapped resources the gate needs come back.
func TestEvaluateDirMatchesEvaluate(t *testing.T) {
	t.Parallel()
	lib := streamLibrary(t)
	dir := filepath.Join(t.TempDir(), "bundle")
	const n = 3000 // several batches per worker
	writeStreamBundle(t, dir, n)
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := EvalOptions{Waivers: []Waiver{{ID: "W-1", Control: "T-EACH", Resources: []string{"w-00013"}, Reason: "r", Owner: "o",
		ApprovedBy: "a", created: evalTime.Add(-time.Hour), expires: evalTime.Add(time.Hour)}}}
	mem, err := Evaluate(t.Context(), lib, b, opts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := mem.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		res, gapped, err := EvaluateDir(t.Context(), lib, dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := res.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("EvaluateDir differs from Evaluate:\n%s", firstDiff(got, want))
		}
		if len(gapped) != n/50 || gapped[0].ID != "w-00000" || gapped[0].Attributes != nil || len(gapped[0].Gaps) != 1 {
			t.Fatalf("gapped: %d resources, first %+v", len(gapped), gapped[0])
		}
	}
	byID := map[string]ControlResult{}
	for _, c := range mem.Controls {
		byID[c.ID] = c
	}
	each := byID["T-EACH"].Evidence[0]
	if !strings.HasPrefix(each.Reason, "230 of 3000 test.widget fail: name-0 (acct-0/eu-west-1), name-39 (acct-0/eu-west-1), name-78 (acct-0/eu-west-1)") {
		t.Errorf("T-EACH reason %q: want the first failures in bundle order, labelled with account and region (names repeat)", each.Reason)
	}
	if each.Code != CodeRuleFalse || each.Counts.Waived != 1 || each.Counts.Fail != 230 || len(each.Findings) != n {
		t.Errorf("T-EACH: code %s, counts %+v, %d findings", each.Code, each.Counts, len(each.Findings))
	}
	if !slices.IsSortedFunc(each.Findings, func(a, b Finding) int {
		return strings.Compare(a.Account+"/"+a.Resource, b.Account+"/"+b.Resource)
	}) {
		t.Error("T-EACH findings are not in bundle order")
	}
	if c := byID["T-COUNT"].Evidence[0]; c.Outcome != Fail || c.Code != CodeRuleFalse || len(c.Findings) != 231 || c.Findings[0].Message != "counted" {
		t.Errorf("T-COUNT: %s %s %q, %d findings", c.Outcome, c.Code, c.Reason, len(c.Findings))
	}
	if c := byID["T-ANY"]; c.Outcome != Pass || c.Code != CodeRuleTrue {
		t.Errorf("T-ANY: %s %s %q", c.Outcome, c.Code, c.Reason)
	}
	if c := byID["T-UNKNOWN"]; c.Code != CodeRuleError || !strings.Contains(c.Reason, "name-0 (acct-0/eu-west-1): no such key: owner; owner not collected (denied test:Get, needs test:Get)") {
		t.Errorf("T-UNKNOWN: %s %q", c.Code, c.Reason)
	}
	if m := byID["T-MAN"].Manual[0]; m.Record != "m-0" || m.Code != CodeAttested {
		t.Errorf("T-MAN: the newest record decides: %+v", m)
	}
}

// TestEvaluateDirErrors checks that a directory without a manifest, and a
// malformed resource line, are errors naming the file and line.
func TestEvaluateDirErrors(t *testing.T) {
	t.Parallel()
	lib := streamLibrary(t)
	if _, _, err := EvaluateDir(t.Context(), lib, t.TempDir(), EvalOptions{}); err == nil || !strings.Contains(err.Error(), "is not a bundle") {
		t.Errorf("empty directory: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	writeStreamBundle(t, dir, 30)
	path := filepath.Join(dir, evidence.ResourcesFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, "{not json\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := EvaluateDir(t.Context(), lib, dir, EvalOptions{}); err == nil || !strings.Contains(err.Error(), "resources.jsonl:33:") {
		t.Errorf("malformed line: %v", err)
	}
}

// TestEvaluateDirReadSets checks that EvaluateDir decodes what rules read:
// only r.NAME attributes for a type whose rules name them (created, which
// no rule of streamLibrary reads, is skipped there), every attribute when
// a rule reads r as a whole.
func TestEvaluateDirReadSets(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "bundle")
	writeStreamBundle(t, dir, 40)
	for _, c := range []struct {
		rule    string
		outcome Outcome
	}{
		{`"created" in r`, Pass},
		{`r.size() >= 4`, Pass},
		{`r.created == "2026-01-01T00:00:00Z"`, Pass},
		{`!("created" in r)`, Fail},
	} {
		lib := library(t, control("T-READ", "each", "", c.rule))
		res, _, err := EvaluateDir(t.Context(), lib, dir, EvalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Controls[0].Outcome; got != c.outcome {
			t.Errorf("%s: %s (%s), want %s", c.rule, got, res.Controls[0].Reason, c.outcome)
		}
	}
}

// TestCodesInSchema checks that results.schema.json lists exactly the
// reason codes.
func TestCodesInSchema(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("results.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs struct {
			Code struct {
				Enum []Code `json:"enum"`
			} `json:"code"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Defs.Code.Enum, Codes) {
		t.Errorf("schema codes %v, want %v", s.Defs.Code.Enum, Codes)
	}
}

// firstDiff shows where two documents first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < min(len(a), len(b)) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return fmt.Sprintf("at byte %d:\n got: %s\nwant: %s", i, a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
}
