package azure

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/internal/fake/azurefake"
)

const testSub = azurefake.DemoSubscription

// serve starts the fake serving st, with the routes in over (by action,
// e.g. "Microsoft.Storage/storageAccounts/read") answered by their
// handlers instead. Requests the fake refuses fail the test.
func serve(t *testing.T, st *azurefake.State, over map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	st.OnUnexpected = t.Errorf
	fake := azurefake.NewHandler(st)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := over[actionOf(r.URL.Path)]; ok {
			h(w, r)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// testSource returns the source for the fake at srv, with retries and
// per-call deadline as given.
func testSource(srv *httptest.Server, retries, maxWait int, timeout time.Duration) *Source {
	hc := srv.Client()
	hc.Timeout = timeout
	return NewSource(Config{
		Subscriptions: []string{testSub}, Endpoint: srv.URL, HTTPClient: hc,
		Credential: azurefake.Credential{Token: azurefake.DemoToken}, Retries: &retries, MaxRetryWaitSeconds: &maxWait,
	})
}

func target() evidence.Target { return evidence.Target{Source: SourceName, Account: testSub} }

// collect runs collector id of src on the test subscription.
func collect(t *testing.T, src *Source, id string, started chan struct{}) (*apitest.Sink, error) {
	t.Helper()
	return apitest.Collect(t, src.Collectors(), id, target(), started)
}

// armError answers with a Resource Manager error.
func armError(status int, code, message string, header map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		azurefake.WriteError(w, status, code, message)
	}
}

// counting wraps h and counts its requests.
func counting(n *atomic.Int32, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { n.Add(1); h(w, r) }
}

// hang accepts the request and answers only when it is cancelled,
// signalling on started when it arrives.
func hang(started chan struct{}) http.HandlerFunc {
	return func(_ http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}
}

// denied is Resource Manager's 403 for a missing action, as documented.
func denied(action string) http.HandlerFunc {
	return armError(http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf("The client 'attest@acme-demo.example' with object id '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6' does not have authorization to perform action '%s' over scope '/subscriptions/%s' or the scope is invalid. If access was recently granted, please refresh your credentials.", action, testSub), nil)
}
