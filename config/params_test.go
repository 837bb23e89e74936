package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attestdev/attest/controls"
)

// TestCheckParams checks that every problem in the params section is an
// error naming the file, the line and the field, found before anything is
// collected.
func TestCheckParams(t *testing.T) {
	t.Parallel()
	lib, err := controls.Load(controls.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params string
		want   string // after the file name; "" for no error
	}{
		{"valid", "  AWS-IAM-004: {max_key_age_days: 30}\n  GCP-RES-001:\n    allowed_locations: [europe-west3]\n", ""},
		{"unknown control", "  AWS-IAM-999: {max_key_age_days: 30}\n", `:3: params.AWS-IAM-999: unknown control id "AWS-IAM-999"`},
		{"unknown param", "  AWS-IAM-004:\n    max_age_days: 30\n", `:4: params.AWS-IAM-004.max_age_days: AWS-IAM-004 has no param "max_age_days" (declared: max_key_age_days)`},
		{"wrong type", "  AWS-IAM-004:\n    max_key_age_days: ninety\n", `:4: params.AWS-IAM-004.max_key_age_days: "ninety" (a string) is not of type int`},
		{"list item not a string", "  GCP-RES-001:\n    allowed_locations: [europe-west3, 42]\n", `:4: params.GCP-RES-001.allowed_locations: item 1 is 42 (an int), want a string (quote it)`},
		{"list given a scalar", "  GCP-RES-001:\n    allowed_locations: europe-west3\n", `:4: params.GCP-RES-001.allowed_locations: "europe-west3" (a string) is not a list`},
		{"params for a control without params", "  AWS-S3-001: {x: 1}\n", `:3: params.AWS-S3-001.x: AWS-S3-001 has no param "x" (it declares none)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "attest.yaml")
			data := "fail_on: high\nparams:\n" + tt.params + "sources: {}\n"
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			err = f.CheckParams(lib)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), path+tt.want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s%s", err, path, tt.want)
			}
			var ce *controls.Error
			if !errors.As(err, &ce) || ce.Line == 0 {
				t.Errorf("not an *Error with a line: %#v", err)
			}
		})
	}
}
