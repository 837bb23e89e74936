package toms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"

	"github.com/attestdev/attest/reports/signing"
)

// SignOptions describe a document signature.
type SignOptions struct {
	// Name, Reason, Location and ContactInfo fill the signature
	// dictionary; Name defaults to the certificate's common name.
	Name, Reason, Location, ContactInfo string
	// Time is the signing time; the current time when zero.
	Time time.Time
	// TSAURL, when set, is an RFC 3161 time-stamp authority. Its token
	// over the signature value is embedded in the CMS as the unsigned
	// attribute id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14):
	// it proves the signature existed at that time, so the signature can
	// be checked after the signing certificate expires. The request has no
	// timeout of its own: bound it with ctx's caller. No document
	// time-stamp (ETSI.RFC3161) is added: see the README on PAdES.
	TSAURL string
}

// Sign embeds a certification signature (/Sig, SubFilter
// adbe.pkcs7.detached, SHA-256, DocMDP "no changes") with the identity's key
// and certificate chain into an unsigned PDF and returns the signed PDF.
// Any byte changed after signing makes the signature invalid.
func Sign(ctx context.Context, unsigned []byte, id *signing.Identity, opts SignOptions) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rdr, err := pdf.NewReader(bytes.NewReader(unsigned), int64(len(unsigned)))
	if err != nil {
		return nil, fmt.Errorf("toms: sign: read PDF: %w", err)
	}
	if opts.Name == "" {
		opts.Name = id.Certificate.Subject.CommonName
	}
	if opts.Time.IsZero() {
		opts.Time = time.Now()
	}
	chain := append([]*x509.Certificate{id.Certificate}, id.Chain...)
	var out bytes.Buffer
	err = sign.Sign(bytes.NewReader(unsigned), &out, rdr, int64(len(unsigned)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.CertificationSignature,
			DocMDPPerm: sign.DoNotAllowAnyChangesPerms,
			Info: sign.SignDataSignatureInfo{
				Name:        opts.Name,
				Reason:      opts.Reason,
				Location:    opts.Location,
				ContactInfo: opts.ContactInfo,
				Date:        opts.Time,
			},
		},
		Signer:            id.Signer,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       id.Certificate,
		CertificateChains: [][]*x509.Certificate{chain},
		TSA:               sign.TSA{URL: opts.TSAURL},
	})
	if err != nil {
		return nil, fmt.Errorf("toms: sign PDF: %w", err)
	}
	return out.Bytes(), nil
}
