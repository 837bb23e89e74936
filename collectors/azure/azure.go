// Package azure collects evidence from Azure subscriptions through the Azure
// Resource Manager API with the Azure SDK for Go (azcore, azidentity and the
// resourcemanager modules): subscriptions and the locations of their
// resources, storage accounts, SQL servers and databases, PostgreSQL and
// MySQL flexible servers, key vaults, network security groups, managed
// disks, virtual machines with their Azure Backup protection, the activity
// log's diagnostic settings, the Microsoft Defender for Cloud plans and the
// Owner and User Access Administrator role assignments and the classic
// administrators. It authenticates
// with the default Azure credential chain (environment, workload identity,
// managed identity, Azure CLI); every call is a GET, and the SDK's automatic
// resource provider registration (a write) is turned off.
package azure

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/managementgroups/armmanagementgroups"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/internal/azcloud"
)

// SourceName is the name of the Azure source.
const SourceName = "azure"

// Config configures the Azure source.
type Config struct {
	// Subscriptions lists the subscription IDs to collect.
	Subscriptions []string `yaml:"subscriptions"`
	// ManagementGroups lists management group IDs whose subscriptions, in
	// all nested groups, are collected too.
	ManagementGroups []string `yaml:"management_groups"`
	// TenantID is the Microsoft Entra tenant to authenticate in. Default:
	// the credential's own (AZURE_TENANT_ID, the CLI's tenant).
	TenantID string `yaml:"tenant_id"`
	// Cloud is public (default), usgovernment or china.
	Cloud string `yaml:"cloud"`
	// Endpoint overrides the Resource Manager endpoint of the cloud (an
	// Azure Stack hub or a local test server). The token audience stays
	// the cloud's.
	Endpoint string `yaml:"endpoint"`
	// RestrictedPorts are the administration and database TCP ports no
	// network security group may allow from the internet (attribute
	// open_restricted_ports). Default: 22, 3389, 1433, 3306, 5432, 6379
	// and 27017.
	RestrictedPorts []int `yaml:"restricted_ports"`
	// Concurrency bounds the calls made at once per collector job (one
	// subscription). Default 16: Resource Manager allows a subscription
	// 250 reads at once (25 a second after), and a job's per-resource
	// calls (SQL servers' databases, vaults' keys) are far fewer.
	Concurrency int `yaml:"concurrency"`
	// Retries is how often a throttled (429) or failed (5xx) call is
	// retried by the SDK's retry policy. Default 3.
	Retries *int `yaml:"retries"`
	// MaxRetryWaitSeconds is the longest attest waits before one retry; a
	// Retry-After longer than this ends the call as throttled at once.
	// Default 60.
	MaxRetryWaitSeconds *int `yaml:"max_retry_wait_seconds"`

	// HTTPClient, when set, carries every call (tests and the demo). Its
	// Transport is wrapped to capture raw evidence; its Timeout is the
	// per-call deadline.
	HTTPClient *http.Client `yaml:"-"`
	// Credential, when set, is used instead of the default credential
	// chain (tests and the demo).
	Credential azcore.TokenCredential `yaml:"-"`
}

// Validate checks the section before any API call.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Subscriptions) == 0 && len(c.ManagementGroups) == 0 {
		errs = append(errs, errors.New("set subscriptions or management_groups"))
	}
	for _, s := range c.Subscriptions {
		if !guid.MatchString(s) {
			errs = append(errs, fmt.Errorf("subscription %q is not a subscription ID (a GUID)", s))
		}
	}
	if _, err := azcloud.Lookup(c.Cloud); err != nil {
		errs = append(errs, err)
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			errs = append(errs, fmt.Errorf("endpoint %q is not an http(s) URL", c.Endpoint))
		case u.Scheme == "http" && !loopback(u.Hostname()):
			errs = append(errs, fmt.Errorf("endpoint %q: plain http would send the bearer token unencrypted; it is allowed only for a local test server (localhost, 127.0.0.1, ::1)", c.Endpoint))
		}
	}
	for _, p := range c.RestrictedPorts {
		if p < 1 || p > 65535 {
			errs = append(errs, fmt.Errorf("restricted port %d is out of range", p))
		}
	}
	return errors.Join(errs...)
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (c Config) withDefaults() Config {
	c.Concurrency = collectors.PositiveOr(c.Concurrency, 16)
	c.Retries = collectors.PtrOr(c.Retries, 3)
	c.MaxRetryWaitSeconds = collectors.PtrOr(c.MaxRetryWaitSeconds, 60)
	if len(c.RestrictedPorts) == 0 {
		c.RestrictedPorts = []int{22, 3389, 1433, 3306, 5432, 6379, 27017}
	}
	return c
}

// A Source is the Azure source. It is safe for concurrent use.
type Source struct {
	cfg Config

	once sync.Once
	cred azcore.TokenCredential
	opts *arm.ClientOptions
	err  error
}

// NewSource returns the Azure source for cfg. It does no I/O.
func NewSource(cfg Config) *Source { return &Source{cfg: cfg.withDefaults()} }

// Name returns "azure".
func (s *Source) Name() string { return SourceName }

// Collectors returns every collector of the source, sorted by ID.
func (s *Source) Collectors() []collectors.Collector {
	cs := []collectors.Collector{
		&Subscriptions{src: s}, &Resources{src: s}, &StorageAccounts{src: s}, &SQLServers{src: s},
		&KeyVaults{src: s}, &VaultKeys{src: s}, &SecurityGroups{src: s}, &Disks{src: s}, &Backups{src: s}, &ClassicAdmins{src: s}, &PostgresServers{src: s}, &MySQLServers{src: s}, &ActivityLog{src: s}, &Defender{src: s}, &RoleAssignments{src: s},
	}
	return collectors.SortByID(cs)
}

// Plan returns one job per subscription for each enabled collector.
// Subscriptions under ManagementGroups are listed through the management
// groups API.
func (s *Source) Plan(ctx context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	subs := make([]string, 0, len(s.cfg.Subscriptions))
	for _, id := range s.cfg.Subscriptions {
		subs = append(subs, strings.ToLower(id))
	}
	if len(s.cfg.ManagementGroups) > 0 {
		found, err := s.discover(ctx)
		if err != nil {
			return nil, err
		}
		subs = append(subs, found...)
	}
	if len(subs) == 0 {
		return nil, errors.New("azure: no subscriptions configured or found (subscriptions or management_groups)")
	}
	return collectors.Jobs(SourceName, s.Collectors(), enabled, subs...), nil
}

// discover lists the subscriptions under the configured management
// groups, in all nested groups.
func (s *Source) discover(ctx context.Context) ([]string, error) {
	cred, opts, err := s.clientOptions()
	if err != nil {
		return nil, err
	}
	client, err := armmanagementgroups.NewClient(cred, opts)
	if err != nil {
		return nil, fmt.Errorf("azure: %w", err)
	}
	var out []string
	for _, g := range s.cfg.ManagementGroups {
		pager := client.NewGetDescendantsPager(g, nil)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("azure: management group %s: %w", g, s.classify(err, opDescendants))
			}
			for _, d := range page.Value {
				if d != nil && d.Name != nil && strings.EqualFold(str(d.Type), "Microsoft.Management/managementGroups/subscriptions") {
					out = append(out, strings.ToLower(*d.Name))
				}
			}
		}
	}
	return out, nil
}

// clientOptions returns the credential and the Resource Manager client
// options every collector shares, built on first use.
func (s *Source) clientOptions() (azcore.TokenCredential, *arm.ClientOptions, error) {
	s.once.Do(func() { s.cred, s.opts, s.err = s.build() })
	return s.cred, s.opts, s.err
}

func (s *Source) build() (azcore.TokenCredential, *arm.ClientOptions, error) {
	ac, err := azcloud.Lookup(s.cfg.Cloud)
	if err != nil {
		return nil, nil, fmt.Errorf("azure: %w", err)
	}
	cc := ac.Config
	insecure := false
	if s.cfg.Endpoint != "" {
		rm := cc.Services[cloud.ResourceManager]
		rm.Endpoint = strings.TrimRight(s.cfg.Endpoint, "/")
		cc.Services = map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: rm}
		// Only a local test server is reached over plain HTTP (Validate
		// refuses any other).
		if u, err := url.Parse(s.cfg.Endpoint); err == nil && u.Scheme == "http" && loopback(u.Hostname()) {
			insecure = true
		}
	}
	// Each call has its own deadline; the SDK's retry waits are between
	// calls.
	hc := &http.Client{Transport: collectors.Transport(collectors.CallTransport(s.cfg.HTTPClient), operation)}
	retries := *s.cfg.Retries
	if retries <= 0 {
		retries = -1 // the SDK reads 0 as its default of 3
	}
	opts := &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud:                           cc,
			Transport:                       hc,
			InsecureAllowCredentialWithHTTP: insecure,
			Retry: policy.RetryOptions{
				MaxRetries:    int32(retries),
				RetryDelay:    time.Second,
				MaxRetryDelay: time.Duration(*s.cfg.MaxRetryWaitSeconds) * time.Second,
			},
			Telemetry: policy.TelemetryOptions{ApplicationID: "attest"},
		},
		// Registering a resource provider is a write: never.
		DisableRPRegistration: true,
	}
	cred := s.cfg.Credential
	if cred == nil {
		cred, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: policy.ClientOptions{Cloud: cc},
			TenantID:      s.cfg.TenantID,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("azure: default credential: %w", err)
		}
	}
	return cred, opts, nil
}

// newClient builds an SDK client with the shared credential and options.
func newClient[C any](s *Source, mk func(string, azcore.TokenCredential, *arm.ClientOptions) (C, error), sub string) (C, error) {
	var zero C
	cred, opts, err := s.clientOptions()
	if err != nil {
		return zero, err
	}
	c, err := mk(sub, cred, opts)
	if err != nil {
		return zero, fmt.Errorf("azure: %w", err)
	}
	return c, nil
}

// Policy renders the permissions the given collectors need as an Azure
// custom role definition (JSON, for az role definition create
// --role-definition), with exactly the read actions they call.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	var actions []string
	for _, d := range ds {
		if d.Source == SourceName {
			actions = append(actions, d.Permissions...)
		}
	}
	slices.SortFunc(actions, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	actions = append(actions, opDescendants)
	slices.SortFunc(actions, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	actions = slices.Compact(actions)
	return policyJSON(actions)
}

// str dereferences a string pointer ("" for nil).
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// boolOr dereferences a bool pointer, def for nil.
func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}
