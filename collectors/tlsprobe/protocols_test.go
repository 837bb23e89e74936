package tlsprobe

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

var (
	rsaOnce sync.Once
	rsaCert tls.Certificate
	rsaPool *x509.CertPool
)

// rsaServerCert returns a self-signed RSA certificate for 127.0.0.1, so that
// the servers can offer RSA key exchange suites.
func rsaServerCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	rsaOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "legacy.test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true, IsCA: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		leaf, _ := x509.ParseCertificate(der)
		rsaCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
		rsaPool = x509.NewCertPool()
		rsaPool.AddCert(leaf)
	})
	return rsaCert, rsaPool
}

// legacyServer starts an HTTPS server that speaks only the versions from
// minV to maxV with only the RSA key exchange suite
// TLS_RSA_WITH_AES_128_CBC_SHA, which Go's default client suites no
// longer offer.
func legacyServer(t *testing.T, minV, maxV uint16, suites ...uint16) (string, *x509.CertPool) {
	t.Helper()
	cert, pool := rsaServerCert(t)
	if len(suites) == 0 {
		suites = []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=600")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{MinVersion: minV, MaxVersion: maxV, CipherSuites: suites, Certificates: []tls.Certificate{cert}} //nolint:gosec // a deliberately legacy server
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL, pool
}

// rawServer accepts connections and hands each to handle.
func rawServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				handle(c)
				_ = done
			})
		}
	})
	return "https://" + ln.Addr().String()
}

func protocolAttrs(r evidence.Resource) map[string]any {
	got := map[string]any{}
	for _, k := range []string{"tls1_0", "tls1_1", "tls1_2", "tls1_3", "tls_version", "legacy_tls_accepted"} {
		if v, ok := r.Attributes[k]; ok {
			got[k] = v
		}
	}
	return got
}

func TestCollectProtocols(t *testing.T) {
	t.Parallel()
	tls10, pool := legacyServer(t, tls.VersionTLS10, tls.VersionTLS10)
	tls11, _ := legacyServer(t, tls.VersionTLS11, tls.VersionTLS11)
	upTo11, _ := legacyServer(t, tls.VersionTLS10, tls.VersionTLS11)
	tls10Triple, _ := legacyServer(t, tls.VersionTLS10, tls.VersionTLS10, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA)
	modern, _ := legacyServer(t, tls.VersionTLS12, tls.VersionTLS13, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
	// Answers every ClientHello with a fatal handshake_failure alert.
	alerting := rawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		_, _ = c.Write([]byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28})
	})
	// Reads the ClientHello and closes the connection without a word.
	closing := rawServer(t, func(c net.Conn) { _, _ = c.Read(make([]byte, 4096)) })
	tests := []struct {
		name string
		url  string
		want map[string]any
	}{
		{"TLS 1.0 only, RSA key exchange", tls10, map[string]any{
			"tls1_0": Accepted, "tls1_1": Refused, "tls1_2": Refused, "tls1_3": Refused, "tls_version": "1.0", "legacy_tls_accepted": true,
		}},
		{"TLS 1.0 only, 3DES", tls10Triple, map[string]any{
			"tls1_0": Accepted, "tls1_1": Refused, "tls1_2": Refused, "tls1_3": Refused, "tls_version": "1.0", "legacy_tls_accepted": true,
		}},
		{"TLS 1.1 only, RSA key exchange", tls11, map[string]any{
			"tls1_0": Refused, "tls1_1": Accepted, "tls1_2": Refused, "tls1_3": Refused, "tls_version": "1.1", "legacy_tls_accepted": true,
		}},
		{"TLS 1.2 not offered (max 1.1)", upTo11, map[string]any{
			"tls1_0": Accepted, "tls1_1": Accepted, "tls1_2": Refused, "tls1_3": Refused, "tls_version": "1.1", "legacy_tls_accepted": true,
		}},
		{"modern only", modern, map[string]any{
			"tls1_0": Refused, "tls1_1": Refused, "tls1_2": Accepted, "tls1_3": Accepted, "tls_version": "1.3", "legacy_tls_accepted": false,
		}},
		{"all refused with an alert", alerting, map[string]any{
			"tls1_0": Refused, "tls1_1": Refused, "tls1_2": Refused, "tls1_3": Refused, "tls_version": "", "legacy_tls_accepted": false,
		}},
		{"all refused by closing", closing, map[string]any{
			"tls1_0": Refused, "tls1_1": Refused, "tls1_2": Refused, "tls1_3": Refused, "tls_version": "", "legacy_tls_accepted": false,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := NewSource(Config{Endpoints: []string{tt.url}, RootCAs: pool, Timeout: "5s"}).Collectors()[0]
			var out sink
			if err := c.Collect(t.Context(), evidence.Target{Source: SourceName, Account: tt.url}, &out); err != nil {
				t.Fatal(err)
			}
			if len(out.resources) != 1 || len(out.failures) != 0 {
				t.Fatalf("resources %d, failures %v", len(out.resources), out.failures)
			}
			r := out.resources[0]
			if diff := cmp.Diff(tt.want, protocolAttrs(r)); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if len(r.Gaps) != 0 {
				t.Errorf("gaps %v", r.Gaps)
			}
			if tt.want["tls_version"] != "" {
				if r.Attributes["cert_valid"] != true || r.Attributes["hsts_max_age"] != 600 {
					t.Errorf("chain or HSTS not read over the accepted version: %v", r.Attributes)
				}
			}
		})
	}
}

// TestCollectNetworkError checks that a probe cut off by the network is
// never counted as a refusal: the run fails, so the controls are
// inconclusive.
func TestCollectNetworkError(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "https://" + ln.Addr().String()
		ln.Close()
		var out sink
		err = NewSource(Config{Timeout: "2s"}).Collectors()[0].Collect(t.Context(), evidence.Target{Source: SourceName, Account: url}, &out)
		if err == nil || len(out.resources) != 0 {
			t.Fatalf("err %v, resources %v", err, out.resources)
		}
	})
	t.Run("accepts and never answers", func(t *testing.T) {
		t.Parallel()
		stop := make(chan struct{})
		url := rawServer(t, func(net.Conn) { <-stop })
		t.Cleanup(func() { close(stop) })
		var out sink
		start := time.Now()
		err := NewSource(Config{Timeout: "300ms"}).Collectors()[0].Collect(t.Context(), evidence.Target{Source: SourceName, Account: url}, &out)
		if err == nil {
			t.Fatalf("no error; resources %v", out.resources)
		}
		if k := collectors.Classify(err); k != evidence.Timeout {
			t.Errorf("kind %s, want timeout (%v)", k, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s", d)
		}
	})
	t.Run("legacy probes time out, modern accepted", func(t *testing.T) {
		t.Parallel()
		// A modern server whose TLS 1.0 and 1.1 probes time out: those
		// versions are unknown, legacy_tls_accepted is absent and the
		// collector fails.
		cert, pool := rsaServerCert(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		stop := make(chan struct{})
		t.Cleanup(func() { close(stop) })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					conn := tls.Server(c, &tls.Config{
						MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert},
						GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
							if !supportsModern(h.SupportedVersions) {
								<-stop // a legacy hello is never answered
							}
							return nil, nil
						},
					})
					_ = conn.HandshakeContext(context.Background())
				}()
			}
		}()
		url := "https://" + ln.Addr().String()
		var out sink
		err = NewSource(Config{Timeout: "300ms", RootCAs: pool}).Collectors()[0].Collect(t.Context(), evidence.Target{Source: SourceName, Account: url}, &out)
		if err == nil {
			t.Fatal("no error")
		}
		if len(out.resources) != 1 {
			t.Fatalf("resources %v", out.resources)
		}
		got := protocolAttrs(out.resources[0])
		// The unknown versions are absent, so no rule reads them as refused.
		want := map[string]any{"tls1_2": Accepted, "tls1_3": Accepted, "tls_version": "1.3"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("attributes (-want +got):\n%s", diff)
		}
		var gaps []string
		for _, g := range out.resources[0].Gaps {
			gaps = append(gaps, g.Attribute)
		}
		// hsts: this server only shakes hands, it serves no HTTP.
		if diff := cmp.Diff([]string{"tls1_0", "tls1_1", "legacy_tls_accepted", "hsts"}, gaps); diff != "" {
			t.Errorf("gaps (-want +got):\n%s", diff)
		}
	})
}

func supportsModern(vs []uint16) bool {
	for _, v := range vs {
		if v >= tls.VersionTLS12 {
			return true
		}
	}
	return false
}
