package toms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/verify"
	"github.com/digitorus/pkcs7"

	"github.com/attestdev/attest/reports/internal/tsatest"
	"github.com/attestdev/attest/reports/signing"
	"github.com/attestdev/attest/reports/toms/tomstest"
)

// tsaServer runs a local RFC 3161 time-stamp authority.
func tsaServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := tsatest.Server(t)
	return srv
}

func TestSignWithTSA(t *testing.T) {
	t.Parallel()
	srv := tsaServer(t)
	tid := tomstest.NewIdentity(t, t.TempDir())
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := RenderTOMs(buildTest(t, "de", false))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(context.Background(), unsigned, id, SignOptions{TSAURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := verify.VerifyWithOptions(bytes.NewReader(signed), int64(len(signed)), verify.DefaultVerifyOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Signers) != 1 {
		t.Fatalf("%d signers, want 1", len(resp.Signers))
	}
	s := resp.Signers[0]
	if !s.ValidSignature {
		t.Errorf("signature invalid: %s", resp.Error)
	}
	if s.TimeStamp == nil {
		t.Fatal("no RFC 3161 time-stamp in the signature")
	}
	if d := time.Since(s.TimeStamp.Time); d < -time.Minute || d > time.Hour {
		t.Errorf("time-stamp %v is not from now", s.TimeStamp.Time)
	}
}

func TestSignTSAFailure(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	tid := tomstest.NewIdentity(t, t.TempDir())
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := RenderTOMs(buildTest(t, "en", true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sign(context.Background(), unsigned, id, SignOptions{TSAURL: srv.URL}); err == nil {
		t.Error("Sign succeeded although the time-stamp authority failed")
	}
}

// oidSignatureTimeStampToken is id-aa-signatureTimeStampToken (RFC 3161
// appendix A), the unsigned attribute that carries the time-stamp.
var oidSignatureTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// signatureTimeStamp returns the CMS of the PDF's signature, the RFC 3161
// token in its signer's unsigned attributes, and the signer's signature
// value the token's imprint covers.
func signatureTimeStamp(t *testing.T, signed []byte) (token, signatureValue []byte) {
	t.Helper()
	rdr, err := pdf.NewReader(bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		t.Fatal(err)
	}
	var contents []byte
	for _, x := range rdr.Xref() {
		v := rdr.Resolve(x.Ptr(), x.Ptr())
		if v.Key("Type").Name() == "Sig" {
			contents = []byte(v.Key("Contents").RawString())
		}
	}
	if contents == nil {
		t.Fatal("no signature dictionary in the PDF")
	}
	p7, err := pkcs7.Parse(contents)
	if err != nil {
		t.Fatal(err)
	}
	if len(p7.Signers) != 1 {
		t.Fatalf("%d signer infos, want 1", len(p7.Signers))
	}
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if a.Type.Equal(oidSignatureTimeStampToken) {
			return a.Value.Bytes, si.EncryptedDigest
		}
	}
	t.Fatal("the signer info has no id-aa-signatureTimeStampToken attribute")
	return nil, nil
}

// TestSignatureTimeStampOpenSSL checks the embedded signature time-stamp
// with a tool that shares no code with attest: `openssl ts -verify` must
// accept the token for the SHA-256 of the signature value, anchored at
// the time-stamp authority's certificate, and reject it for another
// digest.
func TestSignatureTimeStampOpenSSL(t *testing.T) {
	t.Parallel()
	srv, tsaPEM := tsatest.Server(t)
	dir := t.TempDir()
	tid := tomstest.NewIdentity(t, dir)
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := RenderTOMs(buildTest(t, "en", false))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(context.Background(), unsigned, id, SignOptions{TSAURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	token, sigValue := signatureTimeStamp(t, signed)
	tokenFile, caFile := filepath.Join(dir, "token.der"), filepath.Join(dir, "tsa.pem")
	if err := os.WriteFile(tokenFile, token, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(caFile, tsaPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	tsVerify := func(digest []byte) (string, error) {
		out, err := exec.Command("openssl", "ts", "-verify", "-token_in", "-in", tokenFile,
			"-digest", hex.EncodeToString(digest), "-CAfile", caFile).CombinedOutput()
		return string(out), err
	}
	sum := sha256.Sum256(sigValue)
	if out, err := tsVerify(sum[:]); err != nil || !strings.Contains(out, "Verification: OK") {
		t.Fatalf("openssl ts -verify rejected the signature time-stamp: %v\n%s", err, out)
	}
	other := sha256.Sum256(append(bytes.Clone(sigValue), 0))
	if out, err := tsVerify(other[:]); err == nil {
		t.Errorf("openssl ts -verify accepted the token for another signature value:\n%s", out)
	}
}

// TestSignWithTSAPdfsig checks that poppler's pdfsig still reports a
// valid signature over the whole file for the time-stamped English and
// German TOMs and DPA.
func TestSignWithTSAPdfsig(t *testing.T) {
	t.Parallel()
	srv := tsaServer(t)
	dir := t.TempDir()
	tid := tomstest.NewIdentity(t, dir)
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		d := buildTest(t, lang, false)
		for name, render := range map[string]func() ([]byte, error){
			"toms": func() ([]byte, error) { return RenderTOMs(d) },
			"dpa":  func() ([]byte, error) { return RenderDPA(d, "") },
		} {
			unsigned, err := render()
			if err != nil {
				t.Fatal(err)
			}
			signed, err := Sign(context.Background(), unsigned, id, SignOptions{TSAURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			// A fresh NSS database for each call: certutil -N waits for
			// a password on an existing one.
			out := pdfsig(t, t.TempDir(), tid, signed)
			for _, want := range []string{"Signature Validation: Signature is Valid.", "Total document signed", "Signature Type: adbe.pkcs7.detached"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s-%s: pdfsig output lacks %q:\n%s", name, lang, want, out)
				}
			}
		}
	}
}
