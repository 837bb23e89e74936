package fakeapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimitsRefusesBeyondTheBucket(t *testing.T) {
	t.Parallel()
	l := &Limits{Enforce: true, Buckets: map[string]Bucket{"b": {Burst: 2, Rate: 0.001}},
		Charges: func(r *http.Request) []Charge { return []Charge{{Bucket: "b", Scope: r.URL.Query().Get("s"), Cost: 1}} },
		Throttle: func(w http.ResponseWriter, retry time.Duration) {
			if retry <= 0 {
				t.Errorf("retry %v, want > 0", retry)
			}
			w.WriteHeader(http.StatusTooManyRequests)
		}}
	h := l.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var codes []int
	for _, q := range []string{"a", "a", "a", "b"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x?s="+q, nil))
		codes = append(codes, rec.Code)
	}
	want := []int{200, 200, 429, 200} // the third call of scope a is refused; scope b has its own bucket
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("codes %v, want %v", codes, want)
		}
	}
	if l.Calls() != 4 || l.Throttled() != 1 || l.Operations()["GET /x"] != 4 {
		t.Errorf("calls %d, throttled %d, ops %v", l.Calls(), l.Throttled(), l.Operations())
	}
}

func TestLimitsFixedWindow(t *testing.T) {
	t.Parallel()
	var retries []time.Duration
	l := &Limits{Enforce: true, Buckets: map[string]Bucket{"w": {Burst: 1, Window: time.Hour}},
		Charges: func(*http.Request) []Charge { return []Charge{{Bucket: "w", Scope: "u", Cost: 1}} },
		Throttle: func(w http.ResponseWriter, retry time.Duration) {
			retries = append(retries, retry)
			w.WriteHeader(http.StatusTooManyRequests)
		}}
	h := l.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	}
	// The second request is refused until the window ends: most of an hour.
	if len(retries) != 1 || retries[0] < 59*time.Minute {
		t.Errorf("retries %v, want one of nearly an hour", retries)
	}
}
