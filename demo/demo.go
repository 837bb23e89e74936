// Package demo runs a small built-in organisation on local servers that
// answer like the real provider APIs, so that attest can be tried end to
// end with the real SDK clients and no account anywhere. Some of its
// resources are compliant and some are not, so the demo shows both
// outcomes.
//
// Nothing here is evidence of anything: the demo's bundle says so in every
// target, which names a local address.
package demo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/aws"
	"github.com/attestdev/attest/collectors/azure"
	"github.com/attestdev/attest/collectors/entra"
	"github.com/attestdev/attest/collectors/gcp"
	"github.com/attestdev/attest/collectors/github"
	"github.com/attestdev/attest/collectors/gitlab"
	"github.com/attestdev/attest/collectors/okta"
	"github.com/attestdev/attest/collectors/tlsprobe"
	"github.com/attestdev/attest/collectors/workspace"
	demoevidence "github.com/attestdev/attest/demo/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
	"github.com/attestdev/attest/internal/fake/azurefake"
	"github.com/attestdev/attest/internal/fake/entrafake"
	"github.com/attestdev/attest/internal/fake/gcpfake"
	"github.com/attestdev/attest/internal/fake/githubfake"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
	"github.com/attestdev/attest/internal/fake/oktafake"
	"github.com/attestdev/attest/internal/fake/workspacefake"
)

// An Env is a running demo organisation.
type Env struct {
	// Sources points every source at the demo servers.
	Sources all.Config
	// CAPEM is the demo certificate authority, for clients outside the
	// process.
	CAPEM []byte

	ca      *authority
	closers []func()
}

// Close stops every demo server.
func (e *Env) Close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// Start starts the demo servers on loopback ports chosen by the system.
func Start(now time.Time) (*Env, error) {
	env := &Env{}
	ca, err := newCA(now)
	if err != nil {
		return nil, err
	}
	env.CAPEM = ca.pem
	env.ca = ca
	if err := env.startTLS(ca, now); err != nil {
		env.Close()
		return nil, err
	}
	if err := env.startGitHub(now); err != nil {
		env.Close()
		return nil, err
	}
	env.startGitLab(now)
	env.startAWS(now)
	env.startGCP(now)
	env.startWorkspace(now)
	env.startOkta(now)
	env.startEntra(now)
	env.startAzure()
	mc := demoevidence.Config(now)
	env.Sources.Manual = &mc
	return env, nil
}

// startTLS starts two web endpoints: a well-configured one, and a legacy one
// that still accepts TLS 1.0, sends no HSTS and whose certificate expires in
// ten days.
func (e *Env) startTLS(ca *authority, now time.Time) error {
	good, err := ca.leaf(now, now.Add(90*24*time.Hour))
	if err != nil {
		return err
	}
	legacy, err := ca.leaf(now, now.Add(10*24*time.Hour))
	if err != nil {
		return err
	}
	page := func(hsts string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if hsts != "" {
				w.Header().Set("Strict-Transport-Security", hsts)
			}
			_, _ = w.Write([]byte("attest demo\n"))
		})
	}
	start := func(h http.Handler, cfg *tls.Config) string {
		srv := httptest.NewUnstartedServer(h)
		// The legacy-protocol probe fails its handshake with the good
		// endpoint on purpose; that is not worth a log line.
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.TLS = cfg
		srv.StartTLS()
		e.closers = append(e.closers, srv.Close)
		return srv.URL
	}
	goodURL := start(page("max-age=31536000; includeSubDomains"), &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{good}})
	legacyURL := start(page(""), &tls.Config{MinVersion: tls.VersionTLS10, Certificates: []tls.Certificate{legacy}}) //nolint:gosec // the demo's deliberately non-compliant endpoint
	e.Sources.TLS = &tlsprobe.Config{Endpoints: []string{goodURL + "/", legacyURL + "/"}, RootCAs: ca.pool}
	return nil
}

// startGitHub serves the demo GitHub organisation: protected and
// unprotected repositories, an old critical Dependabot alert, a member
// without 2FA.
//
// attest authenticates as the demo's GitHub App installation, with a fresh
// key: only an installation may list fine-grained personal access tokens
// (GH-CRED-001).
func (e *Env) startGitHub(now time.Time) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("demo: github app key: %w", err)
	}
	srv := httptest.NewServer(githubfake.NewHandler(githubfake.DemoAt(now)))
	e.closers = append(e.closers, srv.Close)
	e.Sources.GitHub = &github.Config{Orgs: []string{githubfake.DemoOrg, githubfake.DemoLabsOrg}, BaseURL: srv.URL, HTTPClient: srv.Client(),
		App: &github.AppConfig{AppID: 1, InstallationID: githubfake.DemoInstallationID, PrivateKey: key}}
	return nil
}

// startGitLab serves the demo GitLab group, a self-managed instance: a
// top-level group requiring 2FA with a subgroup member without it, a
// well-protected project, one that developers may merge into with force
// push allowed, author approval, no push rule, a write deploy key that never
// expires and no secret detection, and a project without protection or
// pipeline.
func (e *Env) startGitLab(now time.Time) {
	srv := httptest.NewServer(gitlabfake.NewHandler(gitlabfake.DemoAt(now)))
	e.closers = append(e.closers, srv.Close)
	e.Sources.GitLab = &gitlab.Config{Groups: []string{gitlabfake.DemoGroup}, BaseURL: srv.URL, Token: "demo-token", HTTPClient: srv.Client()}
}

// startAWS serves the demo AWS organisation: a management account and a
// member account reached through sts:AssumeRole, in eu-central-1 (the only
// region data may live in) and us-east-1.
//
// The member account's read-only role lacks GuardDuty permissions, so the
// demo also shows a control that is inconclusive because attest was denied,
// naming the permission to grant. AWS Backup ran this morning for some data
// stores, days ago for one and never for another; the member account's root
// user signed in recently.
func (e *Env) startAWS(now time.Time) {
	state := awsfake.Demo()
	awsfake.DemoRecent(state, now)
	for _, m := range state.Members {
		m.Faults = map[string]awsfake.Fault{"guardduty:ListDetectors": {Status: 403, Code: "AccessDeniedException"}}
	}
	srv := httptest.NewServer(awsfake.NewHandler(state))
	e.closers = append(e.closers, srv.Close)
	e.Sources.AWS = &aws.Config{
		AWS:            awsfake.SDKConfig(srv.URL, srv.Client()),
		Regions:        []string{"eu-central-1", "us-east-1"},
		AllowedRegions: []string{"eu-central-1"},
		Organization:   aws.OrganizationConfig{Enabled: true},
		// The management account runs production; the member account sits
		// in a non-production OU, and a VPC peering joins the two.
		Environments: map[string]string{awsfake.DemoAccount: "prod", "ou-demo-nonprod1": "nonprod"},
		// The demo company promises DDoS protection, so Shield Advanced is
		// required: one account has it, the other does not.
		ShieldRequired: true,
	}
}

// WriteWaivers writes the demo's waiver file into dir and returns its path:
// a time-limited exception for the public bucket that serves the marketing
// website, so the demo shows a waived failure next to real ones.
func (e *Env) WriteWaivers(dir string, now time.Time) (string, error) {
	body := fmt.Sprintf(`# Demo waivers: approved, expiring exceptions. A waived failure is reported
# as waived, never as a pass.
waivers:
  - id: WAIVER-2026-001
    control: AWS-S3-003
    resources: ["acme-marketing-assets"]
    reason: Serves the public marketing website's images; holds no personal data.
    owner: web-team
    approved_by: ciso@example.com
    created: %s
    expires: %s
`, now.AddDate(0, -1, 0).Format(time.DateOnly), now.AddDate(0, 0, 20).Format(time.DateOnly))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	path := filepath.Join(dir, "waivers.yaml")
	if err := os.WriteFile(path, []byte(body), 0o640); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return path, nil
}

// WriteTrustInputs writes the demo company's data and subprocessor register
// into dir, for attest toms, dpa and trust, and returns their paths. The
// company is fictional.
func (e *Env) WriteTrustInputs(dir string, now time.Time) (company, register string, err error) {
	company = filepath.Join(dir, "company.yaml")
	register = filepath.Join(dir, "subprocessors.yaml")
	day := now.Format(time.DateOnly)
	files := map[string]string{
		company: fmt.Sprintf(`# Demo company data for attest toms, dpa and trust (fictional).
name: Example Corp (demo)
address: [Musterstraße 1, 10115 Berlin, Germany]
contact: privacy@example.com
dpo: Data Protection Officer, dpo@example.com
website: https://www.example.com
revisions:
  - version: "1.0"
    date: %s
    changes: First edition generated from verified evidence
`, day),
		register: fmt.Sprintf(`# Demo subprocessor register (fictional contracts). Locations are
# ISO 3166-1 alpha-2 codes or EEA; sources name the attest sources that read
# each vendor, so that a provider attest reads cannot be missing here.
subprocessors:
  - name: Amazon Web Services EMEA SARL
    purpose: Hosting of the production systems and backups
    services: [EC2, S3, RDS]
    data_categories: [customer account data, content data]
    locations: [DE]
    hosting: true
    sources: [aws]
    dpa_signed: 2025-03-01
    review: {last: %[1]s, frequency: annually}
    certifications:
      - {name: ISO/IEC 27001, valid_until: %[2]s}
      - {name: SOC 2 Type II, valid_until: %[2]s}
  - name: Google Cloud EMEA Limited
    purpose: Analytics workloads and staff e-mail
    services: [Google Cloud, Google Workspace]
    data_categories: [customer account data, employee e-mail]
    locations: [BE, NL]
    hosting: true
    sources: [gcp, workspace]
    dpa_signed: 2025-04-10
    review: {last: %[1]s, frequency: annually}
    certifications:
      - {name: ISO/IEC 27001, valid_until: %[2]s}
  - name: GitHub, Inc.
    purpose: Source code hosting and continuous integration
    services: [GitHub Enterprise Cloud]
    data_categories: [employee names, e-mail addresses]
    locations: [US]
    sources: [github]
    transfer: {mechanism: dpf}
    dpa_signed: 2025-01-10
    review: {last: %[1]s, frequency: annually}
    certifications:
      - {name: SOC 2 Type II, valid_until: %[2]s}
  - name: Okta, Inc.
    purpose: Single sign-on for employees
    services: [Okta Workforce Identity]
    data_categories: [employee names, e-mail addresses, sign-in logs]
    locations: [US, DE]
    sources: [okta]
    transfer: {mechanism: scc, scc_module: 3}
    dpa_signed: 2025-02-14
    review: {last: %[1]s, frequency: annually}
    certifications:
      - {name: ISO/IEC 27001, valid_until: %[2]s}
      - {name: SOC 2 Type II, valid_until: %[2]s}
  - name: Microsoft Ireland Operations Limited
    purpose: Employee identities and single sign-on (Entra ID); hosting of the order database and document storage (Azure)
    services: [Microsoft Entra ID, Microsoft Azure]
    data_categories: [employee names, e-mail addresses, sign-in logs, customer account data, order data]
    locations: [EEA]
    hosting: true
    sources: [entra, azure]
    dpa_signed: 2025-02-20
    review: {last: %[1]s, frequency: annually}
    certifications:
      - {name: ISO/IEC 27001, valid_until: %[2]s}
      - {name: SOC 2 Type II, valid_until: %[2]s}
  # Fails on purpose: US processing without a transfer mechanism, and a
  # review that is overdue.
  - name: Example Helpdesk Inc.
    purpose: Customer support tickets
    services: [Helpdesk Cloud]
    data_categories: [customer names, e-mail addresses, support messages]
    locations: [US]
    transfer: {mechanism: none}
    dpa_signed: 2024-11-20
    review: {last: %[3]s, frequency: annually}
`, day, now.AddDate(1, 0, 0).Format(time.DateOnly), now.AddDate(-2, 0, 0).Format(time.DateOnly)),
	}
	for path, body := range files {
		if err := os.WriteFile(path, []byte(body), 0o640); err != nil {
			return "", "", fmt.Errorf("demo: %w", err)
		}
	}
	return company, register, nil
}

// WriteSigningIdentity writes a throwaway document-signing key and
// certificate issued by the demo CA, and the CA certificate, into dir, for
// signing the demo's TOMs PDFs and audit pack. It returns their paths.
func (e *Env) WriteSigningIdentity(dir string, now time.Time) (key, cert, ca string, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", "", fmt.Errorf("demo: signing key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "Example Corp (demo) document signing", Organization: []string{"Example Corp (demo)"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(180 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, e.ca.cert, &k.PublicKey, e.ca.key)
	if err != nil {
		return "", "", "", fmt.Errorf("demo: signing certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", "", "", fmt.Errorf("demo: signing key: %w", err)
	}
	key, cert, ca = filepath.Join(dir, "signer.key"), filepath.Join(dir, "signer.pem"), filepath.Join(dir, "ca.pem")
	files := map[string][]byte{
		key:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		cert: append(pemCert(der), e.ca.pem...),
		ca:   e.ca.pem,
	}
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return "", "", "", fmt.Errorf("demo: %w", err)
		}
	}
	return key, cert, ca, nil
}

// authority is the demo's throwaway certificate authority.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
	pem  []byte
}

func newCA(now time.Time) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo: CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "attest demo CA", Organization: []string{"Example Corp (demo)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("demo: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("demo: CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &authority{cert: cert, key: key, pool: pool, pem: pemCert(der)}, nil
}

func (a *authority) leaf(notBefore, notAfter time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("demo: leaf key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return tls.Certificate{}, errors.New("demo: serial")
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"Example Corp (demo)"}},
		NotBefore:    notBefore.Add(-time.Hour),
		NotAfter:     notAfter,
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("demo: leaf certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, a.cert.Raw}, PrivateKey: key}, nil
}

// startGCP serves three demo Google Cloud projects under one organisation,
// all APIs on one local endpoint; the projects are discovered from the
// organisation and its folders.
func (e *Env) startGCP(now time.Time) {
	srv := httptest.NewServer(gcpfake.NewHandler(gcpfake.DemoAt(now)))
	e.closers = append(e.closers, srv.Close)
	e.Sources.GCP = &gcp.Config{Parents: []string{gcpfake.DemoParent}, Endpoint: srv.URL, HTTPClient: srv.Client(),
		// acme-prod is production by its ID, acme-sandbox non-production
		// by its folder; acme-ci's folder is not classified.
		Environments: gcpfake.DemoEnvironments()}
}

// startWorkspace serves the demo Google Workspace directory.
func (e *Env) startWorkspace(now time.Time) {
	srv := httptest.NewServer(workspacefake.NewHandler(workspacefake.DemoAt(now)))
	e.closers = append(e.closers, srv.Close)
	e.Sources.Workspace = &workspace.Config{Customer: workspacefake.DemoCustomer, Endpoint: srv.URL + "/", HTTPClient: srv.Client()}
}

// startEntra serves the demo Microsoft Entra ID tenant through Microsoft
// Graph: MFA required by Conditional Access, legacy authentication blocked
// only in report-only mode, a member without MFA who has not signed in for
// months, and a guest holding Exchange Administrator.
func (e *Env) startEntra(now time.Time) {
	srv := httptest.NewServer(entrafake.NewHandler(entrafake.DemoAt(now)))
	e.closers = append(e.closers, srv.Close)
	e.Sources.Entra = &entra.Config{TenantID: entrafake.DemoTenant, GraphEndpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: entrafake.Credential{Token: entrafake.DemoToken}}
}

// startOkta serves the demo Okta organisation.
func (e *Env) startOkta(now time.Time) {
	srv := httptest.NewServer(oktafake.NewHandler(oktafake.DemoAt(now)))
	e.closers = append(e.closers, srv.Close)
	e.Sources.Okta = &okta.Config{OrgURL: srv.URL, Token: oktafake.DemoToken, HTTPClient: srv.Client()}
}

// startAzure serves the demo Azure subscription (Resource Manager), found
// through its management group.
func (e *Env) startAzure() {
	srv := httptest.NewServer(azurefake.NewHandler(azurefake.Demo()))
	e.closers = append(e.closers, srv.Close)
	e.Sources.Azure = &azure.Config{
		ManagementGroups: []string{azurefake.DemoManagementGroup}, Endpoint: srv.URL, HTTPClient: srv.Client(),
		Credential: azurefake.Credential{Token: azurefake.DemoToken},
	}
}
