package pdfverify

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/digitorus/timestamp"
)

// TimeStampText describes the RFC 3161 signature time-stamp of a
// signature (the id-aa-signatureTimeStampToken attribute over its
// signature value, whose imprint and token signature pdfsign's verifier
// has checked): the time, and the authority that issued it with its
// certificate's SHA-256 fingerprint, or "authority unknown" when the token
// carries no certificate.
func TimeStampText(ts *timestamp.Timestamp) string {
	var b strings.Builder
	fmt.Fprintf(&b, "RFC 3161 time-stamp %s", ts.Time.UTC().Format(time.RFC3339))
	if ts.Accuracy > 0 {
		fmt.Fprintf(&b, " (±%s)", ts.Accuracy)
	}
	if len(ts.Certificates) == 0 {
		b.WriteString(", authority unknown (the token carries no certificate)")
		return b.String()
	}
	c := ts.Certificates[0]
	for _, tc := range ts.Certificates {
		if slices.Contains(tc.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
			c = tc
			break
		}
	}
	fmt.Fprintf(&b, " by authority %q, SHA-256 %s", c.Subject.String(), fingerprint(c))
	return b.String()
}
