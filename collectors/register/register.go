// Package register turns the subprocessor register (the file named by
// subprocessors: in attest.yaml) into evidence: one resource per vendor
// with what the vendor controls judge (third-country locations and the
// transfer mechanism, the DPA, the last review and its frequency, the
// certifications and their expiry), one resource per hosting vendor with
// its certifications, and one resource per provider attest itself reads (AWS,
// Google Cloud, Google Workspace, GitHub, Okta), saying whether the
// register lists it.
//
// The register is the company's own statement: these resources prove what
// the register says and whether it is complete and consistent, not that a
// vendor's certificate or contract exists. The register file is kept as raw
// evidence so that an auditor sees the statement itself.
package register

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/subprocessors"
)

// SourceName is the name of the register source in targets.
const SourceName = "register"

// The resource types the collector emits.
const (
	VendorType   = "vendor.subprocessor"
	HostingType  = "vendor.hosting"
	ProviderType = "vendor.provider"
)

// Config configures the register source. attest.yaml does not hold it
// under sources: config.Load fills it from subprocessors: and the
// configured sources.
type Config struct {
	// File is the subprocessor register.
	File string `yaml:"-"`
	// Providers are the sources attest reads whose vendor must be in the
	// register: aws, gcp, workspace, github, okta, azure.
	Providers []string `yaml:"-"`
}

// A Source reads the register.
type Source struct {
	cfg Config
	c   *Collector
}

// NewSource returns the register source for cfg. It performs no I/O.
func NewSource(cfg Config) *Source { return &Source{cfg: cfg, c: &Collector{cfg: cfg}} }

// Name returns "register".
func (s *Source) Name() string { return SourceName }

// Collectors returns the register collector.
func (s *Source) Collectors() []collectors.Collector { return []collectors.Collector{s.c} }

// Plan returns one job for the register file or, without one, for
// reporting the providers attest reads as missing from the register.
func (s *Source) Plan(_ context.Context, enabled func(string) bool) ([]collectors.Job, error) {
	if !enabled(s.c.Describe().ID) || s.cfg.File == "" {
		return nil, nil
	}
	return []collectors.Job{{Collector: s.c, Target: evidence.Target{Source: SourceName, Account: s.cfg.File}}}, nil
}

// Policy lists what the source needs: read access to the register file.
func Policy(ds []collectors.Descriptor) ([]byte, error) { return collectors.PlainPolicy(ds), nil }

// A Collector reads the register file.
type Collector struct {
	cfg Config
}

// Describe returns the collector's metadata.
func (c *Collector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "register.subprocessors", Version: 1, Source: SourceName,
		Title: "The subprocessor register, reconciled with the providers attest reads",
		ResourceTypes: []collectors.ResourceType{
			{
				Name: VendorType,
				Doc:  "A vendor of the subprocessor register, as the register states it.",
				Attributes: []collectors.Attribute{
					{Name: "name", Type: "string", Doc: "The vendor's name."},
					{Name: "purpose", Type: "string", Doc: "What the vendor does for us."},
					{Name: "services", Type: "list", Doc: "The vendor's services we use."},
					{Name: "locations", Type: "list", Doc: "Data-centre locations: ISO 3166-1 alpha-2 codes or EEA."},
					{Name: "third_countries", Type: "list", Doc: "Locations outside the EEA without an adequacy decision (the United States count: only DPF-certified organisations are covered), sorted."},
					{Name: "eea", Type: "bool", Doc: "A location is in the EEA (the register's EU column)."},
					{Name: "us", Type: "bool", Doc: "A location is in the United States (the register's US column)."},
					{Name: "transfer_mechanism", Type: "string", Doc: `adequacy, scc, bcr, dpf, none, or "" when the register states none.`},
					{Name: "scc_module", Type: "int", Doc: "The module (1-4) of the SCCs 2021/914; 0 unless the mechanism is scc."},
					{Name: "dpa_signed", Type: "timestamp", Doc: `When the data processing agreement was signed; "" when the register records none.`},
					{Name: "last_review", Type: "timestamp", Doc: `When the vendor was last reviewed; "" when not recorded.`},
					{Name: "review_frequency", Type: "string", Doc: `monthly, quarterly, semiannually or annually; "" when not recorded.`},
					{Name: "review_due", Type: "timestamp", Doc: `When the next review is due (last review plus frequency); "" when no review is recorded.`},
					{Name: "certifications", Type: "list", Doc: "Certifications, each a map of name and valid_until (timestamp)."},
					{Name: "hosting", Type: "bool", Doc: "The vendor runs our production systems."},
					{Name: "sources", Type: "list", Doc: "The attest sources that read this vendor's services."},
					{Name: "line", Type: "int", Doc: "The entry's line in the register file."},
				},
			},
			{
				Name: HostingType,
				Doc:  "A vendor that hosts our production systems (hosting: true), with the certifications the register records for it: the assurance behind controls we inherit, such as the physical security of its data centres.",
				Attributes: []collectors.Attribute{
					{Name: "vendor", Type: "string", Doc: "The vendor's name."},
					{Name: "locations", Type: "list", Doc: "Data-centre locations: ISO 3166-1 alpha-2 codes or EEA."},
					{Name: "certifications", Type: "list", Doc: "Certifications, each a map of name and valid_until (timestamp)."},
				},
			},
			{
				Name: ProviderType,
				Doc:  "A provider attest reads (a configured source), and whether the register lists it.",
				Attributes: []collectors.Attribute{
					{Name: "source", Type: "string", Doc: "The attest source: aws, gcp, workspace, github, okta or azure."},
					{Name: "provider", Type: "string", Doc: "The provider's name, e.g. Amazon Web Services."},
					{Name: "in_register", Type: "bool", Doc: "A register entry names this source under sources:."},
					{Name: "vendors", Type: "list", Doc: "The register entries that name it, sorted."},
				},
			},
		},
		Permissions: []string{"read access to the subprocessor register file"},
	}
}

// Collect reads and validates the register. A register that does not
// parse is an error naming file, line and field: nothing is emitted, so
// every control over it is inconclusive.
func (c *Collector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	data, err := os.ReadFile(c.cfg.File)
	if err != nil {
		return fmt.Errorf("register: read subprocessor register: %w", err)
	}
	reg, err := subprocessors.Parse(c.cfg.File, data)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	sum := collectors.Record(ctx, evidence.Record{Operation: "register:ReadRegister", Endpoint: "file:" + c.cfg.File, ContentType: "application/yaml"}, data)
	records := []string{}
	if sum != "" {
		records = append(records, sum)
	}
	for _, r := range Resources(reg, c.cfg.Providers) {
		r.Records = records
		out.Emit(r)
	}
	return nil
}

// Resources returns the resources of reg, reconciled with the providers
// attest reads, in register order followed by the providers, sorted.
func Resources(reg *subprocessors.Register, providers []string) []evidence.Resource {
	var out []evidence.Resource
	var hosts []evidence.Resource
	declared := map[string][]string{}
	for _, s := range reg.Subprocessors {
		attrs := map[string]any{
			"name": s.Name, "purpose": s.Purpose, "services": anyList(s.Services), "locations": anyList(s.Locations),
			"third_countries": anyList(s.ThirdCountries()), "eea": s.InEEA(), "us": s.InUS(),
			"transfer_mechanism": string(s.Transfer.Mechanism), "scc_module": s.Transfer.SCCModule,
			"dpa_signed": stamp(s.DPASigned), "last_review": stamp(s.Review.Last), "review_frequency": s.Review.Frequency,
			"review_due": "", "hosting": s.Hosting, "sources": anyList(s.Sources), "line": s.Line,
		}
		if due, ok := s.ReviewDue(); ok {
			attrs["review_due"] = due.UTC().Format(time.RFC3339)
		}
		list := make([]any, 0, len(s.Certifications))
		for _, cert := range s.Certifications {
			list = append(list, map[string]any{"name": cert.Name, "valid_until": stamp(cert.ValidUntil)})
		}
		attrs["certifications"] = list
		if s.Hosting {
			hosts = append(hosts, evidence.Resource{Type: HostingType, ID: s.Name, Name: s.Name,
				Attributes: map[string]any{"vendor": s.Name, "locations": anyList(s.Locations), "certifications": list}})
		}
		for _, src := range s.Sources {
			declared[src] = append(declared[src], s.Name)
		}
		out = append(out, evidence.Resource{Type: VendorType, ID: s.Name, Name: s.Name, Attributes: attrs})
	}
	out = append(out, hosts...)
	ps := slices.Clone(providers)
	slices.Sort(ps)
	for _, p := range slices.Compact(ps) {
		vendors := slices.Clone(declared[p])
		slices.Sort(vendors)
		name := subprocessors.Providers[p]
		if name == "" {
			name = p
		}
		out = append(out, evidence.Resource{Type: ProviderType, ID: p, Name: name, Attributes: map[string]any{
			"source": p, "provider": name, "in_register": len(vendors) > 0, "vendors": anyList(vendors),
		}})
	}
	return out
}

// anyList turns ss into the []any attributes carry.
func anyList(ss []string) []any {
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

// stamp turns a register date (YYYY-MM-DD, already validated) into an RFC
// 3339 time at midnight UTC, or "" when empty.
func stamp(date string) string {
	if date == "" {
		return ""
	}
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
