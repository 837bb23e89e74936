package aws

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SourceName is the name of the AWS source.
const SourceName = "aws"

// A Source collects evidence from one or more AWS accounts.
type Source struct {
	cfg        Config
	collectors []regionalCollector

	mu       sync.Mutex
	accounts map[string]awssdk.Config // by account id, filled by Plan
	home     string                   // region for global services
	caller   string                   // the caller's account, filled by Plan
}

// regionalCollector is a collector that says whether it runs once per
// region or once per account.
type regionalCollector interface {
	collectors.Collector
	regional() bool
}

// NewSource returns the AWS source. It performs no I/O.
func NewSource(cfg Config) *Source {
	s := &Source{cfg: cfg, accounts: map[string]awssdk.Config{}}
	s.collectors = []regionalCollector{
		&S3Buckets{s: s},
		&IAMCredentials{s: s},
		&IAMPasswordPolicy{s: s},
		&IAMGroups{s: s},
		&IAMRoles{s: s},
		&IAMPolicies{s: s},
		&KMSKeys{s: s},
		&RDSDatabases{s: s},
		&EBSEncryption{s: s},
		&EC2PublicImages{s: s},
		&RDSPublicSnapshots{s: s},
		&LogGroups{s: s},
		&CloudTrailTrails{s: s},
		&GuardDutyDetectors{s: s},
		&GuardDutyFindings{s: s},
		&EC2Instances{s: s},
		&ShieldSubscription{s: s},
		&ELBv2Listeners{s: s},
		&CloudFrontDistributions{s: s},
		&BackupPlans{s: s},
		&BackupCoverage{s: s},
		&SecurityGroups{s: s},
		&VPCs{s: s},
		&SecretsManagerSecrets{s: s},
		&SSMParameters{s: s},
		&CloudWatchAlarms{s: s},
		&SecurityAlarms{s: s},
		&ResourceAlarms{s: s},
		&SecurityHubFindings{s: s},
		&SecurityHubStandards{s: s},
		&ConfigRecorders{s: s},
		&WAFAssociations{s: s},
		&RedshiftClusters{s: s},
		&OpenSearchDomains{s: s},
		&Environment{s: s},
		&VPCPeering{s: s},
		&AccessAnalyzers{s: s},
		&EFSFileSystems{s: s},
		&DynamoDBTables{s: s},
		&ELBv2LoadBalancers{s: s},
	}
	return s
}

// Name returns "aws".
func (s *Source) Name() string { return SourceName }

// Collectors returns every AWS collector.
func (s *Source) Collectors() []collectors.Collector {
	out := make([]collectors.Collector, len(s.collectors))
	for i, c := range s.collectors {
		out[i] = c
	}
	return out
}

// Plan finds the accounts and regions to collect from and returns one job
// per enabled collector, account and (for regional collectors) region. It
// calls sts:GetCallerIdentity, organizations:ListAccounts when
// Organization.Enabled, and ec2:DescribeRegions when Regions is empty.
func (s *Source) Plan(ctx context.Context, enabled func(collectorID string) bool) ([]collectors.Job, error) {
	var active []regionalCollector
	for _, c := range s.collectors {
		if enabled(c.Describe().ID) {
			active = append(active, c)
		}
	}
	if len(active) == 0 {
		return nil, nil
	}
	base, err := s.baseConfig(ctx)
	if err != nil {
		return nil, err
	}
	id, err := sts.NewFromConfig(base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("aws sts GetCallerIdentity: %w", apiError("sts:GetCallerIdentity", err))
	}
	caller := awssdk.ToString(id.Account)
	partition := "aws"
	if a, err := arn.Parse(awssdk.ToString(id.Arn)); err == nil {
		partition = a.Partition
	}
	accounts := map[string]awssdk.Config{caller: base}
	others := slices.Clone(s.cfg.Accounts)
	if s.cfg.Organization.Enabled {
		ids, err := s.organizationAccounts(ctx, base)
		if err != nil {
			return nil, err
		}
		others = append(others, ids...)
	}
	for _, acct := range others {
		if _, ok := accounts[acct]; ok {
			continue
		}
		accounts[acct] = s.assume(base, fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, acct, s.cfg.roleName()))
	}
	regions := slices.Clone(s.cfg.Regions)
	if len(regions) == 0 {
		regions, err = s.enabledRegions(ctx, base)
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(regions)
	regions = slices.Compact(regions)

	// One set of limits and adaptive windows per account, as AWS
	// throttles per account.
	for id, cfg := range accounts {
		cfg.APIOptions = append(slices.Clone(cfg.APIOptions), newAdaptive().middleware())
		if len(s.cfg.RateLimits) > 0 {
			cfg.APIOptions = append(cfg.APIOptions, newRateLimits(s.cfg.RateLimits).middleware())
		}
		accounts[id] = cfg
	}
	s.mu.Lock()
	s.accounts = accounts
	s.caller = caller
	s.mu.Unlock()

	ids := make([]string, 0, len(accounts))
	for a := range accounts {
		ids = append(ids, a)
	}
	slices.Sort(ids)
	var jobs []collectors.Job
	for _, acct := range ids {
		for _, c := range active {
			if !c.regional() {
				jobs = append(jobs, collectors.Job{Collector: c, Target: evidence.Target{Source: SourceName, Account: acct}})
				continue
			}
			for _, r := range regions {
				jobs = append(jobs, collectors.Job{Collector: c, Target: evidence.Target{Source: SourceName, Account: acct, Region: r}})
			}
		}
	}
	slog.DebugContext(ctx, "planned aws jobs", "source", SourceName, "accounts", len(ids), "regions", len(regions), "jobs", len(jobs))
	return jobs, nil
}

// baseConfig returns the injected configuration or loads the default one,
// with raw capture and adaptive retries installed.
func (s *Source) baseConfig(ctx context.Context) (awssdk.Config, error) {
	var cfg awssdk.Config
	if s.cfg.AWS != nil {
		cfg = s.cfg.AWS.Copy()
	} else {
		var opts []func(*config.LoadOptions) error
		if s.cfg.Profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(s.cfg.Profile))
		}
		loaded, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return awssdk.Config{}, fmt.Errorf("aws load config: %w", err)
		}
		cfg = loaded
	}
	if s.cfg.EndpointURL != "" {
		cfg.BaseEndpoint = awssdk.String(s.cfg.EndpointURL)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	cfg.HTTPClient = captureClient(cfg.HTTPClient)
	attempts, backoff := s.cfg.maxAttempts(), s.cfg.MaxBackoff
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
				so.MaxAttempts = attempts
				if backoff > 0 {
					so.MaxBackoff = backoff
					so.Backoff = retry.NewExponentialJitterBackoff(backoff)
				}
			})
		})
	}
	cfg.RetryMaxAttempts = 0
	s.mu.Lock()
	s.home = cfg.Region
	s.mu.Unlock()
	return cfg, nil
}

// assume returns a copy of base whose credentials come from assuming role.
func (s *Source) assume(base awssdk.Config, role string) awssdk.Config {
	cfg := base.Copy()
	cfg.Credentials = awssdk.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "attest"
	}))
	return cfg
}

// organizationAccounts lists the active accounts of the organisation.
func (s *Source) organizationAccounts(ctx context.Context, base awssdk.Config) ([]string, error) {
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(base), &organizations.ListAccountsInput{})
	var ids []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws organizations ListAccounts: %w", apiError("organizations:ListAccounts", err))
		}
		for _, a := range page.Accounts {
			if a.State == orgtypes.AccountStateActive || (a.State == "" && a.Status == orgtypes.AccountStatusActive) {
				ids = append(ids, awssdk.ToString(a.Id))
			}
		}
	}
	return ids, nil
}

// enabledRegions lists the regions enabled for the caller's account.
func (s *Source) enabledRegions(ctx context.Context, base awssdk.Config) ([]string, error) {
	out, err := ec2.NewFromConfig(base).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, fmt.Errorf("aws ec2 DescribeRegions: %w", apiError("ec2:DescribeRegions", err))
	}
	var regions []string
	for _, r := range out.Regions {
		regions = append(regions, awssdk.ToString(r.RegionName))
	}
	return regions, nil
}

// config returns the SDK configuration for target, in the target's region
// or, for global collectors, the home region.
func (s *Source) config(target evidence.Target) (awssdk.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, ok := s.accounts[target.Account]
	if !ok {
		return awssdk.Config{}, fmt.Errorf("aws: account %q was not planned", target.Account)
	}
	cfg = cfg.Copy()
	if target.Region != "" {
		cfg.Region = target.Region
	} else if s.home != "" {
		cfg.Region = s.home
	}
	return cfg, nil
}
