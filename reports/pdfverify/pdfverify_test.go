package pdfverify

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/signing"
	"github.com/attestdev/attest/reports/toms"
	"github.com/attestdev/attest/reports/toms/tomstest"
)

// documents returns an unsigned and a signed TOMs PDF.
func documents(t *testing.T) (unsigned, signed []byte) {
	t.Helper()
	res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	d, err := toms.Build(&controls.Library{}, res, toms.Input{Lang: "de", Company: toms.Company{Name: "Beispiel GmbH", Contact: "privacy@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err = toms.RenderTOMs(d)
	if err != nil {
		t.Fatal(err)
	}
	tid := tomstest.NewIdentity(t, t.TempDir())
	id, err := signing.Load(tid.KeyFile, tid.CertFile, "")
	if err != nil {
		t.Fatal(err)
	}
	signed, err = toms.Sign(context.Background(), unsigned, id, toms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return unsigned, signed
}

func TestVerify(t *testing.T) {
	t.Parallel()
	unsigned, signed := documents(t)
	flipped := bytes.Clone(signed)
	// One byte inside the first (compressed) content stream, which is
	// in the signed range.
	i := bytes.Index(flipped, []byte("stream\n"))
	flipped[i+len("stream\n")+20] ^= 0x01
	appended := append(bytes.Clone(signed), []byte("\n% appended after signing\n")...)
	tests := []struct {
		name    string
		pdf     []byte
		wantErr string
		wantOut []string
	}{
		{name: "signed", pdf: signed, wantOut: []string{`signed by "Test Signer"`, "attest Test CA", "issuer not in this system's trust store", "signature valid, document unchanged since signing"}},
		{name: "byte changed", pdf: flipped, wantErr: "signature 1 is invalid", wantOut: []string{"INVALID"}},
		{name: "bytes appended", pdf: appended, wantErr: "bytes after the last signature are not signed"},
		{name: "unsigned", pdf: unsigned, wantErr: ErrUnsigned.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "doc.pdf")
			if err := os.WriteFile(path, tt.pdf, 0o600); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := Verify(context.Background(), path, &out)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Verify: %v\n%s", err, out.String())
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Verify error = %v, want %q\n%s", err, tt.wantErr, out.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestVerifyUnsignedIsErrUnsigned(t *testing.T) {
	t.Parallel()
	unsigned, _ := documents(t)
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, unsigned, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Verify(context.Background(), path, &bytes.Buffer{}); !errors.Is(err, ErrUnsigned) {
		t.Errorf("Verify = %v, want ErrUnsigned", err)
	}
}
