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
