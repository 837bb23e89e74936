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
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
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
		ID: "tls.endpoint", Version: 2, Source: SourceName,
		Title: "TLS configuration, certificate and HSTS of HTTPS endpoints",
		ResourceTypes: []collectors.ResourceType{{
			Name: ResourceType,
			Doc:  "An HTTPS endpoint as a client sees it.",
			Attributes: []collectors.Attribute{
				{Name: "host", Type: "string", Doc: "Host name."},
				{Name: "port", Type: "int", Doc: "TCP port."},
				{Name: "tls_version", Type: "string", Doc: `Newest version the endpoint accepts: "1.0" to "1.3", or "" when it refuses all four.`},
				{Name: "cipher_suite", Type: "string", Doc: "Cipher suite negotiated at tls_version (IANA name)."},
				{Name: "tls1_0", Type: "string", Doc: `TLS 1.0 offered with every legacy suite Go implements (RSA key exchange, CBC, 3DES, RC4): "accepted", or "refused" (a TLS alert, another version, or the server closed the handshake). Absent, with a gap, when a network error left it unknown; the run then fails.`},
				{Name: "tls1_1", Type: "string", Doc: `TLS 1.1, probed like tls1_0: "accepted" or "refused"; absent when unknown.`},
				{Name: "tls1_2", Type: "string", Doc: `TLS 1.2 offered with every suite Go implements: "accepted" or "refused"; absent when unknown.`},
				{Name: "tls1_3", Type: "string", Doc: `TLS 1.3: "accepted" or "refused"; absent when unknown.`},
				{Name: "legacy_tls_accepted", Type: "bool", Doc: "Whether the endpoint completes a TLS 1.0 or 1.1 handshake; absent when a probe ended in a network error and none was accepted."},
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

// Protocol results, per TLS version, of the handshake probes.
const (
	// Accepted means the endpoint completed a handshake at that version.
	Accepted = "accepted"
	// Refused means the endpoint refused it: it answered with a TLS alert
	// (such as protocol_version or handshake_failure), answered with
	// another version, or closed the connection during the handshake.
	Refused = "refused"
	// Unknown means the probe could not tell, because of a network error
	// (connection refused, timeout, reset before the handshake began).
	Unknown = "unknown"
)

// protocols are the versions probed, oldest first, with their attribute
// names.
var protocols = []struct {
	version uint16
	attr    string
}{
	{tls.VersionTLS10, "tls1_0"},
	{tls.VersionTLS11, "tls1_1"},
	{tls.VersionTLS12, "tls1_2"},
	{tls.VersionTLS13, "tls1_3"},
}

// suitesFor returns every cipher suite Go implements for version v,
// the insecure ones included (RSA key exchange, CBC, 3DES, RC4), listed
// explicitly so that the probe offers what a legacy client would: Go's
// default client suites no longer include them. TLS 1.3 suites are not
// configurable and return nil.
func suitesFor(v uint16) []uint16 {
	if v == tls.VersionTLS13 {
		return nil
	}
	var ids []uint16
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, cs := range list {
			if slices.Contains(cs.SupportedVersions, v) {
				ids = append(ids, cs.ID)
			}
		}
	}
	return ids
}

// A probeResult is the outcome of one handshake at one version.
type probeResult struct {
	status string
	state  tls.ConnectionState
	// err is the handshake error of a refused or unknown probe.
	err error
}

// probe attempts one handshake with the endpoint at exactly version v,
// offering every cipher suite Go still implements for it.
func probe(ctx context.Context, addr, host string, v uint16, timeout time.Duration) probeResult {
	cfg := &tls.Config{ServerName: host, MinVersion: v, MaxVersion: v, CipherSuites: suitesFor(v), InsecureSkipVerify: true} //nolint:gosec // probing protocol support; the chain is verified separately
	state, err := handshake(ctx, addr, cfg, timeout)
	if err == nil {
		return probeResult{status: Accepted, state: state}
	}
	if refusal(err) {
		return probeResult{status: Refused, err: err}
	}
	return probeResult{status: Unknown, err: err}
}

// errNetwork marks an error of the TCP connection before the handshake
// began.
var errNetwork = errors.New("network")

// refusal reports whether a handshake error is the endpoint refusing the
// protocol or the handshake: a TLS alert it sent, a ServerHello of another
// version, or the connection closed by the server once the ClientHello was
// sent. Network errors before the handshake and timeouts are not.
func refusal(err error) bool {
	if errors.Is(err, errNetwork) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	return strings.Contains(err.Error(), "server selected unsupported protocol version")
}

// Collect probes the endpoint named by target.Account: one handshake at
// each of TLS 1.0, 1.1, 1.2 and 1.3, then the chain and the HSTS header
// from the newest version accepted. A probe cut short by a network error
// records the version as unknown and fails the run, so its controls are
// inconclusive; an endpoint that cannot be reached at all is an error.
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

	attrs := map[string]any{"host": host, "port": port}
	res := evidence.Resource{Type: ResourceType, ID: ep.String(), Name: ep.Host, Attributes: attrs}
	results := map[string]probeResult{}
	var best *probeResult
	var bestVersion uint16
	var unknown []error
	for _, p := range protocols {
		r := probe(ctx, ep.Host, host, p.version, timeout)
		if ctx.Err() != nil {
			return fmt.Errorf("tls handshake %s: %w", ep.Host, ctx.Err())
		}
		results[p.attr] = r
		if r.status != Unknown {
			// An unknown version is left out, with a gap saying why, so
			// that a rule reading it is inconclusive rather than failing.
			attrs[p.attr] = r.status
		}
		switch r.status {
		case Accepted:
			best, bestVersion = &r, p.version
		case Unknown:
			err := fmt.Errorf("tls %s handshake %s: %w", versionName(p.version), ep.Host, r.err)
			unknown = append(unknown, err)
			res.Gaps = append(res.Gaps, collectors.GapOf(err, p.attr))
		}
	}
	if len(unknown) == len(protocols) {
		return fmt.Errorf("tls probe %s: %w", ep.Host, errors.Join(unknown...))
	}
	legacyAccepted(&res, results)

	certErr := ""
	if best != nil {
		certErr = chainAttrs(attrs, &best.state, host, roots)
	} else if len(unknown) == 0 {
		// Every version refused: the endpoint offers no TLS at all.
		attrs["tls_version"] = ""
	}
	rec := handshakeRecord(results, best, certErr)
	res.Records = append(res.Records, collectors.Record(ctx, evidence.Record{Operation: "tls:Handshake", Endpoint: ep.String(), ContentType: "application/json"}, rec))

	if best != nil {
		hsum, err := c.fetch(ctx, ep, roots, timeout, bestVersion, attrs)
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
	}
	out.Emit(res)
	if len(unknown) > 0 {
		return fmt.Errorf("tls probe %s: %w", ep.Host, errors.Join(unknown...))
	}
	return nil
}

// legacyAccepted sets legacy_tls_accepted from the TLS 1.0 and 1.1 probes,
// or records a gap when either ended in a network error and neither was
// accepted.
func legacyAccepted(res *evidence.Resource, results map[string]probeResult) {
	legacy0, legacy1 := results["tls1_0"].status, results["tls1_1"].status
	switch {
	case legacy0 == Accepted || legacy1 == Accepted:
		res.Attributes["legacy_tls_accepted"] = true
	case legacy0 == Refused && legacy1 == Refused:
		res.Attributes["legacy_tls_accepted"] = false
	default:
		res.Gaps = append(res.Gaps, evidence.Gap{Attribute: "legacy_tls_accepted", Kind: evidence.Errored, Message: "a TLS 1.0 or 1.1 probe ended in a network error"})
	}
}

// chainAttrs sets the version, cipher suite and certificate attributes of
// the newest accepted handshake, and returns why the chain does not verify
// for host against roots ("" when it does).
func chainAttrs(attrs map[string]any, state *tls.ConnectionState, host string, roots *x509.CertPool) string {
	attrs["tls_version"] = versionName(state.Version)
	attrs["cipher_suite"] = tls.CipherSuiteName(state.CipherSuite)
	leaf := state.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, cert := range state.PeerCertificates[1:] {
		inter.AddCert(cert)
	}
	certErr := ""
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter, CurrentTime: time.Now()}); err != nil {
		certErr = err.Error()
	}
	attrs["cert_valid"] = certErr == ""
	attrs["cert_error"] = certErr
	attrs["cert_subject"] = leaf.Subject.String()
	attrs["cert_issuer"] = leaf.Issuer.String()
	attrs["cert_not_after"] = leaf.NotAfter.UTC().Format(time.RFC3339)
	attrs["cert_key"] = keyName(leaf)
	return certErr
}

// fetch requests the endpoint URL and records the status and HSTS header.
func (c *Collector) fetch(ctx context.Context, ep *url.URL, roots *x509.CertPool, timeout time.Duration, version uint16, attrs map[string]any) (string, error) {
	tr := collectors.BaseTransport(collectors.DefaultTimeouts.WithCall(timeout))
	// The newest version the endpoint accepted, with every suite Go still
	// implements for it, so that an endpoint with legacy TLS only still
	// answers the GET.
	tr.TLSClientConfig = &tls.Config{MinVersion: version, MaxVersion: version, CipherSuites: suitesFor(version), RootCAs: roots, InsecureSkipVerify: true} //nolint:gosec // the chain was verified above; HSTS is checked even on an invalid chain
	tr.ForceAttemptHTTP2 = false
	client := &http.Client{
		Timeout:       timeout,
		Transport:     tr,
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

// handshake connects to addr and completes a TLS handshake with cfg, both
// within timeout. A failure to connect wraps errNetwork.
func handshake(ctx context.Context, addr string, cfg *tls.Config, timeout time.Duration) (tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := (&net.Dialer{Timeout: timeout}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, fmt.Errorf("%w: %w", errNetwork, err)
	}
	defer raw.Close()
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, err
	}
	return conn.ConnectionState(), nil
}

// handshakeRecord is the raw evidence of the probes: the result of each
// version, and the chain and suite of the newest accepted one.
func handshakeRecord(results map[string]probeResult, best *probeResult, certErr string) []byte {
	protos := map[string]any{}
	for _, p := range protocols {
		r := results[p.attr]
		e := map[string]any{"result": r.status}
		if r.err != nil {
			e["error"] = r.err.Error()
		}
		if r.status == Accepted {
			e["cipher_suite"] = tls.CipherSuiteName(r.state.CipherSuite)
		}
		protos[versionName(p.version)] = e
	}
	rec := map[string]any{"protocols": protos}
	if best != nil {
		var chain bytes.Buffer
		for _, cert := range best.state.PeerCertificates {
			_ = pem.Encode(&chain, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		}
		rec["version"] = versionName(best.state.Version)
		rec["cipher_suite"] = tls.CipherSuiteName(best.state.CipherSuite)
		rec["verify_error"] = certErr
		rec["chain_pem"] = chain.String()
	}
	data, _ := json.MarshalIndent(rec, "", "  ")
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
