package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

type sink struct {
	resources []evidence.Resource
	failures  []evidence.Failure
}

func (s *sink) Emit(r evidence.Resource) { s.resources = append(s.resources, r) }
func (s *sink) Fail(f evidence.Failure)  { s.failures = append(s.failures, f) }

func server(t *testing.T, minVersion uint16, hsts string) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if hsts != "" {
			w.Header().Set("Strict-Transport-Security", hsts)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{MinVersion: minVersion}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool
}

func TestCollect(t *testing.T) {
	t.Parallel()
	modern, modernRoots := server(t, tls.VersionTLS12, "max-age=31536000; includeSubDomains")
	legacy, legacyRoots := server(t, tls.VersionTLS10, "")
	tests := []struct {
		name  string
		url   string
		roots *x509.CertPool
		want  map[string]any
	}{
		{"modern", modern.URL, modernRoots, map[string]any{
			"tls_version": "1.3", "legacy_tls_accepted": false, "cert_valid": true, "cert_error": "",
			"http_status": 200, "hsts": true, "hsts_max_age": 31536000, "hsts_include_subdomains": true,
		}},
		{"legacy", legacy.URL, legacyRoots, map[string]any{
			"tls_version": "1.3", "legacy_tls_accepted": true, "cert_valid": true, "cert_error": "",
			"http_status": 200, "hsts": false, "hsts_max_age": 0, "hsts_include_subdomains": false,
		}},
		{"untrusted", modern.URL, x509.NewCertPool(), map[string]any{
			"tls_version": "1.3", "legacy_tls_accepted": false, "cert_valid": false,
			"cert_error":  "x509: certificate signed by unknown authority",
			"http_status": 200, "hsts": true, "hsts_max_age": 31536000, "hsts_include_subdomains": true,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewSource(Config{Endpoints: []string{tt.url}, RootCAs: tt.roots}).Collectors()[0]
			var out sink
			if err := c.Collect(t.Context(), evidence.Target{Source: SourceName, Account: tt.url}, &out); err != nil {
				t.Fatal(err)
			}
			if len(out.resources) != 1 || len(out.failures) != 0 {
				t.Fatalf("resources %d, failures %v", len(out.resources), out.failures)
			}
			r := out.resources[0]
			got := map[string]any{}
			for k := range tt.want {
				got[k] = r.Attributes[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			for _, a := range c.Describe().ResourceTypes[0].Attributes {
				if _, ok := r.Attributes[a.Name]; !ok {
					t.Errorf("declared attribute %s missing", a.Name)
				}
			}
			if r.Attributes["cert_not_after"] == "" || r.Attributes["cert_key"] == "" {
				t.Errorf("certificate details missing: %v", r.Attributes)
			}
		})
	}
}

func TestCollectUnreachable(t *testing.T) {
	t.Parallel()
	srv, roots := server(t, tls.VersionTLS12, "")
	url := srv.URL
	srv.Close()
	c := NewSource(Config{RootCAs: roots}).Collectors()[0]
	var out sink
	err := c.Collect(t.Context(), evidence.Target{Source: SourceName, Account: url}, &out)
	if err == nil || len(out.resources) != 0 {
		t.Fatalf("unreachable endpoint: err %v, resources %v", err, out.resources)
	}
}

func TestCollectCancelled(t *testing.T) {
	t.Parallel()
	srv, roots := server(t, tls.VersionTLS12, "")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := NewSource(Config{RootCAs: roots}).Collectors()[0]
	err := c.Collect(ctx, evidence.Target{Source: SourceName, Account: srv.URL}, &sink{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	bad := Config{Endpoints: []string{"http://plain.example.com", "https://ok.example.com"}, Timeout: "soon"}
	err := bad.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"endpoints[0]", "timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
