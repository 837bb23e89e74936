package subprocessors

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadExample(t *testing.T) {
	t.Parallel()
	reg, err := Load("testdata/subprocessors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range reg.Subprocessors {
		got = append(got, s.Name+"|"+string(s.Location)+"|"+s.TransferMechanism+"|"+s.DPASigned)
	}
	want := []string{
		"Amazon Web Services EMEA SARL|EU|none (processing in the EU)|2025-03-01",
		"GitHub, Inc.|US|EU-US Data Privacy Framework and SCCs|2025-01-10",
		"Zendesk, Inc.|US|SCCs|2024-11-20",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("register (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{
			name: "unknown key",
			yaml: "subprocessors:\n  - name: A\n    purpose: p\n    service: s\n    location: EU\n    colour: red\n",
			want: []string{"f.yaml:6", "colour"},
		},
		{
			name: "bad location",
			yaml: "subprocessors:\n  - name: A\n    purpose: p\n    service: s\n    location: Mars\n",
			want: []string{"f.yaml:5: subprocessors[0].location: unknown location \"Mars\""},
		},
		{
			name: "US without transfer mechanism",
			yaml: "subprocessors:\n  - name: A\n    purpose: p\n    service: s\n    location: US\n",
			want: []string{"f.yaml:2: subprocessors[0].transfer_mechanism: a subprocessor outside the EU needs a transfer mechanism"},
		},
		{
			name: "duplicate and missing fields",
			yaml: "subprocessors:\n  - name: A\n    purpose: p\n    service: s\n    location: EU\n  - name: a\n    location: EU\n",
			want: []string{
				"f.yaml:6: subprocessors[1].name: duplicate subprocessor \"a\"",
				"f.yaml:6: subprocessors[1].purpose: purpose is required",
				"f.yaml:6: subprocessors[1].service: service is required",
			},
		},
		{
			name: "bad date",
			yaml: "subprocessors:\n  - name: A\n    purpose: p\n    service: s\n    location: EU\n    dpa_signed: 01.02.2025\n",
			want: []string{"f.yaml:6: subprocessors[0].dpa_signed: bad date \"01.02.2025\""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("f.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
