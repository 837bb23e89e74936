package controls

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// TestEncodeMatchesMarshalIndent checks that the streamed encoding of
// results is byte for byte json.MarshalIndent's, with no controls, one,
// and several with findings, params and characters JSON escapes.
func TestEncodeMatchesMarshalIndent(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ref := &ResourceRef{Resource: "arn:a<b>&c", Name: "n\u2028\"x\"", Account: "1", Records: []string{"abc"}}
	control := func(id string) ControlResult {
		return ControlResult{
			ID: id, Title: "T <script>", Severity: "high", Outcome: Fail, Reason: "1 of 2 fail: a\tb",
			Mappings: Mappings{SOC2: []string{"CC6.1"}}, Params: map[string]any{"z": 1, "a": []any{"x", 2.5}},
			Evidence: []RequirementResult{{
				Type: "t", Mode: Each, Rule: `r.x == "<y>"`, Outcome: Fail, Counts: Counts{Resources: 2, Pass: 1, Fail: 1},
				Findings: []Finding{{ResourceRef: ref, Outcome: Pass}, {ResourceRef: ref, Outcome: Fail, Message: "rule is false"}},
				Scope:    []ScopeRef{{Collector: "c", Target: evidence.Target{Source: "aws"}, Status: evidence.Complete}},
			}, {
				Type: "u", Mode: Count, Rule: "count == 0", Outcome: Pass, Code: CodeRuleTrue,
				Scope: []ScopeRef{},
			}, {
				Type: "v", Mode: Any, Rule: "r.y", Outcome: Inconclusive, Code: CodeRuleError,
				Findings: []Finding{
					{ResourceRef: &ResourceRef{Resource: "bare"}, Outcome: Inconclusive, Message: "where: no such key: y\x00\xff \u2029"},
					{ResourceRef: &ResourceRef{Resource: "r", Region: "eu-west-1", Records: []string{"a", "b", "c"}}, Outcome: Pass},
					{ResourceRef: &ResourceRef{Resource: "\u00e9\t", Name: "n"}, Outcome: Waived, Message: "rule is false; waived by W-1 until 2026-01-01: <r>"},
				},
				Scope: []ScopeRef{},
			}},
		}
	}
	base := Results{
		Schema: ResultsSchema, AttestVersion: "v1", EvaluatedAt: at,
		Bundle:     BundleInfo{StartedAt: at, FinishedAt: at, Resources: 2},
		Frameworks: []FrameworkResult{{ID: "soc2", Requirements: []RequirementRollup{{ID: "CC6.1", Controls: []string{"A"}}}}},
		Scope:      []evidence.Run{{Collector: "c", ResourceTypes: []string{"t"}}},
		Warnings:   []string{"w"},
	}
	for name, cs := range map[string][]ControlResult{
		"none":    {},
		"nil":     nil,
		"one":     {control("A")},
		"several": {control("A"), control("B"), {ID: "C", Outcome: Pass}},
	} {
		r := base
		r.Controls = cs
		want, err := json.MarshalIndent(&r, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		got, err := r.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Encode differs from json.MarshalIndent:\n%s\nwant:\n%s", name, got, want)
		}
		path := filepath.Join(t.TempDir(), "results.json")
		if err := r.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		if data, err := os.ReadFile(path); err != nil || !bytes.Equal(data, want) {
			t.Errorf("%s: WriteFile wrote other bytes (%v)", name, err)
		}
	}
}

// TestAppendString checks the string encoding of findings against
// encoding/json's, HTML escaping included.
func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain-ascii 123", "a<b>&c", "quote\"back\\slash", "\x00\x01\x1f\b\f\n\r\t", "\x7f",
		"caf\u00e9", "\u2028\u2029", "bad \xff\xfe utf8", "\U0001F600", "arn:aws:s3:::bucket/key?x=1"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
	// Every byte at every place of a word and of the tail, among plain
	// ones: plain looks at eight bytes at a time.
	for c := range 256 {
		for at := range 19 {
			s := []byte("abcdefghijklmnopqrs")
			s[at] = byte(c)
			want, _ := json.Marshal(string(s))
			if got := appendString(nil, string(s)); !bytes.Equal(got, want) {
				t.Errorf("%q: got %s, want %s", s, got, want)
			}
		}
	}
}
