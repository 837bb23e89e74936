package github

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/failharness"
	"github.com/attestdev/attest/internal/fake/githubfake"
)

// TestFailedCallsAreNeverNone answers each route of each GitHub collector
// with 404, 403, 500 and no answer, and checks the run never ends complete
// (a 404 of a route named in NotFoundIsEvidence aside).
//
// The source authenticates as the demo's GitHub App installation: only an
// installation may list fine-grained personal access tokens.
func TestFailedCallsAreNeverNone(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	failharness.Run(t, failharness.Setup{
		Handler: func() http.Handler {
			return githubfake.NewHandler(githubfake.DemoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
		},
		Source: func(url string, hc *http.Client) collectors.Source {
			zero := 0
			return NewSource(Config{Orgs: []string{githubfake.DemoOrg}, BaseURL: url + "/", HTTPClient: hc, MaxRateLimitWaitSeconds: &zero,
				App: &AppConfig{AppID: 1, InstallationID: githubfake.DemoInstallationID, PrivateKey: key}})
		},
		Route: func(r *http.Request) string { op, _ := operation(r); return op },
		NoListing: map[string]string{
			"github.org_security": "reads the Actions and SAML settings of an organisation named in the configuration: a failed call leaves those settings unknown (gaps)",
		},
		Fallback: map[string]map[string]string{"github.alerts": {
			"GET /orgs/{org}/secret-scanning/alerts": "each repository's secret scanning alerts are read when the organisation-wide listing fails",
			"GET /orgs/{org}/repos":                  "each repository's secret scanning alerts are read when the repository list (the secret scanning status) fails",
		}},
		NotFoundIsEvidence: map[string]string{
			"GET /repos/{owner}/{repo}/code-scanning/analyses": "GitHub answers 404 when no code scanning analysis exists: the feature is not set up",
			"GET /repos/{owner}/{repo}/secret-scanning/alerts": "GitHub answers 404 when secret scanning is disabled for the repository",
			"GET /repos/{owner}/{repo}/dependabot/alerts":      "GitHub answers 404 when Dependabot alerts are disabled for the repository",
		},
	})
}
