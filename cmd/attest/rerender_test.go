package main

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports"
	"github.com/attestdev/attest/reports/pack"
	"github.com/attestdev/attest/reports/signing"
)

// TestPackReEvaluatesAlone packs a demo run with the demo's attest.yaml,
// extracts the pack as an auditor would, evaluates the extracted evidence
// with the extracted configuration alone, and checks results.json (with
// its waived control) and every report format are byte-identical to the
// ones inside the pack.
func TestPackReEvaluatesAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, stderr := attest(t, "demo", "--out-dir", dir, "--log-level", "error"); code > 1 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	zip := filepath.Join(dir, "pack.zip")
	if code, _, stderr := attest(t, "--config", filepath.Join(dir, "attest.yaml"), "pack", "--results", filepath.Join(dir, "results.json"), "--bundle", filepath.Join(dir, "bundle"),
		"--key", filepath.Join(dir, "signer.key"), "--cert", filepath.Join(dir, "signer.pem"), "--out", zip, "--log-level", "warn"); code != 0 || stderr != "" {
		t.Fatalf("pack exit %d: %s", code, stderr)
	}
	x := filepath.Join(t.TempDir(), "x")
	if code, _, stderr := attest(t, "verify", zip, "--ca", filepath.Join(dir, "ca.pem"), "--extract", x); code != 0 {
		t.Fatalf("verify --extract exit %d: %s", code, stderr)
	}
	packed, err := os.ReadFile(filepath.Join(x, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := controls.ReadResults(filepath.Join(x, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Waived == 0 {
		t.Fatal("the demo has no waived control: the test proves nothing")
	}
	again := filepath.Join(t.TempDir(), "again.json")
	if code, _, stderr := attest(t, "--config", filepath.Join(x, "attest.yaml"), "evaluate", "--bundle", filepath.Join(x, "evidence"), "--out", again, "--log-level", "error"); code != 0 {
		t.Fatalf("evaluate in the pack: exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(again)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(packed, got) {
		r2, _ := controls.ReadResults(again)
		t.Fatalf("re-evaluated results differ from the packed ones: %+v, packed %+v", r2.Summary, res.Summary)
	}
	for _, format := range reports.Formats {
		t.Run(format, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(x, "reports", "report"+reports.Extension(format)))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "again"+reports.Extension(format))
			if code, _, stderr := attest(t, "report", "--results", again, "--bundle", filepath.Join(x, "evidence"),
				"--format", format, "--out", out, "--log-level", "error"); code != 0 {
				t.Fatalf("report exit %d: %s", code, stderr)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("re-rendered %s differs from the packed one (%d vs %d bytes)", format, len(got), len(want))
			}
		})
	}

	t.Run("forged pack", func(t *testing.T) {
		forgedKey, forgedCert := forgeIdentity(t, filepath.Join(dir, "signer.pem"))
		forged := forgePack(t, zip, forgedKey, forgedCert)
		code, stdout, _ := attest(t, "verify", forged)
		if code != 1 || !strings.Contains(stdout, "Example Corp (demo) document signing") || !strings.Contains(stdout, "certificate SHA-256 ") {
			t.Errorf("forged pack without --ca: exit %d, want 1 and the signer\n%s", code, stdout)
		}
		if code, stdout, _ := attest(t, "verify", forged, "--ca", filepath.Join(dir, "ca.pem")); code != 1 {
			t.Errorf("forged pack with the demo CA: exit %d, want 1\n%s", code, stdout)
		}
		_, realOut, _ := attest(t, "verify", zip, "--ca", filepath.Join(dir, "ca.pem"))
		code, stdout, _ = attest(t, "verify", forged, "--insecure-skip-anchor")
		if code != 0 || !strings.Contains(stdout, "NOT checked against a trust anchor") || fingerprintLine(stdout) == fingerprintLine(realOut) || fingerprintLine(realOut) == "" {
			t.Errorf("forged pack with --insecure-skip-anchor: exit %d, want 0 and a fingerprint other than the real one\n%s\nreal:\n%s", code, stdout, realOut)
		}
		if code, _, _ := attest(t, "verify", zip); code != 1 {
			t.Errorf("genuine pack without --ca: exit %d, want 1", code)
		}
	})

	t.Run("forged PDF", func(t *testing.T) {
		flags := []string{"--lang", "en", "--results", filepath.Join(dir, "results.json"), "--company", filepath.Join(dir, "company.yaml"),
			"--subprocessors", filepath.Join(dir, "subprocessors.yaml"), "--log-level", "error"}
		genuine := filepath.Join(t.TempDir(), "toms.pdf")
		if code, _, stderr := attest(t, append([]string{"toms", "--out", genuine, "--sign-key", filepath.Join(dir, "signer.key"), "--sign-cert", filepath.Join(dir, "signer.pem")}, flags...)...); code != 0 {
			t.Fatalf("toms: exit %d: %s", code, stderr)
		}
		forgedKey, forgedCert := forgeIdentity(t, filepath.Join(dir, "signer.pem"))
		forged := filepath.Join(t.TempDir(), "toms.pdf")
		if code, _, stderr := attest(t, append([]string{"toms", "--out", forged, "--sign-key", forgedKey, "--sign-cert", forgedCert}, flags...)...); code != 0 {
			t.Fatalf("forged toms: exit %d: %s", code, stderr)
		}
		ca := filepath.Join(dir, "ca.pem")
		if code, stdout, stderr := attest(t, "verify", genuine, "--ca", ca); code != 0 || !strings.Contains(stdout, "signer chains to the given CA") {
			t.Errorf("genuine PDF with --ca: exit %d\n%s\n%s", code, stdout, stderr)
		}
		if code, stdout, _ := attest(t, "verify", genuine); code != 1 || !strings.Contains(stdout, "certificate SHA-256") {
			t.Errorf("genuine PDF without --ca: exit %d, want 1 and the fingerprint\n%s", code, stdout)
		}
		if code, stdout, _ := attest(t, "verify", forged, "--ca", ca); code != 1 || !strings.Contains(stdout, "does not chain") {
			t.Errorf("forged PDF with --ca: exit %d, want 1\n%s", code, stdout)
		}
		if code, stdout, _ := attest(t, "verify", forged); code != 1 {
			t.Errorf("forged PDF without --ca: exit %d, want 1\n%s", code, stdout)
		}
		if code, stdout, _ := attest(t, "verify", forged, "--insecure-skip-anchor"); code != 0 {
			t.Errorf("forged PDF with --insecure-skip-anchor: exit %d, want 0\n%s", code, stdout)
		}
	})
}

// fingerprintLine returns the signer fingerprint line of verify's output.
func fingerprintLine(out string) string {
	for l := range strings.Lines(out) {
		if strings.Contains(l, "signer certificate SHA-256") {
			return l
		}
	}
	return ""
}

// forgeIdentity writes a fresh key and a self-signed certificate that
// copies the subject of the certificate in realCert, as an attacker would,
// and returns their paths.
func forgeIdentity(t *testing.T, realCert string) (keyPath, certPath string) {
	t.Helper()
	data, err := os.ReadFile(realCert)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	real, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: real.Subject, Issuer: real.Issuer,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: real.KeyUsage, ExtKeyUsage: real.ExtKeyUsage}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyPath, certPath = filepath.Join(dir, "forged.key"), filepath.Join(dir, "forged.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return keyPath, certPath
}

// forgePack turns every failed control in the pack's results.json into a
// pass, re-hashes it in the manifest and re-signs the manifest with the
// forged identity.
func forgePack(t *testing.T, src, keyPath, certPath string) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	var names []string
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
		names = append(names, f.Name)
	}
	files["results.json"] = bytes.ReplaceAll(files["results.json"], []byte(`"outcome": "fail"`), []byte(`"outcome": "pass"`))
	var m pack.Manifest
	if err := json.Unmarshal(files[pack.ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	for i := range m.Files {
		if m.Files[i].Path == "results.json" {
			sum := sha256.Sum256(files["results.json"])
			m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(files["results.json"]))
		}
	}
	manifest, _ := json.MarshalIndent(m, "", "  ")
	files[pack.ManifestFile] = append(manifest, '\n')
	id, err := signing.Load(keyPath, certPath, "")
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := pack.CMSSigner{Identity: id}.Sign(files[pack.ManifestFile])
	if err != nil {
		t.Fatal(err)
	}
	files[pack.CMSFile] = sigs[pack.CMSFile]
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[name]); err != nil {
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
