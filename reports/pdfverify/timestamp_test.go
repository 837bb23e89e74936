package pdfverify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/internal/tsatest"
	"github.com/attestdev/attest/reports/signing"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/reports/toms/tomstest"
)

// TestVerifyReportsTimeStamp checks that Verify reports the time and the
// authority of a signature time-stamp from a local RFC 3161 authority.
func TestVerifyReportsTimeStamp(t *testing.T) {
	t.Parallel()
	srv, tsaPEM := tsatest.Server(t)
	res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	d, err := toms.Build(&controls.Library{}, res, toms.Input{Lang: "en", Company: toms.Company{Name: "Beispiel GmbH"}})
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := toms.RenderTOMs(d)
	if err != nil {
		t.Fatal(err)
	}
	tid := tomstest.NewIdentity(t, t.TempDir())
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Truncate(time.Second)
	signed, err := toms.Sign(context.Background(), unsigned, id, toms.SignOptions{TSAURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "toms.pdf")
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Verify(context.Background(), path, &out); err != nil {
		t.Fatalf("Verify: %v\n%s", err, &out)
	}
	block, _ := pem.Decode(tsaPEM)
	sum := sha256.Sum256(block.Bytes)
	want := fmt.Sprintf(`by authority "CN=attest Test TSA", SHA-256 %X`, sum[:])
	var line string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "RFC 3161 time-stamp") {
			line = l
		}
	}
	if !strings.Contains(line, want) {
		t.Fatalf("time-stamp line %q lacks %q; output:\n%s", line, want, &out)
	}
	_, rest, _ := strings.Cut(line, "RFC 3161 time-stamp ")
	at, err := time.Parse(time.RFC3339, strings.Fields(rest)[0])
	if err != nil {
		t.Fatalf("time-stamp line %q: %v", line, err)
	}
	if at.Before(before) || at.After(time.Now().Add(time.Minute)) {
		t.Errorf("time-stamp time %v is not the signing time (after %v)", at, before)
	}
}
