package toms

import (
	"strings"
	"testing"

	"github.com/attestdev/attest/controls"
)

// TestLibraryCasesInDocuments ties every built-in control's test cases to
// the TOMs document in both languages. The cases are the edited evidence
// that breaks or proves each part of a statement, so:
//
//   - a case whose control does not pass never shows its statement as in
//     place (a broken statement is never claimed);
//   - a passing case always shows it in place (a proven statement is never
//     marked "not verified"), as "verified automatically" only when some
//     API evidence stands behind it and as "attested" when only manual
//     records do;
//   - a not applicable case leaves the measure out.
func TestLibraryCasesInDocuments(t *testing.T) {
	t.Parallel()
	lib, err := controls.Load(controls.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, c := range lib.Controls {
		if c.TOM.Category == "" {
			continue
		}
		onlyManual := len(c.Evidence) == 0 || allManual(c.Evidence)
		for i := range c.Tests {
			tc := &c.Tests[i]
			cases++
			t.Run(c.ID+"/"+tc.Name, func(t *testing.T) {
				t.Parallel()
				b, err := tc.Bundle(c)
				if err != nil {
					t.Fatal(err)
				}
				one := &controls.Library{Frameworks: lib.Frameworks, Controls: []*controls.Control{c}}
				opts := controls.EvalOptions{AttestVersion: "test"}
				if len(tc.Params) > 0 {
					opts.Params = map[string]map[string]any{c.ID: tc.Params}
				}
				res, err := controls.Evaluate(t.Context(), one, b, opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, lang := range []string{"en", "de"} {
					d, err := Build(one, res, Input{Lang: lang})
					if err != nil {
						t.Fatal(err)
					}
					var m *Measure
					for _, x := range d.Measures {
						if x.ControlID == c.ID {
							m = x
						}
					}
					got := res.Controls[0].Outcome
					switch got {
					case controls.NotApplicable:
						if m != nil {
							t.Errorf("%s: not applicable, but the document lists the measure (%v)", lang, m.Status)
						}
					case controls.Pass:
						if m == nil || !m.Status.InPlace() {
							t.Fatalf("%s: the control passed, but the measure is not in place", lang)
						}
						if onlyManual && m.Status != Attested {
							t.Errorf("%s: only manual records stand behind the measure, but it is %v, not attested", lang, m.Status)
						}
						if !onlyManual && m.Status != Verified {
							t.Errorf("%s: API evidence stands behind the measure, but it is %v, not verified", lang, m.Status)
						}
					default:
						if m != nil && m.Status.InPlace() {
							t.Errorf("%s: the control is %s, but the document states the measure in place", lang, got)
						}
					}
				}
			})
		}
	}
	if cases < 100 {
		t.Fatalf("ran %d cases; the library's test cases did not load", cases)
	}
}

// allManual reports whether every evidence requirement reads records the
// company keeps: manual evidence or the subprocessor register.
func allManual(reqs []controls.Requirement) bool {
	for _, r := range reqs {
		if r.Type != ManualType && !strings.HasPrefix(r.Type, RegisterTypePrefix) {
			return false
		}
	}
	return true
}
