// Package gcp collects evidence from Google Cloud projects through the
// google.golang.org/api REST clients: Cloud Storage buckets, Cloud SQL
// instances, Cloud KMS keys, project IAM policies with their audit log
// configuration, service account keys, VPC firewall rules, VPC
// subnetworks with their flow logs, Secret Manager secrets (metadata only),
// load balancer backend services with their Cloud Armor policies, Cloud
// Monitoring alerting policies, the environment (prod or nonprod) of
// each project with the VPC peerings and Shared VPC attachments that join
// projects, Compute Engine VM instances, the VPC networks of each project,
// the effective organisation policies of the CIS constraints, and the
// log-based metric alerts for the CIS monitored changes. It
// authenticates with Application Default Credentials and the read-only
// cloud-platform scope; every call is a read (getIamPolicy is a POST that
// reads).
package gcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2/google"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// SourceName is the name of the Google Cloud source.
const SourceName = "gcp"

// Config configures the Google Cloud source.
type Config struct {
	// Projects lists the project IDs to collect.
	Projects []string `yaml:"projects"`
	// Parents lists organisations and folders ("organizations/123",
	// "folders/456") whose active projects, in all nested folders, are
	// collected too.
	Parents []string `yaml:"parents"`
	// KMSLocations limits the Cloud KMS locations searched for key rings
	// (e.g. ["europe-west3", "global"]). Default: every location of the
	// project.
	KMSLocations []string `yaml:"kms_locations"`
	// Endpoint is one base URL for every Google API (a private endpoint or
	// a local emulator); each client appends its own path, such as
	// storage/v1/. Default: each API's public endpoint.
	Endpoint string `yaml:"endpoint"`
	// Endpoints overrides the base URL of single APIs by name: storage,
	// sqladmin, cloudkms, cloudresourcemanager (v1 and v3), iam, compute,
	// secretmanager, monitoring, orgpolicy or logging. The URL is
	// used as given (for storage and compute it includes storage/v1/ or
	// compute/v1/).
	Endpoints map[string]string `yaml:"endpoints"`
	// RestrictedPorts are the administration and database TCP ports no
	// firewall rule may open to 0.0.0.0/0 or ::/0 (attribute
	// open_restricted_ports of gcp.compute.firewall). Default: 22, 3389,
	// 3306, 5432, 1433, 6379 and 27017.
	RestrictedPorts []int `yaml:"restricted_ports"`
	// Environments classifies projects for the environment separation
	// checks: keys are project IDs ("acme-prod"), folders ("folders/123")
	// or organisations ("organizations/456"), values "prod" or "nonprod".
	// A project takes the value of its own ID, else of its nearest
	// classified folder or organisation (read with the Resource Manager v1
	// projects.getAncestry, called only when a key names a folder or an
	// organisation). Default empty: environments are unknown, so the
	// environment attributes are gaps and the separation controls are
	// inconclusive.
	Environments map[string]string `yaml:"environments"`
	// Concurrency bounds the calls made at once per collector. Default 4.
	Concurrency int `yaml:"concurrency"`
	// Retries is how often a rate-limited call (429, 503) is retried.
	// Default 3.
	Retries *int `yaml:"retries"`
	// MaxRetryWaitSeconds is the longest attest waits before one retry.
	// Default 30.
	MaxRetryWaitSeconds *int `yaml:"max_retry_wait_seconds"`

	// HTTPClient, when set, is used for all calls instead of Application
	// Default Credentials (tests and the demo). Its Transport is wrapped to
	// capture raw evidence.
	HTTPClient *http.Client `yaml:"-"`
	// Now is the clock; nil means time.Now.
	Now func() time.Time `yaml:"-"`
}

func (c Config) withDefaults() Config {
	c.Concurrency = collectors.PositiveOr(c.Concurrency, 4)
	c.Retries = collectors.PtrOr(c.Retries, 3)
	c.MaxRetryWaitSeconds = collectors.PtrOr(c.MaxRetryWaitSeconds, 30)
	if c.Now == nil {
		c.Now = time.Now
	}
	if len(c.RestrictedPorts) == 0 {
		c.RestrictedPorts = []int{22, 3389, 3306, 5432, 1433, 6379, 27017}
	}
	return c
}

// A Source is the Google Cloud source. It is safe for concurrent use.
type Source struct {
	cfg Config

	once sync.Once
	hc   *http.Client
	err  error
}

// NewSource returns the Google Cloud source for cfg. It does no I/O.
func NewSource(cfg Config) *Source { return &Source{cfg: cfg.withDefaults()} }

// Name returns "gcp".
func (s *Source) Name() string { return SourceName }

// Collectors returns every collector of the source, sorted by ID.
func (s *Source) Collectors() []collectors.Collector {
	cs := []collectors.Collector{
		&StorageBuckets{src: s}, &SQLInstances{src: s}, &KMSKeys{src: s},
		&ProjectIAM{src: s}, &ServiceAccountKeys{src: s}, &Firewalls{src: s},
		&Subnetworks{src: s}, &Secrets{src: s}, &BackendServices{src: s}, &AlertPolicies{src: s},
		&Environment{src: s}, &NetworkLinks{src: s},
		&Instances{src: s}, &Networks{src: s}, &OrgPolicies{src: s}, &LogMetricAlerts{src: s},
	}
	return collectors.SortByID(cs)
}

// Plan returns one job per project for each enabled collector. Projects
// under Parents are listed through the Resource Manager API.
func (s *Source) Plan(ctx context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	projects := slices.Clone(s.cfg.Projects)
	if len(s.cfg.Parents) > 0 {
		found, err := s.discover(ctx)
		if err != nil {
			return nil, err
		}
		projects = append(projects, found...)
	}
	if len(projects) == 0 {
		return nil, errors.New("gcp: no projects configured (projects or parents)")
	}
	return collectors.Jobs(SourceName, s.Collectors(), enabled, projects...), nil
}

// scopeReadOnly is the OAuth scope attest asks Application Default
// Credentials for.
const scopeReadOnly = "https://www.googleapis.com/auth/cloud-platform.read-only"

// httpClient returns the shared HTTP client, built on first use: the
// injected client or Application Default Credentials, with bounded retries
// and raw evidence capture.
func (s *Source) httpClient(ctx context.Context) (*http.Client, error) {
	s.once.Do(func() {
		var base http.RoundTripper
		var timeout time.Duration
		if s.cfg.HTTPClient != nil {
			base, timeout = s.cfg.HTTPClient.Transport, s.cfg.HTTPClient.Timeout
		} else {
			// The credentials outlive this call.
			dc, err := google.DefaultClient(context.WithoutCancel(ctx), scopeReadOnly)
			if err != nil {
				s.err = fmt.Errorf("gcp: application default credentials: %w", err)
				return
			}
			base = dc.Transport
		}
		s.hc = gcpapi.Client(base, timeout, *s.cfg.Retries, time.Duration(*s.cfg.MaxRetryWaitSeconds)*time.Second, operation)
	})
	return s.hc, s.err
}

// options returns the client options of API api, whose path under a shared
// endpoint is path (e.g. "storage/v1/").
func (s *Source) options(ctx context.Context, api, path string) ([]option.ClientOption, error) {
	hc, err := s.httpClient(ctx)
	if err != nil {
		return nil, err
	}
	opts := []option.ClientOption{option.WithHTTPClient(hc)}
	switch {
	case s.cfg.Endpoints[api] != "":
		opts = append(opts, option.WithEndpoint(s.cfg.Endpoints[api]))
	case s.cfg.Endpoint != "":
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(s.cfg.Endpoint, "/")+"/"+path))
	}
	return opts, nil
}

// Policy renders the permissions the given collectors need as a Google
// Cloud custom role definition (YAML, for gcloud iam roles create
// --file), with the permissions sorted and deduplicated. The predefined
// roles roles/viewer plus roles/iam.securityReviewer also cover them.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	var b strings.Builder
	b.WriteString("# gcloud iam roles create attestReader --organization=ORG_ID --file=this.yaml\n")
	b.WriteString("title: attest read-only evidence collector\n")
	b.WriteString("description: Read-only permissions attest needs to collect evidence.\n")
	b.WriteString("stage: GA\n")
	b.WriteString("includedPermissions:\n")
	for _, line := range strings.Split(strings.TrimSpace(string(collectors.PlainPolicy(ds))), "\n") {
		if line != "" {
			b.WriteString("- " + line + "\n")
		}
	}
	b.WriteString("# Only when projects are discovered from parents (organisations or folders):\n")
	b.WriteString("- " + opFoldersList + "\n- " + opProjectsList + "\n")
	return []byte(b.String()), nil
}

// apiDisabled reports whether err says the API is not enabled in the
// project: then the project has no resources of that service, which is
// evidence, not a failure.
func apiDisabled(err error) bool {
	var ge *googleapi.Error
	if !errors.As(err, &ge) || ge.Code != http.StatusForbidden {
		return false
	}
	if slices.ContainsFunc(ge.Errors, func(e googleapi.ErrorItem) bool { return e.Reason == "accessNotConfigured" }) {
		return true
	}
	return strings.Contains(ge.Body, "SERVICE_DISABLED") || strings.Contains(ge.Message, "has not been used in project")
}

// operation names Google API requests by their IAM permission-like method
// names, e.g. "storage.buckets.list".
var operation = gcpapi.Operations(
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/storage/v1/b$`), Name: opBucketsList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v1/projects/[^/]+/instances$`), Name: opSQLList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v1/projects/[^/]+/locations$`), Name: opKMSLocations},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v1/projects/[^/]+/locations/[^/]+/keyRings$`), Name: opKMSKeyRings},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/keyRings/[^/]+/cryptoKeys$`), Name: opKMSKeys},
	gcpapi.Op{Method: http.MethodPost, Path: regexp.MustCompile(`/v3/projects/[^/]+:getIamPolicy$`), Name: opGetIamPolicy},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v3/projects$`), Name: opProjectsList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v3/folders$`), Name: opFoldersList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v1/projects/[^/]+/serviceAccounts$`), Name: opSAList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/serviceAccounts/[^/]+/keys$`), Name: opSAKeysList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+/global/firewalls$`), Name: opFirewallsList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+/aggregated/subnetworks$`), Name: opSubnetsList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v1/projects/[^/]+/secrets$`), Name: opSecretsList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+/aggregated/backendServices$`), Name: opBackendsList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v3/projects/[^/]+/alertPolicies$`), Name: opAlertPoliciesList},
	gcpapi.Op{Method: http.MethodPost, Path: regexp.MustCompile(`/v1/projects/[^/]+:getAncestry$`), Name: opGetAncestry},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+/global/networks$`), Name: opNetworksList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+$`), Name: opComputeProjectsGet},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+/getXpnHost$`), Name: opGetXpnHost},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+/getXpnResources$`), Name: opGetXpnResources},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/compute/v1/projects/[^/]+/aggregated/instances$`), Name: opInstancesList},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v2/projects/[^/]+/policies/[^/]+:getEffectivePolicy$`), Name: opGetEffectivePolicy},
	gcpapi.Op{Method: http.MethodGet, Path: regexp.MustCompile(`/v2/projects/[^/]+/metrics$`), Name: opLogMetricsList},
)
