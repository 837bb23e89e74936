// Package config reads attest.yaml: which sources to collect from, extra
// control directories, per-control parameters and the CI gate.
//
// The file is decoded strictly: an unknown key is an error naming file,
// line and field. Secrets never belong in it: sources read tokens from the
// environment variables their sections name.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/aws"
	"github.com/attestdev/attest/collectors/gcp"
	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/collectors/register"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/internal/yamlfile"
)

// DefaultFile is read when --config is not given and the file exists.
const DefaultFile = "attest.yaml"

// A File is the content of attest.yaml.
type File struct {
	// Controls are directories of extra or replacement controls, relative
	// to the file.
	Controls []string `yaml:"controls,omitempty"`
	// Exclude lists control ids that are not evaluated.
	Exclude []string `yaml:"exclude,omitempty"`
	// Params override control parameters, by control id.
	Params map[string]map[string]any `yaml:"params,omitempty"`
	// FailOn is the lowest severity of a failed control that makes
	// `attest check` exit 1; default high.
	FailOn string `yaml:"fail_on,omitempty"`
	// Concurrency bounds how many collector jobs run at once; default 8.
	Concurrency int `yaml:"concurrency,omitempty"`
	// SourceConcurrency bounds concurrent jobs per source, e.g.
	// {github: 2} to stay far below a token's secondary rate limits.
	SourceConcurrency map[string]int `yaml:"source_concurrency,omitempty"`
	// WarnExpiring is how far ahead expiring manual evidence and waivers
	// are warned about, e.g. 30d (the default) or 8w.
	WarnExpiring string `yaml:"warn_expiring,omitempty"`
	// Waivers is a file of approved exceptions (see controls.LoadWaivers).
	Waivers string `yaml:"waivers,omitempty"`
	// Company is a file with the company data for TOMs, DPA and trust
	// page (see toms.LoadCompany).
	Company string `yaml:"company,omitempty"`
	// Subprocessors is the subprocessor register file.
	Subprocessors string `yaml:"subprocessors,omitempty"`
	// Sources configures the sources to collect from.
	Sources all.Config `yaml:"sources"`

	// Path is the file the configuration was read from.
	Path string `yaml:"-"`
	// doc is the decoded document, for the lines of later errors.
	doc *yamlfile.Doc
}

// Line returns the line of field (e.g. "waivers" or
// "sources.manual.dir") in the file, or 0 when the configuration was not
// read from a file.
func (f *File) Line(field string) int {
	return f.doc.Line(field)
}

// Errorf returns an error naming the file, the line of field and field.
func (f *File) Errorf(field, format string, args ...any) error {
	file := f.Path
	if file == "" {
		file = "configuration"
	}
	return &yamlfile.Error{File: file, Line: f.Line(field), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Load reads the configuration file at path.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	f := &File{}
	doc, err := yamlfile.Decode(path, data, f)
	if err != nil {
		return nil, err
	}
	f.Path = path
	f.doc = doc
	var errs []error
	bad := func(field string, err error) {
		errs = append(errs, doc.Errorf(field, "%s", err))
	}
	f.checkSettings(bad)
	checkSources(f, bad)
	checkPatterns(f, bad)
	f.resolve()
	return f, errors.Join(errs...)
}

// checkSettings checks the settings outside the sources: the gate's
// severity, the concurrency limits and the expiry warning.
func (f *File) checkSettings(bad func(field string, err error)) {
	if f.FailOn != "" {
		if _, err := controls.ParseSeverity(f.FailOn); err != nil {
			bad("fail_on", err)
		}
	}
	if f.Concurrency < 0 {
		bad("concurrency", errors.New("must not be negative"))
	}
	if f.WarnExpiring != "" {
		if _, err := controls.ParseDuration(f.WarnExpiring); err != nil {
			bad("warn_expiring", err)
		}
	}
	for src, n := range f.SourceConcurrency {
		if !slices.Contains(all.SourceNames(), src) {
			bad("source_concurrency."+src, fmt.Errorf("unknown source %q (known: %v)", src, all.SourceNames()))
		} else if n < 1 {
			bad("source_concurrency."+src, errors.New("must be at least 1"))
		}
	}
}

// checkSources lets each configured source section validate itself, and
// checks the entries of the sources' maps one by one, so that an error
// names the line of its key.
func checkSources(f *File, bad func(field string, err error)) {
	v := reflect.ValueOf(f.Sources)
	for i := range v.NumField() {
		field := v.Type().Field(i)
		val, ok := v.Field(i).Interface().(interface{ Validate() error })
		if !ok || v.Field(i).IsNil() {
			continue
		}
		if err := val.Validate(); err != nil {
			sourceErrors(bad, yamlName(field), err)
		}
	}
	if a := f.Sources.AWS; a != nil {
		checkEntries(bad, "aws.environments", a.Environments, aws.CheckEnvironment)
		checkEntries(bad, "aws.rate_limits", a.RateLimits, aws.CheckRateLimit)
	}
	if g := f.Sources.GCP; g != nil {
		checkEntries(bad, "gcp.environments", g.Environments, gcp.CheckEnvironment)
	}
}

// resolve makes the paths in the file relative to its directory, points
// the register source at the subprocessor register and defaults the
// manual evidence directory.
func (f *File) resolve() {
	rel := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(filepath.Dir(f.Path), *p)
		}
	}
	for i := range f.Controls {
		rel(&f.Controls[i])
	}
	rel(&f.Waivers)
	rel(&f.Company)
	rel(&f.Subprocessors)
	if f.Subprocessors != "" {
		// The register is evidence too: the register collector reads it
		// and reconciles it with the configured sources.
		f.Sources.Register = &register.Config{File: f.Subprocessors}
	}
	if m := f.Sources.Manual; m != nil {
		m.Dir = cmp.Or(m.Dir, manual.DefaultDir)
		rel(&m.Dir)
	}
}

// CheckParams checks the params section against the controls of lib: a
// param for an unknown control id, an undeclared param or a value not of
// the param's declared type is an error naming the file, line and field.
// Call it once the library is loaded, before any collection.
func (f *File) CheckParams(lib *controls.Library) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &yamlfile.Error{File: f.Path, Line: f.Line(field), Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	for _, id := range slices.Sorted(maps.Keys(f.Params)) {
		c, ok := lib.Control(id)
		if !ok {
			bad("params."+id, "unknown control id %q", id)
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(f.Params[id])) {
			field := "params." + id + "." + name
			if _, err := c.EffectiveParams(map[string]any{name: f.Params[id][name]}); err != nil {
				var pe *controls.ParamError
				if errors.As(err, &pe) {
					bad(field, "%s", pe.Msg)
				} else {
					bad(field, "%v", err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// sourceErrors reports what a source's Validate found: a
// *collectors.FieldError at the line of its field in the source's section,
// anything else at the section.
func sourceErrors(bad func(field string, err error), name string, err error) {
	errs := []error{err}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		var fe *collectors.FieldError
		if errors.As(e, &fe) {
			bad("sources."+name+"."+fe.Field, fe.Err)
			continue
		}
		bad("sources."+name, fmt.Errorf("%s: %w", name, e))
	}
}

func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	for i := range len(tag) {
		if tag[i] == ',' {
			return tag[:i]
		}
	}
	return tag
}

// Example is a commented attest.yaml that `attest init` writes. Every
// source is present but commented out, with what it needs; a source is
// collected once its lines are uncommented (remove the "# " after the
// indentation).
const Example = `# attest configuration. Secrets never go here: sources read tokens from
# the environment variables their sections name.

# Directories of extra controls; a control with a built-in id replaces it.
# controls: [compliance/controls]

# Controls not evaluated here (e.g. not relevant to this organisation).
# exclude: [TLS-003]

# Per-control parameters, overriding the defaults in the control files.
# params:
#   TLS-002: {min_days_remaining: 30}

# Approved exceptions: a waived failure is reported as waived, never as pass.
# waivers: waivers.yaml
# Warn this far ahead about expiring manual evidence and waivers.
# warn_expiring: 30d

# Company data and subprocessor register for attest toms, dpa and trust. The
# register is evidence too: the VENDOR controls check it and reconcile it
# with the sources below.
# company: company.yaml
# subprocessors: subprocessors.yaml

# Concurrent collector jobs in all, and per source.
# concurrency: 8
# source_concurrency: {github: 2}

# Lowest severity of a failed, stale or inconclusive control that makes
# "attest check" exit 1 (--allow-inconclusive tolerates inconclusive ones).
fail_on: high

# Sources to collect from. A source is collected when its section is
# present: uncomment the ones you use. Every call is read-only, and
# "attest permissions SOURCE" prints the least-privilege permissions each
# source needs for the enabled controls.
sources:
  # HTTPS endpoints: TLS versions, ciphers, certificate expiry and HSTS.
  # No credentials; network access to each endpoint (attest permissions tls).
  # tls:
  #   endpoints:
  #     - https://www.example.com

  # AWS: IAM, S3, RDS, EBS, CloudTrail, GuardDuty, networks and more.
  # Credentials come from the standard chain (AWS_PROFILE, SSO, web
  # identity, instance roles). Policy: attest permissions aws.
  # aws:
  #   regions: [eu-central-1]              # empty: every enabled region
  #   allowed_regions: [eu-central-1]      # data residency; empty: inconclusive
  #   organization: {enabled: false, role_name: attest-readonly}

  # GitHub organisations: 2FA, branch protection, code scanning, reviews.
  # A token in GITHUB_TOKEN (or the variable token_env names), or a GitHub
  # App installation. Scopes: attest permissions github.
  # github:
  #   orgs: [example]
  #   # base_url: https://github.example.com/api/v3/   # GitHub Enterprise Server
  #   # repos: {include: ["*"], exclude: ["sandbox-*"]}

  # GitLab groups (gitlab.com or self-managed): 2FA, members, branch
  # protection, approval rules, merge request approvals, security scanning.
  # A token with the read_api scope in GITLAB_TOKEN (or the variable
  # token_env names). Roles: attest permissions gitlab.
  # gitlab:
  #   groups: [example]                    # top-level group paths
  #   # base_url: https://gitlab.example.com   # self-managed; default https://gitlab.com
  #   # projects: {include: ["example/*"], exclude: ["*/sandbox-*"]}

  # Google Cloud: buckets, Cloud SQL, KMS, IAM, firewalls, audit logs.
  # Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS or
  # gcloud auth application-default login). Roles: attest permissions gcp.
  # gcp:
  #   projects: [my-project]               # or parents: [organizations/123456789012]

  # Google Workspace users: 2-step verification, super admins, last login.
  # A service account key (path in GOOGLE_APPLICATION_CREDENTIALS) with
  # domain-wide delegation, impersonating subject.
  # Scope: attest permissions workspace.
  # workspace:
  #   customer: my_customer
  #   subject: admin@example.com

  # Okta users, factors, admin roles and policies. A read-only admin's API
  # token in OKTA_API_TOKEN. Permissions: attest permissions okta.
  # okta:
  #   org_url: https://example.okta.com

  # Microsoft Entra ID users, MFA registration, directory roles, Conditional
  # Access, security defaults and guest settings, through Microsoft Graph.
  # DefaultAzureCredential (AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, workload or
  # managed identity, az login). Graph permissions: attest permissions entra.
  # entra:
  #   tenant_id: 00000000-0000-0000-0000-000000000000
  #   # cloud: public                      # or usgovernment, china

  # Azure: storage accounts, SQL, key vaults, NSGs, activity log, Defender,
  # Owners, resource locations. The default Azure credential chain
  # (AZURE_* environment, workload or managed identity, az login).
  # Role definition: attest permissions azure.
  # azure:
  #   subscriptions: [00000000-0000-0000-0000-000000000000]   # or management_groups: [my-root-group]
  #   # cloud: public                      # usgovernment, china

  # Organisational evidence (training, NDAs, pen tests, DR tests) recorded
  # with "attest evidence add"; read access to the directory (attest
  # permissions manual).
  # manual:
  #   dir: evidence
`

// Exists reports whether path exists; used to find the default file.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkEntries reports, in key order, each entry of the sources map named
// field (e.g. "aws.environments") that check finds wrong.
func checkEntries[V any](bad func(field string, err error), field string, m map[string]V, check func(string, V) error) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if err := check(k, m[k]); err != nil {
			bad("sources."+field+"."+k, fmt.Errorf("%s: %w", field, err))
		}
	}
}
