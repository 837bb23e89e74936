package gitlab

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

const scanKey = "/api/graphql first"

// scanServer serves fx, GraphQL queries keyed by scanKey, and checks the
// token.
func scanServer(t *testing.T, fx fixtures) *httptest.Server {
	t.Helper()
	return apitest.NewServer(t, fx, apitest.Options{Ignore: []string{"per_page"}, FirstPage: "page", ReadPosts: []string{"/api/graphql"}, PostKey: graphQLKey,
		Check: apitest.Header("Private-Token", "glpat-test")})
}

// docsScanning is what pipeline_latest.json and jobs.json (and the same
// pipeline in scanning_graphql.json) say.
var docsScanning = map[string]any{
	"last_pipeline_at": "2022-09-21T01:05:07Z", "last_pipeline_status": "success",
	"sast_jobs": []string{"semgrep-sast"}, "last_sast_at": "2022-09-21T01:05:40Z",
	"secret_detection_jobs": []string{"secret_detection"}, "last_secret_detection_at": "", // the job failed
	"dependency_scanning_jobs": []string{}, "last_dependency_scanning_at": "",
}

func scanOne(t *testing.T, fx fixtures, mod func(*Config)) (*evidence.Resource, *apitest.Sink) {
	t.Helper()
	s, err := run(t, testSource(scanServer(t, fixtures{projectsKey: {Body: "projects.json"}}.With(fx)), mod), "gitlab.scanning", nil)
	if err != nil {
		t.Fatal(err)
	}
	rs := s.ByType(typeScanning)
	if len(rs) != 1 {
		t.Fatalf("%d resources", len(rs))
	}
	return &rs[0], s
}

func wantAttrs(t *testing.T, r *evidence.Resource, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if !equal(r.Attributes[k], v) {
			t.Errorf("%s = %#v, want %#v", k, r.Attributes[k], v)
		}
	}
}

func TestScanningOneGraphQLQuery(t *testing.T) {
	t.Parallel()
	r, s := scanOne(t, fixtures{scanKey: {Body: "scanning_graphql.json"}}, nil)
	if len(s.Failures) != 0 {
		t.Fatalf("failures %v", s.Failures)
	}
	wantAttrs(t, r, docsScanning)
	wantAttrs(t, r, map[string]any{"codeowners_file": true, "codeowners_path": ".gitlab/CODEOWNERS"})
}

// TestScanningCodeownersFile: the CODEOWNERS file GitLab uses is the first
// of the root, docs/ and .gitlab/ that exists; none found is evidence.
func TestScanningCodeownersFile(t *testing.T) {
	t.Parallel()
	r, _ := scanOne(t, fixtures{scanKey: {Body: "scanning_graphql_no_pipeline.json"}}, nil)
	wantAttrs(t, r, map[string]any{"codeowners_file": true, "codeowners_path": "CODEOWNERS"})
	r, s := scanOne(t, fixtures{
		scanKey:                                 {Body: "scanning_graphql_more_jobs.json"},
		"/api/v4/projects/9/pipelines/287/jobs": {Body: "jobs.json"},
	}, nil)
	if len(s.Failures) != 0 || len(r.Gaps) != 0 {
		t.Fatalf("failures %v gaps %v", s.Failures, r.Gaps)
	}
	wantAttrs(t, r, map[string]any{"codeowners_file": false, "codeowners_path": ""})
}

// TestScanningCodeownersUnanswered: null blobs, or an error on them alone,
// leave the CODEOWNERS file unknown (a gap, never false) while the
// pipeline facts of the same answer are recorded.
func TestScanningCodeownersUnanswered(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"scanning_graphql_blobs_null.json", "scanning_graphql_blobs_error.json"} {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			r, s := scanOne(t, fixtures{scanKey: {Body: f}}, nil)
			if !slices.Equal(s.Kinds(), []evidence.FailureKind{evidence.Errored}) {
				t.Fatalf("kinds %v (%v)", s.Kinds(), s.Failures)
			}
			for _, a := range []string{"codeowners_file", "codeowners_path"} {
				if _, ok := r.Attributes[a]; ok || !hasGap(*r, a, evidence.Errored) {
					t.Errorf("%s: attrs %v gaps %v, want a gap", a, r.Attributes, r.Gaps)
				}
			}
			wantAttrs(t, r, docsScanning)
		})
	}
}

// TestScanningMoreJobsThanOnePage: a pipeline with more jobs than the query
// asked for is read over REST, never judged on the first page.
func TestScanningMoreJobsThanOnePage(t *testing.T) {
	t.Parallel()
	r, s := scanOne(t, fixtures{
		scanKey:                                 {Body: "scanning_graphql_more_jobs.json"},
		"/api/v4/projects/9/pipelines/287/jobs": {Body: "jobs.json"},
	}, nil)
	if len(s.Failures) != 0 {
		t.Fatalf("failures %v", s.Failures)
	}
	wantAttrs(t, r, docsScanning)
}

// TestScanningStalePipelineAsksREST: the newest pipeline of the branch is
// for an older commit, so the head commit's pipeline comes from GET
// /pipelines/latest, as before.
func TestScanningStalePipelineAsksREST(t *testing.T) {
	t.Parallel()
	r, s := scanOne(t, fixtures{
		scanKey: {Body: "scanning_graphql_stale.json"},
		"/api/v4/projects/9/pipelines/latest?ref=main": {Body: "pipeline_latest.json"},
		"/api/v4/projects/9/pipelines/287/jobs":        {Body: "jobs.json"},
	}, nil)
	if len(s.Failures) != 0 {
		t.Fatalf("failures %v", s.Failures)
	}
	wantAttrs(t, r, docsScanning)
}

func TestScanningNoPipelineIsEvidence(t *testing.T) {
	t.Parallel()
	r, s := scanOne(t, fixtures{scanKey: {Body: "scanning_graphql_no_pipeline.json"}}, nil)
	if len(s.Failures) != 0 || len(r.Gaps) != 0 {
		t.Fatalf("failures %v gaps %v", s.Failures, r.Gaps)
	}
	wantAttrs(t, r, map[string]any{"last_pipeline_at": "", "sast_jobs": []string{}, "last_sast_at": "", "last_secret_detection_at": ""})
}

func TestScanningEmptyGroupSendsNoQuery(t *testing.T) {
	t.Parallel()
	s, err := run(t, testSource(scanServer(t, fixtures{projectsKey: {Body: "[]"}}), nil), "gitlab.scanning", nil)
	if err != nil || len(s.Failures) != 0 || len(s.Resources) != 0 {
		t.Fatalf("err %v failures %v resources %v", err, s.Failures, s.Resources)
	}
}

// TestScanningQueryFailuresAreGaps: whatever stops the query from
// answering leaves the project's scanners unknown, never "none ran".
func TestScanningQueryFailuresAreGaps(t *testing.T) {
	t.Parallel()
	hang, _ := apitest.Blocking()
	for name, tc := range map[string]struct {
		reply reply
		kind  evidence.FailureKind
	}{
		"404 endpoint":         {reply{Status: 404, Body: "errors/group_not_found.json"}, evidence.Errored},
		"403":                  {forbidden, evidence.Denied},
		"429":                  {rateLimited, evidence.Throttled},
		"500":                  {reply{Status: 500, Body: `{"message":"500 Internal Server Error"}`}, evidence.Errored},
		"null project":         {reply{Body: "scanning_graphql_null.json"}, evidence.Errored},
		"error on the project": {reply{Body: "scanning_graphql_error.json"}, evidence.Errored},
		"complexity":           {reply{Body: "scanning_graphql_complexity.json"}, evidence.Errored},
		"error on the query":   {reply{Body: "scanning_graphql_error_whole.json"}, evidence.Errored},
		"hang":                 {hang, evidence.Timeout},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := scanServer(t, fixtures{projectsKey: {Body: "projects.json"}, scanKey: tc.reply})
			hc := srv.Client()
			hc.Timeout = 300 * time.Millisecond
			s, err := run(t, testSource(srv, func(c *Config) { c.HTTPClient = hc }), "gitlab.scanning", nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Kinds(), []evidence.FailureKind{tc.kind}) {
				t.Fatalf("kinds %v, want %v (%v)", s.Kinds(), tc.kind, s.Failures)
			}
			r := s.ByType(typeScanning)[0]
			for _, a := range []string{"last_sast_at", "codeowners_file"} {
				if _, ok := r.Attributes[a]; ok || !hasGap(r, a, tc.kind) {
					t.Errorf("%s: attrs %v gaps %v, want a %s gap", a, r.Attributes, r.Gaps, tc.kind)
				}
			}
		})
	}
}

func TestScanningCancelledMidQuery(t *testing.T) {
	t.Parallel()
	hang, started := apitest.Blocking()
	srv := scanServer(t, fixtures{projectsKey: {Body: "projects.json"}, scanKey: hang})
	_, err := run(t, testSource(srv, nil), "gitlab.scanning", started)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestScanningSplitsOnComplexity: a query GitLab refuses for its
// complexity is asked again in halves, and the answers are the same.
func TestScanningSplitsOnComplexity(t *testing.T) {
	t.Parallel()
	st := largeEstate(1, 7)
	st.MaxComplexity = 70 // two projects per query
	st.Groups[0].Subgroups[0].Projects[3].Pipeline.Stale = true
	st.OnUnexpected = t.Errorf
	cnt := &counting{next: gitlabfake.NewHandler(st), n: map[string]int{}}
	srv := httptest.NewServer(cnt)
	defer srv.Close()
	zero := 0
	src := NewSource(Config{Groups: []string{"big"}, BaseURL: srv.URL, Token: "x", HTTPClient: srv.Client(), MaxRateLimitWaitSeconds: &zero, Now: func() time.Time { return fakeNow }})
	s, err := apitest.Collect(t, src.Collectors(), "gitlab.scanning", evidence.Target{Source: SourceName, Account: "big"}, nil)
	if err != nil || len(s.Failures) != 0 {
		t.Fatalf("err %v failures %v", err, s.Failures)
	}
	rs := s.ByType(typeScanning)
	if len(rs) != 7 {
		t.Fatalf("%d resources", len(rs))
	}
	for _, r := range rs {
		stale := r.Name == "big/team-00/svc-1004"
		if got := r.Attributes["last_sast_at"]; (got == "") != stale {
			t.Errorf("%s: last_sast_at %v (stale %v)", r.Name, got, stale)
		}
	}
	// 5 then 2 projects: 5 refused, 2+3, 3 refused, 1+2: 6 queries; the
	// stale pipeline's project asks REST for the head commit's pipeline.
	if cnt.n["POST /api/graphql"] != 6 || cnt.n[opLatestPipeline] != 1 || cnt.n[opPipelineJobs] != 0 {
		t.Errorf("calls %v", cnt.n)
	}
}
