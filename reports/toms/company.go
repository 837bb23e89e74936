package toms

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/yamlfile"
)

// A Company is the organisation that issues the documents: the processor
// in the DPA.
type Company struct {
	Name           string          `yaml:"name"`
	Address        []string        `yaml:"address"`
	Contact        string          `yaml:"contact"`
	DPO            string          `yaml:"dpo,omitempty"`
	Website        string          `yaml:"website,omitempty"`
	Certifications []Certification `yaml:"certifications,omitempty"`
	// Revisions is the document's revision history, oldest first. The
	// last revision's version is the document version.
	Revisions []Revision `yaml:"revisions,omitempty"`
}

// A Certification is a certificate the company holds, such as ISO/IEC
// 27001. ValidUntil is YYYY-MM-DD.
type Certification struct {
	Name       string `yaml:"name"`
	Issuer     string `yaml:"issuer,omitempty"`
	ValidUntil string `yaml:"valid_until"`
	URL        string `yaml:"url,omitempty"`
}

// A Revision is one entry of the revision history. Date is YYYY-MM-DD.
type Revision struct {
	Version string `yaml:"version"`
	Date    string `yaml:"date"`
	Changes string `yaml:"changes"`
}

// LoadCompany reads a company file (YAML with the fields of Company),
// strictly, and validates it.
func LoadCompany(path string) (*Company, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("toms: company: %w", err)
	}
	return ParseCompany(path, data)
}

// ParseCompany decodes and validates company data. Problems are
// errors naming file, line and field (*controls.Error), joined.
func ParseCompany(file string, data []byte) (*Company, error) {
	c := &Company{}
	doc, err := yamlfile.Decode(file, data, c)
	if err != nil {
		return nil, err
	}
	if err := c.validate(func(field, msg string) error {
		return doc.Errorf(field, "%s", msg)
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the company data, for callers that decode it themselves.
func (c *Company) Validate() error {
	return c.validate(func(field, msg string) error { return fmt.Errorf("company: %s: %s", field, msg) })
}

func (c *Company) validate(bad func(field, msg string) error) error {
	var errs []error
	if strings.TrimSpace(c.Name) == "" {
		errs = append(errs, bad("name", "the company name is required"))
	}
	if strings.TrimSpace(c.Contact) == "" {
		errs = append(errs, bad("contact", "a contact (e-mail or address for privacy questions) is required"))
	}
	date := func(field, v string) {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			errs = append(errs, bad(field, fmt.Sprintf("bad date %q: want YYYY-MM-DD", v)))
		}
	}
	for i, cert := range c.Certifications {
		at := fmt.Sprintf("certifications[%d]", i)
		if strings.TrimSpace(cert.Name) == "" {
			errs = append(errs, bad(at+".name", "name is required"))
		}
		date(at+".valid_until", cert.ValidUntil)
	}
	for i, r := range c.Revisions {
		at := fmt.Sprintf("revisions[%d]", i)
		if strings.TrimSpace(r.Version) == "" {
			errs = append(errs, bad(at+".version", "version is required"))
		}
		date(at+".date", r.Date)
	}
	return errors.Join(errs...)
}
