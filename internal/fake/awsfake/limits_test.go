package awsfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLimitsThrottlePerAccountAndOperation(t *testing.T) {
	t.Parallel()
	l := &Limits{Rate: 0.001, Burst: 2}
	var served int
	h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := Parse(r); err != nil {
			t.Errorf("inner handler cannot parse the request: %v", err)
		}
		served++
	}))
	call := func(key, action string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", strings.NewReader("Action="+action+"&Version=2010-05-08"))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20261102/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 2 {
		if rec := call("AKIAONE", "ListUsers"); rec.Code != http.StatusOK {
			t.Fatalf("call %d within the burst: status %d", i, rec.Code)
		}
	}
	rec := call("AKIAONE", "ListUsers")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "<Code>Throttling</Code>") || rec.Header().Get("X-Amz-Retry-After") == "" {
		t.Errorf("call over the rate: status %d, retry-after %q, body %s", rec.Code, rec.Header().Get("X-Amz-Retry-After"), rec.Body)
	}
	if rec := call("AKIAONE", "GetAccountPasswordPolicy"); rec.Code != http.StatusOK {
		t.Errorf("another operation shares the bucket: status %d", rec.Code)
	}
	if rec := call("AKIATWO", "ListUsers"); rec.Code != http.StatusOK {
		t.Errorf("another account shares the bucket: status %d", rec.Code)
	}
	if l.Calls() != 5 || l.Throttled() != 1 || served != 4 || l.Operations()["iam:ListUsers"] != 4 {
		t.Errorf("calls %d, throttled %d, served %d, ops %v", l.Calls(), l.Throttled(), served, l.Operations())
	}
}

func TestLimitsDocumentedPerRegion(t *testing.T) {
	t.Parallel()
	l := &Limits{Documented: true}
	h := l.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	call := func(region string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", strings.NewReader("Action=DescribeVolumes&Version=2016-11-15"))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAONE/20261102/"+region+"/ec2/aws4_request, SignedHeaders=host, Signature=x")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 100 {
		if rec := call("eu-central-1"); rec.Code != http.StatusOK {
			t.Fatalf("call %d within EC2's documented bucket of 100: status %d", i, rec.Code)
		}
	}
	rec := call("eu-central-1")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "RequestLimitExceeded") || rec.Header().Get("X-Amz-Retry-After") != "" {
		t.Errorf("call 101: status %d, body %s, X-Amz-Retry-After %q", rec.Code, rec.Body, rec.Header().Get("X-Amz-Retry-After"))
	}
	if rec := call("us-east-1"); rec.Code != http.StatusOK {
		t.Errorf("another region shares the bucket: status %d", rec.Code)
	}
	if b := DocumentedBucket("kms", "DescribeKey"); b.Rate != 2000 || b.Source == "" {
		t.Errorf("DocumentedBucket(kms, DescribeKey) = %+v", b)
	}
}
