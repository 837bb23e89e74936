package pack

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/internal/fixture"
	"github.com/attestdev/attest/reports/signing"
)

// writeBundle writes a small evidence bundle and returns its directory.
func writeBundle(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := evidence.Record{Collector: "tls.endpoint", CollectorVersion: 1, Operation: "tls:Handshake", Endpoint: "https://www.example.com/", CollectedAt: fixture.Clock}
	if _, err := w.WriteRecord(rec, []byte(`{"version":"1.3"}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteResource(evidence.Resource{Type: "tls.endpoint", ID: "https://www.example.com/", Attributes: map[string]any{"tls_version": "1.3"}, Collector: "tls.endpoint", CollectedAt: fixture.Clock}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(evidence.Manifest{AttestVersion: "test", StartedAt: fixture.Clock, FinishedAt: fixture.Clock}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testConfig holds secrets where a key-name filter does not look: in a
// comment, in a URL's user-info and query.
const testConfig = `# attest configuration
# old token, rotated: ghp_COMMENTSECRET
fail_on: high
waivers: waivers.yaml
company: company.yaml
subprocessors: subprocessors.yaml
warn_expiring: 14d
sources:
  okta:
    org_url: https://admin:OKTA_URL_SECRET@example.okta.com/?api_token=QUERY_SECRET
    token_env: OKTA_TOKEN # the variable, not the token (OKTA_LINE_SECRET)
  github:
    orgs: [example]
    base_url: https://x-access-token:ghp_URLSECRET@github.example.com/api/v3/
  manual:
    dir: records
`

// testInputs writes testConfig and the files it names to a directory and
// returns the loaded configuration.
func testInputs(t *testing.T) *config.File {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"attest.yaml":              testConfig,
		"waivers.yaml":             "waivers: []\n",
		"company.yaml":             "name: Example Corp\n",
		"subprocessors.yaml":       "subprocessors: []\n",
		"records/review.yaml":      "kind: access_review\n",
		"records/files/review.pdf": "%PDF-1.7 attachment",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(filepath.Join(dir, "attest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func options(t *testing.T, s Signer) Options {
	t.Helper()
	return Options{
		Results:       fixture.Results(),
		BundleDir:     writeBundle(t),
		Controls:      []*controls.Control{{ID: "TLS-001", Title: "HTTPS endpoints use TLS 1.2 or newer", Severity: controls.High}},
		Config:        testInputs(t),
		AttestVersion: "v0.9.0-test",
		Signer:        s,
	}
}

func writePack(t *testing.T, o Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pack.zip")
	var buf bytes.Buffer
	if err := Write(&buf, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// testPKI writes a throwaway CA and a leaf signed by it, returning the
// paths of the CA certificate, the leaf key and the leaf certificate.
func testPKI(t *testing.T, dir string) (caPath, keyPath, certPath string) {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "attest test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "attest test signer", Organization: []string{"Example"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		t.Fatal(err)
	}
	caPath, keyPath, certPath = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	for path, b := range map[string]*pem.Block{caPath: {Type: "CERTIFICATE", Bytes: caDER}, keyPath: {Type: "PRIVATE KEY", Bytes: keyDER}, certPath: {Type: "CERTIFICATE", Bytes: leafDER}} {
		if err := os.WriteFile(path, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return caPath, keyPath, certPath
}

func cmsPack(t *testing.T) (packPath, caPath string) {
	t.Helper()
	caPath, keyPath, certPath := testPKI(t, t.TempDir())
	id, err := signing.Load(keyPath, certPath, "")
	if err != nil {
		t.Fatal(err)
	}
	return writePack(t, options(t, CMSSigner{Identity: id})), caPath
}

func TestCMSPackVerifies(t *testing.T) {
	t.Parallel()
	packPath, caPath := cmsPack(t)
	roots, err := LoadRoots(caPath)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(packPath, VerifyOptions{Roots: roots})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Kind != "cms" || !rep.Trusted || !strings.Contains(rep.Signer, "attest test signer") {
		t.Errorf("report = %+v", rep)
	}
	var paths []string
	for _, f := range rep.Manifest.Files {
		paths = append(paths, f.Path)
	}
	want := []string{
		"attest.yaml",
		"config/company.yaml", "config/manual/files/review.pdf", "config/manual/review.yaml", "config/subprocessors.yaml", "config/waivers.yaml",
		"controls/TLS-001.yaml",
		"evidence/bundle.json", "evidence/raw/" + rawName(t, packPath), "evidence/records.jsonl", "evidence/resources.jsonl",
		"reports/report.csv", "reports/report.html", "reports/report.json", "reports/report.junit.xml", "reports/report.md", "reports/report.oscal.json", "reports/report.sarif",
		"results.json", "tool.json",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("manifest files (-want +got):\n%s", diff)
	}
	if !rep.Manifest.CreatedAt.Equal(fixture.Clock) {
		t.Errorf("created_at = %v, want the evaluation time", rep.Manifest.CreatedAt)
	}
	if rep.SignerFingerprint != Fingerprint(leafDER(t, packPath)) {
		t.Errorf("signer fingerprint %s, want the SHA-256 of the signing certificate", rep.SignerFingerprint)
	}
	// Without a CA the pack does not verify, but the signer is reported.
	if rep, err := Verify(packPath, VerifyOptions{}); !errors.Is(err, ErrNoAnchor) || rep == nil || rep.SignerFingerprint == "" {
		t.Errorf("Verify without CA = %+v, %v; want ErrNoAnchor and the signer", rep, err)
	}
	// With InsecureSkipAnchor the signature still verifies, but is not trusted.
	if rep, err := Verify(packPath, VerifyOptions{InsecureSkipAnchor: true}); err != nil || rep.Trusted {
		t.Errorf("Verify with InsecureSkipAnchor = %+v, %v; want valid and untrusted", rep, err)
	}
	// Another CA must not anchor it.
	otherCA, _, _ := testPKI(t, t.TempDir())
	other, err := LoadRoots(otherCA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(packPath, VerifyOptions{Roots: other}); err == nil {
		t.Error("Verify with an unrelated CA succeeded")
	}
}

func rawName(t *testing.T, packPath string) string {
	t.Helper()
	zr, err := zip.OpenReader(packPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if name, ok := strings.CutPrefix(f.Name, "evidence/raw/"); ok {
			return name
		}
	}
	t.Fatal("no raw evidence in the pack")
	return ""
}

func TestCMSOpenSSLVerifies(t *testing.T) {
	t.Parallel()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (Debian package openssl)")
	}
	packPath, caPath := cmsPack(t)
	dir := t.TempDir()
	roots, err := LoadRoots(caPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Extract(packPath, dir, VerifyOptions{Roots: roots}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "PEM",
		"-in", filepath.Join(dir, CMSFile), "-content", filepath.Join(dir, ManifestFile),
		"-CAfile", caPath, "-purpose", "any", "-out", os.DevNull)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}
	// A changed manifest must fail openssl too.
	m := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m, bytes.Replace(data, []byte("results.json"), []byte("results.jsoN"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "PEM",
		"-in", filepath.Join(dir, CMSFile), "-content", m, "-CAfile", caPath, "-purpose", "any", "-out", os.DevNull)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("openssl verified a changed manifest:\n%s", out)
	}
}

func ed25519Key(t *testing.T, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func TestEd25519PackVerifiesAndIsReproducible(t *testing.T) {
	t.Parallel()
	key := ed25519Key(t, 1)
	o := options(t, Ed25519Signer{Key: key})
	a := writePack(t, o)
	b := writePack(t, o)
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if !bytes.Equal(da, db) {
		t.Error("two packs of the same inputs differ")
	}
	rep, err := Verify(a, VerifyOptions{Ed25519Key: key.Public().(ed25519.PublicKey)})
	if err != nil || rep.Kind != "ed25519" || !rep.Trusted {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	if rep, err := Verify(a, VerifyOptions{}); !errors.Is(err, ErrNoAnchor) || rep == nil || rep.Kind != "ed25519" {
		t.Errorf("Verify with the embedded key only = %+v, %v; want ErrNoAnchor", rep, err)
	}
	if rep, err := Verify(a, VerifyOptions{InsecureSkipAnchor: true}); err != nil || rep.Trusted {
		t.Errorf("Verify with the embedded key = %+v, %v; want valid and untrusted", rep, err)
	}
	// The key fingerprint is the SHA-256 of the PKIX public key, which
	// openssl pkey -pubin -outform DER | sha256sum gives.
	pubDER, _ := x509.MarshalPKIXPublicKey(key.Public())
	if rep.SignerFingerprint != Fingerprint(pubDER) {
		t.Errorf("fingerprint %s, want %s", rep.SignerFingerprint, Fingerprint(pubDER))
	}
	if _, err := Verify(a, VerifyOptions{Ed25519Key: ed25519Key(t, 2).Public().(ed25519.PublicKey)}); err == nil {
		t.Error("Verify with another key succeeded")
	}
}

// rewrite copies the pack, letting edit change or drop entries, then
// appends extra entries.
func rewrite(t *testing.T, src string, edit func(name string, data []byte) ([]byte, bool), extra map[string]string) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		data, keep := edit(f.Name, data)
		if !keep {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range extra {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "tampered.zip")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTamperingFails(t *testing.T) {
	t.Parallel()
	key := ed25519Key(t, 3)
	good := writePack(t, options(t, Ed25519Signer{Key: key}))
	trust := VerifyOptions{Ed25519Key: key.Public().(ed25519.PublicKey)}
	same := func(_ string, d []byte) ([]byte, bool) { return d, true }
	for name, tc := range map[string]struct {
		edit  func(string, []byte) ([]byte, bool)
		extra map[string]string
		want  string
	}{
		"unchanged": {edit: same},
		"changed byte": {edit: func(n string, d []byte) ([]byte, bool) {
			if n == "results.json" {
				d = bytes.Clone(d)
				d[10] ^= 1
			}
			return d, true
		}, want: "results.json was changed"},
		"appended bytes": {edit: func(n string, d []byte) ([]byte, bool) {
			if n == "reports/report.csv" {
				d = append(bytes.Clone(d), 'x')
			}
			return d, true
		}, want: "report.csv was changed"},
		"removed file": {edit: func(n string, d []byte) ([]byte, bool) { return d, n != "evidence/records.jsonl" }, want: "records.jsonl is listed in the manifest but missing"},
		"added file":   {edit: same, extra: map[string]string{"evidence/raw/extra": "x"}, want: "evidence/raw/extra is not in the manifest"},
		"changed manifest": {edit: func(n string, d []byte) ([]byte, bool) {
			if n == ManifestFile {
				d = bytes.Replace(d, []byte(`"format"`), []byte(`"format" `), 1)
			}
			return d, true
		}, want: "signature does not match"},
		"no signature":   {edit: func(n string, d []byte) ([]byte, bool) { return d, n != Ed25519SigFile }, want: "no signature"},
		"zip slip":       {edit: same, extra: map[string]string{"../evil": "x"}, want: "leaves the pack"},
		"nested slip":    {edit: same, extra: map[string]string{"evidence/../../evil": "x"}, want: "leaves the pack"},
		"absolute path":  {edit: same, extra: map[string]string{"/etc/evil": "x"}, want: "absolute path"},
		"windows path":   {edit: same, extra: map[string]string{`..\evil`: "x"}, want: "contains a backslash"},
		"windows dir":    {edit: same, extra: map[string]string{`evidence\raw\x`: "x"}, want: "contains a backslash"},
		"drive letter":   {edit: same, extra: map[string]string{`C:/evil`: "x"}, want: "absolute path"},
		"directory":      {edit: same, extra: map[string]string{"controls/": "", "evidence/raw/": ""}},
		"dir and file":   {edit: same, extra: map[string]string{"results.json/": ""}, want: "both a file and a directory"},
		"double slash":   {edit: same, extra: map[string]string{"controls//": ""}, want: "not a clean path"},
		"unclean path":   {edit: same, extra: map[string]string{"evidence//x": "x"}, want: "not a clean path"},
		"duplicate name": {edit: same, extra: map[string]string{"results.json": "{}"}, want: "appears twice"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := rewrite(t, good, tc.edit, tc.extra)
			_, err := Verify(path, trust)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Verify: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Verify = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestExtractRefusesZipSlip(t *testing.T) {
	t.Parallel()
	key := ed25519Key(t, 4)
	good := writePack(t, options(t, Ed25519Signer{Key: key}))
	bad := rewrite(t, good, func(_ string, d []byte) ([]byte, bool) { return d, true }, map[string]string{"../escaped": "x"})
	parent := t.TempDir()
	if _, err := Extract(bad, filepath.Join(parent, "out"), VerifyOptions{Ed25519Key: key.Public().(ed25519.PublicKey)}); err == nil {
		t.Fatal("Extract of a zip-slip pack succeeded")
	}
	if _, err := os.Stat(filepath.Join(parent, "escaped")); err == nil {
		t.Fatal("a file was written outside the extraction directory")
	}
	out := filepath.Join(parent, "good")
	if _, err := Extract(good, filepath.Join(parent, "unanchored"), VerifyOptions{}); !errors.Is(err, ErrNoAnchor) {
		t.Fatalf("Extract without an anchor = %v, want ErrNoAnchor", err)
	}
	if _, err := Extract(good, out, VerifyOptions{Ed25519Key: key.Public().(ed25519.PublicKey)}); err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if _, err := evidence.Open(filepath.Join(out, "evidence")); err != nil {
		t.Errorf("extracted evidence is not a bundle: %v", err)
	}
	if _, err := Extract(good, out, VerifyOptions{InsecureSkipAnchor: true}); err == nil {
		t.Error("Extract into a non-empty directory succeeded")
	}
}

// TestPackedConfigHasNoSecrets packs a configuration with a token in a
// URL's user-info, one in a URL query and one in a comment: none may reach
// the pack, and the copy must load and point at the packed inputs.
func TestPackedConfigHasNoSecrets(t *testing.T) {
	t.Parallel()
	key := ed25519Key(t, 5)
	packPath := writePack(t, options(t, Ed25519Signer{Key: key}))
	dir := filepath.Join(t.TempDir(), "x")
	if _, err := Extract(packPath, dir, VerifyOptions{Ed25519Key: key.Public().(ed25519.PublicKey)}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"OKTA_URL_SECRET", "QUERY_SECRET", "ghp_URLSECRET", "COMMENTSECRET", "OKTA_LINE_SECRET", "admin", "x-access-token"} {
		if strings.Contains(string(got), secret) {
			t.Errorf("packed config contains %q:\n%s", secret, got)
		}
	}
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("the packed config does not load: %v\n%s", err, got)
	}
	if cfg.Sources.Okta == nil || cfg.Sources.Okta.OrgURL != "https://example.okta.com/" || cfg.Sources.Okta.TokenEnv != "OKTA_TOKEN" ||
		cfg.Sources.GitHub == nil || cfg.Sources.GitHub.BaseURL != "https://github.example.com/api/v3/" || cfg.FailOn != "high" || cfg.WarnExpiring != "14d" {
		t.Errorf("packed config lost fields:\n%s", got)
	}
	for _, p := range []string{cfg.Waivers, cfg.Company, cfg.Subprocessors, filepath.Join(cfg.Sources.Manual.Dir, "files", "review.pdf")} {
		if rel, err := filepath.Rel(dir, p); err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s is not inside the pack", p)
		} else if _, err := os.Stat(p); err != nil {
			t.Errorf("packed config names %s: %v", p, err)
		}
	}
}

func TestStripURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://example.okta.com":                     "https://example.okta.com",
		"https://user:TOKEN@host/path":                 "https://host/path",
		"https://TOKEN@host":                           "https://host",
		"https://host/?token=TOKEN#frag":               "https://host/",
		"https://us er:TOKEN@host%zz":                  RedactedURL,
		"user:TOKEN@host":                              RedactedURL,
		"ciso@example.com":                             "ciso@example.com",
		"arn:aws:iam::123456789012:role/attest-reader": "arn:aws:iam::123456789012:role/attest-reader",
	} {
		if got := stripURL(in); got != want {
			t.Errorf("stripURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteNeedsSigner(t *testing.T) {
	t.Parallel()
	if err := Write(io.Discard, options(t, nil)); err == nil {
		t.Error("Write without a signer succeeded")
	}
}

// leafDER returns the DER of the first certificate in the pack's CMS
// signature that is not a CA: the signer's, in these tests.
func leafDER(t *testing.T, packPath string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(packPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open(CMSFile)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	block, _ := pem.Decode(data)
	p7, err := pkcs7.Parse(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p7.Certificates {
		if !c.IsCA {
			return c.Raw
		}
	}
	t.Fatal("no leaf certificate")
	return nil
}
