package collectors

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
)

// TestRerecordSharesAResponseBetweenRuns fetches a response in one
// collector run, captures its record and records it again in a second run:
// the bundle holds the body once and one record per run, each naming its
// own collector and the time the response was fetched.
func TestRerecordSharesAResponseBetweenRuns(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `[{"name":"repo"}]`)
	}))
	t.Cleanup(srv.Close)
	r, dir := newRunner(t)
	client := &http.Client{Transport: Transport(nil, func(*http.Request) (string, bool) { return "svc:List", true })}
	var (
		mu       sync.Mutex
		captured []evidence.Record
		fetched  = make(chan struct{})
		traced   []string
		again    string
	)
	first := &fake{id: "first", collect: func(ctx context.Context, _ evidence.Target, _ Sink) error {
		ctx, c := WithCapture(ctx)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		mu.Lock()
		captured = c.Records()
		mu.Unlock()
		close(fetched)
		return nil
	}}
	second := &fake{id: "second", collect: func(ctx context.Context, _ evidence.Target, _ Sink) error {
		<-fetched
		mu.Lock()
		recs := captured
		mu.Unlock()
		tctx, trace := WithTrace(ctx)
		for _, rec := range recs {
			again = Rerecord(tctx, rec)
		}
		// A record of a body the bundle does not hold is refused.
		if got := Rerecord(tctx, evidence.Record{Operation: "svc:List", SHA256: "00"}); got != "" {
			t.Errorf("Rerecord of an unknown body = %q, want refused", got)
		}
		traced = trace.Records()
		return nil
	}}
	r.Run(t.Context(), []Job{{first, evidence.Target{Source: "fake"}}, {second, evidence.Target{Source: "fake"}}})
	if got := Rerecord(t.Context(), evidence.Record{SHA256: "00"}); got != "" {
		t.Errorf("Rerecord outside a run = %q, want nothing recorded", got)
	}
	b := finish(t, r, dir)
	if len(captured) != 1 || len(b.Records) != 2 {
		t.Fatalf("captured %+v, bundle records %+v: want one captured and one record per run", captured, b.Records)
	}
	byCollector := map[string]evidence.Record{}
	for _, rec := range b.Records {
		byCollector[rec.Collector] = rec
	}
	f, s := byCollector["first"], byCollector["second"]
	if f.SHA256 == "" || s.SHA256 != f.SHA256 || s.Size != f.Size || !s.CollectedAt.Equal(f.CollectedAt) || s.Operation != "svc:List" {
		t.Errorf("records: first %+v, second %+v", f, s)
	}
	if again != f.SHA256 || len(traced) != 1 || traced[0] != f.SHA256 {
		t.Errorf("Rerecord returned %q, trace %v, want %s", again, traced, f.SHA256)
	}
	if err := b.VerifyRaw(); err != nil {
		t.Error(err)
	}
}
