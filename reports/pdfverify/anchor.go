package pdfverify

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pkcs7"
)

// ErrNoAnchor is returned (wrapped) when the signatures are valid but no
// trust anchor was given to check the signer against, and
// Options.InsecureSkipAnchor is not set.
var ErrNoAnchor = errors.New("no trust anchor: anyone can sign a PDF with a certificate that copies the company's name; pass the company's CA (--ca) to check who signed")

// Options say which signers VerifyAnchored trusts.
type Options struct {
	// Roots must anchor the certificate that made each signature.
	Roots *x509.CertPool
	// InsecureSkipAnchor accepts signatures checked against no anchor.
	InsecureSkipAnchor bool
}

// VerifyAnchored runs Verify and then checks the certificate that made
// each signature (found by the signer info's issuer and serial, not by
// its place in the certificate list) against o.Roots, at the signing time
// the signature states. For each signature it reports the signer's
// subject and the SHA-256 fingerprint of its certificate. Without Roots it
// fails with ErrNoAnchor unless o.InsecureSkipAnchor is set. The signers
// are reported even when the document does not verify.
func VerifyAnchored(ctx context.Context, path string, w io.Writer, o Options) error {
	verr := Verify(ctx, path, w)
	if errors.Is(verr, ErrUnsigned) || errors.Is(verr, os.ErrNotExist) || ctx.Err() != nil {
		return verr
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pdfverify: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("pdfverify: %w", err)
	}
	sigs, err := signatures(f, st.Size())
	if err != nil {
		return errors.Join(verr, fmt.Errorf("pdfverify: %s: %w", path, err))
	}
	var problems []string
	for i, p7 := range sigs {
		n := i + 1
		signer := p7.GetOnlySigner()
		if signer == nil {
			problems = append(problems, fmt.Sprintf("signature %d: want exactly one signer with its certificate", n))
			continue
		}
		sum := sha256.Sum256(signer.Raw)
		fmt.Fprintf(w, "%s: signature %d: signer %q, certificate SHA-256 %X\n", path, n, signer.Subject.String(), sum[:])
		if o.Roots == nil || verr != nil {
			continue
		}
		inter := x509.NewCertPool()
		for _, c := range p7.Certificates {
			inter.AddCert(c)
		}
		opts := x509.VerifyOptions{Roots: o.Roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
		if at, ok := signingTime(p7); ok {
			opts.CurrentTime = at
		}
		if _, err := signer.Verify(opts); err != nil {
			problems = append(problems, fmt.Sprintf("signature %d: the signer does not chain to the given CA: %v", n, err))
			continue
		}
		fmt.Fprintf(w, "%s: signature %d: signer chains to the given CA\n", path, n)
	}
	if verr != nil {
		return verr
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "%s: NOT TRUSTED: %s\n", path, strings.Join(problems, "; "))
		return fmt.Errorf("pdfverify: %s: %s", path, strings.Join(problems, "; "))
	}
	if o.Roots == nil && !o.InsecureSkipAnchor {
		fmt.Fprintf(w, "%s: NOT TRUSTED: no CA given to check the signer against\n", path)
		return fmt.Errorf("pdfverify: %s: %w", path, ErrNoAnchor)
	}
	if o.Roots == nil {
		fmt.Fprintf(w, "%s: signer NOT checked against a trust anchor (--insecure-skip-anchor)\n", path)
	}
	return nil
}

// signingTime returns the signing-time attribute of the only signer.
func signingTime(p7 *pkcs7.PKCS7) (time.Time, bool) {
	var t time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &t); err != nil || t.IsZero() {
		return time.Time{}, false
	}
	return t, true
}

// signatures parses the CMS of every signature dictionary in the PDF.
func signatures(r io.ReaderAt, size int64) (sigs []*pkcs7.PKCS7, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("read signatures: %v", p)
		}
	}()
	rdr, err := pdf.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	for _, x := range rdr.Xref() {
		v := rdr.Resolve(x.Ptr(), x.Ptr())
		if v.Key("Filter").Name() != "Adobe.PPKLite" {
			continue
		}
		der := []byte(v.Key("Contents").RawString())
		// /Contents is padded with zeros after the DER; cut at its end.
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(der, &raw); err == nil {
			der = raw.FullBytes
		}
		p7, err := pkcs7.Parse(der)
		if err != nil {
			return nil, fmt.Errorf("parse a signature's CMS: %w", err)
		}
		sigs = append(sigs, p7)
	}
	if len(sigs) == 0 {
		return nil, ErrUnsigned
	}
	return sigs, nil
}
