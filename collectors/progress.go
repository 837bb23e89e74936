package collectors

import "github.com/attestdev/attest/collectors/evidence"

// An EventKind says what a progress Event reports.
type EventKind int

// The progress event kinds.
const (
	// JobsPlanned reports how many jobs the run will execute (Event.Jobs).
	JobsPlanned EventKind = iota
	// JobStarted reports that a collector started on a target.
	JobStarted
	// JobFinished reports that a collector finished on a target, with
	// its status.
	JobFinished
	// ResourceEmitted reports a resource written to the bundle.
	ResourceEmitted
	// RecordStored reports a raw API response written to the bundle: one
	// per API call kept as evidence.
	RecordStored
	// CallFailed reports a failed call or a source that could not be
	// planned.
	CallFailed
)

// An Event is one step of a run, reported to Runner.Progress.
type Event struct {
	Kind      EventKind
	Collector string
	Target    evidence.Target
	// Status is set on JobFinished.
	Status evidence.RunStatus
	// Jobs is set on JobsPlanned.
	Jobs int
}

func (r *Runner) progress(e Event) {
	if r.Progress != nil {
		r.Progress(e)
	}
}
