package aws

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// awsRoute names the operation of an AWS request, e.g. "iam:ListUsers",
// leaving its body to be read again.
func awsRoute(r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(body))
	req, err := awsfake.Parse(c)
	if err != nil {
		return r.Method + " " + r.URL.Path
	}
	return req.Op()
}

// TestFailedCallsAreNeverNone answers each operation of each AWS collector
// with 404, 403, 500 and no answer, and checks the run never ends complete
// without saying what the failure left unknown.
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs every AWS collector dozens of times")
	}
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler { return awsfake.NewHandler(awsfake.Demo()) },
		Source: func(url string, hc *http.Client) collectors.Source {
			return NewSource(Config{
				AWS: awsfake.SDKConfig(url, hc), Regions: []string{"eu-central-1"},
				AllowedRegions: []string{"eu-central-1"}, MaxAttempts: 2, MaxBackoff: time.Millisecond,
			})
		},
		Route: awsRoute,
	})
}
