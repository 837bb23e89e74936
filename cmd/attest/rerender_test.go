package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/attestdev/attest/reports"
)

// TestRerenderFromPackIsByteIdentical packs the demo's results, extracts
// the pack as an auditor would, renders every report format again from the
// extracted results and evidence, and checks each is byte-identical to the
// report inside the pack: the clock comes from the results, never from now.
func TestRerenderFromPackIsByteIdentical(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, stderr := attest(t, "demo", "--out-dir", dir, "--log-level", "error"); code > 1 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "pack.key")
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	zip := filepath.Join(dir, "pack.zip")
	if code, _, stderr := attest(t, "pack", "--results", filepath.Join(dir, "results.json"), "--bundle", filepath.Join(dir, "bundle"),
		"--ed25519-key", key, "--out", zip, "--log-level", "error"); code != 0 {
		t.Fatalf("pack exit %d: %s", code, stderr)
	}
	x := filepath.Join(t.TempDir(), "x")
	if code, _, stderr := attest(t, "verify", zip, "--extract", x); code != 0 {
		t.Fatalf("verify --extract exit %d: %s", code, stderr)
	}
	for _, format := range reports.Formats {
		t.Run(format, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(x, "reports", "report"+reports.Extension(format)))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "again"+reports.Extension(format))
			if code, _, stderr := attest(t, "report", "--results", filepath.Join(x, "results.json"), "--bundle", filepath.Join(x, "evidence"),
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
}
