package bench

import (
	"math"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/fake/awsfake"
	"github.com/attestdev/attest/internal/fake/azurefake"
	"github.com/attestdev/attest/internal/fake/entrafake"
	"github.com/attestdev/attest/internal/fake/fakeapi"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

// ProviderLimits are the limits the simulated providers enforce when a
// benchmark enables them, as the providers document them.
type ProviderLimits struct {
	// GitHubPerHour is the REST primary limit of a token, and
	// GitHubGraphQLPerHour the GraphQL one in points.
	GitHubPerHour, GitHubGraphQLPerHour int
	// GitHubRESTPointsPerMinute and GitHubGraphQLPointsPerMinute are the
	// secondary limits: a GET or a query costs 1 point.
	GitHubRESTPointsPerMinute, GitHubGraphQLPointsPerMinute int
	// GitHubMaxConcurrent is the secondary limit on requests in flight,
	// REST and GraphQL together.
	GitHubMaxConcurrent int
}

// Providers are GitHub's documented limits for a personal access token
// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api,
// https://docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api).
// AWS's come from awsfake.DocumentedBucket.
var Providers = ProviderLimits{
	GitHubPerHour: 5000, GitHubGraphQLPerHour: 5000,
	GitHubRESTPointsPerMinute: 900, GitHubGraphQLPointsPerMinute: 2000,
	GitHubMaxConcurrent: 100,
}

// A Bound is one lower bound on the wall time of a collection.
type Bound struct {
	Name string
	D    time.Duration
}

// Floor returns the shortest collection the simulated providers allow for
// the calls min of an organisation of size sz at latency per call, and the
// bound that sets it. It never looks at attest's concurrency settings: a
// client may make as many calls at once as the providers accept. The
// bounds:
//
//   - AWS token buckets: per account, region and API (S3: per bucket), the
//     calls beyond the bucket's burst take (n - burst) / rate;
//   - AWS chain: the calls that depend on each other's answers (caller
//     identity, the account pages, the role, a listing, a per-resource
//     read), one latency each;
//   - GitHub secondary point limits: n points take ⌈n / per minute⌉ - 1
//     minutes plus a latency, for REST and for GraphQL;
//   - GitHub primary limits: the calls beyond one hour's allowance wait for
//     the next hour;
//   - GitHub concurrency: all GitHub calls, latency each, 100 at a time;
//   - GitHub chain: a repository listing's pages follow cursors, one after
//     the other.
func Floor(min Calls, sz Size, latency time.Duration) (Bound, []Bound) {
	var bounds []Bound
	add := func(name string, d time.Duration) { bounds = append(bounds, Bound{name, d}) }
	A, AR := int64(max(sz.Accounts, 1)), int64(max(sz.Accounts*sz.Regions, 1))
	var awsWorst time.Duration
	var rest, gql, aws int64
	bounds = append(bounds, microsoftAndGitLab(min, sz, latency)...)
	for op, n := range min.awsAndGitHub() {
		method, _, isHTTP := strings.Cut(op, " ")
		if isHTTP {
			if method == "POST" && strings.HasSuffix(op, "/graphql") {
				gql += n
			} else {
				rest += n
			}
			continue
		}
		aws += n
		service, operation, _ := strings.Cut(op, ":")
		b := awsfake.DocumentedBucket(service, operation)
		per := n / AR
		switch {
		case service == "s3" && operation != "ListBuckets":
			per = 1 // a bucket of its own per S3 bucket
		case global[service] || op == "s3:ListBuckets":
			per = (n + A - 1) / A
		}
		if over := float64(per) - b.Burst; over > 0 && b.Rate > 0 {
			awsWorst = max(awsWorst, time.Duration(over/b.Rate*float64(time.Second)))
		}
	}
	if awsWorst > 0 {
		add("AWS token buckets", awsWorst+latency)
	}
	if aws > 0 {
		add("AWS dependent calls", time.Duration(pages(sz.Accounts, 20)+4)*latency)
	}
	p := Providers
	minutes := func(n int64, perMinute int) time.Duration {
		if n == 0 || perMinute <= 0 {
			return 0
		}
		return time.Duration((n+int64(perMinute)-1)/int64(perMinute)-1)*time.Minute + latency
	}
	hours := func(n int64, perHour int) time.Duration {
		if n <= int64(perHour) || perHour <= 0 {
			return 0
		}
		return time.Duration((n+int64(perHour)-1)/int64(perHour)-1) * time.Hour
	}
	if rest+gql > 0 {
		add("GitHub REST points per minute", minutes(rest, p.GitHubRESTPointsPerMinute))
		add("GitHub GraphQL points per minute", minutes(gql, p.GitHubGraphQLPointsPerMinute))
		add("GitHub primary limits", max(hours(rest, p.GitHubPerHour), hours(gql, p.GitHubGraphQLPerHour)))
		add("GitHub concurrent requests", time.Duration((rest+gql+int64(p.GitHubMaxConcurrent)-1)/int64(p.GitHubMaxConcurrent))*latency)
		add("GitHub repository list pages", time.Duration(pages(sz.Repos, GraphQLRepoBatch))*latency)
	}
	var floor Bound
	for _, b := range bounds {
		if b.D > floor.D {
			floor = b
		}
	}
	return floor, bounds
}

// global are the AWS services whose limits are per account, not per
// region.
var global = map[string]bool{"iam": true, "sts": true, "organizations": true, "cloudfront": true, "s3control": true, "shield": true}

// Source returns the calls of c that go to source: "aws" (IAM notation,
// service:Action), "github" (METHOD /path), or "entra", "azure" or
// "gitlab" ("source: METHOD /path").
func (c Calls) Source(source string) Calls {
	out := Calls{}
	for op, n := range c {
		src, ok := newSource(op)
		if !ok {
			src = map[bool]string{true: "github", false: "aws"}[strings.Contains(op, " /")]
		}
		if src == source {
			out[op] = n
		}
	}
	return out
}

// awsAndGitHub returns the calls of c to AWS and GitHub.
func (c Calls) awsAndGitHub() Calls {
	out := Calls{}
	for op, n := range c {
		if _, ok := newSource(op); !ok {
			out[op] = n
		}
	}
	return out
}

// newSource returns the source of an Entra ID, Azure or GitLab operation.
func newSource(op string) (string, bool) {
	src, _, ok := strings.Cut(op, ": ")
	if !ok || strings.Contains(src, " ") {
		return "", false
	}
	return src, true
}

// microsoftAndGitLab returns the floor's bounds for the Entra ID, Azure
// and GitLab calls of min:
//
//   - Graph: the identity and access service's resource units (listing
//     users with $select costs 1, an $expand adds 1, other reads 1) and the
//     reports service's requests, each beyond its bucket's burst at its
//     refill rate; the users' pages follow cursors, one after the other;
//   - Resource Manager: each subscription's reads beyond the bucket's 250
//     at 25 a second (the calls spread evenly over the subscriptions), and
//     three dependent calls (SQL servers, their databases, a database's
//     TDE);
//   - GitLab: n requests take ⌈n / 2,000⌉ - 1 minutes plus a latency, and
//     three dependent calls (projects, a project's latest pipeline, its
//     jobs).
func microsoftAndGitLab(min Calls, sz Size, latency time.Duration) []Bound {
	beyond := func(n float64, b fakeapi.Bucket) time.Duration {
		switch {
		case n <= b.Burst:
			return 0
		case b.Window > 0:
			return time.Duration(math.Ceil(n/b.Burst)-1)*b.Window + latency
		case b.Rate <= 0:
			return 0
		}
		return time.Duration((n-b.Burst)/b.Rate*float64(time.Second)) + latency
	}
	var units, reports, arm, gl float64
	for op, n := range min {
		src, rest, _ := strings.Cut(op, ": ")
		switch src {
		case "entra":
			path := strings.TrimPrefix(rest, "GET ")
			bucket, cost := entrafake.Cost(path, path == "/users", strings.HasSuffix(path, "/roleAssignments"))
			switch bucket {
			case "identity":
				units += cost * float64(n)
			case "reports":
				reports += cost * float64(n)
			}
		case "azure":
			arm += float64(n)
		case "gitlab":
			gl += float64(n)
		}
	}
	var out []Bound
	if units+reports > 0 {
		out = append(out,
			Bound{"Entra: " + entrafake.IdentityBucket.Name, beyond(units, entrafake.IdentityBucket)},
			Bound{"Entra: " + entrafake.ReportsBucket.Name, beyond(reports, entrafake.ReportsBucket)},
			Bound{"Entra: user list pages", time.Duration(pages(sz.EntraUsers, 120)) * latency})
	}
	if arm > 0 {
		subs := float64(max(sz.Azure.Subscriptions, 1))
		out = append(out, Bound{"Azure: " + azurefake.ReadBucket.Name, beyond(arm/subs, azurefake.ReadBucket)},
			Bound{"Azure: dependent calls", 3 * latency})
	}
	if gl > 0 {
		out = append(out, Bound{"GitLab: " + gitlabfake.UserBucket.Name, beyond(gl, gitlabfake.UserBucket)},
			Bound{"GitLab: dependent calls", 3 * latency})
	}
	return out
}
