// Package signing loads the identity attest signs documents and audit packs
// with: an X.509 certificate and its private key, from PEM files or a
// PKCS#12 bundle.
package signing

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// An Identity is a signing key with its certificate and the chain up to (not
// necessarily including) a root.
type Identity struct {
	Signer      crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
}

// Load reads an identity. With a .p12 or .pfx keyPath, the key, certificate
// and chain come from that PKCS#12 file, decrypted with password, and
// certPath must be empty. Otherwise keyPath is a PEM private key (PKCS#8,
// PKCS#1 or SEC 1) and certPath a PEM file whose first certificate belongs
// to the key and whose other certificates form the chain.
func Load(keyPath, certPath, password string) (*Identity, error) {
	lower := strings.ToLower(keyPath)
	if strings.HasSuffix(lower, ".p12") || strings.HasSuffix(lower, ".pfx") {
		if certPath != "" {
			return nil, fmt.Errorf("signing: %s is a PKCS#12 file and holds the certificate: leave the certificate option empty", keyPath)
		}
		return loadPKCS12(keyPath, password)
	}
	if certPath == "" {
		return nil, fmt.Errorf("signing: a PEM key (%s) needs a certificate file", keyPath)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("signing: read key: %w", err)
	}
	key, err := parseKey(keyPath, keyPEM)
	if err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("signing: read certificate: %w", err)
	}
	certs, err := parseCerts(certPath, certPEM)
	if err != nil {
		return nil, err
	}
	id := &Identity{Signer: key, Certificate: certs[0], Chain: certs[1:]}
	return id, id.check(certPath)
}

func loadPKCS12(path, password string) (*Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing: read PKCS#12: %w", err)
	}
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("signing: %s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing: %s: key of type %T cannot sign", path, key)
	}
	id := &Identity{Signer: signer, Certificate: cert, Chain: chain}
	return id, id.check(path)
}

func (id *Identity) check(path string) error {
	type publicKey interface{ Equal(crypto.PublicKey) bool }
	pub, ok := id.Signer.Public().(publicKey)
	if !ok || !pub.Equal(id.Certificate.PublicKey) {
		return fmt.Errorf("signing: %s: the certificate does not belong to the private key", path)
	}
	return nil
}

func parseKey(path string, data []byte) (crypto.Signer, error) {
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("signing: %s: encrypted PEM keys are not supported: use a PKCS#12 file with a password", path)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("signing: %s: %w", path, err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("signing: %s: key of type %T cannot sign", path, key)
		}
		return signer, nil
	}
	return nil, fmt.Errorf("signing: %s: no PEM private key found", path)
}

func parseCerts(path string, data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signing: %s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("signing: " + path + ": no PEM certificate found")
	}
	return certs, nil
}
