package collectors

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
)

// fixedFake declares that every identity.account it emits has system fake.
type fixedFake struct {
	collect func(out Sink) error
}

func (f *fixedFake) Describe() Descriptor {
	return Descriptor{ID: "fixed", Version: 1, Source: "fake", ResourceTypes: []ResourceType{
		{Name: "identity.account", Fixed: map[string]any{"system": "fake"}},
		{Name: "fake.other"},
	}}
}

func (f *fixedFake) Collect(_ context.Context, _ evidence.Target, out Sink) error {
	return f.collect(out)
}

// TestRunRecordsFixedAttributes checks that runs carry the attributes their
// collector fixes, also when they fail, and that a resource breaking the
// promise makes the run partial.
func TestRunRecordsFixedAttributes(t *testing.T) {
	t.Parallel()
	r, dir := newRunner(t)
	target := evidence.Target{Source: "fake", Account: "a"}
	good := &fixedFake{collect: func(out Sink) error {
		out.Emit(evidence.Resource{Type: "identity.account", ID: "1", Attributes: map[string]any{"system": "fake"}})
		return nil
	}}
	failed := &fixedFake{collect: func(Sink) error { return errors.New("unreachable") }}
	liar := &fixedFake{collect: func(out Sink) error {
		out.Emit(evidence.Resource{Type: "identity.account", ID: "2", Attributes: map[string]any{"system": "other"}})
		return nil
	}}
	runs := r.Run(t.Context(), []Job{{good, target}, {failed, evidence.Target{Source: "fake", Account: "b"}}, {liar, evidence.Target{Source: "fake", Account: "c"}}})
	finish(t, r, dir)
	byAccount := map[string]evidence.Run{}
	for _, run := range runs {
		byAccount[run.Target.Account] = run
	}
	for _, acct := range []string{"a", "b", "c"} {
		run := byAccount[acct]
		if got := run.Fixed["identity.account"]["system"]; got != "fake" || len(run.Fixed) != 1 {
			t.Errorf("run on %s: fixed = %v, want identity.account system fake only", acct, run.Fixed)
		}
	}
	if s := byAccount["a"].Status; s != evidence.Complete {
		t.Errorf("good run: %s", s)
	}
	if s := byAccount["b"].Status; s != evidence.Failed {
		t.Errorf("failed run: %s", s)
	}
	liarRun := byAccount["c"]
	if liarRun.Status != evidence.Partial || len(liarRun.Failures) == 0 || !strings.Contains(liarRun.Failures[0].Message, "2 has system other, but the collector declares every identity.account has fake") {
		t.Errorf("run with a resource breaking the fixed attributes: %s %v", liarRun.Status, liarRun.Failures)
	}
}
