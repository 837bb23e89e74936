package okta

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func TestPoliciesCollector(t *testing.T) {
	t.Parallel()
	const (
		pw    = "/api/v1/policies?type=PASSWORD"
		mfa   = "/api/v1/policies?type=MFA_ENROLL"
		so    = "/api/v1/policies?type=OKTA_SIGN_ON"
		rules = "/api/v1/policies/00ps4tVDDXYVKPXKVLCO/rules"
	)
	happy := fixtures{
		pw:    {Body: "policies_password.json"},
		mfa:   {Body: "policies_mfa_enroll.json"},
		so:    {Body: "policies_sign_on.json"},
		rules: {Body: "rules_sign_on.json"},
	}
	res := func(host, typ, id, name string, attrs map[string]any) evidence.Resource {
		return evidence.Resource{Type: typ, ID: "http://" + host + "/api/v1/policies/" + id, Name: name, Account: host, Attributes: attrs}
	}
	want := func(host string, signOn map[string]any, gaps ...evidence.Gap) []evidence.Resource {
		so := res(host, typeSignOn, "00ps4tVDDXYVKPXKVLCO", "Default Policy", signOn)
		so.Gaps = gaps
		return []evidence.Resource{
			res(host, typeMFAEnroll, "00p1s1kxmf2PoGbgz0g4", "Default Policy", map[string]any{"status": "ACTIVE", "priority": 1, "system": true,
				"required_factors": []any{"okta_otp", "okta_password"}, "required_mfa_factors": []any{"okta_otp"}}),
			res(host, typeMFAEnroll, "00p2authenticators", "Contractors", map[string]any{"status": "ACTIVE", "priority": 2, "system": false,
				"required_factors": []any{"okta_password", "security_question"}, "required_mfa_factors": []any{}}),
			so,
			res(host, typePassword, "00p5ew5zbXi5RK4Fd0g4", "Employees", map[string]any{"status": "ACTIVE", "priority": 1, "system": false,
				"min_length": 14, "min_lower_case": 1, "min_upper_case": 1, "min_number": 1, "min_symbol": 1, "exclude_common": true,
				"history_count": 24, "max_age_days": 0, "lockout_attempts": 5}),
			res(host, typePassword, "00plrilJ7jZ66Gn0X0g3", "Default Policy", map[string]any{"status": "ACTIVE", "priority": 2, "system": true,
				"min_length": 8, "min_lower_case": 1, "min_upper_case": 1, "min_number": 1, "min_symbol": 0, "exclude_common": false,
				"history_count": 0, "max_age_days": 0, "lockout_attempts": 10}),
		}
	}
	soBase := map[string]any{"status": "ACTIVE", "priority": 1, "system": true}
	soFull := map[string]any{"status": "ACTIVE", "priority": 1, "system": true, "active_rules": 2, "rules_allowing_without_mfa": 1,
		"allow_rules": 2, "rules_without_session_lifetime": 1, "max_session_lifetime_minutes": 720, "max_session_idle_minutes": 720}
	blockReply, started := blocking()
	tests := []struct {
		name     string
		fx       fixtures
		started  chan struct{}
		wantErr  evidence.FailureKind
		want     func(host string) []evidence.Resource
		wantFail []evidence.FailureKind
	}{
		{name: "happy", fx: happy, want: func(h string) []evidence.Resource { return want(h, soFull) }},
		{name: "two pages", fx: happy.With(fixtures{
			rules:                        {Body: "rules_sign_on.json", Header: map[string]string{"Link": `<{server}` + rules + `?after=0pr3default&limit=20>; rel="next"`}},
			rules + "?after=0pr3default": {Body: "rules_sign_on.json"},
		}), want: func(h string) []evidence.Resource {
			return want(h, map[string]any{"status": "ACTIVE", "priority": 1, "system": true, "active_rules": 4, "rules_allowing_without_mfa": 2,
				"allow_rules": 4, "rules_without_session_lifetime": 2, "max_session_lifetime_minutes": 720, "max_session_idle_minutes": 720})
		}},
		{name: "empty", fx: fixtures{pw: {Body: "empty.json"}, mfa: {Body: "empty.json"}, so: {Body: "empty.json"}},
			want: func(string) []evidence.Resource { return nil }},
		{name: "rules not found are unknown, not none", fx: happy.With(fixtures{rules: missing}), want: func(h string) []evidence.Resource {
			var gaps []evidence.Gap
			for _, a := range ruleAttrs {
				gaps = append(gaps, evidence.Gap{Attribute: a, Kind: evidence.Errored, Operation: opListRules})
			}
			return want(h, soBase, gaps...)
		}, wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "policy listing not found fails the run", fx: happy.With(fixtures{pw: missing}), wantErr: evidence.Errored},
		{name: "denied", fx: fixtures{pw: forbidden, mfa: forbidden, so: forbidden}, wantErr: evidence.Denied},
		{name: "denied rules", fx: happy.With(fixtures{rules: forbidden}), want: func(h string) []evidence.Resource {
			var gaps []evidence.Gap
			for _, a := range ruleAttrs {
				gaps = append(gaps, evidence.Gap{Attribute: a, Kind: evidence.Denied, Operation: opListRules, Permission: scopePolicies})
			}
			return want(h, soBase, gaps...)
		}, wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled one type", fx: happy.With(fixtures{pw: rateLimited}), wantErr: evidence.Throttled},
		{name: "throttled", fx: fixtures{pw: rateLimited, mfa: rateLimited, so: rateLimited}, wantErr: evidence.Throttled},
		{name: "cancelled", fx: happy.With(fixtures{rules: blockReply}), started: started, wantErr: evidence.Cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.fx)
			s, err := run(t, testSource(srv), "okta.policies", tt.started)
			if tt.wantErr != "" {
				apitest.WantKind(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			var got []evidence.Resource
			for _, typ := range []string{typeMFAEnroll, typeSignOn, typePassword} {
				got = append(got, s.ByType(typ)...)
			}
			if diff := cmp.Diff(tt.want(strings.TrimPrefix(srv.URL, "http://")), got); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFail, s.Kinds()); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRateLimitRetry checks that a 429 whose reset is already due is
// retried, and that a Link to another host is not followed.
func TestRateLimitRetry(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Reset", "1577836800")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Link", `<https://evil.example/api/v1/policies?after=x>; rel="next"`)
		_, _ = w.Write([]byte(`[{"id":"p1","status":"ACTIVE","priority":1}]`))
	}))
	t.Cleanup(srv.Close)
	api, err := testSource(srv).api()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := list(t.Context(), api, "op", "", "/api/v1/policies", nil, func(policy) { n++ }); err != nil {
		t.Fatalf("list: %v", err)
	}
	if n != 1 || calls.Load() != 2 {
		t.Errorf("items = %d, calls = %d; want 1 item after 2 calls", n, calls.Load())
	}
}
