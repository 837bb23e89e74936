package aws

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

// fixtureOU is the organisational unit of organizations/ListParents.json.
const fixtureOU = "ou-examplerootid111-exampleouid111"

// TestFixturesVPCShares runs aws.vpc against DescribeVpcs responses shaped
// like the API reference example, where one VPC belongs to the collected
// account and one is shared with it by otherAccount (see
// testdata/README.md), with the environments of the two accounts
// classified in different ways.
func TestFixturesVPCShares(t *testing.T) {
	t.Parallel()
	const r = "eu-central-1"
	owned := evidence.Resource{Type: VPCType, ID: "arn:aws:ec2:" + r + ":" + testAccount + ":vpc/vpc-1a2b3c4d", Name: "vpc-1a2b3c4d",
		Account: testAccount, Region: r, Attributes: map[string]any{"cidr": "10.0.0.0/16", "is_default": false, "in_use": true, "flow_logs": true, "flow_log_traffic": "ALL"}}
	shareID := "arn:aws:ec2:" + r + ":" + otherAccount + ":vpc/vpc-0e5f6a7b8c9d0e1f2/participant/" + testAccount
	ec2Routes := map[string]route{
		"ec2:DescribeVpcs":              {file: "ec2/DescribeVpcs_shared.xml"},
		"ec2:DescribeFlowLogs":          {file: "ec2/DescribeFlowLogs.xml"},
		"ec2:DescribeNetworkInterfaces": {file: "ec2/DescribeNetworkInterfaces.xml"},
	}
	with := func(extra map[string]route) map[string]route {
		out := map[string]route{}
		for k, v := range ec2Routes {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name   string
		envs   map[string]string
		routes map[string]route
		// share is the share's attributes, nil when none is expected.
		share map[string]any
		gaps  map[string]evidence.FailureKind
		// permission is the permission named by the gaps, if any.
		permission string
	}{
		{name: "shared across environments", envs: map[string]string{testAccount: "nonprod", otherAccount: "prod"}, routes: ec2Routes,
			share: map[string]any{"cidr": "10.1.0.0/16", "owner_account": otherAccount, "owner_environment": "prod",
				"participant_environment": "nonprod", "cross_environment": true}},
		{name: "shared within an environment", envs: map[string]string{testAccount: "nonprod", otherAccount: "nonprod"}, routes: ec2Routes,
			share: map[string]any{"cidr": "10.1.0.0/16", "owner_account": otherAccount, "owner_environment": "nonprod",
				"participant_environment": "nonprod", "cross_environment": false}},
		{name: "owner classified through its OU", envs: map[string]string{testAccount: "nonprod", fixtureOU: "prod"},
			routes: with(map[string]route{"organizations:ListParents": {file: "organizations/ListParents.json"}}),
			share: map[string]any{"cidr": "10.1.0.0/16", "owner_account": otherAccount, "owner_environment": "prod",
				"participant_environment": "nonprod", "cross_environment": true}},
		{name: "owner unclassified", envs: map[string]string{testAccount: "prod"}, routes: ec2Routes,
			share: map[string]any{"cidr": "10.1.0.0/16", "owner_account": otherAccount, "participant_environment": "prod"},
			gaps:  map[string]evidence.FailureKind{"owner_environment": evidence.Errored, "cross_environment": evidence.Errored}},
		{name: "owner lookup denied", envs: map[string]string{testAccount: "prod", fixtureOU: "nonprod"},
			routes: with(map[string]route{"organizations:ListParents": {file: "organizations/AccessDeniedException.json", status: http.StatusBadRequest}}),
			share:  map[string]any{"cidr": "10.1.0.0/16", "owner_account": otherAccount, "participant_environment": "prod"},
			gaps:   map[string]evidence.FailureKind{"owner_environment": evidence.Denied, "cross_environment": evidence.Denied}, permission: "organizations:ListParents"},
		{name: "not shared", envs: map[string]string{fixtureOU: "prod"}, routes: map[string]route{
			"ec2:DescribeVpcs":              {file: "ec2/DescribeVpcs.xml"},
			"ec2:DescribeFlowLogs":          {file: "ec2/DescribeFlowLogs.xml"},
			"ec2:DescribeNetworkInterfaces": {file: "ec2/DescribeNetworkInterfaces.xml"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := newFixtureSource(t, tt.routes)
			src.cfg.Environments = tt.envs
			src.caller = testAccount
			out, err := collect(t.Context(), t, src, "aws.vpc", r)
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			checkDescribed(t, &VPCs{s: src}, out.resources)
			shares := byName(out.resources, VPCShareType)
			if tt.share == nil {
				if len(shares) != 0 {
					t.Errorf("shares = %v, want none", shares)
				}
				if n := len(byName(out.resources, VPCType)); n != 2 {
					t.Errorf("%d VPCs, want 2", n)
				}
				return
			}
			if diff := cmp.Diff(owned, byName(out.resources, VPCType)["vpc-1a2b3c4d"]); diff != "" {
				t.Errorf("owned VPC (-want +got):\n%s", diff)
			}
			got, ok := shares["vpc-0e5f6a7b8c9d0e1f2"]
			if !ok || len(out.resources) != 2 {
				t.Fatalf("resources = %+v, want the owned VPC and the share", out.resources)
			}
			if got.ID != shareID || got.Account != testAccount || got.Region != r {
				t.Errorf("share = %s in %s/%s, want %s in %s/%s", got.ID, got.Account, got.Region, shareID, testAccount, r)
			}
			if diff := cmp.Diff(tt.share, got.Attributes); diff != "" {
				t.Errorf("share attributes (-want +got):\n%s", diff)
			}
			gaps := map[string]evidence.FailureKind{}
			for _, g := range got.Gaps {
				gaps[g.Attribute] = g.Kind
				if g.Permission != tt.permission {
					t.Errorf("gap %s names permission %q, want %q", g.Attribute, g.Permission, tt.permission)
				}
			}
			if tt.gaps == nil {
				tt.gaps = map[string]evidence.FailureKind{}
			}
			if diff := cmp.Diff(tt.gaps, gaps); diff != "" {
				t.Errorf("gaps (-want +got):\n%s", diff)
			}
			if wantFailures := tt.permission != ""; wantFailures != (len(out.failures) > 0) {
				t.Errorf("failures = %v, want some: %v", out.failures, wantFailures)
			}
		})
	}
}

// sharedVPCs is an account that owns one VPC and sees three VPCs shared with
// it: two from otherAccount (in a nonprod OU, tagged NonProd) and one from
// an account in no OU whose tag names no environment.
func sharedVPCs() *awsfake.State {
	const r = "eu-central-1"
	return &awsfake.State{
		Network: awsfake.Network{VPCs: []awsfake.VPC{
			{ID: "vpc-0a", Region: r, CIDR: "10.0.0.0/16", Interfaces: 2},
			{ID: "vpc-1a", Region: r, CIDR: "10.1.0.0/16", Owner: otherAccount},
			{ID: "vpc-1b", Region: r, CIDR: "10.2.0.0/16", Owner: otherAccount},
			{ID: "vpc-2a", Region: r, CIDR: "10.3.0.0/16", Owner: "999999999999"},
			{ID: "vpc-us", Region: "us-east-1", CIDR: "10.9.0.0/16", Owner: otherAccount},
		}},
		Parents: map[string]string{testAccount: "ou-ab12-prod0000", "ou-ab12-prod0000": "r-ab12",
			otherAccount: "ou-ab12-dev00000", "ou-ab12-dev00000": "ou-ab12-work0000", "ou-ab12-work0000": "r-ab12", "999999999999": "r-ab12"},
		AccountTags: map[string]map[string]string{otherAccount: {"team": "platform", "environment": "NonProd"}, "999999999999": {"environment": "sandbox"}},
	}
}

// TestVPCShares runs aws.vpc against the fake: environments through OUs
// with one lookup per account and run, denied lookups, and a region where
// the account owns no VPC.
func TestVPCShares(t *testing.T) {
	t.Parallel()
	ouEnvs := map[string]string{"ou-ab12-prod0000": "prod", "ou-ab12-work0000": "nonprod"}
	type row struct {
		Owner, Participant, Cross any
		Gaps                      []string
	}
	tests := []struct {
		name     string
		envs     map[string]string
		tag      string
		region   string
		pageSize int
		fault    string
		want     map[string]row
		vpcs     []string
		calls    map[string]int
	}{
		{name: "OU lookups, two pages", envs: ouEnvs, pageSize: 2, vpcs: []string{"vpc-0a"}, want: map[string]row{
			"vpc-1a": {"nonprod", "prod", true, nil},
			"vpc-1b": {"nonprod", "prod", true, nil},
			"vpc-2a": {nil, "prod", nil, []string{"owner_environment", "cross_environment"}},
		}, calls: map[string]int{
			// testAccount 1, otherAccount 2 (its OU's parent), 999999999999 1: each account once a run.
			"organizations:ListParents": 4, "ec2:DescribeVpcs": 2, "ec2:DescribeNetworkInterfaces": 1,
		}},
		{name: "accounts only: no lookups", envs: map[string]string{testAccount: "nonprod", otherAccount: "nonprod", "999999999999": "prod"},
			vpcs: []string{"vpc-0a"}, want: map[string]row{
				"vpc-1a": {"nonprod", "nonprod", false, nil},
				"vpc-1b": {"nonprod", "nonprod", false, nil},
				"vpc-2a": {"prod", "nonprod", true, nil},
			}, calls: map[string]int{"organizations:ListParents": 0}},
		{name: "owner classified by its account tag", envs: map[string]string{testAccount: "prod"}, tag: "environment",
			vpcs: []string{"vpc-0a"}, want: map[string]row{
				"vpc-1a": {"nonprod", "prod", true, nil},
				"vpc-1b": {"nonprod", "prod", true, nil},
				"vpc-2a": {nil, "prod", nil, []string{"owner_environment", "cross_environment"}},
			}, calls: map[string]int{"organizations:ListTagsForResource": 2, "organizations:ListParents": 0}},
		{name: "not configured", vpcs: []string{"vpc-0a"}, want: map[string]row{
			"vpc-1a": {nil, nil, nil, []string{"owner_environment", "participant_environment", "cross_environment"}},
			"vpc-1b": {nil, nil, nil, []string{"owner_environment", "participant_environment", "cross_environment"}},
			"vpc-2a": {nil, nil, nil, []string{"owner_environment", "participant_environment", "cross_environment"}},
		}, calls: map[string]int{"organizations:ListParents": 0}},
		{name: "parents denied", envs: map[string]string{testAccount: "prod", "ou-ab12-work0000": "nonprod"}, fault: "organizations:ListParents",
			vpcs: []string{"vpc-0a"}, want: map[string]row{
				"vpc-1a": {nil, "prod", nil, []string{"owner_environment", "cross_environment"}},
				"vpc-1b": {nil, "prod", nil, []string{"owner_environment", "cross_environment"}},
				"vpc-2a": {nil, "prod", nil, []string{"owner_environment", "cross_environment"}},
			}, calls: map[string]int{"organizations:ListParents": 3}},
		{name: "shared VPCs only: no flow logs or interfaces read", envs: ouEnvs, region: "us-east-1", want: map[string]row{
			"vpc-us": {"nonprod", "prod", true, nil},
		}, calls: map[string]int{"ec2:DescribeFlowLogs": 0, "ec2:DescribeNetworkInterfaces": 0, "organizations:ListParents": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := sharedVPCs()
			st.PageSize = tt.pageSize
			if tt.fault != "" {
				withFault(st, tt.fault, "AccessDeniedException", http.StatusBadRequest)
			}
			st.AccountID = testAccount
			src := newFakeSource(t, st)
			src.cfg.Environments = tt.envs
			src.cfg.EnvironmentTag = tt.tag
			src.caller = testAccount
			region := tt.region
			if region == "" {
				region = "eu-central-1"
			}
			src.cfg.Regions = []string{region}
			out, err := collect(t.Context(), t, src, "aws.vpc", region)
			if err != nil {
				t.Fatal(err)
			}
			checkDescribed(t, &VPCs{s: src}, out.resources)
			got := map[string]row{}
			var vpcs []string
			for _, r := range out.resources {
				if r.Type == VPCType {
					vpcs = append(vpcs, r.Name)
					continue
				}
				var gaps []string
				for _, g := range r.Gaps {
					gaps = append(gaps, g.Attribute)
					if tt.fault != "" && g.Kind != evidence.Denied {
						t.Errorf("%s: gap %s kind %s, want denied", r.Name, g.Attribute, g.Kind)
					}
				}
				got[r.Name] = row{r.Attributes["owner_environment"], r.Attributes["participant_environment"], r.Attributes["cross_environment"], gaps}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("shares (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.vpcs, vpcs); diff != "" {
				t.Errorf("owned VPCs (-want +got):\n%s", diff)
			}
			for op, n := range tt.calls {
				if got := st.Calls(op); got != n {
					t.Errorf("calls of %s = %d, want %d", op, got, n)
				}
			}
			if tt.fault != "" && len(out.failures) == 0 {
				t.Error("denied lookup reported no failure")
			}
		})
	}
}

// TestVPCSharesCancelled cancels the run during an environment lookup: the
// run fails with the cancellation instead of reporting gaps.
func TestVPCSharesCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st := sharedVPCs()
	st.AccountID = testAccount
	st.Faults = map[string]awsfake.Fault{"organizations:ListParents": {Block: true, Arrived: cancel}}
	src := newFakeSource(t, st)
	src.cfg.Environments = map[string]string{"ou-ab12-work0000": "nonprod"}
	src.caller = testAccount
	out, err := collect(ctx, t, src, "aws.vpc", "eu-central-1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if out != nil && len(out.resources) > 0 {
		t.Errorf("cancelled run emitted %d resources", len(out.resources))
	}
}
