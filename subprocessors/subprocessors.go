// Package subprocessors reads the subprocessor register: the vendors that
// process personal data on the company's behalf, where they process it,
// under which transfer mechanism, when the data processing agreement (DPA)
// was signed, when the vendor was last reviewed and which certifications it
// holds until when.
//
// attest renders the register into the TOMs and DPA documents and the
// trust page, and the register collector (collectors/register) turns it
// into evidence that the vendor controls evaluate. The package depends on
// the standard library and YAML only, so that collectors may import it.
//
// A register looks like this:
//
//	subprocessors:
//	  - name: Amazon Web Services EMEA SARL
//	    purpose: Hosting of the production systems and backups
//	    services: [EC2, S3, RDS]
//	    data_categories: [customer account data]
//	    locations: [DE, IE]            # ISO 3166-1 alpha-2 codes, or EEA
//	    hosting: true                  # runs our production systems
//	    sources: [aws]                 # the attest sources this vendor is
//	    transfer: {mechanism: none}    # adequacy | scc | bcr | dpf | none
//	    dpa_signed: 2025-03-01
//	    review: {last: 2026-02-15, frequency: annually}
//	    certifications:
//	      - {name: ISO/IEC 27001, valid_until: 2027-05-01}
package subprocessors

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/yamlfile"
)

// A Location is the region column of the register: US, EU (the EEA) or
// other. It is derived from a vendor's data-centre locations.
type Location string

// The locations.
const (
	US    Location = "US"
	EU    Location = "EU"
	Other Location = "other"
)

// EEA is the location code that stands for the whole European Economic
// Area, for vendors that do not name the member states.
const EEA = "EEA"

// A Mechanism is the legal basis of a transfer of personal data to a third
// country (GDPR Chapter V).
type Mechanism string

// The transfer mechanisms.
const (
	// Adequacy is an adequacy decision of the European Commission for the
	// destination country (Art. 45).
	Adequacy Mechanism = "adequacy"
	// SCC are the standard contractual clauses of Commission Implementing
	// Decision (EU) 2021/914, in one of their four modules (Art. 46(2)(c)).
	SCC Mechanism = "scc"
	// BCR are binding corporate rules approved by a supervisory authority
	// (Art. 47).
	BCR Mechanism = "bcr"
	// DPF is the vendor's certification under the EU-US Data Privacy
	// Framework, which the adequacy decision of 10 July 2023 covers. It
	// covers transfers to the United States only.
	DPF Mechanism = "dpf"
	// None says that there is no transfer mechanism.
	None Mechanism = "none"
)

// Mechanisms are the transfer mechanisms, in the order the documents list
// them.
var Mechanisms = []Mechanism{Adequacy, SCC, BCR, DPF, None}

// Frequencies are the review frequencies and their length in months.
var Frequencies = map[string]int{"monthly": 1, "quarterly": 3, "semiannually": 6, "annually": 12}

// A Register is the content of a subprocessors.yaml file.
type Register struct {
	Subprocessors []Subprocessor `yaml:"subprocessors"`

	// File is the path the register was read from.
	File string `yaml:"-"`
}

// A Subprocessor is one vendor in the register. Dates are written as
// YYYY-MM-DD.
type Subprocessor struct {
	Name           string   `yaml:"name"`
	Purpose        string   `yaml:"purpose"`
	Services       []string `yaml:"services"`
	DataCategories []string `yaml:"data_categories,omitempty"`
	// Locations are where the vendor's data centres that process our data
	// are: ISO 3166-1 alpha-2 country codes, or EEA.
	Locations []string `yaml:"locations"`
	// Hosting says that the vendor runs our production systems, so its
	// certifications carry the physical security of the data centres.
	Hosting bool `yaml:"hosting,omitempty"`
	// Sources are the attest sources (aws, gcp, workspace, github, okta)
	// that read this vendor's services, for reconciliation.
	Sources        []string        `yaml:"sources,omitempty"`
	Transfer       Transfer        `yaml:"transfer,omitempty"`
	DPASigned      string          `yaml:"dpa_signed,omitempty"`
	Review         Review          `yaml:"review,omitempty"`
	Certifications []Certification `yaml:"certifications,omitempty"`
	// Line is the line of the entry in the register file.
	Line int `yaml:"-"`
}

// A Transfer is the mechanism a transfer to a third country rests on.
type Transfer struct {
	Mechanism Mechanism `yaml:"mechanism,omitempty"`
	// SCCModule is the module (1 to 4) of the standard contractual
	// clauses 2021/914; required with mechanism scc.
	SCCModule int `yaml:"scc_module,omitempty"`
}

// A Review is when the vendor was last reviewed and how often it must be.
type Review struct {
	Last      string `yaml:"last,omitempty"`
	Frequency string `yaml:"frequency,omitempty"`
}

// A Certification is a certificate or audit report the vendor holds.
type Certification struct {
	Name       string `yaml:"name"`
	ValidUntil string `yaml:"valid_until"`
}

// Load reads and validates the register at path.
func Load(path string) (*Register, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("subprocessors: %w", err)
	}
	return Parse(path, data)
}

// An Error is a problem in a register file, with its file, line and
// field.
type Error = yamlfile.Error

// Parse decodes a register strictly and validates it. Every problem is an
// *Error naming file, line and field; all of them are returned, joined.
//
// Each entry needs a unique name, a purpose, at least one service and at
// least one location (an ISO 3166-1 alpha-2 code or EEA). A transfer
// mechanism, when given, is one of Mechanisms; scc needs scc_module 1 to
// 4. A review needs its last date and a frequency (monthly, quarterly,
// semiannually, annually). Every certification needs a name and its
// expiry. Dates must be YYYY-MM-DD. Parse does not judge whether a
// transfer is lawful or a review overdue: the vendor controls do, so that
// the answer is evidence.
func Parse(file string, data []byte) (*Register, error) {
	reg := &Register{File: file}
	doc, err := yamlfile.Decode(file, data, reg)
	if err != nil {
		return nil, err
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, doc.Errorf(field, format, args...))
	}
	seen := map[string]bool{}
	for i := range reg.Subprocessors {
		s := &reg.Subprocessors[i]
		at := fmt.Sprintf("subprocessors[%d]", i)
		s.Line = doc.Line(at)
		name := strings.ToLower(strings.TrimSpace(s.Name))
		switch {
		case name == "":
			bad(at+".name", "name is required")
		case seen[name]:
			bad(at+".name", "duplicate subprocessor %q", s.Name)
		}
		seen[name] = true
		s.check(func(field, format string, args ...any) { bad(at+"."+field, format, args...) })
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return reg, nil
}

// check validates one entry of the register; bad takes the field below
// the entry (e.g. "transfer.mechanism").
func (s *Subprocessor) check(bad func(field, format string, args ...any)) {
	if strings.TrimSpace(s.Purpose) == "" {
		bad("purpose", "purpose is required")
	}
	if len(s.Services) == 0 {
		bad("services", "at least one service is required")
	}
	for j, v := range s.Services {
		if strings.TrimSpace(v) == "" {
			bad(fmt.Sprintf("services[%d]", j), "empty service")
		}
	}
	if len(s.Locations) == 0 {
		bad("locations", "at least one data-centre location is required: ISO 3166-1 alpha-2 codes such as DE or US, or EEA")
	}
	for j, l := range s.Locations {
		if l != EEA && !isCountry(l) {
			bad(fmt.Sprintf("locations[%d]", j), "%q is not an ISO 3166-1 alpha-2 country code (upper case, e.g. DE, IE, US) or EEA", l)
		}
	}
	for j, src := range s.Sources {
		if _, ok := Providers[src]; !ok {
			bad(fmt.Sprintf("sources[%d]", j), "unknown source %q: want one of %s", src, strings.Join(ProviderNames(), ", "))
		}
	}
	s.Transfer.check(bad)
	date := func(field, v string) {
		if v == "" {
			return
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			bad(field, "bad date %q: want YYYY-MM-DD", v)
		}
	}
	date("dpa_signed", s.DPASigned)
	if s.Review != (Review{}) {
		if s.Review.Last == "" {
			bad("review.last", "the date of the last review is required")
		}
		date("review.last", s.Review.Last)
		if _, ok := Frequencies[s.Review.Frequency]; !ok {
			bad("review.frequency", "%q: want monthly, quarterly, semiannually or annually", s.Review.Frequency)
		}
	}
	for j, c := range s.Certifications {
		cat := fmt.Sprintf("certifications[%d]", j)
		if strings.TrimSpace(c.Name) == "" {
			bad(cat+".name", "name is required")
		}
		if c.ValidUntil == "" {
			bad(cat+".valid_until", "the expiry date is required")
		}
		date(cat+".valid_until", c.ValidUntil)
	}
}

// check validates a transfer's mechanism and SCC module.
func (t Transfer) check(bad func(field, format string, args ...any)) {
	switch m := t.Mechanism; {
	case m == "":
		if t.SCCModule != 0 {
			bad("transfer.mechanism", "scc_module is set but the mechanism is missing: want scc")
		}
	case !slices.Contains(Mechanisms, m):
		bad("transfer.mechanism", "unknown mechanism %q: want adequacy, scc, bcr, dpf or none", m)
	case m == SCC && (t.SCCModule < 1 || t.SCCModule > 4):
		bad("transfer.scc_module", "standard contractual clauses 2021/914 need their module: 1 to 4")
	case m != SCC && t.SCCModule != 0:
		bad("transfer.scc_module", "only mechanism scc has a module")
	}
}

// Region returns the register's US/EU column for s: EU when every location
// is in the EEA, US when every location is in the United States, other
// otherwise (several regions, or elsewhere).
func (s Subprocessor) Region() Location {
	eu, us := s.InEEA(), s.InUS()
	other := slices.ContainsFunc(s.Locations, func(l string) bool { return !InEEA(l) && l != "US" })
	switch {
	case eu && !us && !other:
		return EU
	case us && !eu && !other:
		return US
	}
	return Other
}

// InEEA reports whether any of s's locations is in the EEA.
func (s Subprocessor) InEEA() bool { return slices.ContainsFunc(s.Locations, InEEA) }

// InUS reports whether any of s's locations is in the United States.
func (s Subprocessor) InUS() bool { return slices.Contains(s.Locations, "US") }

// ThirdCountries returns s's locations outside the EEA for which the
// European Commission has not adopted an adequacy decision, sorted. The
// United States count as a third country here: the adequacy decision for
// them covers only DPF-certified organisations, which is a transfer
// mechanism of its own.
func (s Subprocessor) ThirdCountries() []string {
	var out []string
	for _, l := range s.Locations {
		if !InEEA(l) && !Adequate(l) && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// ReviewDue returns the date by which the next review is due, or false
// when the register states no review.
func (s Subprocessor) ReviewDue() (time.Time, bool) {
	last, err := time.Parse(time.DateOnly, s.Review.Last)
	months, known := Frequencies[s.Review.Frequency]
	if err != nil || !known {
		return time.Time{}, false
	}
	return last.AddDate(0, months, 0), true
}

// ServiceText is the services joined for display.
func (s Subprocessor) ServiceText() string { return strings.Join(s.Services, ", ") }

// LocationText is the locations joined for display, e.g. "DE, IE".
func (s Subprocessor) LocationText() string { return strings.Join(s.Locations, ", ") }

// TransferText is the transfer mechanism for display, in English, e.g.
// "SCCs 2021/914, module 3". It is "" when the register states none.
func (s Subprocessor) TransferText() string {
	switch s.Transfer.Mechanism {
	case Adequacy:
		return "Adequacy decision"
	case SCC:
		return "SCCs 2021/914, module " + strconv.Itoa(s.Transfer.SCCModule)
	case BCR:
		return "Binding corporate rules"
	case DPF:
		return "EU-US Data Privacy Framework"
	case None:
		return "none"
	}
	return ""
}

// Providers are the attest sources that read a vendor's services, with the
// vendor as the documents name it.
var Providers = map[string]string{
	"aws":       "Amazon Web Services",
	"gcp":       "Google Cloud",
	"workspace": "Google Workspace",
	"github":    "GitHub",
	"gitlab":    "GitLab",
	"okta":      "Okta",
	"entra":     "Microsoft Entra ID",
	"azure":     "Microsoft Azure",
}

// ProviderNames returns the keys of Providers, sorted.
func ProviderNames() []string {
	var out []string
	for k := range Providers {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
