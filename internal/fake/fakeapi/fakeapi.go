// Package fakeapi holds what the fake provider APIs of the demo and the
// tests share.
package fakeapi

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
)

// Refusals records the requests a fake does not serve. Fakes embed it and
// answer such a request with Refuse.
type Refusals struct {
	// OnUnexpected is called for a request the fake does not serve (tests
	// pass t.Errorf); the fake answers 500 either way.
	OnUnexpected func(format string, args ...any)

	mu      sync.Mutex
	refused []string
}

// Unexpected returns the requests the fake refused.
func (r *Refusals) Unexpected() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.refused)
}

// Refuse records req as unexpected by the fake named fake, reports it to
// OnUnexpected and answers 500.
func (r *Refusals) Refuse(w http.ResponseWriter, req *http.Request, fake string) {
	msg := fmt.Sprintf("%s: unexpected request %s %s", fake, req.Method, req.URL.RequestURI())
	r.mu.Lock()
	r.refused = append(r.refused, msg)
	r.mu.Unlock()
	if r.OnUnexpected != nil {
		r.OnUnexpected("%s", msg)
	}
	http.Error(w, msg, http.StatusInternalServerError)
}
