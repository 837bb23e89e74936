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
	// Concurrency bounds the concurrent calls one collector makes to one
	// service. Default 4.
	Concurrency int `yaml:"concurrency"`
	// MaxAttempts bounds the attempts of each call under the SDK's adaptive
	// retry mode. Default 5.
	MaxAttempts int `yaml:"max_attempts"`

	// AWS, when set, replaces the configuration loaded from the
	// environment; tests and the demo use it to point the real clients at
	// a local server. Its HTTP client's transport is wrapped for raw
	// capture.
	AWS *awssdk.Config `yaml:"-"`
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

const (
	defaultRoleName    = "attest-readonly"
	defaultConcurrency = 4
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
