package toms

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/reports/signing"
	"github.com/attestdev/attest/reports/toms/tomstest"
)

// signedTOMs renders and signs the English TOMs with a fresh test identity.
func signedTOMs(t *testing.T, dir string) ([]byte, *tomstest.Identity) {
	t.Helper()
	tid := tomstest.NewIdentity(t, dir)
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := RenderTOMs(buildTest(t, "en", false))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(context.Background(), unsigned, id, SignOptions{Reason: "TOMs", Location: "München", Time: evaluatedAt.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, unsigned) {
		t.Fatal("the signature is not an incremental update of the rendered PDF")
	}
	return signed, tid
}

// pdfsig runs poppler's pdfsig with a scratch NSS database that trusts the
// test CA, and returns its output. pdfsig exits 0 whether or not the
// signature is valid, so callers read the output.
func pdfsig(t *testing.T, dir string, tid *tomstest.Identity, pdf []byte) string {
	t.Helper()
	for _, tool := range []string{"pdfsig", "certutil"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian packages poppler-utils and libnss3-tools): skipping the pdfsig check", tool)
		}
	}
	nss := filepath.Join(dir, "nss")
	if err := os.MkdirAll(nss, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + nss, "--empty-password"},
		{"-A", "-d", "sql:" + nss, "-n", "testca", "-t", "CT,C,C", "-i", tid.CAFile},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v\n%s", args, err, out)
		}
	}
	path := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfsig", "-nssdir", "sql:"+nss, path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	return string(out)
}

func TestSignPdfsig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	signed, tid := signedTOMs(t, dir)
	out := pdfsig(t, dir, tid, signed)
	for _, want := range []string{
		"Signature Type: adbe.pkcs7.detached",
		"Signing Hash Algorithm: SHA-256",
		"Total document signed",
		"Signature Validation: Signature is Valid.",
		"Certificate Validation: Certificate is Trusted.",
		"Signer Certificate Common Name: Test Signer",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("pdfsig output lacks %q:\n%s", want, out)
		}
	}
}

func TestSignPdfsigTampered(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	signed, tid := signedTOMs(t, dir)
	// Change one character of the document information, inside the
	// signed range.
	i := bytes.Index(signed, []byte("/Creator"))
	if i < 0 {
		t.Fatal("no /Creator in the PDF")
	}
	tampered := bytes.Clone(signed)
	tampered[i+len("/Creator (")+1] ^= 0x01
	out := pdfsig(t, dir, tid, tampered)
	if !strings.Contains(out, "Digest Mismatch.") || strings.Contains(out, "Signature is Valid.") {
		t.Errorf("pdfsig accepted a changed PDF:\n%s", out)
	}
}
