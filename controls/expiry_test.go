package controls

import (
	"testing"
	"time"
)

func TestManualExpiry(t *testing.T) {
	day := 24 * time.Hour
	performed := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		maxAge     time.Duration
		validUntil time.Time
		want       time.Time
	}{
		{"max age only", 30 * day, time.Time{}, performed.Add(30 * day)},
		{"valid_until earlier", 30 * day, performed.Add(7 * day), performed.Add(7 * day)},
		{"valid_until later", 30 * day, performed.Add(90 * day), performed.Add(30 * day)},
		{"no max age", 0, performed.Add(90 * day), performed.Add(90 * day)},
		{"unbounded", 0, time.Time{}, time.Time{}},
	} {
		if got := ManualExpiry(performed, tc.maxAge, tc.validUntil); !got.Equal(tc.want) {
			t.Errorf("%s: ManualExpiry = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestManualStatus(t *testing.T) {
	lib := &Library{Controls: []*Control{
		{ID: "B-1", Manual: []Manual{{Kind: "training", MaxAge: "365d"}, {Kind: "pentest", MaxAge: "365d"}}},
		{ID: "A-1", Manual: []Manual{{Kind: "training", MaxAge: "30d"}, {Kind: "dr_test", MaxAge: "365d"}}},
	}}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	rows := lib.ManualStatus([]ManualRecord{
		{Kind: "training", File: "training.yaml", PerformedAt: now.Add(-10 * 24 * time.Hour)},
		{Kind: "pentest", File: "pentest.yaml", PerformedAt: now.Add(-400 * 24 * time.Hour)},
		{Kind: "nda", File: "nda.yaml", PerformedAt: now.Add(-24 * time.Hour)},
	}, now)
	type row struct {
		kind, status, maxAge string
		controls             int
		daysLeft             int
	}
	var got []row
	for _, r := range rows {
		got = append(got, row{r.Kind, r.Status, r.MaxAge, len(r.Controls), r.DaysLeft})
	}
	want := []row{
		{"dr_test", "missing", "365d", 1, 0},
		{"pentest", "expired", "365d", 1, -35},
		{"training", "valid", "30d", 2, 20}, // the shortest max_age of A-1 and B-1
		{"nda", "unused", "", 0, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("ManualStatus = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
