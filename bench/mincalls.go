package bench

import (
	"strings"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// Calls maps an operation to a number of calls.
type Calls map[string]int64

// Total returns the sum of the calls.
func (c Calls) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

func (c Calls) add(o Calls) {
	for k, v := range o {
		c[k] += v
	}
}

func pages(items, perPage int) int64 { return int64(max(1, (items+perPage-1)/perPage)) }

// GraphQLRepoBatch is how many repositories one GitHub GraphQL query
// covers: the github collectors read branch protection and rulesets,
// Dependabot alerts and merged pull requests with the repository list,
// this many repositories a page.
const GraphQLRepoBatch = 50

// reviewBatch is how many sampled pull requests one GraphQL query reads
// the reviews of, and reviewSample the github source's default
// review_sample_size.
const reviewBatch, reviewSample = 25, 25

// MinCalls returns the fewest calls the collectors that ran need for an
// organisation of size sz, per operation, with the batch APIs that exist:
// iam:GetAccountAuthorizationDetails for every user's attached policies
// and groups (1,000 users a page), and GitHub GraphQL for the
// per-repository reads GraphQL serves (branch protection, rulesets,
// Dependabot alerts, pull requests and reviews). Each list is read once.
//
// Per collector, with A accounts, R regions, B buckets and U IAM users per
// account, V volumes, D DB instances and K keys per account and region, N
// repositories and M members:
//
//	plan (aws)            sts:GetCallerIdentity 1, organizations:ListAccounts ⌈A/20⌉, sts:AssumeRole A-1
//	aws.s3                A × (s3:ListBuckets 1 + B × 8: encryption, versioning, public access block, policy, lifecycle, replication, tags, logging)
//	aws.iam.credentials   A × (GenerateCredentialReport 1 + GetCredentialReport 1 + GetAccountAuthorizationDetails ⌈(U+G)/1000⌉)
//	aws.iam.groups        A × GetAccountAuthorizationDetails ⌈G/1000⌉ (the simulated organisation has no groups: G = 0)
//	aws.iam.password_policy  A
//	aws.kms               A × R × (ListKeys ⌈K/1000⌉ + K × 2: DescribeKey, GetKeyRotationStatus)
//	aws.ebs               A × R × (GetEbsEncryptionByDefault 1 + DescribeVolumes ⌈V/500⌉)
//	aws.rds               A × R × (DescribeDBInstances ⌈D/100⌉ + DescribeDBClusters 1)
//	aws.guardduty         A × R × (ListDetectors 1 + GetDetector 1)
//	aws.cloudtrail        A × (R × DescribeTrails 1 + GetTrailStatus 1 per trail)
//	aws.backup            A × R × (ListBackupPlans 1 + ListBackupVaults 1)
//	aws.elbv2             A × R × DescribeLoadBalancers 1
//	aws.elbv2.load_balancers  A × R × DescribeLoadBalancers 1 (+ DescribeLoadBalancerAttributes per load balancer; the simulated organisation has none)
//	aws.accessanalyzer    A × R × ListAnalyzers 1
//	aws.efs               A × R × DescribeFileSystems 1 (+ DescribeBackupPolicy per file system; none simulated)
//	aws.dynamodb          A × R × ListTables 1 (+ DescribeTable and DescribeContinuousBackups per table; none simulated)
//	aws.cloudfront        A × ListDistributions 1
//	github.org            org 1, members ⌈M/100⌉ + owners (role=admin) 1 + 2FA-disabled filter 1, outside collaborators 1
//	github.repos          ⌈N/50⌉ GraphQL
//	github.sast           repository list ⌈N/100⌉ + N × code scanning analyses 1 (REST only)
//	github.alerts         ⌈N/50⌉ GraphQL + N × secret scanning 1 (REST only)
//	github.reviews        ⌈N/50⌉ GraphQL + ⌈25/25⌉ GraphQL for the sample's reviews
func MinCalls(sz Size, runs []evidence.Run) Calls {
	ran := map[string]bool{}
	for _, r := range runs {
		ran[r.Collector] = true
	}
	A, R := int64(sz.Accounts), int64(sz.Regions)
	U := sz.Identities / 2 / max(sz.Accounts, 1)
	N, M := int64(sz.Repos), sz.Identities/2
	gql := pages(sz.Repos, GraphQLRepoBatch)
	scaled := func(k int64) func(Calls) Calls {
		return func(c Calls) Calls {
			out := Calls{}
			for op, v := range c {
				out[op] = v * k
			}
			return out
		}
	}
	perA, perAR := scaled(A), scaled(A*R)
	byCollector := map[string]Calls{
		"aws.s3": perA(Calls{"s3:ListBuckets": 1, "s3:GetBucketEncryption": int64(sz.Buckets), "s3:GetBucketVersioning": int64(sz.Buckets),
			"s3:GetPublicAccessBlock": int64(sz.Buckets), "s3:GetBucketPolicy": int64(sz.Buckets), "s3:GetBucketLifecycleConfiguration": int64(sz.Buckets),
			"s3:GetBucketReplication": int64(sz.Buckets), "s3:GetBucketTagging": int64(sz.Buckets), "s3:GetBucketLogging": int64(sz.Buckets)}),
		"aws.iam.credentials": perA(Calls{"iam:GenerateCredentialReport": 1, "iam:GetCredentialReport": 1,
			"iam:GetAccountAuthorizationDetails": pages(U, 1000)}),
		"aws.iam.groups":           perA(Calls{"iam:GetAccountAuthorizationDetails": 1}),
		"aws.iam.password_policy":  perA(Calls{"iam:GetAccountPasswordPolicy": 1}),
		"aws.kms":                  perAR(Calls{"kms:ListKeys": pages(KeysPerRegion, 1000), "kms:DescribeKey": KeysPerRegion, "kms:GetKeyRotationStatus": KeysPerRegion}),
		"aws.ebs":                  perAR(Calls{"ec2:GetEbsEncryptionByDefault": 1, "ec2:DescribeVolumes": pages(VolumesPerRegion, 500)}),
		"aws.rds":                  perAR(Calls{"rds:DescribeDBInstances": pages(DBsPerRegion, 100), "rds:DescribeDBClusters": 1}),
		"aws.guardduty":            perAR(Calls{"guardduty:ListDetectors": 1, "guardduty:GetDetector": 1}),
		"aws.cloudtrail":           Calls{"cloudtrail:DescribeTrails": A * R, "cloudtrail:GetTrailStatus": A},
		"aws.backup":               perAR(Calls{"backup:ListBackupPlans": 1, "backup:ListBackupVaults": 1}),
		"aws.elbv2":                perAR(Calls{"elasticloadbalancing:DescribeLoadBalancers": 1}),
		"aws.cloudfront":           perA(Calls{"cloudfront:ListDistributions": 1}),
		"aws.elbv2.load_balancers": perAR(Calls{"elasticloadbalancing:DescribeLoadBalancers": 1}),
		"aws.accessanalyzer":       perAR(Calls{"access-analyzer:ListAnalyzers": 1}),
		"aws.efs":                  perAR(Calls{"elasticfilesystem:DescribeFileSystems": 1}),
		"aws.dynamodb":             perAR(Calls{"dynamodb:ListTables": 1}),
		"github.org":               {"GET /orgs/{org}": 1, "GET /orgs/{org}/members": pages(M, 100) + 2, "GET /orgs/{org}/outside_collaborators": 1},
		"github.repos":             {"POST /graphql": gql},
		"github.sast":              {"GET /orgs/{org}/repos": pages(sz.Repos, 100), "GET /repos/{owner}/{repo}/code-scanning/analyses": N},
		"github.alerts":            {"POST /graphql": gql, "GET /repos/{owner}/{repo}/secret-scanning/alerts": N},
		"github.reviews":           {"POST /graphql": gql + pages(reviewSample, reviewBatch)},
	}
	out := Calls{}
	anyAWS := false
	for id, c := range byCollector {
		if !ran[id] {
			continue
		}
		out.add(c)
		anyAWS = anyAWS || strings.HasPrefix(id, "aws.")
	}
	if anyAWS {
		out.add(Calls{"sts:GetCallerIdentity": 1, "organizations:ListAccounts": pages(sz.Accounts, 20), "sts:AssumeRole": A - 1})
	}
	return out
}

// opCollector names the collector that makes each operation of the
// formula, for the critical path.
func opCollector(op string) string {
	switch {
	case strings.HasPrefix(op, "s3:"):
		return "aws.s3"
	case strings.HasPrefix(op, "iam:GetAccountPasswordPolicy"):
		return "aws.iam.password_policy"
	case strings.HasPrefix(op, "iam:"):
		return "aws.iam.credentials"
	case strings.HasPrefix(op, "kms:"):
		return "aws.kms"
	case strings.HasPrefix(op, "ec2:"):
		return "aws.ebs"
	case strings.Contains(op, "/code-scanning/"):
		return "github.sast"
	case strings.Contains(op, "/secret-scanning/"):
		return "github.alerts"
	}
	return ""
}

// LowerBound returns the shortest possible collection of the calls min
// made by runs, the largest of three bounds:
//
//   - work: every call takes the latency, and at most Concurrency jobs ×
//     CallConcurrency calls are in flight;
//   - critical path: the biggest single job (one collector on one target)
//     makes its per-resource calls CallConcurrency at a time, and reads
//     the pages of a GraphQL repository listing one after the other;
//   - rate: AWS serves each account at most AWSRate calls per second per
//     API after a burst of twice that, and GitHub GitHubPerHour calls an
//     hour.
func LowerBound(min Calls, runs []evidence.Run, o Options) time.Duration {
	callConc := int64(max(o.CallConcurrency, 1))
	work := time.Duration(min.Total()) * o.Latency / time.Duration(int64(max(o.Concurrency, 1))*callConc)
	targets := map[string]int64{}
	for _, r := range runs {
		targets[r.Collector]++
	}
	perJob := map[string]int64{}
	var github int64
	for op, n := range min {
		if c := opCollector(op); c != "" && targets[c] > 0 {
			perJob[c] += n / targets[c]
		}
		if strings.HasPrefix(op, "GET ") || strings.HasPrefix(op, "POST ") {
			github += n
		}
	}
	var path time.Duration
	for _, n := range perJob {
		path = max(path, time.Duration((n+callConc-1)/callConc)*o.Latency)
	}
	// A GraphQL repository listing is read one page after the other.
	if targets["github.repos"]+targets["github.alerts"]+targets["github.reviews"] > 0 {
		path = max(path, time.Duration(pages(o.Size.Repos, GraphQLRepoBatch))*o.Latency)
	}
	var rate time.Duration
	if o.AWSRate > 0 && o.Size.Accounts > 0 {
		for op, n := range min {
			if !strings.Contains(op, ":") || strings.Contains(op, " ") {
				continue
			}
			perAccount := float64(n) / float64(o.Size.Accounts)
			if over := perAccount - 2*o.AWSRate; over > 0 {
				rate = max(rate, time.Duration(over/o.AWSRate*float64(time.Second)))
			}
		}
	}
	if o.GitHubPerHour > 0 && github > int64(o.GitHubPerHour) {
		rate = max(rate, time.Duration((github-int64(o.GitHubPerHour))*int64(time.Hour)/int64(o.GitHubPerHour)))
	}
	return max(work, path, rate)
}
