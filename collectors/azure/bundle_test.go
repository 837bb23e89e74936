package azure

import (
	"slices"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/internal/sourcetest"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

// TestBundle runs every collector through the real runner into a bundle:
// every run is complete, every resource points at the raw responses it
// came from, the records are named by the read action the collector
// declares, and the bearer token is nowhere in the bundle.
func TestBundle(t *testing.T) {
	t.Parallel()
	st := azurefake.Demo()
	st.PageSize = 2
	srv := serve(t, st, nil)
	src := testSource(srv, 0, 1, 10*time.Second)
	b, dir := sourcetest.Bundle(t, src, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, res := range b.Resources {
		if len(res.Records) == 0 {
			t.Errorf("%s %s points at no raw response", res.Type, res.ID)
		}
	}
	declared := map[string][]string{}
	for _, c := range src.Collectors() {
		d := c.Describe()
		declared[d.ID] = d.Permissions
	}
	seen := map[string]bool{}
	for _, rec := range b.Records {
		seen[rec.Collector] = true
		if !slices.Contains(declared[rec.Collector], rec.Operation) {
			t.Errorf("record of %s named %q, not one of its permissions %v", rec.Collector, rec.Operation, declared[rec.Collector])
		}
	}
	for id := range declared {
		if !seen[id] {
			t.Errorf("%s left no raw response", id)
		}
	}
	sourcetest.NoSecretInFiles(t, dir, azurefake.DemoToken)
}
