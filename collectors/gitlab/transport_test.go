package gitlab

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
)

// limited answers the first n requests with 429 and hdr, then the group.
func limited(t *testing.T, n int32, hdr func() map[string]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			for k, v := range hdr() {
				w.Header().Set(k, v)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte("Retry later\n"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": 4, "full_path": "twitter", "require_two_factor_authentication": true, "two_factor_grace_period": 48}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func getGroup(ctx context.Context, t *testing.T, srv *httptest.Server, wait int, callTimeout time.Duration) (group, error) {
	t.Helper()
	hc := srv.Client()
	hc.Timeout = callTimeout
	src := NewSource(Config{Groups: []string{"twitter"}, BaseURL: srv.URL, Token: "x", HTTPClient: hc, MaxRateLimitWaitSeconds: &wait})
	c, err := src.gl()
	if err != nil {
		t.Fatal(err)
	}
	return get[group](ctx, c, groupPath("twitter"), nil)
}

// TestRetryAfterIsWaitedOutsideTheCallDeadline: a 429 asking for one second
// is waited out (longer than the 300ms call deadline) and the GET is sent
// again.
func TestRetryAfterIsWaitedOutsideTheCallDeadline(t *testing.T) {
	t.Parallel()
	srv, calls := limited(t, 1, func() map[string]string { return map[string]string{"Retry-After": "1"} })
	g, err := getGroup(t.Context(), t, srv, 10, 300*time.Millisecond)
	if err != nil || g.FullPath != "twitter" || calls.Load() != 2 {
		t.Fatalf("group %q err %v after %d calls, want twitter after 2", g.FullPath, err, calls.Load())
	}
}

// TestRateLimitResetIsHonoured: without Retry-After, RateLimit-Reset (a Unix
// time) names the wait.
func TestRateLimitResetIsHonoured(t *testing.T) {
	t.Parallel()
	srv, calls := limited(t, 1, func() map[string]string {
		return map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": strconv.FormatInt(time.Now().Add(1100*time.Millisecond).Unix(), 10)}
	})
	start := time.Now()
	if _, err := getGroup(t.Context(), t, srv, 10, time.Second); err != nil || calls.Load() != 2 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Errorf("retried after %s, before the reset", time.Since(start))
	}
}

// TestRetriesAreBounded: a limit that persists ends as throttled after
// three retries, and later requests are refused without a call until the
// reset.
func TestRetriesAreBounded(t *testing.T) {
	t.Parallel()
	srv, calls := limited(t, 100, func() map[string]string { return map[string]string{"Retry-After": "0"} })
	_, err := getGroup(t.Context(), t, srv, 10, time.Second)
	var th *collectors.ThrottledError
	if !errors.As(err, &th) || calls.Load() != 4 {
		t.Fatalf("err %v after %d calls, want throttled after 4", err, calls.Load())
	}
	if k := collectors.Classify(classify(err, opGetGroup, roleReporter)); k != "throttled" {
		t.Errorf("kind %s", k)
	}
}

// TestWaitBeyondTheBoundIsThrottledAtOnce: a wait longer than
// max_rate_limit_wait_seconds is not waited.
func TestWaitBeyondTheBoundIsThrottledAtOnce(t *testing.T) {
	t.Parallel()
	srv, calls := limited(t, 100, func() map[string]string { return map[string]string{"Retry-After": "3600"} })
	start := time.Now()
	_, err := getGroup(t.Context(), t, srv, 5, time.Second)
	var th *collectors.ThrottledError
	if !errors.As(err, &th) || calls.Load() != 1 || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %d calls in %s", err, calls.Load(), time.Since(start))
	}
	if th.Wait < time.Hour-time.Minute || th.Status != 429 {
		t.Errorf("throttled %+v", th)
	}
}

// TestCancelledDuringARateLimitWait: cancelling while waiting for a reset
// ends the request at once.
func TestCancelledDuringARateLimitWait(t *testing.T) {
	t.Parallel()
	srv, _ := limited(t, 100, func() map[string]string { return map[string]string{"Retry-After": "30"} })
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := getGroup(ctx, t, srv, 60, time.Second)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %s, want the context's error promptly", err, time.Since(start))
	}
}

func TestRouteOf(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]string{
		"/api/v4/groups/acme%2Fbackend":                  "/groups/{id}",
		"/gitlab/api/v4/groups/acme/members":             "/groups/{id}/members",
		"/api/v4/projects/9/pipelines/latest":            "/projects/{id}/pipelines/latest",
		"/api/v4/projects/9/pipelines/287/jobs":          "/projects/{id}/pipelines/{pipeline_id}/jobs",
		"/api/v4/projects/9/merge_requests/1/approvals":  "/projects/{id}/merge_requests/{merge_request_iid}/approvals",
		"/api/v4/projects/acme%2Fapi/protected_branches": "/projects/{id}/protected_branches",
	} {
		if got := routeOf(p); got != want {
			t.Errorf("routeOf(%s) = %s, want %s", p, got, want)
		}
	}
}
