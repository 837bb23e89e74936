// Package tlsprobe collects evidence of encryption in transit from HTTPS
// endpoints: the negotiated TLS version and cipher suite, whether legacy
// TLS 1.0/1.1 is still accepted, the certificate chain and its expiry, and
// the HTTP Strict-Transport-Security header.
//
// It connects to the endpoints named in the configuration, the same way a
// browser would, and needs no credentials.
package tlsprobe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SourceName is the name of the TLS source in configuration and targets.
const SourceName = "tls"

// ResourceType is the type of the resources the collector emits.
const ResourceType = "tls.endpoint"

// Config configures the TLS source.
type Config struct {
	// Endpoints are HTTPS URLs, e.g. https://www.example.com or
	// https://api.example.com:8443/health. The path is fetched for the
	// HSTS header.
	Endpoints []string `yaml:"endpoints"`
	// CAFile is a PEM file of extra trusted root certificates, for
	// endpoints behind a private CA. The system roots are always trusted.
	CAFile string `yaml:"ca_file,omitempty"`
	// Timeout bounds each connection; default 10s.
	Timeout string `yaml:"timeout,omitempty"`

	// RootCAs replaces the trusted roots (tests and the demo).
	RootCAs *x509.CertPool `yaml:"-"`
}

// Validate checks the configuration without connecting anywhere.
func (c *Config) Validate() error {
	var errs []error
	for i, e := range c.Endpoints {
		if _, err := parseEndpoint(e); err != nil {
			errs = append(errs, fmt.Errorf("endpoints[%d]: %w", i, err))
		}
	}
	if c.Timeout != "" {
		if d, err := time.ParseDuration(c.Timeout); err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("timeout: %q is not a duration such as 10s", c.Timeout))
		}
	}
	return errors.Join(errs...)
}

// A Source probes the configured endpoints.
type Source struct {
	cfg Config
	c   *Collector
}

// NewSource returns the TLS source for cfg. It performs no I/O.
func NewSource(cfg Config) *Source {
	return &Source{cfg: cfg, c: &Collector{cfg: cfg}}
}

// Name returns "tls".
func (s *Source) Name() string { return SourceName }

// Collectors returns the endpoint collector.
func (s *Source) Collectors() []collectors.Collector { return []collectors.Collector{s.c} }

// Plan returns one job per endpoint, in configuration order.
func (s *Source) Plan(_ context.Context, enabled func(string) bool) ([]collectors.Job, error) {
	if !enabled(s.c.Describe().ID) {
		return nil, nil
	}
	var jobs []collectors.Job
	for _, e := range s.cfg.Endpoints {
		jobs = append(jobs, collectors.Job{Collector: s.c, Target: evidence.Target{Source: SourceName, Account: e}})
	}
	return jobs, nil
}

// A Collector probes one HTTPS endpoint per target. The target's account is
// the endpoint URL.
type Collector struct {
	cfg Config
}

// Describe returns the collector's metadata.
func (c *Collector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "tls.endpoint", Version: 1, Source: SourceName,
		Title: "TLS configuration, certificate and HSTS of HTTPS endpoints",
		ResourceTypes: []collectors.ResourceType{{
			Name: ResourceType,
			Doc:  "An HTTPS endpoint as a client sees it.",
			Attributes: []collectors.Attribute{
				{Name: "host", Type: "string", Doc: "Host name."},
				{Name: "port", Type: "int", Doc: "TCP port."},
				{Name: "tls_version", Type: "string", Doc: `Negotiated version with a modern client: "1.2" or "1.3".`},
				{Name: "cipher_suite", Type: "string", Doc: "Negotiated cipher suite (IANA name)."},
				{Name: "legacy_tls_accepted", Type: "bool", Doc: "Whether the endpoint completes a TLS 1.0 or 1.1 handshake."},
				{Name: "cert_valid", Type: "bool", Doc: "Whether the chain verifies against the trusted roots for the host name."},
				{Name: "cert_error", Type: "string", Doc: "Why verification failed; empty when valid."},
				{Name: "cert_subject", Type: "string", Doc: "Leaf certificate subject."},
				{Name: "cert_issuer", Type: "string", Doc: "Leaf certificate issuer."},
				{Name: "cert_not_after", Type: "timestamp", Doc: "Leaf certificate expiry."},
				{Name: "cert_key", Type: "string", Doc: `Leaf public key, e.g. "ECDSA P-256" or "RSA 2048".`},
				{Name: "http_status", Type: "int", Doc: "Status of the GET request to the endpoint URL."},
				{Name: "hsts", Type: "bool", Doc: "Whether a Strict-Transport-Security header is sent."},
				{Name: "hsts_max_age", Type: "int", Doc: "HSTS max-age in seconds (0 without HSTS)."},
				{Name: "hsts_include_subdomains", Type: "bool", Doc: "Whether HSTS covers subdomains."},
			},
		}},
		Permissions: []string{"network access to each endpoint (no credentials)"},
	}
}

// Collect probes the endpoint named by target.Account. An endpoint that
// cannot be reached is an error: its controls become inconclusive.
func (c *Collector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	ep, err := parseEndpoint(target.Account)
	if err != nil {
		return err
	}
	roots, err := c.roots()
	if err != nil {
		return err
	}
	timeout := 10 * time.Second
	if d, err := time.ParseDuration(c.cfg.Timeout); err == nil && d > 0 {
		timeout = d
	}
	host, portStr, _ := net.SplitHostPort(ep.Host)
	port, _ := strconv.Atoi(portStr)

	state, err := handshake(ctx, ep.Host, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}, timeout) //nolint:gosec // verified below, so an invalid chain is evidence, not an error
	if err != nil {
		return fmt.Errorf("tls handshake %s: %w", ep.Host, err)
	}
	_, legacyErr := handshake(ctx, ep.Host, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11, InsecureSkipVerify: true}, timeout) //nolint:gosec // probing protocol support only
	if ctx.Err() != nil {
		return fmt.Errorf("tls handshake %s: %w", ep.Host, ctx.Err())
	}
	legacy := legacyErr == nil

	leaf := state.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, cert := range state.PeerCertificates[1:] {
		inter.AddCert(cert)
	}
	certErr := ""
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: time.Now()}); err != nil {
		certErr = err.Error()
	}
	rec := handshakeRecord(state, legacy, certErr)
	sum := collectors.Record(ctx, evidence.Record{Operation: "tls:Handshake", Endpoint: ep.String(), ContentType: "application/json"}, rec)

	attrs := map[string]any{
		"host": host, "port": port,
		"tls_version":         versionName(state.Version),
		"cipher_suite":        tls.CipherSuiteName(state.CipherSuite),
		"legacy_tls_accepted": legacy,
		"cert_valid":          certErr == "",
		"cert_error":          certErr,
		"cert_subject":        leaf.Subject.String(),
		"cert_issuer":         leaf.Issuer.String(),
		"cert_not_after":      leaf.NotAfter.UTC().Format(time.RFC3339),
		"cert_key":            keyName(leaf),
	}
	res := evidence.Resource{Type: ResourceType, ID: ep.String(), Name: ep.Host, Attributes: attrs, Records: []string{sum}}

	hsum, err := c.fetch(ctx, ep, roots, timeout, attrs)
	if err != nil {
		res.Gaps = append(res.Gaps, collectors.GapOf(err, "hsts"))
		out.Fail(collectors.FailureOf(err, ep.String()))
		for _, a := range []string{"http_status", "hsts", "hsts_max_age", "hsts_include_subdomains"} {
			delete(attrs, a)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("https GET %s: %w", ep, ctx.Err())
		}
	}
	if hsum != "" {
		res.Records = append(res.Records, hsum)
	}
	out.Emit(res)
	return nil
}

// fetch requests the endpoint URL and records the status and HSTS header.
func (c *Collector) fetch(ctx context.Context, ep *url.URL, roots *x509.CertPool, timeout time.Duration, attrs map[string]any) (string, error) {
	client := &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots, InsecureSkipVerify: true}, //nolint:gosec // the chain was verified above; HSTS is checked even on an invalid chain
			Proxy:           http.ProxyFromEnvironment,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.String(), nil)
	if err != nil {
		return "", fmt.Errorf("https GET %s: %w", ep, err)
	}
	req.Header.Set("User-Agent", "attest (compliance evidence collector)")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("https GET %s: %w", ep, err)
	}
	_ = resp.Body.Close()
	hsts := resp.Header.Get("Strict-Transport-Security")
	maxAge, sub := parseHSTS(hsts)
	attrs["http_status"] = resp.StatusCode
	attrs["hsts"] = maxAge > 0
	attrs["hsts_max_age"] = maxAge
	attrs["hsts_include_subdomains"] = sub
	headers := map[string]any{"status": resp.StatusCode, "strict_transport_security": hsts, "location": resp.Header.Get("Location")}
	body, _ := json.Marshal(headers)
	return collectors.Record(ctx, evidence.Record{Operation: "https:GET", Method: http.MethodGet, Endpoint: collectors.RedactURL(ep), Status: resp.StatusCode, ContentType: "application/json"}, body), nil
}

func (c *Collector) roots() (*x509.CertPool, error) {
	if c.cfg.RootCAs != nil {
		return c.cfg.RootCAs, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if c.cfg.CAFile != "" {
		data, err := os.ReadFile(c.cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls ca_file: %w", err)
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("tls ca_file %s: no PEM certificates found", c.cfg.CAFile)
		}
	}
	return pool, nil
}

func handshake(ctx context.Context, addr string, cfg *tls.Config, timeout time.Duration) (tls.ConnectionState, error) {
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: cfg}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState(), nil
}

func handshakeRecord(state tls.ConnectionState, legacy bool, certErr string) []byte {
	var chain bytes.Buffer
	for _, cert := range state.PeerCertificates {
		_ = pem.Encode(&chain, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	}
	data, _ := json.MarshalIndent(map[string]any{
		"version":             versionName(state.Version),
		"cipher_suite":        tls.CipherSuiteName(state.CipherSuite),
		"legacy_tls_accepted": legacy,
		"verify_error":        certErr,
		"chain_pem":           chain.String(),
	}, "", "  ")
	return data
}

func parseEndpoint(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return nil, fmt.Errorf("tls endpoint %q: want an https:// URL", s)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "443")
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

func parseHSTS(v string) (maxAge int, includeSub bool) {
	for _, part := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "max-age":
			maxAge, _ = strconv.Atoi(strings.Trim(val, `"`))
		case "includesubdomains":
			includeSub = true
		}
	}
	return maxAge, includeSub
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

func keyName(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return c.PublicKeyAlgorithm.String()
}
