// Package github collects version-control evidence from GitHub organisations
// on github.com and GitHub Enterprise Server through the REST API
// (https://docs.github.com/rest), using go-github, and the GraphQL API
// (https://docs.github.com/graphql) where one query covers many
// repositories. It reads organisation settings and members, repository
// branch protection and rulesets, static analysis (code scanning and SAST
// workflow runs), Dependabot and secret scanning alerts, and pull request
// reviews. Every call is a read: GraphQL queries are sent as POST /graphql
// and kept as evidence with the query; the only other POST is the GitHub App
// installation token exchange, whose response is never kept.
package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
)

// SourceName is the name of the GitHub source.
const SourceName = "github"

// Config configures the GitHub source. The token itself never appears in a
// configuration file: it is read from the environment variable TokenEnv.
type Config struct {
	// Orgs lists the organisations to collect. Required.
	Orgs []string `yaml:"orgs"`
	// BaseURL is the REST API URL of a GitHub Enterprise Server, e.g.
	// https://github.example.com/api/v3/. Empty means https://api.github.com/.
	BaseURL string `yaml:"base_url"`
	// TokenEnv names the environment variable holding a personal access
	// token or installation token. Default GITHUB_TOKEN.
	TokenEnv string `yaml:"token_env"`
	// App configures GitHub App installation authentication instead of a
	// token. Optional.
	App *AppConfig `yaml:"app"`
	// IncludeArchived also collects archived repositories. Default false.
	IncludeArchived bool `yaml:"include_archived"`
	// Repos filters repositories by name. Default: all repositories.
	Repos RepoFilter `yaml:"repos"`
	// SASTTools are the names matched (case-insensitively, as substrings)
	// against workflow names and paths to find SAST workflows when code
	// scanning is not enabled. Default ["codeql", "semgrep", "gosec"].
	SASTTools []string `yaml:"sast_tools"`
	// SASTMaxAgeDays is how far back SAST workflow runs are searched.
	// Default 7.
	SASTMaxAgeDays int `yaml:"sast_max_age_days"`
	// AlertSLADays is the age after which an open critical or high alert is
	// overdue. Default 30.
	AlertSLADays int `yaml:"alert_sla_days"`
	// ReviewPeriodDays is the period of merged pull requests examined for
	// code review. Default 90.
	ReviewPeriodDays int `yaml:"review_period_days"`
	// ReviewSampleSize is how many merged pull requests per organisation are
	// sampled and checked for an independent approval. Default 25.
	ReviewSampleSize int `yaml:"review_sample_size"`
	// Concurrency bounds the repositories read at once per collector.
	// Default 4.
	Concurrency int `yaml:"concurrency"`
	// MaxRateLimitWaitSeconds is the longest attest waits for a primary or
	// secondary rate limit to reset before it stops and records the rest as
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

// RepoFilter selects repositories by name with path.Match patterns (e.g.
// "infra-*"). A repository is collected when it matches an Include pattern
// (or Include is empty) and no Exclude pattern.
type RepoFilter struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// Validate checks the configuration without connecting anywhere: every
// repository pattern must be a valid path.Match glob, and an app needs its
// ids. Problems are *collectors.FieldError values, joined.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field string, err error) { errs = append(errs, &collectors.FieldError{Field: field, Err: err}) }
	for _, l := range []struct {
		name string
		pats []string
	}{{"include", c.Repos.Include}, {"exclude", c.Repos.Exclude}} {
		for i, p := range l.pats {
			if _, err := path.Match(p, ""); err != nil {
				bad(fmt.Sprintf("repos.%s[%d]", l.name, i), fmt.Errorf("repository pattern %q: %w (want a path.Match glob, e.g. infra-*)", p, err))
			}
		}
	}
	if a := c.App; a != nil && (a.AppID == 0 || a.InstallationID == 0) {
		bad("app", errors.New("needs app_id and installation_id"))
	}
	return errors.Join(errs...)
}

// Match reports whether the repository name passes the filter.
func (f RepoFilter) Match(name string) bool {
	match := func(pats []string) bool {
		for _, p := range pats {
			if ok, _ := path.Match(p, name); ok {
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

func (c Config) withDefaults() Config {
	c.TokenEnv = cmp.Or(c.TokenEnv, "GITHUB_TOKEN")
	if c.SASTTools == nil {
		c.SASTTools = []string{"codeql", "semgrep", "gosec"}
	}
	c.SASTMaxAgeDays = collectors.PositiveOr(c.SASTMaxAgeDays, 7)
	c.AlertSLADays = collectors.PositiveOr(c.AlertSLADays, 30)
	c.ReviewPeriodDays = collectors.PositiveOr(c.ReviewPeriodDays, 90)
	c.ReviewSampleSize = collectors.PositiveOr(c.ReviewSampleSize, 25)
	c.Concurrency = collectors.PositiveOr(c.Concurrency, 4)
	c.MaxRateLimitWaitSeconds = collectors.PtrOr(c.MaxRateLimitWaitSeconds, 60)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// A Source is the GitHub source. It is safe for concurrent use.
type Source struct {
	cfg Config

	once   sync.Once
	client *gh.Client
	err    error

	// walksOf holds the REST repository list of each organisation, walked
	// once for every collector that reads it (repolist.go).
	walksOf
}

// NewSource returns the GitHub source for cfg. It does no I/O.
func NewSource(cfg Config) *Source {
	return &Source{cfg: cfg.withDefaults()}
}

// Name returns "github".
func (s *Source) Name() string { return SourceName }

// Collectors returns every collector of the source, sorted by ID.
func (s *Source) Collectors() []collectors.Collector {
	cs := []collectors.Collector{
		&OrgCollector{src: s},
		&RepoCollector{src: s},
		&SASTCollector{src: s},
		&AlertsCollector{src: s},
		&ReviewCollector{src: s},
		&OrgSecurityCollector{src: s},
		&RepoSecurityCollector{src: s},
		&FineGrainedTokensCollector{src: s},
	}
	return collectors.SortByID(cs)
}

// Plan returns one job per organisation for each enabled collector. It does
// not call the API.
func (s *Source) Plan(ctx context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	if len(s.cfg.Orgs) == 0 {
		return nil, errors.New("github: no organisations configured (orgs)")
	}
	return collectors.Jobs(SourceName, s.Collectors(), enabled, s.cfg.Orgs...), nil
}

// gh returns the shared API client, building it on first use.
func (s *Source) gh() (*gh.Client, error) {
	s.once.Do(func() { s.client, s.err = s.newClient() })
	return s.client, s.err
}

func (s *Source) newClient() (*gh.Client, error) {
	// Each attempt has its own deadline; rate-limit waits happen between
	// attempts, outside it, so the http.Client below has no Timeout.
	base := collectors.CallTransport(s.cfg.HTTPClient)
	wait := time.Duration(*s.cfg.MaxRateLimitWaitSeconds) * time.Second
	var rt http.RoundTripper = newETagTransport(newRateLimitTransport(base, wait))
	opts := []gh.ClientOptionsFunc{gh.WithDisableRateLimitCheck(), gh.WithUserAgent("attest")}
	apiBase := s.cfg.BaseURL
	if apiBase != "" && !strings.HasSuffix(apiBase, "/") {
		apiBase += "/"
	}
	if apiBase != "" {
		opts = append(opts, gh.WithURLs(&apiBase, &apiBase))
	}
	switch {
	case s.cfg.Token != "":
		opts = append(opts, gh.WithAuthToken(s.cfg.Token))
	case s.cfg.App != nil:
		apiURL := apiBase
		if apiURL == "" {
			apiURL = "https://api.github.com/"
		}
		ts, err := newAppTokenSource(*s.cfg.App, apiURL, &http.Client{Transport: collectors.Transport(rt, operation)}, s.cfg.Now)
		if err != nil {
			return nil, err
		}
		rt = &appTransport{base: rt, src: ts}
	default:
		tok := os.Getenv(s.cfg.TokenEnv)
		if tok == "" {
			return nil, fmt.Errorf("github: environment variable %s is empty: set a token or configure app", s.cfg.TokenEnv)
		}
		opts = append(opts, gh.WithAuthToken(tok))
	}
	hc := &http.Client{Transport: collectors.Transport(rt, operation)}
	opts = append(opts, gh.WithHTTPClient(hc))
	c, err := gh.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("github: client: %w", err)
	}
	return c, nil
}
