package pack

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/reports/signing"
)

// forge changes results.json in the pack at src, re-hashes it in the
// manifest and re-signs the manifest with a fresh self-signed key whose
// certificate copies the subject of the real signer, as an attacker
// without the real key would. It returns the forged pack.
func forge(t *testing.T, src, subjectOf string) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		files[f.Name] = b.Bytes()
	}
	zr.Close()
	files["results.json"] = bytes.ReplaceAll(files["results.json"], []byte(`"fail"`), []byte(`"pass"`))
	var m Manifest
	if err := json.Unmarshal(files[ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	for i, fe := range m.Files {
		if fe.Path == "results.json" {
			sum := sha256.Sum256(files["results.json"])
			m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(files["results.json"]))
		}
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	files[ManifestFile] = append(manifest, '\n')

	// A self-signed certificate with the real signer's subject.
	block, _ := pem.Decode([]byte(subjectOf))
	real, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(99), Subject: real.Subject, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	sigs, err := CMSSigner{Identity: &signing.Identity{Certificate: cert, Signer: key}}.Sign(files[ManifestFile])
	if err != nil {
		t.Fatal(err)
	}
	files[CMSFile] = sigs[CMSFile]

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "forged.zip")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestForgedPackNeedsAnchor re-signs a changed pack with a key whose
// certificate copies the real signer's subject: without a trust anchor it
// must not verify, with the real CA it must fail, and the report must
// show a fingerprint that differs from the real signer's.
func TestForgedPackNeedsAnchor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	caPath, keyPath, certPath := testPKI(t, dir)
	id, err := signing.Load(keyPath, certPath, "")
	if err != nil {
		t.Fatal(err)
	}
	good := writePack(t, options(t, CMSSigner{Identity: id}))
	certPEM, _ := os.ReadFile(certPath)
	forged := forge(t, good, string(certPEM))
	roots, err := LoadRoots(caPath)
	if err != nil {
		t.Fatal(err)
	}

	realRep, err := Verify(good, VerifyOptions{Roots: roots})
	if err != nil {
		t.Fatalf("the real pack: %v", err)
	}
	rep, err := Verify(forged, VerifyOptions{})
	if !errors.Is(err, ErrNoAnchor) {
		t.Fatalf("forged pack without an anchor: %v, want ErrNoAnchor", err)
	}
	if rep.Signer != realRep.Signer {
		t.Errorf("forged signer %q, want the copied subject %q", rep.Signer, realRep.Signer)
	}
	if rep.SignerFingerprint == realRep.SignerFingerprint || rep.SignerFingerprint == "" {
		t.Errorf("forged fingerprint %q must differ from the real %q", rep.SignerFingerprint, realRep.SignerFingerprint)
	}
	if rep, err := Verify(forged, VerifyOptions{Roots: roots}); err == nil || rep == nil || rep.SignerFingerprint == "" {
		t.Errorf("forged pack with the real CA: %+v, %v; want an error and the signer", rep, err)
	}
	// The forgery is internally consistent: only an anchor tells it apart.
	if _, err := Verify(forged, VerifyOptions{InsecureSkipAnchor: true}); err != nil {
		t.Errorf("forged pack with InsecureSkipAnchor: %v (the forgery itself is broken)", err)
	}
}

// TestStockZipReZip extracts a pack and zips it again with zip -r, which
// adds directory entries and its own extra fields: it must still verify.
func TestStockZipReZip(t *testing.T) {
	t.Parallel()
	zipTool, err := exec.LookPath("zip")
	if err != nil {
		t.Skip("zip not installed (Debian package zip): skipping the re-zip test")
	}
	key := ed25519Key(t, 9)
	trust := VerifyOptions{Ed25519Key: key.Public().(ed25519.PublicKey)}
	good := writePack(t, options(t, Ed25519Signer{Key: key}))
	dir := filepath.Join(t.TempDir(), "x")
	if _, err := Extract(good, dir, trust); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rezipped.zip")
	cmd := exec.Command(zipTool, "-r", "-q", out, ".")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zip -r: %v\n%s", err, b)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	var dirs int
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			dirs++
		}
	}
	zr.Close()
	if dirs == 0 {
		t.Fatal("zip -r wrote no directory entries: the test proves nothing")
	}
	if _, err := Verify(out, trust); err != nil {
		t.Fatalf("a re-zipped, unchanged pack does not verify: %v", err)
	}
	again := filepath.Join(t.TempDir(), "again")
	if _, err := Extract(out, again, trust); err != nil {
		t.Fatalf("extract the re-zipped pack: %v", err)
	}
}

// TestDirectoryEntryWithData rejects a directory entry that carries bytes.
func TestDirectoryEntryWithData(t *testing.T) {
	t.Parallel()
	key := ed25519Key(t, 10)
	good := writePack(t, options(t, Ed25519Signer{Key: key}))
	data, _ := os.ReadFile(good)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "controls/", Method: zip.Store, CompressedSize64: 4, UncompressedSize64: 4, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	// zip.Writer refuses to write a directory's data ("zip: write to
	// directory"), so the entry only claims its 4 bytes in the header.
	if _, err := w.Write([]byte("evil")); err == nil {
		t.Fatal("zip.Writer wrote data into a directory entry")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.zip")
	if err := os.WriteFile(bad, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(bad, VerifyOptions{Ed25519Key: key.Public().(ed25519.PublicKey)}); err == nil || !strings.Contains(err.Error(), "holds data") {
		t.Errorf("Verify = %v, want a directory entry that holds data", err)
	}
}
