package aws

import (
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
)

// Config configures the AWS source. It is decoded strictly from the aws
// section of attest.yaml.
type Config struct {
	// Regions lists the regions to collect regional evidence from. Empty
	// means every region enabled for the account (ec2:DescribeRegions).
	Regions []string `yaml:"regions"`
	// Profile names a shared config profile. Empty means AWS_PROFILE or the
	// default profile.
	Profile string `yaml:"profile"`
	// EndpointURL overrides the endpoint of every service, like
	// AWS_ENDPOINT_URL. Empty means the SDK default, which honours
	// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
	EndpointURL string `yaml:"endpoint_url"`
	// AllowedRegions lists the regions in which data may be stored; data
	// stores (S3 buckets, RDS databases, EBS volumes) elsewhere fail the
	// residency control. Empty means residency is not configured: the
	// region_allowed attribute is left out with a gap, so the residency
	// control is inconclusive.
	AllowedRegions []string `yaml:"allowed_regions"`
	// Organization enables collection from every account of an AWS
	// Organization. Default: off, only the caller's account.
	Organization OrganizationConfig `yaml:"organization"`
	// Accounts lists further account ids to collect from by assuming
	// Organization.RoleName (default "attest-readonly") in each.
	Accounts []string `yaml:"accounts"`
	// Concurrency bounds the resources one collector reads at once in one
	// account (or account and region). Default 32. The calls in flight
	// to each API of an account and region are further held within a
	// window that adapts to AWS's throttling (see adaptive.go): it starts
	// at 8, grows until AWS throttles, and halves on a throttle.
	Concurrency int `yaml:"concurrency"`
	// MaxAttempts bounds the attempts of each call under the SDK's adaptive
	// retry mode. Default 5.
	MaxAttempts int `yaml:"max_attempts"`
	// Network configures the network exposure checks.
	Network NetworkConfig `yaml:"network"`
	// Secrets configures the secret store checks.
	Secrets SecretsConfig `yaml:"secrets"`
	// Environments classifies accounts for the environment separation
	// checks: keys are account ids ("111122223333") or organisational unit
	// ids ("ou-ab12-cdef3456"), values "prod" or "nonprod". An account
	// takes the value of its own id, else of its nearest classified OU
	// (found with organizations:ListParents from the caller's account).
	// Default empty: environments are unknown, so the environment
	// attributes are gaps and the separation controls are inconclusive.
	Environments map[string]string `yaml:"environments"`
	// RateLimits caps the calls per second that attest makes to a
	// service ("iam": 5) or to one action ("s3:GetBucketPolicy": 50), per
	// account and region, retries included; an action's own limit
	// replaces its service's. Use it to leave room for other tools that
	// share an account's API limits. Default none: the SDK's adaptive
	// retryer backs off when AWS throttles.
	RateLimits map[string]float64 `yaml:"rate_limits"`
	// EnvironmentTag names an AWS Organizations account tag whose value,
	// "prod" or "nonprod" in any case, classifies an account that
	// Environments does not name directly (read with
	// organizations:ListTagsForResource from the caller's account). It
	// takes precedence over organisational units. Default empty: tags are
	// not read.
	EnvironmentTag string `yaml:"environment_tag"`
	// CriticalBucketTag marks critical S3 buckets, which must replicate
	// (AWS-S3-005), by a bucket tag. Default key "criticality", value
	// "critical".
	CriticalBucketTag TagConfig `yaml:"critical_bucket_tag"`
	// CriticalBuckets lists the names of further critical S3 buckets,
	// critical whatever their tags. Default empty.
	CriticalBuckets []string `yaml:"critical_buckets"`
	// FindingsSLADays is the number of days within which open high
	// severity GuardDuty findings (severity 7 or more) must be resolved or
	// archived (AWS-GD-002), and open critical and high Security Hub
	// findings resolved or suppressed (AWS-SH-001). Default 30.
	FindingsSLADays int `yaml:"findings_sla_days"`
	// PrivateSubnets lists subnet ids that are private: instances in them
	// must not have a public IP address (AWS-NET-005). Default empty.
	PrivateSubnets []string `yaml:"private_subnets"`
	// PrivateSubnetTag marks further private subnets by a subnet tag.
	// Default key "tier", value "private".
	PrivateSubnetTag TagConfig `yaml:"private_subnet_tag"`
	// ShieldRequired states that every account must subscribe to AWS Shield
	// Advanced; AWS-EDGE-001 applies only when it is true. Default false.
	ShieldRequired bool `yaml:"shield_required"`

	// AWS, when set, replaces the configuration loaded from the
	// environment; tests and the demo use it to point the real clients at
	// a local server. Its HTTP client's transport is wrapped for raw
	// capture.
	AWS *awssdk.Config `yaml:"-"`
	// Now, when set, replaces time.Now for ages computed at collection
	// (GuardDuty and Security Hub finding SLA); tests set it.
	Now func() time.Time `yaml:"-"`
	// MaxBackoff bounds the delay between retries. Zero means the SDK
	// default (20s); tests set it low.
	MaxBackoff time.Duration `yaml:"-"`
}

// OrganizationConfig configures multi-account collection.
type OrganizationConfig struct {
	// Enabled lists the organisation's active accounts
	// (organizations:ListAccounts) and collects from each. Default false.
	Enabled bool `yaml:"enabled"`
	// RoleName is the read-only role assumed in every other account.
	// Default "attest-readonly".
	RoleName string `yaml:"role_name"`
}

// NetworkConfig configures the network exposure checks of the
// aws.security_groups collector.
type NetworkConfig struct {
	// RestrictedPorts are the administration and database ports that must
	// not be reachable from 0.0.0.0/0 or ::/0. Default: 22 (SSH), 3389
	// (RDP), 3306 (MySQL), 5432 (PostgreSQL), 1433 (SQL Server), 6379
	// (Redis) and 27017 (MongoDB).
	RestrictedPorts []int `yaml:"restricted_ports"`
}

// SecretsConfig configures the secret store checks of the aws.ssm
// collector.
type SecretsConfig struct {
	// NamePattern is a regular expression (RE2); SSM parameters whose
	// names match it look like secrets and should be SecureString. Default
	// defaultSecretNamePattern: names containing password, passwd, secret,
	// token, api_key/apikey, private_key or credential, in any case.
	NamePattern string `yaml:"name_pattern"`
}

// TagConfig names a resource tag by key and value.
type TagConfig struct {
	// Key is the tag key.
	Key string `yaml:"key"`
	// Value is the tag value; it must match exactly.
	Value string `yaml:"value"`
}

// criticalBucketTag returns CriticalBucketTag, or key "criticality" and
// value "critical" when no key is set.
func (c Config) criticalBucketTag() TagConfig {
	if c.CriticalBucketTag.Key != "" {
		return c.CriticalBucketTag
	}
	return TagConfig{Key: "criticality", Value: "critical"}
}

// privateSubnetTag returns PrivateSubnetTag, or key "tier" and value
// "private" when no key is set.
func (c Config) privateSubnetTag() TagConfig {
	if c.PrivateSubnetTag.Key != "" {
		return c.PrivateSubnetTag
	}
	return TagConfig{Key: "tier", Value: "private"}
}

// findingsSLADays returns FindingsSLADays, or 30 when unset.
func (c Config) findingsSLADays() int {
	if c.FindingsSLADays > 0 {
		return c.FindingsSLADays
	}
	return 30
}

// now returns the current time from Now or time.Now.
func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// defaultRestrictedPorts are the default administration and database
// ports of NetworkConfig.RestrictedPorts.
var defaultRestrictedPorts = []int{22, 3389, 3306, 5432, 1433, 6379, 27017}

// defaultSecretNamePattern is the default SecretsConfig.NamePattern.
const defaultSecretNamePattern = `(?i)(passw(or)?d|secret|token|api[-_]?key|private[-_]?key|credential)`

func (c Config) restrictedPorts() []int {
	if len(c.Network.RestrictedPorts) > 0 {
		return c.Network.RestrictedPorts
	}
	return defaultRestrictedPorts
}

func (c Config) secretNamePattern() string {
	if c.Secrets.NamePattern != "" {
		return c.Secrets.NamePattern
	}
	return defaultSecretNamePattern
}

const (
	defaultRoleName    = "attest-readonly"
	defaultConcurrency = 32
	defaultMaxAttempts = 5
	defaultRegion      = "us-east-1"
)

func (c Config) concurrency() int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return defaultConcurrency
}

func (c Config) maxAttempts() int {
	if c.MaxAttempts > 0 {
		return c.MaxAttempts
	}
	return defaultMaxAttempts
}

func (c Config) roleName() string {
	if c.Organization.RoleName != "" {
		return c.Organization.RoleName
	}
	return defaultRoleName
}
