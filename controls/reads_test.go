package controls

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

func TestLibraryReads(t *testing.T) {
	t.Parallel()
	lib := library(t,
		control("T-1", "each", "", "r.encrypted"),
		control("T-2", "each", "r.encrypted", "r.size < 100"),
		control("T-3", "each", `r.owner == "x"`, "has(r.tags)"),
		control("T-4", "each", "r.created", "r.size > 0"),
	)
	want := evidence.Reads{"test.widget": {
		"encrypted": {All: true},
		"size":      {Where: []string{"created", "encrypted"}},
		"created":   {All: true},
		"owner":     {All: true},
		"tags":      {All: true},
	}}
	if diff := cmp.Diff(want, lib.Reads()); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
	whole := library(t, control("T-5", "each", "", `size(r) > 1 && r["size"] > 0`))
	want = evidence.Reads{"test.widget": {evidence.AllAttributes: {All: true}}}
	if diff := cmp.Diff(want, whole.Reads()); diff != "" {
		t.Errorf("reads of a rule using r as a whole (-want +got):\n%s", diff)
	}
}

// TestEvaluateUncollected checks that a rule reading an attribute the run
// left uncollected is inconclusive, even when the rule would pass on the
// missing value, unless the run collected it of every resource the where
// selects.
func TestEvaluateUncollected(t *testing.T) {
	t.Parallel()
	res := widget("w1", map[string]any{"encrypted": true, "size": 1})
	tests := []struct {
		name, where string
		left        []evidence.Uncollected
		want        Outcome
	}{
		{"collected", "", nil, Pass},
		{"left out", "", []evidence.Uncollected{{Type: "test.widget", Attribute: "tags"}}, Inconclusive},
		{"left out of another type", "", []evidence.Uncollected{{Type: "test.other", Attribute: "tags"}}, Pass},
		{"left out of another attribute", "", []evidence.Uncollected{{Type: "test.widget", Attribute: "owner"}}, Pass},
		{"collected where the where selects", "r.encrypted", []evidence.Uncollected{{Type: "test.widget", Attribute: "tags", Except: "encrypted"}}, Pass},
		{"collected where another where selects", "r.encrypted", []evidence.Uncollected{{Type: "test.widget", Attribute: "tags", Except: "created"}}, Inconclusive},
		{"collected only where, read of all", "", []evidence.Uncollected{{Type: "test.widget", Attribute: "tags", Except: "encrypted"}}, Inconclusive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lib := library(t, control("T-1", "each", tt.where, "!has(r.tags)"))
			rn := run(evidence.Complete)
			rn.Uncollected = tt.left
			res, err := Evaluate(t.Context(), lib, bundle([]evidence.Run{rn}, res), EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Controls[0].Outcome; got != tt.want {
				t.Errorf("outcome = %s (%s), want %s", got, res.Controls[0].Reason, tt.want)
			}
		})
	}
}
