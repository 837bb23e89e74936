package evidence

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/controls"
)

const pending = "../../accessreview/testdata/pending-controls"

// TestDemoEvidenceAgainstOrgControls collects the demo records with the
// manual source and evaluates the built-in ORG controls against them, at
// two different demo times: the outcomes must not depend on when the demo
// runs.
func TestDemoEvidenceAgainstOrgControls(t *testing.T) {
	t.Parallel()
	types := map[string][]string{}
	for _, c := range manual.NewSource(manual.Config{}).Collectors() {
		for _, rt := range c.Describe().ResourceTypes {
			for _, a := range rt.Attributes {
				types[rt.Name] = append(types[rt.Name], a.Name)
			}
		}
	}
	dirs := []string{"../../controls/library/org"}
	// The controls over manual.evidence wait there until the manual source
	// is registered in collectors/all.
	if _, err := os.Stat(pending); err == nil {
		dirs = append(dirs, pending)
	}
	lib, err := controls.Load(controls.Options{NoBuiltin: true, Dirs: dirs, Types: types})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]controls.Outcome{
		"ORG-ACCESS-001": controls.Pass, "ORG-ACCESS-002": controls.Pass, "ORG-BCP-001": controls.Pass,
		"ORG-COVER-001": controls.Fail, // policy acknowledged by 11 of 12
		"ORG-DR-001":    controls.Fail, // expired
		"ORG-IR-001":    controls.Pass, "ORG-IR-002": controls.Pass, "ORG-NDA-001": controls.Pass,
		"ORG-PENTEST-001": controls.Pass, "ORG-PHYS-001": controls.Pass,
		"ORG-PHYS-002":   controls.ManualOutcome, // never recorded
		"ORG-POLICY-001": controls.Pass, "ORG-PROOF-001": controls.Pass, "ORG-RISK-001": controls.Pass,
		"ORG-SCREEN-001": controls.Pass, "ORG-SDLC-001": controls.Pass, "ORG-TRAIN-001": controls.Pass,
		"ORG-VENDOR-001": controls.Pass,
		"ORG-POLICY-002": controls.Pass, // reuses the policy_acceptance record
	}
	for _, now := range []time.Time{Anchor.Add(36 * time.Hour), time.Date(2031, 7, 4, 15, 4, 5, 0, time.UTC)} {
		dir := filepath.Join(t.TempDir(), "bundle")
		w, err := evidence.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		runner := &collectors.Runner{Writer: w, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
		runs := runner.Collect(t.Context(), []collectors.Source{manual.NewSource(Config(now))}, func(string) bool { return true })
		if len(runs) != 1 || runs[0].Status != evidence.Complete {
			t.Fatalf("runs: %+v", runs)
		}
		if err := w.Close(evidence.Manifest{StartedAt: now, FinishedAt: now}); err != nil {
			t.Fatal(err)
		}
		b, err := evidence.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.VerifyRaw(); err != nil {
			t.Fatal(err)
		}
		res, err := controls.Evaluate(t.Context(), lib, b, controls.EvalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Controls the demo has no record for need a human attestation.
		got, all := map[string]controls.Outcome{}, map[string]controls.Outcome{}
		for _, c := range res.Controls {
			got[c.ID] = c.Outcome
			all[c.ID] = controls.ManualOutcome
		}
		for id, o := range want {
			all[id] = o
		}
		if diff := cmp.Diff(all, got); diff != "" {
			t.Errorf("at %s (-want +got):\n%s", now, diff)
		}
	}
}
