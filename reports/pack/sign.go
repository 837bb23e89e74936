package pack

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/digitorus/pkcs7"

	"github.com/attestdev/attest/reports/signing"
)

// A Signer signs the manifest and names the files its signature goes in.
type Signer interface {
	// Sign returns the files to store beside the manifest: path → content.
	Sign(manifest []byte) (map[string][]byte, error)
}

// CMSSigner signs with an X.509 identity as a detached CMS SignedData in
// PEM, with SHA-256 and the certificate chain embedded.
type CMSSigner struct {
	Identity *signing.Identity
}

var oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}

// Sign implements Signer.
func (s CMSSigner) Sign(manifest []byte) (map[string][]byte, error) {
	sd, err := pkcs7.NewSignedData(manifest)
	if err != nil {
		return nil, fmt.Errorf("pack: cms: %w", err)
	}
	sd.SetDigestAlgorithm(oidSHA256)
	if err := sd.AddSignerChain(s.Identity.Certificate, s.Identity.Signer, s.Identity.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("pack: cms sign: %w", err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("pack: cms sign: %w", err)
	}
	return map[string][]byte{CMSFile: pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: der})}, nil
}

// Ed25519Signer signs with an Ed25519 key and stores the signature
// (base64) and the public key (PEM) beside the manifest.
type Ed25519Signer struct {
	Key ed25519.PrivateKey
}

// Sign implements Signer.
func (s Ed25519Signer) Sign(manifest []byte) (map[string][]byte, error) {
	pub, err := x509.MarshalPKIXPublicKey(s.Key.Public())
	if err != nil {
		return nil, fmt.Errorf("pack: ed25519 public key: %w", err)
	}
	sig := ed25519.Sign(s.Key, manifest)
	return map[string][]byte{
		Ed25519SigFile: []byte(base64.StdEncoding.EncodeToString(sig) + "\n"),
		Ed25519PubFile: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
	}, nil
}

// LoadEd25519Key reads a PEM PKCS #8 Ed25519 private key, as written by
// `openssl genpkey -algorithm ed25519`.
func LoadEd25519Key(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pack: read ed25519 key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("pack: %s: want a PEM \"PRIVATE KEY\" (openssl genpkey -algorithm ed25519)", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pack: %s: %w", path, err)
	}
	k, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("pack: %s: key of type %T is not Ed25519", path, key)
	}
	return k, nil
}

// ParseEd25519PublicKey reads a PEM PKIX Ed25519 public key.
func ParseEd25519PublicKey(data []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("pack: want a PEM \"PUBLIC KEY\"")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pack: public key: %w", err)
	}
	k, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("pack: public key of type %T is not Ed25519", key)
	}
	return k, nil
}

// verifyCMS checks a detached PEM or DER CMS signature over manifest and
// records the signer in rep. With roots, the chain of the certificate
// that made the signature (found by the signer info's issuer and serial,
// never by position) must lead to one of them; without, only the
// signature is checked.
func verifyCMS(sigData, manifest []byte, roots *x509.CertPool, rep *Report) error {
	der := sigData
	if block, _ := pem.Decode(sigData); block != nil {
		der = block.Bytes
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return fmt.Errorf("pack: parse %s: %w", CMSFile, err)
	}
	p7.Content = manifest
	signer := p7.GetOnlySigner()
	if signer == nil {
		return fmt.Errorf("pack: %s: want exactly one signer with its certificate", CMSFile)
	}
	rep.Kind, rep.Signer, rep.SignerFingerprint = "cms", signer.Subject.String(), Fingerprint(signer.Raw)
	if roots != nil {
		// Like openssl's -purpose any, the chain may lead to a root for any
		// key usage; it is checked at the signing time the signature states.
		inter := x509.NewCertPool()
		for _, c := range p7.Certificates {
			inter.AddCert(c)
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
		if err := p7.VerifyWithOpts(opts); err != nil {
			return fmt.Errorf("pack: %s: %w", CMSFile, err)
		}
	} else if err := p7.Verify(); err != nil {
		return fmt.Errorf("pack: %s: %w", CMSFile, err)
	}
	return nil
}
