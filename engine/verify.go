package engine

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/attestdev/attest/reports/pack"
	"github.com/attestdev/attest/reports/pdfverify"
)

// Anchors are the trust anchors a verification checks a signature
// against. A signature proves who signed only when it is checked against
// an anchor the verifier holds, so without CA or Ed25519Pub a verification
// fails unless InsecureSkipAnchor is set, which checks integrity alone.
type Anchors struct {
	// CA is a PEM file of the CA certificates that must anchor the signer
	// (a CMS-signed pack or a PDF).
	CA string
	// Ed25519Pub is a PEM file of the Ed25519 public key that must have
	// signed a pack.
	Ed25519Pub string
	// TSACert is a PEM file of the time-stamp authority whose RFC 3161
	// time-stamp a pack must carry.
	TSACert string
	// InsecureSkipAnchor accepts a signer checked against no anchor.
	InsecureSkipAnchor bool
}

// Check returns an error when the anchors contradict each other: two
// anchors, or an anchor together with InsecureSkipAnchor.
func (a Anchors) Check() error {
	if a.CA != "" && a.Ed25519Pub != "" {
		return errors.New("--ca and --ed25519-pub: choose one")
	}
	if a.InsecureSkipAnchor && (a.CA != "" || a.Ed25519Pub != "") {
		return errors.New("--insecure-skip-anchor with --ca or --ed25519-pub: choose one")
	}
	return nil
}

// IsPDF reports whether path names a PDF (verified by its embedded
// signatures) rather than an audit pack.
func IsPDF(path string) bool { return strings.EqualFold(filepath.Ext(path), ".pdf") }

// PDFOptions returns the options that verify a signed PDF against a. Only
// CA applies to a PDF; extract is the directory an audit pack would be
// extracted to, which a PDF has none of.
func (a Anchors) PDFOptions(extract string) (pdfverify.Options, error) {
	roots, err := a.roots()
	if err != nil {
		return pdfverify.Options{}, err
	}
	if a.Ed25519Pub != "" || extract != "" || a.TSACert != "" {
		return pdfverify.Options{}, errors.New("--ed25519-pub, --extract and --tsa-cert apply to audit packs, not PDFs")
	}
	return pdfverify.Options{Roots: roots, InsecureSkipAnchor: a.InsecureSkipAnchor}, nil
}

// PackOptions returns the options that verify an audit pack against a.
func (a Anchors) PackOptions() (pack.VerifyOptions, error) {
	roots, err := a.roots()
	if err != nil {
		return pack.VerifyOptions{}, err
	}
	o := pack.VerifyOptions{Roots: roots, InsecureSkipAnchor: a.InsecureSkipAnchor}
	if a.TSACert != "" {
		r, err := pack.LoadRoots(a.TSACert)
		if err != nil {
			return o, err
		}
		o.TSARoots = r
	}
	if a.Ed25519Pub != "" {
		data, err := os.ReadFile(a.Ed25519Pub)
		if err != nil {
			return o, err
		}
		if o.Ed25519Key, err = pack.ParseEd25519PublicKey(data); err != nil {
			return o, err
		}
	}
	return o, nil
}

// roots loads CA, when given.
func (a Anchors) roots() (*x509.CertPool, error) {
	if a.CA == "" {
		return nil, nil
	}
	return pack.LoadRoots(a.CA)
}
