package toms

import (
	"strings"
	"testing"
)

func TestParseCompany(t *testing.T) {
	t.Parallel()
	good := "name: Beispiel GmbH\naddress: [Hauptstraße 5, 10115 Berlin]\ncontact: privacy@example.com\n" +
		"certifications:\n  - name: ISO/IEC 27001\n    valid_until: 2027-06-30\nrevisions:\n  - version: \"2.0\"\n    date: 2026-11-20\n    changes: First generated edition\n"
	c, err := ParseCompany("company.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Beispiel GmbH" || len(c.Address) != 2 || c.Certifications[0].ValidUntil != "2027-06-30" || c.Revisions[0].Version != "2.0" {
		t.Errorf("ParseCompany = %+v", c)
	}
	tests := []struct{ yaml, want string }{
		{"name: A\ncontact: c\nphone: 1\n", "company.yaml:3"},
		{"contact: c\n", "company.yaml:1: name: the company name is required"},
		{"name: A\ncontact: c\ncertifications:\n  - name: X\n    valid_until: soon\n", `company.yaml:5: certifications[0].valid_until: bad date "soon"`},
		{"name: A\ncontact: c\nrevisions:\n  - date: 2026-01-01\n", "company.yaml:4: revisions[0].version: version is required"},
	}
	for _, tt := range tests {
		_, err := ParseCompany("company.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseCompany(%q) = %v, want an error containing %q", tt.yaml, err, tt.want)
		}
	}
}
