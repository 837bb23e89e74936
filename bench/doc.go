// Package bench measures how fast attest collects a large organisation.
//
// It builds a simulated organisation from a seed (AWSOrg, GitHubOrg), serves
// it from the AWS and GitHub fakes behind awsfake.Limits and
// githubfake.Limits, which add a latency to every call, apply the
// providers' rate limits (AWS: a token bucket per account and API, answered
// with Throttling or SlowDown; GitHub: 5,000 requests per hour and a bound
// on concurrent requests, answered with 403 and X-RateLimit-Reset or
// Retry-After) and count every call, and runs the real sources through the
// real collectors.Runner into a bundle on disk (Collect).
//
// BenchmarkCollectMediumOrg reports, next to the wall time, the calls made
// against MinCalls (whose doc comment gives the formula per collector: the
// fewest calls the enabled controls need with the batch APIs that exist,
// iam:GetAccountAuthorizationDetails and GitHub GraphQL, each list read
// once) and the wall time against LowerBound (the largest of minimal calls
// × latency / calls allowed in flight, the biggest job's critical path, and
// the rate limits). Operations of collectors the formula does not model
// yet (added after it was written) count with the calls they made and are
// reported as unmodelled_calls; extend MinCalls when a collector lands.
//
// The default size is the medium organisation of the scale work; sizes and
// limits come from environment variables, so that a smaller or larger
// organisation is one command away:
//
//	ATTEST_BENCH_ACCOUNTS (10)   ATTEST_BENCH_REGIONS (3)  ATTEST_BENCH_BUCKETS (200 per account)
//	ATTEST_BENCH_REPOS (2000)    ATTEST_BENCH_IDENTITIES (5000)  ATTEST_BENCH_LATENCY (30ms)
//	ATTEST_BENCH_CONCURRENCY (8 jobs)  ATTEST_BENCH_CALL_CONCURRENCY (4 calls per job)
//	ATTEST_BENCH_AWS_RATE (20 calls/s per account and API, burst twice that)
//	ATTEST_BENCH_GITHUB_PER_HOUR (5000)  ATTEST_BENCH_GITHUB_MAX_CONCURRENT (100)
//	ATTEST_BENCH_OPS (a file to write the calls per operation to)
//
// The fakes sleep for the latency; that is fine in a benchmark and never
// done in unit tests.
package bench
