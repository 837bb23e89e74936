// Package pdfverify checks the digital signatures of a PDF in-process: that
// each signature is cryptographically valid and that the last one covers
// the whole file, so nothing was changed or appended after signing.
// VerifyAnchored also checks each signer against a CA the caller holds.
package pdfverify

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/verify"
)

// ErrUnsigned is returned for a PDF without a signature.
var ErrUnsigned = errors.New("the PDF has no digital signature")

// Verify checks the signatures of the PDF at path and writes one report
// line per fact to w: signer, certificate, signing time, whether the
// certificate chains to a root trusted by this system, the time-stamp.
//
// It returns an error when the PDF has no signature, a signature does not
// verify (the signed bytes were changed), or bytes were added after the
// last signature. An issuer this system does not trust is reported but is
// not an error: companies often sign with their own CA, and the report
// gives the certificate's SHA-256 fingerprint to compare out of band.
func Verify(ctx context.Context, path string, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
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
	size := st.Size()
	opts := verify.DefaultVerifyOptions()
	opts.TrustSignatureTime = true
	resp, err := verify.VerifyWithOptions(f, size, opts)
	if err != nil {
		if strings.Contains(err.Error(), "no digital signature") {
			return fmt.Errorf("pdfverify: %s: %w", path, ErrUnsigned)
		}
		return fmt.Errorf("pdfverify: %s: %w", path, err)
	}
	if len(resp.Signers) == 0 {
		return fmt.Errorf("pdfverify: %s: no signature could be read", path)
	}
	var problems []string
	for i, s := range resp.Signers {
		report(w, path, i+1, s)
		if !s.ValidSignature {
			problems = append(problems, fmt.Sprintf("signature %d is invalid: the signed content was changed", i+1))
		}
	}
	if resp.Error != "" {
		fmt.Fprintf(w, "%s: note: %s\n", path, resp.Error)
	}
	end, err := signedEnd(f, size)
	if err != nil {
		return fmt.Errorf("pdfverify: %s: %w", path, err)
	}
	if end != size {
		problems = append(problems, fmt.Sprintf("%d bytes after the last signature are not signed: the document was changed after signing", size-end))
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "%s: INVALID: %s\n", path, strings.Join(problems, "; "))
		return fmt.Errorf("pdfverify: %s: %s", path, strings.Join(problems, "; "))
	}
	fmt.Fprintf(w, "%s: signature valid, document unchanged since signing\n", path)
	return nil
}

func report(w io.Writer, path string, n int, s verify.Signer) {
	fmt.Fprintf(w, "%s: signature %d: signed by %q", path, n, s.Name)
	if s.SignatureTime != nil {
		fmt.Fprintf(w, " at %s", s.SignatureTime.UTC().Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	if len(s.Certificates) > 0 {
		c := s.Certificates[0].Certificate
		fmt.Fprintf(w, "%s: signature %d: certificate %q issued by %q, SHA-256 %s\n", path, n, c.Subject.String(), c.Issuer.String(), fingerprint(c))
	}
	// Whether the signer is trusted is the anchor's question (--ca):
	// this line only says what the system's own trust store thinks.
	trust := "issuer not in this system's trust store"
	if s.TrustedIssuer {
		trust = "issuer in this system's trust store"
	}
	fmt.Fprintf(w, "%s: signature %d: %s\n", path, n, trust)
	if s.TimeStamp != nil {
		fmt.Fprintf(w, "%s: signature %d: %s\n", path, n, TimeStampText(s.TimeStamp))
	}
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return fmt.Sprintf("%X", sum[:])
}

// signedEnd returns the offset where the byte range of the signature that
// reaches furthest into the file ends.
func signedEnd(r io.ReaderAt, size int64) (end int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("read signature byte ranges: %v", p)
		}
	}()
	rdr, err := pdf.NewReader(r, size)
	if err != nil {
		return 0, fmt.Errorf("read PDF: %w", err)
	}
	for _, x := range rdr.Xref() {
		v := rdr.Resolve(x.Ptr(), x.Ptr())
		if v.Key("Filter").Name() != "Adobe.PPKLite" {
			continue
		}
		br := v.Key("ByteRange")
		if br.Len() != 4 || br.Index(0).Int64() != 0 {
			return 0, errors.New("a signature's byte range does not start at the beginning of the file")
		}
		end = max(end, br.Index(2).Int64()+br.Index(3).Int64())
	}
	if end == 0 {
		return 0, ErrUnsigned
	}
	return end, nil
}
