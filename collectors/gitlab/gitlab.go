// Package gitlab collects version-control evidence from GitLab groups on
// gitlab.com and self-managed GitLab instances through the REST API
// (https://docs.gitlab.com/api/rest/), using the GitLab client
// (gitlab.com/gitlab-org/api/client-go/v2). It reads group 2FA settings and
// members, project default branch protection, merge request approval
// settings and rules, push rules, deploy keys and project access tokens, a
// sample of merged merge requests with their approvals, the security
// scanning jobs of the latest default-branch pipeline (GraphQL, one query
// per five projects), and open critical and high vulnerabilities (GraphQL,
// one query per page of a whole group hierarchy). Every call is a read: GETs, and GraphQL queries sent as POST
// /api/graphql.
package gitlab

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/attestdev/attest/collectors"
)

// SourceName is the name of the GitLab source.
const SourceName = "gitlab"

// DefaultBaseURL is the instance attest reads when base_url is empty.
const DefaultBaseURL = "https://gitlab.com"

// Config configures the GitLab source. The token never appears in a
// configuration file: it is read from the environment variable TokenEnv.
type Config struct {
	// BaseURL is the instance's URL, e.g. https://gitlab.example.com for a
	// self-managed instance. Empty means https://gitlab.com. A trailing
	// /api/v4 is accepted.
	BaseURL string `yaml:"base_url"`
	// Groups lists the full paths of the top-level groups to collect, with
	// their subgroups and projects. Required.
	Groups []string `yaml:"groups"`
	// TokenEnv names the environment variable holding a personal, group or
	// project access token with the read_api scope. Default GITLAB_TOKEN.
	TokenEnv string `yaml:"token_env"`
	// Projects filters projects by path with path.Match globs.
	Projects ProjectFilter `yaml:"projects"`
	// ReviewPeriodDays is the period of merged merge requests examined for
	// independent approval. Default 90.
	ReviewPeriodDays int `yaml:"review_period_days"`
	// ReviewSampleSize is how many merged merge requests per top-level group
	// are sampled and checked. Default 25.
	ReviewSampleSize int `yaml:"review_sample_size"`
	// Concurrency bounds the projects read at once per collector. Default 4.
	Concurrency int `yaml:"concurrency"`
	// MaxRateLimitWaitSeconds is the longest attest waits for a rate limit
	// to reset before it records the rest as throttled. Default 60.
	MaxRateLimitWaitSeconds *int `yaml:"max_rate_limit_wait_seconds"`

	// HTTPClient, when set, is used for all calls (tests and the demo).
	HTTPClient *http.Client `yaml:"-"`
	// Token, when set, is used instead of the environment (tests and demo).
	Token string `yaml:"-"`
	// Now is the clock; nil means time.Now.
	Now func() time.Time `yaml:"-"`
}

// ProjectFilter selects projects with path.Match globs (e.g. "acme/infra-*"
// or "sandbox-*"), matched against both the project's full path
// (path_with_namespace) and its own path. A project is collected when it
// matches an Include pattern (or Include is empty) and no Exclude pattern.
type ProjectFilter struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// Match reports whether the project with full path full passes the filter.
func (f ProjectFilter) Match(full string) bool {
	base := path.Base(full)
	match := func(pats []string) bool {
		for _, p := range pats {
			if ok, _ := path.Match(p, full); ok {
				return true
			}
			if ok, _ := path.Match(p, base); ok {
				return true
			}
		}
		return false
	}
	if len(f.Include) > 0 && !match(f.Include) {
		return false
	}
	return !match(f.Exclude)
}

// Validate checks the configuration before any API call, without
// connecting anywhere. Problems are *collectors.FieldError values (field
// below the gitlab section, e.g. "projects.include[0]"), joined, so that
// attest.yaml's loader reports the file, line and field of each.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field string, format string, args ...any) {
		errs = append(errs, &collectors.FieldError{Field: field, Err: fmt.Errorf(format, args...)})
	}
	c.checkGroups(bad)
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("base_url", "%q is not an http(s) URL (e.g. https://gitlab.example.com)", c.BaseURL)
		}
	}
	c.Projects.check(bad)
	for _, n := range []struct {
		name string
		v    int
	}{{"review_period_days", c.ReviewPeriodDays}, {"review_sample_size", c.ReviewSampleSize}, {"concurrency", c.Concurrency}} {
		if n.v < 0 {
			bad(n.name, "must not be negative")
		}
	}
	if c.MaxRateLimitWaitSeconds != nil && *c.MaxRateLimitWaitSeconds < 0 {
		bad("max_rate_limit_wait_seconds", "must not be negative")
	}
	return errors.Join(errs...)
}

// checkGroups checks the group paths: at least one, each top-level.
func (c Config) checkGroups(bad func(field, format string, args ...any)) {
	if len(c.Groups) == 0 {
		bad("groups", "at least one top-level group path is required")
	}
	for i, g := range c.Groups {
		if g == "" || strings.Contains(g, "/") {
			bad(fmt.Sprintf("groups[%d]", i), "%q is not a top-level group path (e.g. acme; subgroups are collected with their top-level group)", g)
		}
	}
}

// check compiles the filter's globs.
func (f ProjectFilter) check(bad func(field, format string, args ...any)) {
	for _, l := range []struct {
		name string
		pats []string
	}{{"include", f.Include}, {"exclude", f.Exclude}} {
		for i, p := range l.pats {
			_, err := path.Match(p, "")
			if err == nil && p == "" {
				err = errors.New("empty pattern")
			}
			if err != nil {
				bad(fmt.Sprintf("projects.%s[%d]", l.name, i), "project pattern %q: %w (want a path.Match glob, e.g. acme/infra-*)", p, err)
			}
		}
	}
}

// IsGitLabCom reports whether the configuration reads gitlab.com, whose
// operator (GitLab Inc.) is then a vendor that processes data; a
// self-managed instance is not.
func (c Config) IsGitLabCom() bool {
	u, err := url.Parse(cmp.Or(c.BaseURL, DefaultBaseURL))
	return err == nil && strings.EqualFold(u.Hostname(), "gitlab.com")
}

func (c Config) withDefaults() Config {
	c.BaseURL = cmp.Or(c.BaseURL, DefaultBaseURL)
	c.TokenEnv = cmp.Or(c.TokenEnv, "GITLAB_TOKEN")
	c.ReviewPeriodDays = collectors.PositiveOr(c.ReviewPeriodDays, 90)
	c.ReviewSampleSize = collectors.PositiveOr(c.ReviewSampleSize, 25)
	c.Concurrency = collectors.PositiveOr(c.Concurrency, 4)
	c.MaxRateLimitWaitSeconds = collectors.PtrOr(c.MaxRateLimitWaitSeconds, 60)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// A Source is the GitLab source. It is safe for concurrent use.
type Source struct {
	cfg Config

	once   sync.Once
	client *gl.Client
	err    error
}

// NewSource returns the GitLab source for cfg. It does no I/O.
func NewSource(cfg Config) *Source {
	return &Source{cfg: cfg.withDefaults()}
}

// Name returns "gitlab".
func (s *Source) Name() string { return SourceName }

// Collectors returns every collector of the source, sorted by ID.
func (s *Source) Collectors() []collectors.Collector {
	cs := []collectors.Collector{
		&GroupCollector{src: s},
		&ProjectCollector{src: s},
		&ReviewCollector{src: s},
		&ScanningCollector{src: s},
		&VulnerabilityCollector{src: s},
	}
	return collectors.SortByID(cs)
}

// Plan returns one job per top-level group for each enabled collector. It
// does not call the API.
func (s *Source) Plan(_ context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	if err := s.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	return collectors.Jobs(SourceName, s.Collectors(), enabled, s.cfg.Groups...), nil
}

// gl returns the shared API client, building it on first use.
func (s *Source) gl() (*gl.Client, error) {
	s.once.Do(func() { s.client, s.err = s.newClient() })
	return s.client, s.err
}

// noLimiter lets every request through: attest honours GitLab's rate
// limits from the 429 answers and their headers (see rateLimitTransport)
// rather than guessing a request rate from RateLimit-Limit.
type noLimiter struct{}

func (noLimiter) Wait(ctx context.Context) error { return ctx.Err() }

func (s *Source) newClient() (*gl.Client, error) {
	// Each attempt has its own deadline; rate-limit waits happen between
	// attempts, outside it, so the http.Client below has no Timeout.
	base := collectors.CallTransport(s.cfg.HTTPClient)
	wait := time.Duration(*s.cfg.MaxRateLimitWaitSeconds) * time.Second
	rt := newRateLimitTransport(base, wait)
	tok := s.cfg.Token
	if tok == "" {
		tok = os.Getenv(s.cfg.TokenEnv)
	}
	if tok == "" {
		return nil, fmt.Errorf("gitlab: environment variable %s is empty: set it to an access token with the read_api scope", s.cfg.TokenEnv)
	}
	hc := &http.Client{Transport: collectors.Transport(rt, operation)}
	c, err := gl.NewClient(tok,
		gl.WithBaseURL(s.cfg.BaseURL),
		gl.WithHTTPClient(hc),
		// attest's transport retries rate limits within its bounds; the
		// client's own retries would wait without limit on 429 and repeat
		// 5xx answers the evidence should record.
		gl.WithoutRetries(),
		gl.WithCustomLimiter(noLimiter{}),
		gl.WithUserAgent("attest"),
	)
	if err != nil {
		return nil, fmt.Errorf("gitlab: client: %w", err)
	}
	return c, nil
}
