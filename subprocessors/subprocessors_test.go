package subprocessors

import (
	"fmt"
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
		due, _ := s.ReviewDue()
		got = append(got, fmt.Sprintf("%s|%s|%s|%v|%s|%s|%d", s.Name, s.Region(), s.TransferText(), s.ThirdCountries(),
			s.DPASigned, due.Format("2006-01-02"), len(s.Certifications)))
	}
	want := []string{
		"Amazon Web Services EMEA SARL|EU||[]|2025-03-01|2027-02-15|2",
		"GitHub, Inc.|US|EU-US Data Privacy Framework|[US]|2025-01-10|2026-11-01|1",
		"Zendesk, Inc.|other|SCCs 2021/914, module 3|[US]|2024-11-20|2026-06-30|0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("register (-want +got):\n%s", diff)
	}
}

func TestThirdCountriesAndRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		locations []string
		third     []string
		region    Location
	}{
		{[]string{"EEA"}, nil, EU},
		{[]string{"DE", "NO"}, nil, EU},
		{[]string{"CH", "GB", "JP"}, nil, Other},
		{[]string{"US"}, []string{"US"}, US},
		{[]string{"IN", "US", "DE", "IN"}, []string{"IN", "US"}, Other},
	}
	for _, tt := range tests {
		s := Subprocessor{Locations: tt.locations}
		if got := s.ThirdCountries(); !cmp.Equal(got, tt.third) {
			t.Errorf("%v: ThirdCountries() = %v, want %v", tt.locations, got, tt.third)
		}
		if got := s.Region(); got != tt.region {
			t.Errorf("%v: Region() = %s, want %s", tt.locations, got, tt.region)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const head = "subprocessors:\n  - name: A\n    purpose: p\n    services: [s]\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{
			name: "unknown key",
			yaml: head + "    locations: [DE]\n    colour: red\n",
			want: []string{"f.yaml:6", "colour"},
		},
		{
			name: "old location column",
			yaml: head + "    location: EU\n",
			want: []string{"f.yaml:5", "location"},
		},
		{
			name: "bad country code",
			yaml: head + "    locations: [DE, EU, us]\n",
			want: []string{
				`f.yaml:5: subprocessors[0].locations[1]: "EU" is not an ISO 3166-1 alpha-2 country code`,
				`f.yaml:5: subprocessors[0].locations[2]: "us" is not`,
			},
		},
		{
			name: "no location",
			yaml: head,
			want: []string{"f.yaml:2: subprocessors[0].locations: at least one data-centre location is required"},
		},
		{
			name: "unknown mechanism",
			yaml: head + "    locations: [US]\n    transfer:\n      mechanism: SCCs\n",
			want: []string{`f.yaml:7: subprocessors[0].transfer.mechanism: unknown mechanism "SCCs"`},
		},
		{
			name: "SCCs without module",
			yaml: head + "    locations: [US]\n    transfer:\n      mechanism: scc\n",
			want: []string{"f.yaml:6: subprocessors[0].transfer.scc_module: standard contractual clauses 2021/914 need their module: 1 to 4"},
		},
		{
			name: "SCC module out of range",
			yaml: head + "    locations: [US]\n    transfer:\n      mechanism: scc\n      scc_module: 5\n",
			want: []string{"f.yaml:8: subprocessors[0].transfer.scc_module"},
		},
		{
			name: "module without SCCs",
			yaml: head + "    locations: [US]\n    transfer:\n      mechanism: dpf\n      scc_module: 2\n",
			want: []string{"f.yaml:8: subprocessors[0].transfer.scc_module: only mechanism scc has a module"},
		},
		{
			name: "duplicate and missing fields",
			yaml: head + "    locations: [DE]\n  - name: a\n    locations: [DE]\n",
			want: []string{
				`f.yaml:6: subprocessors[1].name: duplicate subprocessor "a"`,
				"f.yaml:6: subprocessors[1].purpose: purpose is required",
				"f.yaml:6: subprocessors[1].services: at least one service is required",
			},
		},
		{
			name: "bad dates",
			yaml: head + "    locations: [DE]\n    dpa_signed: 01.02.2025\n    review:\n      last: 2025-13-01\n      frequency: yearly\n",
			want: []string{
				`f.yaml:6: subprocessors[0].dpa_signed: bad date "01.02.2025"`,
				`f.yaml:8: subprocessors[0].review.last: bad date "2025-13-01"`,
				`f.yaml:9: subprocessors[0].review.frequency: "yearly": want monthly, quarterly, semiannually or annually`,
			},
		},
		{
			name: "review without last date",
			yaml: head + "    locations: [DE]\n    review:\n      frequency: annually\n",
			want: []string{"f.yaml:6: subprocessors[0].review.last: the date of the last review is required"},
		},
		{
			name: "certification without expiry",
			yaml: head + "    locations: [DE]\n    certifications:\n      - name: ISO/IEC 27001\n",
			want: []string{"f.yaml:7: subprocessors[0].certifications[0].valid_until: the expiry date is required"},
		},
		{
			name: "unknown source",
			yaml: head + "    locations: [DE]\n    sources: [oracle]\n",
			want: []string{`f.yaml:6: subprocessors[0].sources[0]: unknown source "oracle": want one of aws, azure, entra, gcp, github, gitlab, okta, workspace`},
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

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	reg, err := Parse("f.yaml", []byte("subprocessors: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Subprocessors) != 0 {
		t.Errorf("got %d subprocessors, want none", len(reg.Subprocessors))
	}
}
