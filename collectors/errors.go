package collectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// An APIError is a provider error classified by the source package that got
// it, so that the runner and the rules can tell a denial from throttling
// without knowing any SDK.
type APIError struct {
	Kind      evidence.FailureKind
	Operation string
	// Permission is the permission or scope that was missing, when known.
	Permission string
	Err        error
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Operation, e.Kind)
	if e.Permission != "" {
		msg += " (needs " + e.Permission + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *APIError) Unwrap() error { return e.Err }

// Classify returns the failure kind of err: the kind of an *APIError in its
// chain, cancelled or timeout for context errors, and error otherwise.
func Classify(err error) evidence.FailureKind {
	var api *APIError
	switch {
	case errors.Is(err, context.Canceled):
		return evidence.Cancelled
	case errors.Is(err, context.DeadlineExceeded):
		return evidence.Timeout
	case errors.As(err, &api):
		return api.Kind
	default:
		return evidence.Errored
	}
}

// FailureOf turns err into a failure record about resource (which may be
// empty).
func FailureOf(err error, resource string) evidence.Failure {
	f := evidence.Failure{Kind: Classify(err), Resource: resource, Message: err.Error()}
	var api *APIError
	if errors.As(err, &api) {
		f.Operation = api.Operation
		f.Permission = api.Permission
		if api.Err != nil {
			f.Message = api.Err.Error()
		}
	}
	return f
}

// GapOf turns err into a gap for attribute attr.
func GapOf(err error, attr string) evidence.Gap {
	f := FailureOf(err, "")
	return evidence.Gap{Attribute: attr, Kind: f.Kind, Operation: f.Operation, Permission: f.Permission, Message: f.Message}
}

// Sleep waits for d, or until ctx ends, and returns ctx.Err() in that case.
// Sources use it for rate limits and retry backoff, so that a cancelled
// collection never waits.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Stopped reports whether err ended a call because the run itself stopped:
// its context was cancelled or its deadline (such as --timeout) passed. A
// call that timed out on its own deadline (*CallTimeoutError) did not stop
// the run: it is a failure of that call, to be reported, never skipped.
func Stopped(err error) bool {
	var ct *CallTimeoutError
	if errors.As(err, &ct) {
		return false
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
