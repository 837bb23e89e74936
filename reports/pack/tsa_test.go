package pack

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/reports/internal/tsatest"
	"github.com/attestdev/attest/reports/signing"
)

// TestTimestampedPack time-stamps a pack at a local RFC 3161 authority
// (openssl ts) and checks that verify accepts it with the authority's
// certificate, and rejects a token for another manifest, an untrusted
// authority, and a missing token when one is required.
func TestTimestampedPack(t *testing.T) {
	t.Parallel()
	srv, tsaPEM := tsatest.Server(t)
	block, _ := pem.Decode(tsaPEM)
	tsaCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(tsaCert)

	o := options(t, Ed25519Signer{Key: ed25519Key(t, 7)})
	o.Timestamp = func(manifest []byte) ([]byte, error) {
		return RequestTimestamp(t.Context(), srv.Client(), srv.URL, manifest)
	}
	stamped := writePack(t, o)
	rep, err := Verify(stamped, VerifyOptions{TSARoots: roots, InsecureSkipAnchor: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Timestamped || !rep.TimestampTrusted || time.Since(rep.TimestampedAt) > time.Hour {
		t.Errorf("report %+v", rep)
	}
	// Without an anchor the token is still checked, but not trusted.
	if rep, err := Verify(stamped, VerifyOptions{InsecureSkipAnchor: true}); err != nil || rep.TimestampTrusted || !rep.Timestamped {
		t.Errorf("without --tsa-cert: %+v, %v", rep, err)
	}

	// A token over another manifest, swapped in, is rejected.
	other, err := RequestTimestamp(t.Context(), srv.Client(), srv.URL, []byte("another manifest"))
	if err != nil {
		t.Fatal(err)
	}
	swapped := rewrite(t, stamped, func(name string, data []byte) ([]byte, bool) {
		if name == TimestampFile {
			return other, true
		}
		return data, true
	}, nil)
	if _, err := Verify(swapped, VerifyOptions{TSARoots: roots, InsecureSkipAnchor: true}); err == nil || !strings.Contains(err.Error(), "for another manifest") {
		t.Errorf("swapped token: %v", err)
	}

	// A different authority is not trusted.
	_, otherPEM := tsatest.Server(t)
	block, _ = pem.Decode(otherPEM)
	otherCert, _ := x509.ParseCertificate(block.Bytes)
	wrong := x509.NewCertPool()
	wrong.AddCert(otherCert)
	if _, err := Verify(stamped, VerifyOptions{TSARoots: wrong, InsecureSkipAnchor: true}); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("wrong authority: %v", err)
	}

	// A pack without a token fails when a time-stamp is required.
	plain := writePack(t, options(t, Ed25519Signer{Key: ed25519Key(t, 7)}))
	if _, err := Verify(plain, VerifyOptions{TSARoots: roots, InsecureSkipAnchor: true}); err == nil || !strings.Contains(err.Error(), "no time-stamp token") {
		t.Errorf("missing token: %v", err)
	}
}

// TestTimestampedCMSPack time-stamps an X.509 (CMS) pack at the local
// openssl ts authority: verify anchors both the signer and the authority,
// reports the authority's subject and fingerprint, and openssl ts -verify
// accepts the stored token over the manifest.
func TestTimestampedCMSPack(t *testing.T) {
	t.Parallel()
	srv, tsaPEM := tsatest.Server(t)
	tsaRoots := x509.NewCertPool()
	if !tsaRoots.AppendCertsFromPEM(tsaPEM) {
		t.Fatal("bad TSA certificate")
	}
	caPath, keyPath, certPath := testPKI(t, t.TempDir())
	id, err := signing.Load(keyPath, certPath, "")
	if err != nil {
		t.Fatal(err)
	}
	o := options(t, CMSSigner{Identity: id})
	o.Timestamp = func(manifest []byte) ([]byte, error) {
		return RequestTimestamp(t.Context(), srv.Client(), srv.URL, manifest)
	}
	stamped := writePack(t, o)
	roots, err := LoadRoots(caPath)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(stamped, VerifyOptions{Roots: roots, TSARoots: tsaRoots})
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(tsaPEM)
	if rep.Kind != "cms" || !rep.Trusted || !rep.Timestamped || !rep.TimestampTrusted ||
		rep.TimestampAuthority != "CN=attest Test TSA" || rep.TimestampAuthorityFingerprint != Fingerprint(block.Bytes) ||
		time.Since(rep.TimestampedAt) > time.Hour {
		t.Errorf("report %+v", rep)
	}
	// The signer's CA does not anchor the authority, nor the other way round.
	if _, err := Verify(stamped, VerifyOptions{Roots: roots, TSARoots: roots}); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("signer CA as TSA anchor: %v", err)
	}
	if _, err := Verify(stamped, VerifyOptions{Roots: tsaRoots}); err == nil {
		t.Error("the TSA certificate anchored the pack signer")
	}

	// Stock tools: openssl ts -verify checks the token over manifest.json.
	dir := t.TempDir()
	if _, err := Extract(stamped, dir, VerifyOptions{Roots: roots}); err != nil {
		t.Fatal(err)
	}
	tsaFile := filepath.Join(dir, "tsa-ca.pem")
	if err := os.WriteFile(tsaFile, tsaPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("openssl", "ts", "-verify", "-data", filepath.Join(dir, ManifestFile), "-in", filepath.Join(dir, TimestampFile), "-token_in", "-CAfile", tsaFile)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Errorf("openssl ts -verify: %v\n%s", err, out)
	}
}
