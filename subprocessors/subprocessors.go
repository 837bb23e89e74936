// Package subprocessors reads the subprocessor register: the vendors that
// process personal data on the company's behalf, where they process it and
// under which transfer mechanism. attest renders the register into the TOMs
// and DPA documents and the trust page.
package subprocessors

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/attestdev/attest/controls"
)

// A Location is where a subprocessor processes data: US, EU or other.
type Location string

// The locations.
const (
	US    Location = "US"
	EU    Location = "EU"
	Other Location = "other"
)

// A Register is the content of a subprocessors.yaml file.
type Register struct {
	Subprocessors []Subprocessor `yaml:"subprocessors"`

	// File is the path the register was read from.
	File string `yaml:"-"`
}

// A Subprocessor is one vendor in the register. Dates are written as
// YYYY-MM-DD.
type Subprocessor struct {
	Name              string   `yaml:"name"`
	Purpose           string   `yaml:"purpose"`
	Service           string   `yaml:"service"`
	DataCategories    []string `yaml:"data_categories,omitempty"`
	Location          Location `yaml:"location"`
	TransferMechanism string   `yaml:"transfer_mechanism,omitempty"`
	DPASigned         string   `yaml:"dpa_signed,omitempty"`
	Certifications    []string `yaml:"certifications,omitempty"`
	ReviewDate        string   `yaml:"review_date,omitempty"`
}

// Load reads and validates the register at path.
func Load(path string) (*Register, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("subprocessors: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a register strictly and validates it. Every problem is a
// *controls.Error naming file and line; all of them are returned, joined.
//
// Each entry needs a unique name, a purpose, a service and a location of
// US, EU or other. An entry outside the EU needs a transfer mechanism (for
// example "SCCs", "adequacy" or "none", which the documents then show as
// it is). Dates must be YYYY-MM-DD.
func Parse(file string, data []byte) (*Register, error) {
	reg := &Register{}
	root, err := controls.DecodeStrict(file, data, reg)
	if err != nil {
		return nil, err
	}
	reg.File = file
	var errs []error
	bad := func(field, msg string) {
		errs = append(errs, &controls.Error{File: file, Line: controls.LineOf(root, field), Field: field, Msg: msg})
	}
	seen := map[string]bool{}
	for i, s := range reg.Subprocessors {
		at := fmt.Sprintf("subprocessors[%d]", i)
		name := strings.ToLower(strings.TrimSpace(s.Name))
		switch {
		case name == "":
			bad(at+".name", "name is required")
		case seen[name]:
			bad(at+".name", fmt.Sprintf("duplicate subprocessor %q", s.Name))
		}
		seen[name] = true
		if strings.TrimSpace(s.Purpose) == "" {
			bad(at+".purpose", "purpose is required")
		}
		if strings.TrimSpace(s.Service) == "" {
			bad(at+".service", "service is required")
		}
		switch s.Location {
		case US, EU, Other:
		case "":
			bad(at+".location", "location is required: US, EU or other")
		default:
			bad(at+".location", fmt.Sprintf("unknown location %q: want US, EU or other", s.Location))
		}
		if s.Location != EU && s.Location != "" && strings.TrimSpace(s.TransferMechanism) == "" {
			bad(at+".transfer_mechanism", "a subprocessor outside the EU needs a transfer mechanism (e.g. SCCs, adequacy, or none)")
		}
		for _, d := range []struct{ field, value string }{{"dpa_signed", s.DPASigned}, {"review_date", s.ReviewDate}} {
			if d.value == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d.value); err != nil {
				bad(at+"."+d.field, fmt.Sprintf("bad date %q: want YYYY-MM-DD", d.value))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return reg, nil
}
