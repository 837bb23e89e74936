package controls

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
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
	// Every byte at every place, among plain ones.
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

// manyFindingsResults returns results of three controls with n findings
// each over resources whose strings need escaping now and then, and a
// control without findings between them.
func manyFindingsResults(n int) Results {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var fs []Finding
	for i := range n {
		ref := &ResourceRef{Resource: fmt.Sprintf("arn:x:%07d", i), Name: fmt.Sprintf("n-%d", i), Account: "123456789012",
			Region: "eu-west-1", Records: []string{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
		f := Finding{ResourceRef: ref, Outcome: Pass}
		switch i % 5 {
		case 1:
			f.Outcome, f.Message = Fail, "rule is false"
		case 2:
			ref.Name = "caf\u00e9 <b>&\u2028"
			ref.Records = append(ref.Records, "x")
		case 3:
			ref.Account, ref.Region, ref.Records = "", "", nil
		}
		fs = append(fs, f)
	}
	control := func(id string) ControlResult {
		return ControlResult{ID: id, Outcome: Fail, Evidence: []RequirementResult{
			{Type: "t", Mode: Each, Rule: "r.x", Outcome: Fail, Findings: fs, Scope: []ScopeRef{}},
			{Type: "u", Mode: Each, Rule: "r.y", Outcome: Pass, Scope: []ScopeRef{}},
			{Type: "v", Mode: Each, Rule: "r.z", Outcome: Fail, Findings: fs[:n/2], Scope: []ScopeRef{}},
		}}
	}
	return Results{Schema: ResultsSchema, EvaluatedAt: at, Bundle: BundleInfo{StartedAt: at, FinishedAt: at},
		Controls: []ControlResult{control("A"), {ID: "B", Outcome: Pass}, control("C")}}
}

// TestEncodeConcurrently checks that results cut into runs of findings
// and encoded on several goroutines are byte for byte
// json.MarshalIndent's, whatever the length of a run. It changes
// findingsPerPiece, so it does not run in parallel.
func TestEncodeConcurrently(t *testing.T) {
	r := manyFindingsResults(37)
	want, err := json.MarshalIndent(&r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	defer func(n int) { findingsPerPiece = n }(findingsPerPiece)
	for _, per := range []int{1, 2, 3, 18, 19, 36, 37, 1024} {
		findingsPerPiece = per
		got, err := r.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d findings a piece: Encode differs from json.MarshalIndent", per)
		}
		for _, workers := range []int{1, 2, 5} {
			var buf bytes.Buffer
			if err := encodeConcurrently(&buf, r.Controls, workers); err != nil {
				t.Fatal(err)
			}
			var seq bytes.Buffer
			if err := eachPiece(r.Controls, func(p piece) error { seq.Write(appendPiece(nil, p)); return nil }); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), seq.Bytes()) || !bytes.Contains(want, seq.Bytes()) {
				t.Errorf("%d findings a piece, %d workers: the concurrent encoding differs", per, workers)
			}
		}
	}
}

// failingWriter fails once it has been given more than n bytes.
type failingWriter struct{ n int }

var errWriteFailed = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errWriteFailed
	}
	return len(p), nil
}

// TestEncodeWriteFails checks that a failing writer stops the concurrent
// encoding with its error, wherever it fails.
func TestEncodeWriteFails(t *testing.T) {
	r := manyFindingsResults(3000)
	for _, n := range []int{0, 100, 5000, 300_000, 1_000_000} {
		err := r.Encode(&failingWriter{n: n})
		if !errors.Is(err, errWriteFailed) {
			t.Errorf("failing after %d bytes: got %v, want %v", n, err, errWriteFailed)
		}
	}
}

// FuzzAppendString checks the string encoding of findings against
// encoding/json's for any string: unicode, control characters, HTML
// characters, U+2028 and U+2029, invalid UTF-8.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abcdefgh<", "\u2028\u2029", "\xff\xfe", "caf\u00e9", "\x7f\x00\"\\&>", "arn:aws:s3:::b/k?x=1&y=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	})
}

// FuzzEncodeFinding checks Encode against json.MarshalIndent for results
// whose findings hold arbitrary strings, empty ones (omitted) included.
func FuzzEncodeFinding(f *testing.F) {
	f.Add("arn:a<b>", "n\u2028", "1", "eu-west-1", "abc", "rule is false", "fail", 2)
	f.Add("", "", "", "", "", "", "", 0)
	f.Add("\xff\x00", "\"\\", "&", "\u2029", "\x7f", "\U0001F600", "pass", 3)
	f.Fuzz(func(t *testing.T, resource, name, account, region, record, message, outcome string, records int) {
		ref := &ResourceRef{Resource: resource, Name: name, Account: account, Region: region}
		for range records % 4 {
			ref.Records = append(ref.Records, record)
		}
		fs := []Finding{{ResourceRef: ref, Outcome: Outcome(outcome), Message: message}, {ResourceRef: ref, Outcome: Pass}}
		r := Results{Controls: []ControlResult{{ID: name, Evidence: []RequirementResult{{Type: region, Findings: fs}}}}}
		want, err := json.MarshalIndent(&r, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		// Unchecked as built here, then checked as evaluation and
		// ReadResults leave it.
		for _, state := range []string{"unchecked", "checked"} {
			if state == "checked" {
				ref.checkStrings()
			}
			got, err := r.MarshalIndent()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, append(want, '\n')) {
				t.Errorf("%s: Encode differs from json.MarshalIndent:\n%s\nwant:\n%s", state, got, want)
			}
		}
	})
}

// TestCheckedStrings checks that a reference is plain only when all its
// strings are, that findings over checked references encode as
// encoding/json writes them, and that ReadResults checks the references
// it reads as evaluation does, so that they compare equal.
func TestCheckedStrings(t *testing.T) {
	t.Parallel()
	refs := []*ResourceRef{
		{Resource: "arn:aws:s3:::b", Name: "b", Account: "1", Region: "eu-west-1", Records: []string{"abc", "def"}},
		{Resource: "a<b"},
		{Resource: "a", Name: "\\"},
		{Resource: "a", Account: "\u2028"},
		{Resource: "a", Region: "\x00"},
		{Resource: "a", Records: []string{"ok", "&"}},
		{Resource: "a", Records: []string{"\u00e9\t"}},
	}
	var fs []Finding
	for i, ref := range refs {
		ref.checkStrings()
		if want := map[bool]stringsState{true: allPlain, false: someEscaped}[i == 0]; ref.strings != want {
			t.Errorf("%+v: strings %d, want %d", ref, ref.strings, want)
		}
		fs = append(fs, Finding{ResourceRef: ref, Outcome: Fail, Message: "m"})
	}
	r := Results{Schema: ResultsSchema, Controls: []ControlResult{{ID: "A", Evidence: []RequirementResult{{Type: "t", Findings: fs}}}}}
	want, err := json.MarshalIndent(&r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(want, '\n')) {
		t.Errorf("Encode differs from json.MarshalIndent:\n%s\nwant:\n%s", got, want)
	}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(path, got, 0o600); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Controls, r.Controls) {
		t.Errorf("read back:\n%+v\nwant:\n%+v", back.Controls[0].Evidence[0].Findings, fs)
	}
}
