package engine

import (
	"slices"
	"time"

	"github.com/attestdev/attest/controls"
)

// The states of a waiver at a time (WaiverRows).
const (
	WaiverActive    = "active"
	WaiverExpired   = "expired"
	WaiverNotActive = "not yet active"
)

// A WaiverRow is one waiver with its state at the listing's time.
type WaiverRow struct {
	controls.Waiver
	State string
}

// WaiverRows returns ws soonest expiry first, each with its state at now.
// With within > 0 only the waivers still in force that expire within that
// long are kept.
func WaiverRows(ws []controls.Waiver, now time.Time, within time.Duration) []WaiverRow {
	ws = slices.Clone(ws)
	slices.SortStableFunc(ws, func(a, b controls.Waiver) int { return a.ExpiresAt().Compare(b.ExpiresAt()) })
	var rows []WaiverRow
	for _, w := range ws {
		expired := !w.ExpiresAt().After(now)
		if within > 0 && (w.ExpiresAt().Sub(now) > within || expired) {
			continue
		}
		state := WaiverActive
		switch {
		case expired:
			state = WaiverExpired
		case !w.Active(now):
			state = WaiverNotActive
		}
		rows = append(rows, WaiverRow{Waiver: w, State: state})
	}
	return rows
}
