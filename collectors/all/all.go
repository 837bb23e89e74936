// Package all is the one place that lists every source attest can collect
// from. Adding a source means adding it here, and nowhere else.
package all

import (
	"fmt"
	"slices"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/aws"
	"github.com/attestdev/attest/collectors/azure"
	"github.com/attestdev/attest/collectors/entra"
	"github.com/attestdev/attest/collectors/gcp"
	"github.com/attestdev/attest/collectors/github"
	"github.com/attestdev/attest/collectors/gitlab"
	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/collectors/okta"
	"github.com/attestdev/attest/collectors/register"
	"github.com/attestdev/attest/collectors/tlsprobe"
	"github.com/attestdev/attest/collectors/workspace"
)

// Config is the sources section of attest.yaml. A source is collected when
// its section is present.
type Config struct {
	TLS       *tlsprobe.Config  `yaml:"tls,omitempty"`
	AWS       *aws.Config       `yaml:"aws,omitempty"`
	GitHub    *github.Config    `yaml:"github,omitempty"`
	GitLab    *gitlab.Config    `yaml:"gitlab,omitempty"`
	GCP       *gcp.Config       `yaml:"gcp,omitempty"`
	Workspace *workspace.Config `yaml:"workspace,omitempty"`
	Okta      *okta.Config      `yaml:"okta,omitempty"`
	Azure     *azure.Config     `yaml:"azure,omitempty"`
	Entra     *entra.Config     `yaml:"entra,omitempty"`
	Manual    *manual.Config    `yaml:"manual,omitempty"`
	// Register reads the subprocessor register. attest.yaml sets it with
	// subprocessors: at the top level, not under sources:.
	Register *register.Config `yaml:"-"`
}

// Providers returns the configured sources whose provider is a vendor
// that must be in the subprocessor register, sorted. GitLab counts when it
// is gitlab.com: a self-managed instance is run by the user, not a vendor.
func Providers(c Config) []string {
	var out []string
	for _, p := range []struct {
		name string
		on   bool
	}{{aws.SourceName, c.AWS != nil}, {gcp.SourceName, c.GCP != nil}, {github.SourceName, c.GitHub != nil},
		{gitlab.SourceName, c.GitLab != nil && c.GitLab.IsGitLabCom()},
		{okta.SourceName, c.Okta != nil}, {workspace.SourceName, c.Workspace != nil}, {entra.SourceName, c.Entra != nil},
		{azure.SourceName, c.Azure != nil}} {
		if p.on {
			out = append(out, p.name)
		}
	}
	slices.Sort(out)
	return out
}

// Sources returns the configured sources, in a fixed order.
func Sources(c Config) []collectors.Source {
	var out []collectors.Source
	if c.TLS != nil {
		out = append(out, tlsprobe.NewSource(*c.TLS))
	}
	if c.AWS != nil {
		out = append(out, aws.NewSource(*c.AWS))
	}
	if c.GitHub != nil {
		out = append(out, github.NewSource(*c.GitHub))
	}
	if c.GitLab != nil {
		out = append(out, gitlab.NewSource(*c.GitLab))
	}
	if c.GCP != nil {
		out = append(out, gcp.NewSource(*c.GCP))
	}
	if c.Workspace != nil {
		out = append(out, workspace.NewSource(*c.Workspace))
	}
	if c.Okta != nil {
		out = append(out, okta.NewSource(*c.Okta))
	}
	if c.Entra != nil {
		out = append(out, entra.NewSource(*c.Entra))
	}
	if c.Azure != nil {
		out = append(out, azure.NewSource(*c.Azure))
	}
	if c.Manual != nil {
		out = append(out, manual.NewSource(*c.Manual))
	}
	if c.Register != nil {
		rc := *c.Register
		rc.Providers = Providers(c)
		out = append(out, register.NewSource(rc))
	}
	return out
}

// everything returns every source with an empty configuration, so that its
// collectors can describe themselves.
func everything() []collectors.Source {
	return Sources(Config{TLS: &tlsprobe.Config{}, AWS: &aws.Config{}, GitHub: &github.Config{}, GitLab: &gitlab.Config{},
		GCP: &gcp.Config{}, Workspace: &workspace.Config{}, Okta: &okta.Config{}, Entra: &entra.Config{}, Azure: &azure.Config{},
		Manual: &manual.Config{}, Register: &register.Config{}})
}

// Registry returns a registry of every collector attest has, configured or
// not. Control validation and documentation use it.
func Registry() *collectors.Registry {
	r := collectors.NewRegistry()
	for _, s := range everything() {
		r.MustRegister(s.Collectors()...)
	}
	return r
}

// SourceNames returns the names of the sources configured under sources:
// in attest.yaml, sorted. The register source is left out: subprocessors:
// at the top level configures it.
func SourceNames() []string {
	var names []string
	for _, s := range everything() {
		if s.Name() == register.SourceName {
			continue
		}
		names = append(names, s.Name())
	}
	slices.Sort(names)
	return names
}

// Policy renders the least-privilege permissions of the given collectors of
// a source, in the provider's own format where it has one.
func Policy(source string, ds []collectors.Descriptor) ([]byte, error) {
	switch source {
	case tlsprobe.SourceName:
		return collectors.PlainPolicy(ds), nil
	case aws.SourceName:
		return aws.Policy(ds)
	case github.SourceName:
		return github.Policy(ds)
	case gitlab.SourceName:
		return gitlab.Policy(ds)
	case gcp.SourceName:
		return gcp.Policy(ds)
	case workspace.SourceName:
		return workspace.Policy(ds)
	case okta.SourceName:
		return okta.Policy(ds)
	case azure.SourceName:
		return azure.Policy(ds)
	case entra.SourceName:
		return entra.Policy(ds)
	case manual.SourceName:
		return manual.Policy(ds)
	case register.SourceName:
		return register.Policy(ds)
	}
	return nil, fmt.Errorf("unknown source %q (known: %v)", source, SourceNames())
}
