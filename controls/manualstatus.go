package controls

import (
	"cmp"
	"slices"
	"time"
)

// A ManualRecord is the newest record of one kind of manual evidence, as
// ManualStatus reads it.
type ManualRecord struct {
	Kind, File, Title       string
	PerformedAt, ValidUntil time.Time
}

// A ManualKindStatus is the state of one kind of manual evidence: which
// controls ask for it, its newest record and when that expires.
type ManualKindStatus struct {
	Kind     string   `json:"kind"`
	Controls []string `json:"controls"`
	// MaxAge is the shortest max_age of the controls that ask for the kind.
	MaxAge      string    `json:"max_age,omitempty"`
	File        string    `json:"file,omitempty"`
	Title       string    `json:"title,omitempty"`
	PerformedAt time.Time `json:"performed_at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	DaysLeft    int       `json:"days_left"`
	// Status is valid, expired, missing (asked for, never recorded) or
	// unused (recorded, asked for by no control).
	Status string `json:"status"`
}

// ManualStatus returns one row per kind of manual evidence that a control
// of l asks for or that newest (the newest record of each kind) has:
// missing kinds first, then by days left, then by kind. A record expires
// as ManualExpiry says, with the shortest max_age of the controls that ask
// for its kind.
func (l *Library) ManualStatus(newest []ManualRecord, now time.Time) []ManualKindStatus {
	byKind := map[string]*ManualKindStatus{}
	maxAge := map[string]time.Duration{}
	for _, c := range l.Controls {
		for _, m := range c.Manual {
			e := byKind[m.Kind]
			if e == nil {
				e = &ManualKindStatus{Kind: m.Kind, Status: "missing"}
				byKind[m.Kind] = e
			}
			e.Controls = append(e.Controls, c.ID)
			d, err := m.MaxAge.Parse()
			if err == nil && (maxAge[m.Kind] == 0 || d < maxAge[m.Kind]) {
				maxAge[m.Kind], e.MaxAge = d, string(m.MaxAge)
			}
		}
	}
	for _, r := range newest {
		e := byKind[r.Kind]
		if e == nil {
			e = &ManualKindStatus{Kind: r.Kind, Controls: []string{}}
			byKind[r.Kind] = e
		}
		e.File, e.Title, e.PerformedAt = r.File, r.Title, r.PerformedAt
		e.ExpiresAt = ManualExpiry(r.PerformedAt, maxAge[r.Kind], r.ValidUntil)
		switch {
		case len(e.Controls) == 0:
			e.Status = "unused"
		case !e.ExpiresAt.After(now):
			e.Status = "expired"
		default:
			e.Status = "valid"
		}
		if !e.ExpiresAt.IsZero() {
			e.DaysLeft = int(e.ExpiresAt.Sub(now).Hours() / 24)
		}
	}
	rows := []ManualKindStatus{}
	for _, e := range byKind {
		slices.Sort(e.Controls)
		rows = append(rows, *e)
	}
	rank := func(e ManualKindStatus) int {
		switch e.Status {
		case "missing":
			return 0
		case "unused":
			return 2
		}
		return 1
	}
	slices.SortFunc(rows, func(a, b ManualKindStatus) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.DaysLeft, b.DaysLeft), cmp.Compare(a.Kind, b.Kind))
	})
	return rows
}
