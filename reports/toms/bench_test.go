package toms

import (
	"fmt"
	"testing"

	"github.com/attestdev/attest/controls"
)

// BenchmarkRenderTOMs builds and renders a TOMs document with 200
// measures and 50 subprocessors; the target is well under a second.
func BenchmarkRenderTOMs(b *testing.B) {
	lib := &controls.Library{}
	res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: evaluatedAt}
	for i := range 200 {
		id := fmt.Sprintf("GEN-%03d", i)
		cat := controls.TOMCategories[i%len(controls.TOMCategories)]
		gdpr := []string{art32IDs[i%len(art32IDs)]}
		lib.Controls = append(lib.Controls, &controls.Control{ID: id, TOM: controls.TOM{Category: cat, Statement: controls.Statement{
			EN: fmt.Sprintf("Measure %d: access to production systems requires multi-factor authentication and is reviewed every quarter.", i),
			DE: fmt.Sprintf("Maßnahme %d: Der Zugang zu Produktivsystemen erfordert Mehr-Faktor-Authentisierung und wird vierteljährlich überprüft.", i),
		}}})
		outcome := controls.Pass
		if i%7 == 0 {
			outcome = controls.Fail
		}
		res.Controls = append(res.Controls, controls.ControlResult{ID: id, Outcome: outcome, TOMCategory: cat, Mappings: controls.Mappings{GDPR: gdpr},
			Evidence: []controls.RequirementResult{{Type: "aws.s3.bucket", Outcome: outcome, Counts: controls.Counts{Resources: 12}}}})
	}
	in := Input{Lang: "de", Company: testCompany(), Subprocessors: testSubprocessors(50)}
	b.ReportAllocs()
	for b.Loop() {
		d, err := Build(lib, res, in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := RenderTOMs(d); err != nil {
			b.Fatal(err)
		}
	}
}
