package pack

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// TimestampFile holds the RFC 3161 time-stamp token over the manifest. It is
// added after signing, so the manifest cannot list it.
const TimestampFile = "manifest.tsr"

// maxTimestampReply bounds a time-stamp authority's answer.
const maxTimestampReply = 1 << 20

// RequestTimestamp asks the RFC 3161 time-stamp authority at url for a
// token over the SHA-256 of manifest, checks the answer (status, signature,
// imprint and nonce), and returns the token.
func RequestTimestamp(ctx context.Context, client *http.Client, url string, manifest []byte) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("pack: time-stamp nonce: %w", err)
	}
	req, err := timestamp.CreateRequest(bytes.NewReader(manifest), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true, Nonce: nonce})
	if err != nil {
		return nil, fmt.Errorf("pack: time-stamp request: %w", err)
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("pack: time-stamp request: %w", err)
	}
	httpReq.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := client.Do(httpReq)
	if err != nil {
		return nil, fmt.Errorf("pack: time-stamp authority %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTimestampReply))
	if err != nil {
		return nil, fmt.Errorf("pack: time-stamp authority %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("pack: time-stamp authority %s: HTTP %d", url, resp.StatusCode)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("pack: time-stamp authority %s: %w", url, err)
	}
	if err := checkImprint(ts, manifest); err != nil {
		return nil, err
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, errors.New("pack: the time-stamp answer does not carry the request's nonce")
	}
	return ts.RawToken, nil
}

func checkImprint(ts *timestamp.Timestamp, manifest []byte) error {
	sum := sha256.Sum256(manifest)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, sum[:]) {
		return errors.New("pack: the time-stamp token is for another manifest: its imprint does not match the SHA-256 of manifest.json")
	}
	return nil
}

// verifyTimestamp checks a stored token: its signature, that its imprint is
// the SHA-256 of manifest, and, when roots is set, that the certificate
// that signed it (found by the signer info's issuer and serial, never by
// position) chains to roots for time-stamping. It records the time and
// the authority in rep.
func verifyTimestamp(token, manifest []byte, roots *x509.CertPool, rep *Report) error {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return fmt.Errorf("pack: %s: %w", TimestampFile, err)
	}
	if err := checkImprint(ts, manifest); err != nil {
		return err
	}
	var tsa *x509.Certificate
	if len(ts.Certificates) > 0 {
		p7, err := pkcs7.Parse(token)
		if err != nil {
			return fmt.Errorf("pack: %s: %w", TimestampFile, err)
		}
		if tsa = p7.GetOnlySigner(); tsa == nil {
			return fmt.Errorf("pack: %s: want exactly one signer with its certificate", TimestampFile)
		}
		rep.TimestampAuthority, rep.TimestampAuthorityFingerprint = tsa.Subject.String(), Fingerprint(tsa.Raw)
	}
	rep.TimestampedAt = ts.Time
	if roots == nil {
		return nil
	}
	if tsa == nil {
		return fmt.Errorf("pack: %s carries no TSA certificate to check against --tsa-cert", TimestampFile)
	}
	inter := x509.NewCertPool()
	for _, c := range ts.Certificates {
		if c != tsa {
			inter.AddCert(c)
		}
	}
	_, err = tsa.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: ts.Time,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	})
	if err != nil {
		return fmt.Errorf("pack: %s: the time-stamp authority is not trusted: %w", TimestampFile, err)
	}
	rep.TimestampTrusted = true
	return nil
}
