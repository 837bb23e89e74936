package aws

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

const testAccount = "123456789012"

// testSink records what a collector emits.
type testSink struct {
	mu        sync.Mutex
	resources []evidence.Resource
	failures  []evidence.Failure
}

func (s *testSink) Emit(r evidence.Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resources = append(s.resources, r)
}

func (s *testSink) Fail(f evidence.Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// sdkConfig returns an SDK configuration aimed at url with static
// credentials; it never reads the environment.
func sdkConfig(url string, client *http.Client) *awssdk.Config {
	cfg := awsfake.SDKConfig(url, client)
	cfg.Region = "eu-central-1"
	return cfg
}

// newFakeSource serves st and returns a source aimed at it, with retries
// limited to two fast attempts.
func newFakeSource(t *testing.T, st *awsfake.State) *Source {
	t.Helper()
	st.Errorf = t.Errorf
	srv := httptest.NewServer(awsfake.NewHandler(st))
	t.Cleanup(srv.Close)
	return NewSource(Config{
		AWS: sdkConfig(srv.URL, srv.Client()), Regions: []string{"eu-central-1"},
		AllowedRegions: []string{"eu-central-1"}, MaxAttempts: 2, MaxBackoff: time.Millisecond,
	})
}

// route is a canned response of a fixture server.
type route struct {
	file   string
	status int
}

// newFixtureSource serves fixture files by operation ("s3:ListBuckets", or
// "s3:GetBucketEncryption/<bucket>" for S3 bucket operations). Any other
// request, and any non-read operation, fails the test.
func newFixtureSource(t *testing.T, routes map[string]route) *Source {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := awsfake.Parse(r)
		if err != nil {
			t.Errorf("fixture server: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if !awsfake.IsRead(req.Op()) {
			t.Errorf("fixture server: non-read operation %s", req.Op())
			http.Error(w, "not read-only", http.StatusInternalServerError)
			return
		}
		key := req.Op()
		if req.Bucket != "" {
			key += "/" + req.Bucket
		}
		rt, ok := routes[key]
		if !ok {
			t.Errorf("fixture server: unexpected request %s (%s %s)", key, r.Method, r.URL)
			http.Error(w, "unexpected", http.StatusInternalServerError)
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata", rt.file))
		if err != nil {
			t.Errorf("fixture server: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if req.Service == "monitoring" {
			body, err = cborFixture(body)
			if err != nil {
				t.Errorf("fixture server: %v", err)
			}
			w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
			w.Header().Set("Content-Type", "application/cbor")
		}
		switch {
		case req.Service == "monitoring":
		case strings.HasSuffix(rt.file, ".xml"):
			w.Header().Set("Content-Type", "text/xml")
		case req.JSON != nil:
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		default:
			w.Header().Set("Content-Type", "application/json")
		}
		if rt.status != 0 {
			w.WriteHeader(rt.status)
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return NewSource(Config{
		AWS: sdkConfig(srv.URL, srv.Client()), Regions: []string{"eu-central-1"},
		AllowedRegions: []string{"eu-central-1"}, MaxAttempts: 1,
	})
}

// collect runs collector id of src against account/region without Plan.
func collect(ctx context.Context, t *testing.T, src *Source, id, region string) (*testSink, error) {
	t.Helper()
	base, err := src.baseConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	src.accounts[testAccount] = base
	src.mu.Unlock()
	for _, c := range src.Collectors() {
		if c.Describe().ID == id {
			out := &testSink{}
			err := c.Collect(ctx, evidence.Target{Source: SourceName, Account: testAccount, Region: region}, out)
			return out, err
		}
	}
	t.Fatalf("no collector %s", id)
	return nil, nil
}

// byName indexes resources of type typ by name.
func byName(rs []evidence.Resource, typ string) map[string]evidence.Resource {
	out := map[string]evidence.Resource{}
	for _, r := range rs {
		if r.Type == typ {
			out[r.Name] = r
		}
	}
	return out
}

var _ collectors.Sink = (*testSink)(nil)

// cborFixture re-encodes a JSON fixture of CloudWatch's rpc-v2-cbor
// protocol as CBOR: fields named *Timestamp become epoch times and whole
// numbers become integers.
func cborFixture(body []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	var conv func(key string, v any) any
	conv = func(key string, v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = conv(k, e)
			}
		case []any:
			for i, e := range x {
				x[i] = conv(key, e)
			}
		case string:
			if strings.HasSuffix(key, "Timestamp") {
				if ts, err := time.Parse(time.RFC3339, x); err == nil {
					return ts
				}
			}
		case float64:
			if x == math.Trunc(x) {
				return int(x)
			}
		}
		return v
	}
	return awsfake.EncodeCBOR(conv("", v)), nil
}

// runBundle plans the collectors of src that want selects, runs them
// through the runner into a new bundle on a fixed clock, and returns the
// bundle's folder, the runs and the bundle as read back.
func runBundle(t *testing.T, src *Source, want func(string) bool) (string, []evidence.Run, *evidence.Bundle) {
	t.Helper()
	jobs, err := src.Plan(t.Context(), want)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	runs := (&collectors.Runner{Writer: w, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}).Run(t.Context(), jobs)
	if err := w.Close(evidence.Manifest{StartedAt: now, FinishedAt: now}); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, runs, b
}
