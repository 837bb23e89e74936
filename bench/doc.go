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
// against MinCalls: the fewest calls the enabled controls need, derived
// from what their rules read. RuleReads parses every rule and where clause
// of the built-in library and collects the attributes they read (r.NAME);
// the table needs (mincalls.go) says which call yields which attributes and
// how many calls it takes for an organisation of a size, and MinCalls
// charges a call only when a rule reads one of its attributes (and, for
// attributes read only under a where clause, only for the resources the
// where selects). Listings are charged at the fewest pages the API allows,
// once however many collectors read them; operations the table does not
// know yet are charged at what they cost and reported as unmodelled_calls.
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
