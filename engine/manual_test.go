package engine

import (
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/controls"
)

func TestManualExpiries(t *testing.T) {
	t.Parallel()
	lib, err := controls.Load(controls.Options{NoBuiltin: true, Dirs: []string{"../controls/library/org"}})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(file, kind, at, until string) *manual.Record {
		y := "kind: " + kind + "\ntitle: t\nperformed_at: " + at + "\nattested_by: x\n"
		if until != "" {
			y += "valid_until: " + until + "\n"
		}
		r, err := manual.Parse(file, []byte(y))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	recs := []*manual.Record{
		mk("a.yaml", "dr_test", "2025-01-10", ""),                    // 365d: expired 2026-01-10
		mk("b.yaml", "penetration_test", "2025-03-01", "2026-02-20"), // valid_until first
		mk("c.yaml", "access_review", "2026-01-15", ""),              // 92d
		mk("d.yaml", "access_review", "2025-10-01", ""),              // superseded
		mk("e.yaml", "coffee_tasting", "2026-01-01", ""),             // no control asks
	}
	rows := ManualExpiries(lib, recs, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	got := map[string]string{}
	for _, r := range rows {
		got[r.Kind] = r.Status + " " + r.File
		if r.Status != "missing" && r.Status != "unused" {
			got[r.Kind] += " " + r.ExpiresAt.Format(time.DateOnly)
		}
	}
	for kind, want := range map[string]string{
		"dr_test": "expired a.yaml 2026-01-10", "penetration_test": "valid b.yaml 2026-02-20",
		"access_review": "valid c.yaml 2026-04-17", "coffee_tasting": "unused e.yaml",
		"office_access_review": "missing ",
	} {
		if got[kind] != want {
			t.Errorf("%s: %q, want %q", kind, got[kind], want)
		}
	}
	if rows[0].Status != "missing" || rows[len(rows)-1].Kind != "coffee_tasting" {
		t.Errorf("order: first %s, last %s", rows[0].Kind, rows[len(rows)-1].Kind)
	}
}
