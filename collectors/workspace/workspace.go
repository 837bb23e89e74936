// Package workspace collects identity evidence from Google Workspace through
// the Admin SDK Directory API (https://developers.google.com/workspace/admin/directory/reference/rest)
// with the google.golang.org/api REST client: users, their 2-step
// verification, admin status and suspension, and the OAuth grants of active
// users to third-party apps. It authenticates as a service account with
// domain-wide delegation, impersonating an administrator, and asks only for
// the scopes of the enabled collectors: the read-only user scope, and the
// user security scope for OAuth grants.
package workspace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	admin "google.golang.org/api/admin/directory/v1"
	cloudidentity "google.golang.org/api/cloudidentity/v1"
	"google.golang.org/api/option"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// SourceName is the name of the Google Workspace source.
const SourceName = "workspace"

// Config configures the Google Workspace source.
type Config struct {
	// Customer is the Workspace customer ID (e.g. C03az79cb). Default
	// my_customer, the customer of the impersonated administrator.
	Customer string `yaml:"customer"`
	// Subject is the e-mail address of the administrator the service
	// account impersonates through domain-wide delegation. Required unless
	// HTTPClient is set.
	Subject string `yaml:"subject"`
	// CredentialsEnv names the environment variable holding the path of the
	// service account key file. Default GOOGLE_APPLICATION_CREDENTIALS.
	CredentialsEnv string `yaml:"credentials_env"`
	// Endpoint is the Admin SDK base URL. Default
	// https://admin.googleapis.com/.
	Endpoint string `yaml:"endpoint"`
	// CloudIdentityEndpoint is the Cloud Identity API base URL (policies).
	// Default Endpoint when that is set (a fake or proxy serving both),
	// else https://cloudidentity.googleapis.com/.
	CloudIdentityEndpoint string `yaml:"cloud_identity_endpoint"`
	// Retries is how often a rate-limited call (429, 503) is retried.
	// Default 3.
	Retries *int `yaml:"retries"`
	// MaxRetryWaitSeconds is the longest attest waits before one retry.
	// Default 30.
	MaxRetryWaitSeconds *int `yaml:"max_retry_wait_seconds"`
	// Concurrency bounds the users whose OAuth grants are read at once.
	// Default 4.
	Concurrency int `yaml:"concurrency"`

	// HTTPClient, when set, is used for all calls instead of domain-wide
	// delegation credentials (tests and the demo). Its Transport is wrapped
	// to capture raw evidence.
	HTTPClient *http.Client `yaml:"-"`
}

func (c Config) withDefaults() Config {
	c.Customer = cmp.Or(c.Customer, "my_customer")
	c.CredentialsEnv = cmp.Or(c.CredentialsEnv, "GOOGLE_APPLICATION_CREDENTIALS")
	c.Retries = collectors.PtrOr(c.Retries, 3)
	c.MaxRetryWaitSeconds = collectors.PtrOr(c.MaxRetryWaitSeconds, 30)
	c.Concurrency = collectors.PositiveOr(c.Concurrency, 4)
	return c
}

// A Source is the Google Workspace source. It is safe for concurrent use.
type Source struct {
	cfg Config

	once sync.Once
	svc  *admin.Service
	ci   *cloudidentity.Service
	err  error

	// scopes are the OAuth scopes asked for through domain-wide delegation:
	// those of the collectors Plan enabled.
	scopes []string
}

// NewSource returns the Workspace source for cfg. It does no I/O.
func NewSource(cfg Config) *Source { return &Source{cfg: cfg.withDefaults()} }

// Name returns "workspace".
func (s *Source) Name() string { return SourceName }

// Collectors returns every collector of the source.
func (s *Source) Collectors() []collectors.Collector {
	return []collectors.Collector{&TokensCollector{src: s}, &UsersCollector{src: s}, &DriveSharingCollector{src: s}}
}

// Plan returns one job for the customer per enabled collector. It does not
// call the API.
func (s *Source) Plan(_ context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	if s.cfg.Subject == "" && s.cfg.HTTPClient == nil {
		return nil, errors.New("workspace: no administrator to impersonate configured (subject)")
	}
	var jobs []collectors.Job
	var scopes []string
	for _, c := range s.Collectors() {
		if enabled(c.Describe().ID) {
			jobs = append(jobs, collectors.Job{Collector: c, Target: evidence.Target{Source: SourceName, Account: s.cfg.Customer}})
			scopes = append(scopes, c.Describe().Permissions...)
		}
	}
	slices.Sort(scopes)
	s.scopes = slices.Compact(scopes)
	return jobs, nil
}

// scopeUsers is the OAuth scope the source asks for through domain-wide
// delegation.
const scopeUsers = admin.AdminDirectoryUserReadonlyScope

// operation names Directory API requests, e.g. "directory.users.list".
var operation = gcpapi.Operations(
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/admin/directory/v1/users$`), Name: "directory.users.list"},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/admin/directory/v1/users/[^/]+/tokens$`), Name: "directory.tokens.list"},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v1/policies$`), Name: "cloudidentity.policies.list"},
)

// service returns the shared Directory API client, building it on first
// use.
func (s *Source) service(ctx context.Context) (*admin.Service, error) {
	s.once.Do(func() { s.svc, s.ci, s.err = s.newServices(ctx) })
	return s.svc, s.err
}

// cloudIdentity returns the shared Cloud Identity API client, built with
// the Directory API client on first use.
func (s *Source) cloudIdentity(ctx context.Context) (*cloudidentity.Service, error) {
	s.once.Do(func() { s.svc, s.ci, s.err = s.newServices(ctx) })
	return s.ci, s.err
}

func (s *Source) newServices(ctx context.Context) (*admin.Service, *cloudidentity.Service, error) {
	hc, err := s.httpClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	if s.cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(s.cfg.Endpoint))
	}
	svc, err := admin.NewService(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("workspace: directory client: %w", err)
	}
	ciOpts := []option.ClientOption{option.WithHTTPClient(hc)}
	if ep := cmp.Or(s.cfg.CloudIdentityEndpoint, s.cfg.Endpoint); ep != "" {
		ciOpts = append(ciOpts, option.WithEndpoint(ep))
	}
	ci, err := cloudidentity.NewService(ctx, ciOpts...)
	if err != nil {
		return nil, nil, fmt.Errorf("workspace: cloud identity client: %w", err)
	}
	return svc, ci, nil
}

// httpClient returns the client every call goes through: domain-wide
// delegation credentials (or Config.HTTPClient), retries and raw-response
// capture.
func (s *Source) httpClient(ctx context.Context) (*http.Client, error) {
	var base http.RoundTripper
	var timeout time.Duration
	if s.cfg.HTTPClient != nil {
		base, timeout = s.cfg.HTTPClient.Transport, s.cfg.HTTPClient.Timeout
	} else {
		path := os.Getenv(s.cfg.CredentialsEnv)
		if path == "" {
			return nil, fmt.Errorf("workspace: environment variable %s is empty: set it to a service account key file with domain-wide delegation", s.cfg.CredentialsEnv)
		}
		key, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("workspace: read credentials: %w", err)
		}
		// Ask only for the scopes of the enabled collectors: a scope the
		// delegation does not grant fails the whole token exchange.
		scopes := s.scopes
		if len(scopes) == 0 {
			scopes = []string{scopeUsers}
		}
		jwt, err := google.JWTConfigFromJSON(key, scopes...)
		if err != nil {
			return nil, fmt.Errorf("workspace: credentials %s: %w", path, err)
		}
		jwt.Subject = s.cfg.Subject
		// The token source outlives this call; its exchanges use their own
		// client, so no token ever passes through the evidence transport.
		base = &oauth2.Transport{Source: jwt.TokenSource(context.WithoutCancel(ctx)), Base: collectors.BaseTransport(collectors.DefaultTimeouts)}
	}
	return gcpapi.Client(base, timeout, *s.cfg.Retries, time.Duration(*s.cfg.MaxRetryWaitSeconds)*time.Second, operation), nil
}

// Policy renders what the Workspace source needs: the OAuth scopes to
// grant the service account's client ID in the Admin console (Security >
// API controls > Domain-wide delegation), one per line.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	out := []byte("# Grant these OAuth scopes to the service account's client ID under domain-wide delegation;\n# the impersonated subject must be an administrator who can read users.\n")
	out = append(out, collectors.PlainPolicy(ds)...)
	for _, d := range ds {
		if slices.Contains(d.Permissions, scopeUserSecurity) {
			out = append(out, "# admin.directory.user.security (for workspace.tokens) has no read-only variant: it also\n# allows revoking tokens. attest only lists them (GET); leave the OAuth grants controls\n# disabled to avoid granting it.\n"...)
			break
		}
	}
	return out, nil
}
