package github

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/testnet"
)

// TestPrimaryLimitWaitedOutsideTheCallDeadline checks that the wait for a
// primary rate limit reset does not count against the deadline of a call:
// with a 300ms call deadline and a reset 1.5s away, the request is sent
// again after the reset and succeeds.
func TestPrimaryLimitWaitedOutsideTheCallDeadline(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(1500*time.Millisecond).Unix()+1, 10))
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"API rate limit exceeded for user ID 1."}`))
			return
		}
		_, _ = w.Write([]byte(`{"login":"octo-org"}`))
	}))
	defer srv.Close()
	wait := 10
	hc := srv.Client()
	hc.Timeout = 300 * time.Millisecond
	src := NewSource(Config{Orgs: []string{"octo-org"}, BaseURL: srv.URL, Token: "x", HTTPClient: hc, MaxRateLimitWaitSeconds: &wait})
	c, err := src.gh()
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := c.Organizations.Get(t.Context(), "octo-org")
	if err != nil {
		t.Fatalf("Get after the primary limit: %v", err)
	}
	if o.GetLogin() != "octo-org" || calls.Load() != 2 {
		t.Errorf("login %q after %d calls, want octo-org after 2", o.GetLogin(), calls.Load())
	}
}

// TestSecondaryLimitBeyondTheBound checks that a secondary limit named
// only by its message (403, no Retry-After, requests remaining) is
// recognised, not retried past the configured bound, and reported as
// throttled with the limit named.
func TestSecondaryLimitBeyondTheBound(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("X-RateLimit-Remaining", "4000")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`))
	}))
	defer srv.Close()
	wait := 5
	src := NewSource(Config{Orgs: []string{"octo-org"}, BaseURL: srv.URL + "/", Token: "x", HTTPClient: srv.Client(), MaxRateLimitWaitSeconds: &wait})
	s, err := run(t, src, "github.org", nil)
	if kindOf(err) != evidence.Throttled {
		t.Fatalf("err %v (kind %s), want throttled", err, kindOf(err))
	}
	if !strings.Contains(err.Error(), "GitHub secondary rate limit") || !strings.Contains(err.Error(), "configured bound of 5s") {
		t.Errorf("error %q does not name the limit and the bound", err)
	}
	if len(s.Resources) != 0 || calls.Load() != 1 {
		t.Errorf("%d resources after %d calls", len(s.Resources), calls.Load())
	}
}

// TestSecondaryLimitRetryAfterWaited checks a 429 with Retry-After within
// the bound: waited, sent again, collected.
func TestSecondaryLimitRetryAfterWaited(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"You have exceeded a secondary rate limit."}`))
			return
		}
		_, _ = w.Write([]byte(`{"login":"octo-org"}`))
	}))
	defer srv.Close()
	wait := 5
	hc := srv.Client()
	hc.Timeout = 300 * time.Millisecond
	src := NewSource(Config{Orgs: []string{"octo-org"}, BaseURL: srv.URL + "/", Token: "x", HTTPClient: hc, MaxRateLimitWaitSeconds: &wait})
	c, err := src.gh()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Organizations.Get(t.Context(), "octo-org"); err != nil {
		t.Fatalf("Get after Retry-After: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls, want 2", calls.Load())
	}
}

// TestHangingAPITimesOut checks that an API that accepts connections and
// never answers ends a collector as a timeout within the call deadline,
// without an injected client deadline doing the work.
func TestHangingAPITimesOut(t *testing.T) {
	t.Parallel()
	wait := 0
	src := NewSource(Config{Orgs: []string{"octo-org"}, BaseURL: "http://" + testnet.Hanging(t) + "/", Token: "x",
		HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}, MaxRateLimitWaitSeconds: &wait})
	start := time.Now()
	s, err := run(t, src, "github.org", nil)
	if kindOf(err) != evidence.Timeout || len(s.Resources) != 0 {
		t.Fatalf("err %v (kind %s), resources %d; want a timeout", err, kindOf(err), len(s.Resources))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}
