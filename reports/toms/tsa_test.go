package toms

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/digitorus/pdfsign/verify"

	"github.com/attestdev/attest/reports/internal/tsatest"
	"github.com/attestdev/attest/reports/signing"
	"github.com/attestdev/attest/reports/toms/tomstest"
)

// tsaServer runs a local RFC 3161 time-stamp authority.
func tsaServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := tsatest.Server(t)
	return srv
}

func TestSignWithTSA(t *testing.T) {
	t.Parallel()
	srv := tsaServer(t)
	tid := tomstest.NewIdentity(t, t.TempDir())
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := RenderTOMs(buildTest(t, "de", false))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(context.Background(), unsigned, id, SignOptions{TSAURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := verify.VerifyWithOptions(bytes.NewReader(signed), int64(len(signed)), verify.DefaultVerifyOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Signers) != 1 {
		t.Fatalf("%d signers, want 1", len(resp.Signers))
	}
	s := resp.Signers[0]
	if !s.ValidSignature {
		t.Errorf("signature invalid: %s", resp.Error)
	}
	if s.TimeStamp == nil {
		t.Fatal("no RFC 3161 time-stamp in the signature")
	}
	if d := time.Since(s.TimeStamp.Time); d < -time.Minute || d > time.Hour {
		t.Errorf("time-stamp %v is not from now", s.TimeStamp.Time)
	}
}

func TestSignTSAFailure(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	tid := tomstest.NewIdentity(t, t.TempDir())
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := RenderTOMs(buildTest(t, "en", true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sign(context.Background(), unsigned, id, SignOptions{TSAURL: srv.URL}); err == nil {
		t.Error("Sign succeeded although the time-stamp authority failed")
	}
}
