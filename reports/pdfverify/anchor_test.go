package pdfverify

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/signing"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/reports/toms/tomstest"
)

// signedBy renders a TOMs PDF for company and signs it with a fresh
// identity (same subject names every time, new keys and CA), returning the
// PDF path and the identity.
func signedBy(t *testing.T, company string) (string, *tomstest.Identity) {
	t.Helper()
	res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	d, err := toms.Build(&controls.Library{}, res, toms.Input{Lang: "en", Company: toms.Company{Name: company, Contact: "privacy@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := toms.RenderTOMs(d)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tid := tomstest.NewIdentity(t, dir)
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := toms.Sign(context.Background(), unsigned, id, toms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, tid
}

// TestVerifyAnchored checks a genuine PDF against its CA, and a forged one
// (changed content, re-signed by a key whose certificate copies the
// genuine signer's names) against the genuine CA and without a CA.
func TestVerifyAnchored(t *testing.T) {
	t.Parallel()
	genuine, id := signedBy(t, "Beispiel GmbH")
	forged, _ := signedBy(t, "Beispiel GmbH (forged)")
	caPEM, err := os.ReadFile(id.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("no CA certificate")
	}
	var out bytes.Buffer
	if err := VerifyAnchored(t.Context(), genuine, &out, Options{Roots: roots}); err != nil {
		t.Fatalf("genuine PDF with its CA: %v\n%s", err, out.String())
	}
	for _, want := range []string{`signer "CN=Test Signer`, "certificate SHA-256 ", "signer chains to the given CA"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	// The forgery is a valid, unchanged signed PDF: only the anchor tells.
	out.Reset()
	if err := Verify(t.Context(), forged, &out); err != nil {
		t.Fatalf("the forgery itself is broken: %v", err)
	}
	out.Reset()
	err = VerifyAnchored(t.Context(), forged, &out, Options{Roots: roots})
	if err == nil || !strings.Contains(err.Error(), "does not chain to the given CA") || !strings.Contains(out.String(), "NOT TRUSTED") {
		t.Errorf("forged PDF with the genuine CA: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := VerifyAnchored(t.Context(), forged, &out, Options{}); !errors.Is(err, ErrNoAnchor) || !strings.Contains(out.String(), "certificate SHA-256") {
		t.Errorf("forged PDF without a CA: %v, want ErrNoAnchor\n%s", err, out.String())
	}
	if err := VerifyAnchored(t.Context(), forged, &out, Options{InsecureSkipAnchor: true}); err != nil {
		t.Errorf("forged PDF with InsecureSkipAnchor: %v", err)
	}
	// A document changed after signing fails, and still names its signer.
	data, err := os.ReadFile(genuine)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), "changed.pdf")
	if err := os.WriteFile(changed, append(data, "\n% appended\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := VerifyAnchored(t.Context(), changed, &out, Options{Roots: roots}); err == nil || !strings.Contains(out.String(), "certificate SHA-256") {
		t.Errorf("changed PDF: %v\n%s", err, out.String())
	}
}
