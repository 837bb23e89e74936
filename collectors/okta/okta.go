// Package okta collects identity evidence from an Okta organisation through
// the Okta management REST API (https://developer.okta.com/docs/api/): users
// with their enrolled factors and admin roles, and the MFA enrolment,
// password and sign-on policies. It uses a small read-only client on
// net/http authenticated with an API token (Authorization: SSWS); every call
// is a GET.
package okta

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/attestdev/attest/collectors"
)

// SourceName is the name of the Okta source.
const SourceName = "okta"

// Config configures the Okta source. The API token never appears in a
// configuration file: it is read from the environment variable TokenEnv.
type Config struct {
	// OrgURL is the Okta organisation URL, e.g. https://example.okta.com.
	// Required.
	OrgURL string `yaml:"org_url"`
	// TokenEnv names the environment variable holding the API token.
	// Default OKTA_API_TOKEN.
	TokenEnv string `yaml:"token_env"`
	// Concurrency bounds the users whose factors and roles are read at once.
	// Default 4.
	Concurrency int `yaml:"concurrency"`
	// RateLimitRetries is how often a rate-limited call (HTTP 429) is
	// retried after the limit resets. Default 3.
	RateLimitRetries *int `yaml:"rate_limit_retries"`
	// MaxRateLimitWaitSeconds is the longest attest waits for a rate limit
	// to reset (x-rate-limit-reset) before it records the call as
	// throttled. Default 60.
	MaxRateLimitWaitSeconds *int `yaml:"max_rate_limit_wait_seconds"`

	// HTTPClient, when set, is used for all calls (tests and the demo). Its
	// Transport is wrapped to capture raw evidence.
	HTTPClient *http.Client `yaml:"-"`
	// Token, when set, is used instead of the environment (tests and demo).
	Token string `yaml:"-"`
	// Now is the clock; nil means time.Now (tests).
	Now func() time.Time `yaml:"-"`
}

func (c Config) withDefaults() Config {
	c.TokenEnv = cmp.Or(c.TokenEnv, "OKTA_API_TOKEN")
	c.Concurrency = collectors.PositiveOr(c.Concurrency, 4)
	c.RateLimitRetries = collectors.PtrOr(c.RateLimitRetries, 3)
	c.MaxRateLimitWaitSeconds = collectors.PtrOr(c.MaxRateLimitWaitSeconds, 60)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// A Source is the Okta source. It is safe for concurrent use.
type Source struct {
	cfg Config

	once   sync.Once
	client *client
	err    error
}

// NewSource returns the Okta source for cfg. It does no I/O.
func NewSource(cfg Config) *Source { return &Source{cfg: cfg.withDefaults()} }

// Name returns "okta".
func (s *Source) Name() string { return SourceName }

// Collectors returns every collector of the source, sorted by ID.
func (s *Source) Collectors() []collectors.Collector {
	cs := []collectors.Collector{&UsersCollector{src: s}, &PoliciesCollector{src: s}}
	return collectors.SortByID(cs)
}

// Plan returns one job for the organisation per enabled collector. It does
// not call the API.
func (s *Source) Plan(_ context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	u, err := s.orgURL()
	if err != nil {
		return nil, err
	}
	return collectors.Jobs(SourceName, s.Collectors(), enabled, u.Host), nil
}

func (s *Source) orgURL() (*url.URL, error) {
	if s.cfg.OrgURL == "" {
		return nil, errors.New("okta: no organisation configured (org_url)")
	}
	u, err := url.Parse(strings.TrimRight(s.cfg.OrgURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("okta: org_url %q is not an http(s) URL", s.cfg.OrgURL)
	}
	return u, nil
}

// api returns the shared API client, building it on first use.
func (s *Source) api() (*client, error) {
	s.once.Do(func() { s.client, s.err = s.newClient() })
	return s.client, s.err
}

func (s *Source) newClient() (*client, error) {
	base, err := s.orgURL()
	if err != nil {
		return nil, err
	}
	tok := s.cfg.Token
	if tok == "" {
		if tok = os.Getenv(s.cfg.TokenEnv); tok == "" {
			return nil, fmt.Errorf("okta: environment variable %s is empty: set an API token", s.cfg.TokenEnv)
		}
	}
	// Each call has its own deadline; rate-limit waits are between calls.
	rt := collectors.CallTransport(s.cfg.HTTPClient)
	return &client{
		base:    base,
		token:   tok,
		hc:      &http.Client{Transport: collectors.Transport(rt, operation)},
		retries: *s.cfg.RateLimitRetries,
		maxWait: time.Duration(*s.cfg.MaxRateLimitWaitSeconds) * time.Second,
		now:     s.cfg.Now,
	}, nil
}

// Permissions: an API token acts with the rights of the admin who created
// it; OAuth 2.0 service apps need these scopes.
const (
	scopeUsers    = "okta.users.read"
	scopeRoles    = "okta.roles.read"
	scopePolicies = "okta.policies.read"
)

// Policy renders what the Okta source needs for the given collectors: the
// admin role for an API token and the OAuth 2.0 scopes, one per line.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	out := []byte("# API token: create it as an admin with the Read-Only Administrator role.\n# OAuth 2.0 service app: grant these scopes.\n")
	return append(out, collectors.PlainPolicy(ds)...), nil
}
