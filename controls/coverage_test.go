package controls

import "testing"

func TestCoverageClass(t *testing.T) {
	t.Parallel()
	ev := func(types ...string) []Requirement {
		var out []Requirement
		for _, typ := range types {
			out = append(out, Requirement{Type: typ})
		}
		return out
	}
	tests := []struct {
		name string
		c    Control
		want string
	}{
		{"API evidence", Control{Evidence: ev("aws.s3.bucket")}, CoverAutomated},
		{"API evidence beside a record", Control{Evidence: ev(ManualType, "github.repository")}, CoverAutomated},
		{"a provider's certification", Control{Evidence: ev("vendor.hosting")}, CoverInherited},
		{"the register itself", Control{Evidence: ev("vendor.subprocessor")}, CoverManual},
		{"a certification and a record", Control{Evidence: ev("vendor.hosting", "vendor.provider")}, CoverManual},
		{"a certification with a manual requirement", Control{Evidence: ev("vendor.hosting"), Manual: []Manual{{Kind: "x"}}}, CoverManual},
		{"manual records only", Control{Manual: []Manual{{Kind: "risk_assessment"}}}, CoverManual},
	}
	for _, tt := range tests {
		if got := CoverageClass(&tt.c); got != tt.want {
			t.Errorf("%s: CoverageClass = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCoverageStrongestClassAndFilter(t *testing.T) {
	t.Parallel()
	fw := &Framework{ID: "iso27001", Name: "ISO", Requirements: []FrameworkRequirement{{ID: "A.7.1"}, {ID: "A.8.24"}, {ID: "A.5.7"}}}
	mapped := func(id string, ev []Requirement, reqs ...string) *Control {
		c := &Control{ID: id, Evidence: ev, Mappings: Mappings{ISO27001: reqs, Rationales: map[string]map[string]string{"iso27001": {}}}}
		for _, r := range reqs {
			c.Mappings.Rationales["iso27001"][r] = id + " holds"
		}
		return c
	}
	lib := &Library{Controls: []*Control{
		mapped("ORG-PHYS", nil, "A.7.1"),
		mapped("VENDOR-HOST", []Requirement{{Type: "vendor.hosting"}}, "A.7.1"),
		mapped("AWS-KMS", []Requirement{{Type: "aws.kms.key"}}, "A.8.24"),
	}}
	lib.Controls[0].Manual = []Manual{{Kind: "datacenter_assurance_review"}}
	cov := lib.Coverage(fw, CoverageOptions{})
	if cov.Automated != 1 || cov.Inherited != 1 || cov.Manual != 0 || cov.Uncovered != 1 {
		t.Errorf("counts automated %d, inherited %d, manual %d, uncovered %d; want 1, 1, 0, 1", cov.Automated, cov.Inherited, cov.Manual, cov.Uncovered)
	}
	phys := cov.Requirements[0]
	if phys.Status != CoverInherited || len(phys.Mappings) != 2 || phys.Mappings[0].Control != "VENDOR-HOST" || phys.Mappings[0].Rationale != "VENDOR-HOST holds" {
		t.Errorf("A.7.1: %+v; want inherited, strongest mapping first, with its rationale", phys)
	}
	only := lib.Coverage(fw, CoverageOptions{Include: func(c *Control) bool { return c.ID != "VENDOR-HOST" }})
	if !only.Filtered || only.Requirements[0].Status != CoverManual || only.Inherited != 0 {
		t.Errorf("filtered A.7.1: %+v; want manual once VENDOR-HOST does not count", only.Requirements[0])
	}
}

func TestNeededTypes(t *testing.T) {
	lib := &Library{Controls: []*Control{
		{ID: "A-1", Evidence: []Requirement{{Type: "aws.s3.bucket"}}},
		{ID: "B-1", Evidence: []Requirement{{Type: "github.repo"}}, Manual: []Manual{{Kind: "training"}}},
	}}
	got := lib.NeededTypes()
	for _, typ := range []string{"aws.s3.bucket", "github.repo", ManualType} {
		if !got[typ] {
			t.Errorf("NeededTypes lacks %s: %v", typ, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("NeededTypes = %v, want 3 types", got)
	}
}
