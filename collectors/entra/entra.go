// Package entra collects identity evidence from a Microsoft Entra ID tenant
// through the Microsoft Graph REST API v1.0
// (https://learn.microsoft.com/graph/api/overview): users with their sign-in
// activity, authentication method registration and directory roles, the
// Conditional Access policies, security defaults and the guest settings of
// the authorization policy.
//
// It uses a small read-only client on net/http (every call is a GET),
// authenticated with tokens from azidentity's DefaultAzureCredential
// (environment, workload identity, managed identity, Azure CLI) for the
// Graph application permissions that "attest permissions entra" prints.
// Tokens are never recorded: the raw evidence keeps response bodies only.
package entra

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/azcloud"
)

// SourceName is the name of the Microsoft Entra ID source.
const SourceName = "entra"

// Config configures the Microsoft Entra ID source. Credentials never appear
// in it: DefaultAzureCredential reads them from the environment, a workload
// identity, a managed identity or the Azure CLI.
type Config struct {
	// TenantID is the directory (tenant) ID, a GUID. Required.
	TenantID string `yaml:"tenant_id"`
	// Cloud is the national cloud: public (default), usgovernment or china.
	// It sets the sign-in authority and the Graph endpoint.
	Cloud string `yaml:"cloud"`
	// GraphEndpoint overrides the cloud's Graph endpoint (scheme and host,
	// e.g. https://graph.microsoft.us), for sovereign clouds and local test
	// servers. Tokens are still requested for the cloud's Graph.
	GraphEndpoint string `yaml:"graph_endpoint"`
	// RateLimitRetries is how often a throttled call (HTTP 429 or 503) is
	// retried. Default 3.
	RateLimitRetries *int `yaml:"rate_limit_retries"`
	// MaxRateLimitWaitSeconds is the longest attest waits before one retry
	// (Retry-After) before it records the call as throttled. Default 60.
	MaxRateLimitWaitSeconds *int `yaml:"max_rate_limit_wait_seconds"`

	// HTTPClient, when set, is used for all Graph calls (tests and the
	// demo). Its Transport is wrapped to capture raw evidence.
	HTTPClient *http.Client `yaml:"-"`
	// Credential, when set, is used instead of DefaultAzureCredential
	// (tests and the demo).
	Credential azcore.TokenCredential `yaml:"-"`
}

var tenantID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (c Config) withDefaults() Config {
	c.Cloud = cmp.Or(c.Cloud, "public")
	c.RateLimitRetries = collectors.PtrOr(c.RateLimitRetries, 3)
	c.MaxRateLimitWaitSeconds = collectors.PtrOr(c.MaxRateLimitWaitSeconds, 60)
	return c
}

// Validate checks the section before any API call.
func (c *Config) Validate() error {
	var errs []error
	if !tenantID.MatchString(c.TenantID) {
		errs = append(errs, fmt.Errorf("tenant_id %q is not a directory (tenant) ID such as 72f988bf-86f1-41af-91ab-2d7cd011db47", c.TenantID))
	}
	if _, err := azcloud.Lookup(c.Cloud); err != nil {
		errs = append(errs, err)
	}
	if c.GraphEndpoint != "" {
		if _, err := endpointURL(c.GraphEndpoint); err != nil {
			errs = append(errs, err)
		}
	}
	if c.RateLimitRetries != nil && *c.RateLimitRetries < 0 {
		errs = append(errs, errors.New("rate_limit_retries must not be negative"))
	}
	if c.MaxRateLimitWaitSeconds != nil && *c.MaxRateLimitWaitSeconds < 0 {
		errs = append(errs, errors.New("max_rate_limit_wait_seconds must not be negative"))
	}
	return errors.Join(errs...)
}

// endpointURL parses a Graph endpoint: an http(s) URL with a host and no
// query; a trailing /v1.0 is accepted.
func endpointURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" {
		return nil, fmt.Errorf("graph_endpoint %q is not an http(s) URL such as https://graph.microsoft.us", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/v1.0")
	return u, nil
}

// A Source is the Microsoft Entra ID source. It is safe for concurrent use.
type Source struct {
	cfg Config

	once   sync.Once
	client *client
	err    error
}

// NewSource returns the Entra source for cfg. It does no I/O.
func NewSource(cfg Config) *Source { return &Source{cfg: cfg.withDefaults()} }

// Name returns "entra".
func (s *Source) Name() string { return SourceName }

// Collectors returns every collector of the source, sorted by ID.
func (s *Source) Collectors() []collectors.Collector {
	cs := []collectors.Collector{&UsersCollector{src: s}, &PoliciesCollector{src: s}}
	return collectors.SortByID(cs)
}

// Plan returns one job for the tenant per enabled collector, the users'
// first: their pages follow one another (120 users a page with sign-in
// activity), so the run cannot end before they do, and a job slot taken
// by a shorter job first only delays them. It does not call the API.
func (s *Source) Plan(_ context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	if err := s.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("entra: %w", err)
	}
	jobs := collectors.Jobs(SourceName, s.Collectors(), enabled, strings.ToLower(s.cfg.TenantID))
	slices.SortStableFunc(jobs, func(a, b collectors.Job) int {
		return cmp.Compare(rank(a), rank(b))
	})
	return jobs, nil
}

// rank orders the users' job (0) before the others (1).
func rank(j collectors.Job) int {
	if j.Collector.Describe().ID == usersID {
		return 0
	}
	return 1
}

// api returns the shared Graph client, building it on first use.
func (s *Source) api() (*client, error) {
	s.once.Do(func() { s.client, s.err = s.newClient() })
	return s.client, s.err
}

func (s *Source) newClient() (*client, error) {
	if err := s.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("entra: %w", err)
	}
	sov, err := azcloud.Lookup(s.cfg.Cloud)
	if err != nil {
		return nil, fmt.Errorf("entra: %w", err)
	}
	base, err := endpointURL(cmp.Or(s.cfg.GraphEndpoint, sov.Graph))
	if err != nil {
		return nil, err
	}
	base = base.JoinPath("v1.0")
	cred := s.cfg.Credential
	if cred == nil {
		cred, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: azcore.ClientOptions{Cloud: sov.Config},
			TenantID:      s.cfg.TenantID,
		})
		if err != nil {
			return nil, fmt.Errorf("entra: credentials: %w", err)
		}
	}
	// Each call has its own deadline; throttling waits are between calls.
	rt := collectors.CallTransport(s.cfg.HTTPClient)
	c := &client{
		base:    base,
		cred:    cred,
		scope:   sov.Graph + "/.default",
		retries: *s.cfg.RateLimitRetries,
		maxWait: time.Duration(*s.cfg.MaxRateLimitWaitSeconds) * time.Second,
	}
	c.hc = &http.Client{Transport: collectors.Transport(rt, c.operation)}
	return c, nil
}

// The Graph application permissions the collectors use, as documented on
// each operation's reference page (least privileged).
const (
	permUsers      = "User.Read.All"
	permAuditLog   = "AuditLog.Read.All"
	permPolicies   = "Policy.Read.All"
	permRoles      = "RoleManagement.Read.Directory"
	licencePremium = "a Microsoft Entra ID P1 or P2 licence"
)

// Policy renders the Graph application permissions the given collectors
// need, one per line, for an app registration (or managed identity) with
// admin consent.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	out := []byte("# Microsoft Graph application permissions (read-only); grant admin consent.\n" +
		"# Sign-in activity and the registration report also need a Microsoft Entra ID P1 or P2 licence.\n" +
		"# RoleManagement.Read.Directory also reads the eligible (PIM) role assignments; a tenant without P2 has none.\n")
	return append(out, collectors.PlainPolicy(ds)...), nil
}
