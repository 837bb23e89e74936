// Package bench measures how fast attest collects a large organisation.
//
// It builds a simulated organisation from a seed (AWSOrg, GitHubOrg), serves
// it over TLS from the AWS and GitHub fakes behind awsfake.Limits and
// githubfake.Limits, which add a latency to every call, count every call
// and, when Options.Limits is set, enforce the providers' documented limits
// (AWS: the token buckets of awsfake.DocumentedBucket per account, region
// and API, answered with Throttling, RequestLimitExceeded or SlowDown;
// GitHub: Providers, the primary limits per hour and the secondary limits
// of 900 REST and 2,000 GraphQL points a minute and 100 requests in
// flight, answered with 403 and X-RateLimit-Reset or Retry-After), and
// runs the real sources, with the HTTP transport attest uses, through the
// real collectors.Runner into a bundle on disk (Collect).
//
// BenchmarkCollectMediumOrg reports, from one run, the calls made against
// MinCalls: the fewest calls the enabled controls need, derived from what
// their rules read. RuleReads parses every rule and where clause of the
// built-in library and collects the attributes they read (r.NAME); the
// table needs (mincalls.go) says which call yields which attributes and
// how many calls it takes for an organisation of a size, and MinCalls
// charges a call only when a rule reads one of its attributes (and, for
// attributes read only under a where clause, only for the resources the
// where selects). Listings are charged at the fewest pages the API allows,
// once however many collectors read them; operations the table does not
// know yet are charged at what they cost and reported as unmodelled_calls.
// It reports the wall time against Floor, the shortest collection the
// simulated limits allow for those calls whatever the client's
// concurrency, in all and per source, GitHub's REST and GraphQL calls per
// repository, and the peak heap and resident memory.
// BenchmarkCollectPeakRSS reports the peak memory at four times the medium
// size of attest's collection alone: it runs the collection in a child
// process (the test binary again, TestCollectChild, with ChildEnv naming
// the job), as a user's attest collect runs without the fakes, and reads
// the child's peak resident memory when it exits. Both append their rows
// to the targets table make bench prints (ATTEST_BENCH_TABLE).
//
// BenchmarkEvaluateCLI (evaluate_test.go) times `attest evaluate` and
// `attest report` from a synthetic bundle on disk and adds two rows:
// `attest evaluate`'s part at 1,000,000 resources (wall, CPU, peak RSS)
// and, at 100,000, the HTML report's size and the time headless Chromium
// takes to open it (measured in the page from its Navigation Timing and a
// forced layout; "not measured" without Chromium).
//
// BenchmarkCollectMicrosoftAndGitLab does the same, per source, for a
// simulated Entra ID tenant, Azure estate and GitLab group (EntraTenant,
// AzureEstate, GitLabGroup) behind the limits of entrafake.Limits,
// azurefake.Limits and gitlabfake.Limits (fakeapi.Limits token buckets:
// Graph's resource units and reports requests per app and tenant, Resource
// Manager's reads per subscription, GitLab.com's requests per user),
// apart from the medium organisation, whose GitHub limits alone take
// minutes.
//
// The default size is the medium organisation of the scale work; sizes
// come from environment variables, so that a smaller or larger
// organisation is one command away:
//
//	ATTEST_BENCH_ACCOUNTS (10)   ATTEST_BENCH_REGIONS (3)  ATTEST_BENCH_BUCKETS (200 per account)
//	ATTEST_BENCH_REPOS (2000)    ATTEST_BENCH_IDENTITIES (5000)  ATTEST_BENCH_LATENCY (30ms)
//	ATTEST_BENCH_CONCURRENCY (8 jobs)  ATTEST_BENCH_CALL_CONCURRENCY (0: each source's default)
//	ATTEST_BENCH_LIMITS (1: the documented provider limits; 0: latency only)
//	ATTEST_BENCH_SCALE (4: the size of BenchmarkCollectPeakRSS, in mediums)
//	ATTEST_BENCH_INPROCESS (0; 1: BenchmarkCollectPeakRSS collects in its own
//	  process and reports the whole process's peak, the fakes' included)
//	ATTEST_BENCH_ENTRA_USERS (5000)  ATTEST_BENCH_CA_POLICIES (20)  ATTEST_BENCH_AZURE_SUBSCRIPTIONS (10)
//	ATTEST_BENCH_GITLAB_PROJECTS (2000)  ATTEST_BENCH_GITLAB_MEMBERS (5000)
//	ATTEST_BENCH_OPS (a file to write the calls per operation to)
//	ATTEST_BENCH_TABLE (a file to append the targets table's rows to)
//	ATTEST_BENCH_EVAL_SIZES (10000,100000; make bench: 10000,100000,1000000)
//	ATTEST_BENCH_EVAL_1M (1: add 1000000 to the default sizes)
//	ATTEST_BENCH_EVAL_OUT (a directory to keep the reports in)
//	ATTEST_BENCH_EVAL_BUNDLES (a directory to keep and reuse the bundles in)
//	ATTEST_BENCH_HEAPPROF (a file to write a heap profile to near the peak;
//	  with the child process, of the child's heap)
//
// The fakes sleep for the latency and the limits; that is fine in a
// benchmark and never done in unit tests.
package bench
