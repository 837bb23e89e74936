package gcpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

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
	tests := []struct {
		name       string
		retryAfter string
		want       int
		wantCalls  int32
	}{
		{"due now: retried", "0", http.StatusOK, 2},
		{"too far: returned", "3600", http.StatusTooManyRequests, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
				}
			}))
			t.Cleanup(srv.Close)
			c := &http.Client{Transport: Retry(srv.Client().Transport, 3, 0)}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tt.want || calls.Load() != tt.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, calls.Load(), tt.want, tt.wantCalls)
			}
		})
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
