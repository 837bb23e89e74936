package controls

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// BenchmarkEncodeResults measures Encode on results of 20 controls with
// 50,000 findings each (about 390 MB of JSON) written to io.Discard; run
// with -cpu 1 and 2 to see the concurrent encoding.
func BenchmarkEncodeResults(b *testing.B) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const nControls, perControl = 20, 50_000
	refs := make([]*ResourceRef, perControl)
	for i := range refs {
		refs[i] = &ResourceRef{Resource: fmt.Sprintf("arn:bench:bench.type01:eu-west-1:100000000001/res-%07d", i),
			Name: fmt.Sprintf("res-%07d", i), Account: "100000000001", Region: "eu-west-1",
			Records: []string{fmt.Sprintf("%064x", i/100)}}
	}
	r := Results{Schema: ResultsSchema, EvaluatedAt: at, Bundle: BundleInfo{StartedAt: at, FinishedAt: at}}
	for c := range nControls {
		fs := make([]Finding, perControl)
		for i := range fs {
			fs[i] = Finding{ResourceRef: refs[i], Outcome: Pass}
			if i%13 == 0 {
				fs[i].Outcome, fs[i].Message = Fail, "rule is false"
			}
		}
		r.Controls = append(r.Controls, ControlResult{ID: fmt.Sprintf("B-%03d", c), Outcome: Fail,
			Evidence: []RequirementResult{{Type: "bench.type01", Mode: Each, Rule: "r.encrypted", Outcome: Fail, Findings: fs, Scope: []ScopeRef{}}}})
	}
	var n countingWriter
	if err := r.Encode(&n); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for b.Loop() {
		if err := r.Encode(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// countingWriter counts the bytes written to it.
type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
