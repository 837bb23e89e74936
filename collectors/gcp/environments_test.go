package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/gcptest"
)

const (
	folder = "folders/234567890123"
	org    = "organizations/123456789012"
)

// The ancestry is one object, so it has no pages.
func TestEnvironment(t *testing.T) {
	t.Parallel()
	const anc = "POST /v1/projects/" + project + ":getAncestry"
	res := func(attrs map[string]any, gaps ...evidence.Gap) []evidence.Resource {
		return []evidence.Resource{{Type: typeProject, ID: "//cloudresourcemanager.googleapis.com/projects/" + project, Name: project,
			Account: project, Attributes: attrs, Gaps: gaps}}
	}
	classified := func(env, key string) []evidence.Resource {
		return res(map[string]any{"environment": env, "classified": true, "classified_by": key})
	}
	none := res(map[string]any{"classified": false, "classified_by": ""}, evidence.Gap{Attribute: "environment", Kind: evidence.Errored})
	gaps := func(kind evidence.FailureKind, op, perm string) []evidence.Resource {
		return res(map[string]any{},
			evidence.Gap{Attribute: "environment", Kind: kind, Operation: op, Permission: perm},
			evidence.Gap{Attribute: "classified", Kind: kind, Operation: op, Permission: perm},
			evidence.Gap{Attribute: "classified_by", Kind: kind, Operation: op, Permission: perm})
	}
	block, started := gcptest.Blocking()
	runCases(t, "gcp.environment", typeProject, []tcase{
		{name: "by project ID, without a call", envs: map[string]string{project: "prod", folder: "nonprod"}, want: classified("prod", project)},
		{name: "by folder", envs: map[string]string{folder: "nonprod"}, fx: gcptest.Fixtures{anc: {Body: "crm_ancestry.json"}},
			want: classified("nonprod", folder)},
		{name: "nearest ancestor first", envs: map[string]string{org: "prod", folder: "nonprod"}, fx: gcptest.Fixtures{anc: {Body: "crm_ancestry.json"}},
			want: classified("nonprod", folder)},
		{name: "by organisation", envs: map[string]string{org: "prod", "folders/999": "nonprod"}, fx: gcptest.Fixtures{anc: {Body: "crm_ancestry.json"}},
			want: classified("prod", org)},
		{name: "empty: no environments configured", want: none},
		{name: "unclassified ancestry", envs: map[string]string{"folders/999": "nonprod"}, fx: gcptest.Fixtures{anc: {Body: "crm_ancestry.json"}},
			want: none},
		{name: "project without parent", envs: map[string]string{org: "prod"}, fx: gcptest.Fixtures{anc: {Body: "crm_ancestry_unparented.json"}},
			want: none},
		{name: "other projects only: no ancestry call", envs: map[string]string{"other-project": "prod"}, want: none},
		{name: "absent project", envs: map[string]string{folder: "nonprod"}, fx: gcptest.Fixtures{anc: gcptest.NotFoundReply},
			want: gaps(evidence.Errored, opGetAncestry, ""), wantFail: []evidence.FailureKind{evidence.Errored}},
		{name: "denied", envs: map[string]string{folder: "nonprod"}, fx: gcptest.Fixtures{anc: gcptest.DeniedReply},
			want: gaps(evidence.Denied, opGetAncestry, permProjectsGet), wantFail: []evidence.FailureKind{evidence.Denied}},
		{name: "throttled", envs: map[string]string{folder: "nonprod"}, fx: gcptest.Fixtures{anc: gcptest.ThrottledReply},
			want: gaps(evidence.Throttled, opGetAncestry, ""), wantFail: []evidence.FailureKind{evidence.Throttled}},
		{name: "cancelled", envs: map[string]string{folder: "nonprod"}, fx: gcptest.Fixtures{anc: block}, started: started, wantErr: evidence.Cancelled},
	})
}

func TestCheckEnvironment(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key, value string
		ok         bool
	}{
		{"acme-prod", "prod", true},
		{"acme-sandbox", "nonprod", true},
		{"example.com:legacy-app", "prod", true},
		{"415104041262", "prod", true},
		{"folders/300000000001", "nonprod", true},
		{"organizations/123456789012", "prod", true},
		{"acme-prod", "production", false},
		{"acme-prod", "", false},
		{"Acme-Prod", "prod", false},
		{"projects/acme-prod", "prod", false},
		{"folders/nonprod", "nonprod", false},
		{"folders/", "nonprod", false},
		{"organizations/12ab", "prod", false},
	} {
		if err := CheckEnvironment(tt.key, tt.value); (err == nil) != tt.ok {
			t.Errorf("CheckEnvironment(%q, %q) = %v, want ok %v", tt.key, tt.value, err, tt.ok)
		}
	}
}
