// Package tomstest makes throwaway signing identities for tests: a test CA
// and a document-signing leaf certificate it issued.
package tomstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Identity is a signing identity written to files.
type Identity struct {
	// KeyFile is the leaf's PEM private key (PKCS#8).
	KeyFile string
	// CertFile holds the leaf certificate followed by the CA certificate.
	CertFile string
	// CAFile holds the CA certificate alone, to import as a trust anchor.
	CAFile string
	CA     *x509.Certificate
	Leaf   *x509.Certificate
}

// NewIdentity writes a fresh ECDSA P-256 CA and leaf ("Test Signer") into
// dir, valid from a day ago for a year.
func NewIdentity(t testing.TB, dir string) *Identity {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "attest Test CA", Organization: []string{"attest tests"}},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "Test Signer", Organization: []string{"Müller & Söhne GmbH"}},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(leafDER)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	id := &Identity{
		KeyFile:  filepath.Join(dir, "signer.key"),
		CertFile: filepath.Join(dir, "signer.pem"),
		CAFile:   filepath.Join(dir, "ca.pem"),
		CA:       ca,
		Leaf:     leaf,
	}
	certPEM := func(der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}) }
	write := func(path string, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(id.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	write(id.CertFile, append(certPEM(leafDER), certPEM(caDER)...))
	write(id.CAFile, certPEM(caDER))
	return id
}
