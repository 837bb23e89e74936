package pack

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/reports/internal/tsatest"
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
	rep, err := Verify(stamped, VerifyOptions{TSARoots: roots})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Timestamped || !rep.TimestampTrusted || time.Since(rep.TimestampedAt) > time.Hour {
		t.Errorf("report %+v", rep)
	}
	// Without an anchor the token is still checked, but not trusted.
	if rep, err := Verify(stamped, VerifyOptions{}); err != nil || rep.TimestampTrusted || !rep.Timestamped {
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
	if _, err := Verify(swapped, VerifyOptions{TSARoots: roots}); err == nil || !strings.Contains(err.Error(), "for another manifest") {
		t.Errorf("swapped token: %v", err)
	}

	// A different authority is not trusted.
	_, otherPEM := tsatest.Server(t)
	block, _ = pem.Decode(otherPEM)
	otherCert, _ := x509.ParseCertificate(block.Bytes)
	wrong := x509.NewCertPool()
	wrong.AddCert(otherCert)
	if _, err := Verify(stamped, VerifyOptions{TSARoots: wrong}); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("wrong authority: %v", err)
	}

	// A pack without a token fails when a time-stamp is required.
	plain := writePack(t, options(t, Ed25519Signer{Key: ed25519Key(t, 7)}))
	if _, err := Verify(plain, VerifyOptions{TSARoots: roots}); err == nil || !strings.Contains(err.Error(), "no time-stamp token") {
		t.Errorf("missing token: %v", err)
	}
}
