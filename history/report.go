package history

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/controls"
)

// A Report is how each control operated over a period, from the recorded
// runs evaluated in [From, To).
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Runs     int       `json:"runs"`
	FirstRun time.Time `json:"first_run,omitzero"`
	LastRun  time.Time `json:"last_run,omitzero"`
	// Controls are sorted by id.
	Controls []ControlHistory `json:"controls"`
	// Exceptions are every period in which a control did not pass, sorted
	// by start, then control.
	Exceptions []Exception `json:"exceptions"`
}

// A ControlHistory summarises one control over the period.
type ControlHistory struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	// Runs is the number of runs that evaluated the control.
	Runs int `json:"runs"`
	// Outcomes counts the runs per outcome.
	Outcomes map[controls.Outcome]int `json:"outcomes"`
	// PassShare is the share of applicable runs (not not_applicable) in
	// which the control passed, from 0 to 1.
	PassShare float64 `json:"pass_share"`
	// FirstFailure is the first run in which the control failed.
	FirstFailure time.Time `json:"first_failure,omitzero"`
	// Exceptions counts the periods in which it did not pass.
	Exceptions int `json:"exceptions"`
	// MeanTimeToFix and MaxTimeToFix are over the exceptions that ended in
	// the period, in seconds.
	MeanTimeToFix int64 `json:"mean_time_to_fix_seconds"`
	MaxTimeToFix  int64 `json:"max_time_to_fix_seconds"`
	// Open is set when the control did not pass in the last run.
	Open bool `json:"open"`
}

// An Exception is a stretch of consecutive runs in which a control did not
// pass: it failed, was waived, was inconclusive or had no manual evidence.
type Exception struct {
	Control  string `json:"control"`
	Severity string `json:"severity"`
	// Start is the first run of the stretch; End the first run in which
	// the control passed again, zero while it is still open.
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
	Runs  int       `json:"runs"`
	// Outcome is the worst outcome in the stretch, Reason the reason given
	// in its first run with that outcome.
	Outcome controls.Outcome `json:"outcome"`
	Reason  string           `json:"reason"`
	Waivers []string         `json:"waivers,omitempty"`
	// TimeToFix is End - Start in seconds, 0 while open.
	TimeToFix int64 `json:"time_to_fix_seconds"`
}

// Report builds the report for the runs evaluated in [from, to).
func (s *Store) Report(ctx context.Context, from, to time.Time) (*Report, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("history: report: the period end %s is not after its start %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	rep := &Report{From: from.UTC(), To: to.UTC(), Controls: []ControlHistory{}, Exceptions: []Exception{}}
	rows, err := s.db.QueryContext(ctx, s.bind(`SELECT r.evaluated_at, c.control_id, c.title, c.severity, c.outcome, c.reason, c.waivers
		FROM attest_control_results c JOIN attest_runs r ON r.run_id = c.run_id
		WHERE r.evaluated_at >= ? AND r.evaluated_at < ?
		ORDER BY c.control_id, r.evaluated_at, r.run_id`), s.stamp(from), s.stamp(to))
	if err != nil {
		return nil, fmt.Errorf("history: report: %w", err)
	}
	defer rows.Close()
	b := &reportBuilder{rep: rep, runs: map[time.Time]bool{}}
	for rows.Next() {
		var at, id, title, severity, outcome, reason, waivers string
		if err := rows.Scan(&at, &id, &title, &severity, &outcome, &reason, &waivers); err != nil {
			return nil, fmt.Errorf("history: report: %w", err)
		}
		t, err := parseStamp(at)
		if err != nil {
			return nil, err
		}
		b.add(t, id, title, severity, controls.Outcome(outcome), reason, waivers)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: report: %w", err)
	}
	b.finish()
	b.done()
	return rep, nil
}

// A reportBuilder folds the control results of the period, ordered by
// control and time, into a Report: one ControlHistory per control and one
// Exception per stretch of runs that did not pass.
type reportBuilder struct {
	rep   *Report
	runs  map[time.Time]bool
	cur   *ControlHistory
	open  *Exception
	fixes []int64
}

// add folds one control result of the run evaluated at t.
func (b *reportBuilder) add(t time.Time, id, title, severity string, o controls.Outcome, reason, waivers string) {
	b.runs[t] = true
	if b.cur == nil || b.cur.ID != id {
		b.finish()
		b.cur = &ControlHistory{ID: id, Outcomes: map[controls.Outcome]int{}}
	}
	cur := b.cur
	cur.Title, cur.Severity = title, severity // the latest wins
	cur.Runs++
	cur.Outcomes[o]++
	if o == controls.Fail && cur.FirstFailure.IsZero() {
		cur.FirstFailure = t
	}
	switch o {
	case controls.Pass:
		if b.open != nil {
			b.open.End = t
			b.open.TimeToFix = int64(t.Sub(b.open.Start) / time.Second)
			b.fixes = append(b.fixes, b.open.TimeToFix)
			b.rep.Exceptions = append(b.rep.Exceptions, *b.open)
			b.open = nil
		}
	case controls.NotApplicable:
	default:
		b.exception(t, id, severity, o, reason, waivers)
	}
}

// exception opens a stretch of runs that did not pass, or extends the open
// one: its outcome is the worst seen, its waivers all those named.
func (b *reportBuilder) exception(t time.Time, id, severity string, o controls.Outcome, reason, waivers string) {
	if b.open == nil {
		b.open = &Exception{Control: id, Severity: severity, Start: t, Outcome: o, Reason: reason}
		b.cur.Exceptions++
	} else if controls.Worst(b.open.Outcome, o) != b.open.Outcome {
		b.open.Outcome, b.open.Reason = o, reason
	}
	b.open.Runs++
	for _, w := range strings.Split(waivers, ",") {
		if w != "" && !slices.Contains(b.open.Waivers, w) {
			b.open.Waivers = append(b.open.Waivers, w)
		}
	}
}

// finish closes the current control: its open exception, pass share and
// times to fix.
func (b *reportBuilder) finish() {
	cur := b.cur
	if cur == nil {
		return
	}
	if b.open != nil {
		b.rep.Exceptions = append(b.rep.Exceptions, *b.open)
		cur.Open = true
	}
	if applicable := cur.Runs - cur.Outcomes[controls.NotApplicable]; applicable > 0 {
		cur.PassShare = float64(cur.Outcomes[controls.Pass]) / float64(applicable)
	}
	for _, f := range b.fixes {
		cur.MeanTimeToFix += f
		cur.MaxTimeToFix = max(cur.MaxTimeToFix, f)
	}
	if len(b.fixes) > 0 {
		cur.MeanTimeToFix /= int64(len(b.fixes))
	}
	b.rep.Controls = append(b.rep.Controls, *cur)
	b.cur, b.open, b.fixes = nil, nil, nil
}

// done sets the run count and span and sorts the exceptions.
func (b *reportBuilder) done() {
	rep := b.rep
	rep.Runs = len(b.runs)
	for t := range b.runs {
		if rep.FirstRun.IsZero() || t.Before(rep.FirstRun) {
			rep.FirstRun = t
		}
		if t.After(rep.LastRun) {
			rep.LastRun = t
		}
	}
	for i := range rep.Exceptions {
		slices.Sort(rep.Exceptions[i].Waivers)
	}
	slices.SortStableFunc(rep.Exceptions, func(a, b Exception) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Control, b.Control))
	})
}
