package gcpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/api/googleapi"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		want     evidence.FailureKind
		wantPerm string
	}{
		{"403 denied", &googleapi.Error{Code: 403, Errors: []googleapi.ErrorItem{{Reason: "forbidden"}}}, evidence.Denied, "p.get"},
		{"401 denied", &googleapi.Error{Code: 401}, evidence.Denied, "p.get"},
		{"403 rate limit", &googleapi.Error{Code: 403, Errors: []googleapi.ErrorItem{{Reason: "userRateLimitExceeded"}}}, evidence.Throttled, ""},
		{"429", &googleapi.Error{Code: 429}, evidence.Throttled, ""},
		{"500", &googleapi.Error{Code: 500}, evidence.Errored, ""},
		{"cancelled", fmt.Errorf("get: %w", context.Canceled), evidence.Cancelled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Classify(tt.err, "p.get", "p.get")
			var api *collectors.APIError
			if !errors.As(err, &api) || api.Kind != tt.want || api.Permission != tt.wantPerm || api.Operation != "p.get" {
				t.Errorf("Classify = %#v, want kind %s permission %q", api, tt.want, tt.wantPerm)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("cause lost: %v", err)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	rateBody := `{"error":{"code":403,"message":"Quota exceeded","errors":[{"reason":"rateLimitExceeded","message":"Rate Limit Exceeded"}]}}`
	tests := []struct {
		name       string
		status     int
		body       string
		retryAfter string
		wantLimit  string // a throttled error naming this limit; "" means a 200
		wantCalls  int32
	}{
		{"429 due now: retried", 429, "", "0", "", 2},
		{"429 too far: throttled", 429, "", "3600", "Google API rate limit (HTTP 429)", 1},
		{"403 rateLimitExceeded due now: retried", 403, rateBody, "0", "", 2},
		{"403 rateLimitExceeded too far: throttled", 403, rateBody, "3600", "Google API rate limit (rateLimitExceeded)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(tt.status)
					_, _ = w.Write([]byte(tt.body))
				}
			}))
			t.Cleanup(srv.Close)
			c := &http.Client{Transport: Retry(srv.Client().Transport, 3, 0)}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
			resp, err := c.Do(req)
			if tt.wantLimit != "" {
				var te *collectors.ThrottledError
				if !errors.As(err, &te) || te.Limit != tt.wantLimit {
					t.Fatalf("err %v, want a throttled error naming %q", err, tt.wantLimit)
				}
				if k := collectors.Classify(Classify(err, "p.get", "p.get")); k != evidence.Throttled {
					t.Errorf("classified %s, want throttled", k)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d", resp.StatusCode)
				}
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls.Load(), tt.wantCalls)
			}
		})
	}
}

// TestRetryWaitsOutsideTheCallDeadline checks that a Retry-After wait
// longer than the per-call deadline is waited between calls, not inside
// one: the retried call succeeds.
func TestRetryWaitsOutsideTheCallDeadline(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	t.Cleanup(srv.Close)
	c := Client(srv.Client().Transport, 300*time.Millisecond, 3, 5*time.Second, Operations())
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || calls.Load() != 2 {
		t.Errorf("status %d after %d calls", resp.StatusCode, calls.Load())
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequest(http.MethodPost, "https://oauth2.googleapis.com/token", nil)
	if _, keep := Operations()(req); keep {
		t.Error("token exchange kept as evidence")
	}
	if got := Time("1970-01-01T00:00:00.000Z"); got != "" {
		t.Errorf("Time(epoch) = %q, want empty", got)
	}
}
