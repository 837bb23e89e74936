package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/reports/pack"
)

// TestPrintSignerTimestamp checks what verify prints for a time-stamped,
// anchored pack: the signer with its fingerprint, the time-stamp time and
// the authority with its fingerprint, and control characters in names
// removed.
func TestPrintSignerTimestamp(t *testing.T) {
	t.Parallel()
	rep := &pack.Report{
		Files: 3, Kind: "cms", Signer: "CN=Example\x1b[2J signer", SignerFingerprint: "AA:BB", Trusted: true,
		Timestamped: true, TimestampedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), TimestampTrusted: true,
		TimestampAuthority: "CN=attest Test TSA", TimestampAuthorityFingerprint: "CC:DD",
	}
	var out bytes.Buffer
	if err := printSigner(&out, "pack.zip: OK", rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"cms signature by CN=Example signer",
		"signer certificate SHA-256 AA:BB",
		"signer trusted: the signer chains to the given CA",
		"time-stamped 2026-12-01T10:00:00Z (RFC 3161) by CN=attest Test TSA (certificate SHA-256 CC:DD)",
		"authority trusted: it chains to --tsa-cert",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.ContainsRune(out.String(), 0x1b) {
		t.Errorf("output holds an escape:\n%q", out.String())
	}
	rep.Trusted, rep.TimestampTrusted, rep.Kind = false, false, "ed25519"
	out.Reset()
	if err := printSigner(&out, "pack.zip: does NOT verify", rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"signer public key SHA-256 AA:BB", "signer NOT checked against a trust anchor", "authority NOT checked"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
