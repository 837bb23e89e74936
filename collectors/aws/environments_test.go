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

const otherAccount = "210987654321"

func peerings() *awsfake.State {
	const r = "eu-central-1"
	return &awsfake.State{
		Network: awsfake.Network{Peerings: []awsfake.Peering{
			{ID: "pcx-01", Region: r, RequesterAccount: testAccount, Accepter: otherAccount, RequesterVPC: "vpc-0a", AccepterVPC: "vpc-0b"},
			{ID: "pcx-02", Region: r, RequesterAccount: testAccount, Accepter: testAccount, RequesterVPC: "vpc-0a", AccepterVPC: "vpc-0c"},
			{ID: "pcx-03", Region: r, RequesterAccount: testAccount, Accepter: "999999999999", RequesterVPC: "vpc-0a", AccepterVPC: "vpc-0d"},
		}},
		Parents: map[string]string{otherAccount: "ou-ab12-dev00000", "ou-ab12-dev00000": "ou-ab12-work0000", "ou-ab12-work0000": "r-ab12",
			"999999999999": "r-ab12"},
	}
}

// runEnv runs collector id against st with the given environments.
func runEnv(ctx context.Context, t *testing.T, st *awsfake.State, envs map[string]string, id string) (*testSink, error) {
	t.Helper()
	st.AccountID = testAccount
	src := newFakeSource(t, st)
	src.cfg.Environments = envs
	src.caller = testAccount
	return collect(ctx, t, src, id, "eu-central-1")
}

func TestVPCPeering(t *testing.T) {
	t.Parallel()
	ouEnvs := map[string]string{testAccount: "prod", "ou-ab12-work0000": "nonprod"}
	type row struct {
		Req, Acc, Cross any
		Gaps            []string
	}
	tests := []struct {
		name     string
		envs     map[string]string
		pageSize int
		fault    string
		want     map[string]row
		calls    int
	}{
		{name: "OU lookup, two pages", envs: ouEnvs, pageSize: 2, calls: 3, want: map[string]row{
			"pcx-01": {"prod", "nonprod", true, nil},
			"pcx-02": {"prod", "prod", false, nil},
			"pcx-03": {"prod", nil, nil, []string{"accepter_environment", "cross_environment"}},
		}},
		{name: "accounts only: no lookups", envs: map[string]string{testAccount: "prod", otherAccount: "prod"}, calls: 0, want: map[string]row{
			"pcx-01": {"prod", "prod", false, nil},
			"pcx-02": {"prod", "prod", false, nil},
			"pcx-03": {"prod", nil, nil, []string{"accepter_environment", "cross_environment"}},
		}},
		{name: "not configured", calls: 0, want: map[string]row{
			"pcx-01": {nil, nil, nil, []string{"requester_environment", "accepter_environment", "cross_environment"}},
			"pcx-02": {nil, nil, nil, []string{"requester_environment", "accepter_environment", "cross_environment"}},
			"pcx-03": {nil, nil, nil, []string{"requester_environment", "accepter_environment", "cross_environment"}},
		}},
		{name: "parents denied", envs: ouEnvs, fault: "organizations:ListParents", want: map[string]row{
			"pcx-01": {"prod", nil, nil, []string{"accepter_environment", "cross_environment"}},
			"pcx-02": {"prod", "prod", false, nil},
			"pcx-03": {"prod", nil, nil, []string{"accepter_environment", "cross_environment"}},
		}, calls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := peerings()
			st.PageSize = tt.pageSize
			if tt.fault != "" {
				withFault(st, tt.fault, "AccessDeniedException", http.StatusBadRequest)
			}
			out, err := runEnv(t.Context(), t, st, tt.envs, "aws.vpc_peering")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]row{}
			for _, r := range out.resources {
				var gaps []string
				for _, g := range r.Gaps {
					gaps = append(gaps, g.Attribute)
					if tt.fault != "" && g.Kind != evidence.Denied {
						t.Errorf("%s: gap %s kind %s, want denied", r.Name, g.Attribute, g.Kind)
					}
				}
				got[r.Name] = row{r.Attributes["requester_environment"], r.Attributes["accepter_environment"], r.Attributes["cross_environment"], gaps}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("peerings (-want +got):\n%s", diff)
			}
			if n := st.Calls("organizations:ListParents"); n != tt.calls {
				t.Errorf("ListParents calls = %d, want %d", n, tt.calls)
			}
			if tt.fault != "" && len(out.failures) == 0 {
				t.Error("denied lookup reported no failure")
			}
		})
	}
}

func TestCheckEnvironment(t *testing.T) {
	t.Parallel()
	for _, ok := range [][2]string{{"111122223333", "prod"}, {"ou-ab12-cdef3456", "nonprod"}, {"r-ab12", "prod"}} {
		if err := CheckEnvironment(ok[0], ok[1]); err != nil {
			t.Errorf("%s: %s: %v", ok[0], ok[1], err)
		}
	}
	for _, bad := range [][2]string{{"111122223333", "staging"}, {"1111", "prod"}, {"ou-x", "prod"}, {"acme-prod", "prod"}} {
		if err := CheckEnvironment(bad[0], bad[1]); err == nil {
			t.Errorf("%s: %s: want an error", bad[0], bad[1])
		}
	}
}

func TestVPCPeeringFaults(t *testing.T) {
	t.Parallel()
	const c, r = "aws.vpc_peering", "eu-central-1"
	runCases(t, []caseTest{
		{name: "empty", collector: c, region: r, typ: PeeringType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(peerings(), "ec2:DescribeVpcPeeringConnections", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "ec2:DescribeVpcPeeringConnections"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(peerings(), "ec2:DescribeVpcPeeringConnections", "RequestLimitExceeded", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"ec2:DescribeVpcPeeringConnections": 2}},
		{name: "cancelled", collector: c, region: r, state: peerings, block: "ec2:DescribeVpcPeeringConnections"},
	})
}

func TestEnvironment(t *testing.T) {
	t.Parallel()
	st := peerings()
	out, err := runEnv(t.Context(), t, st, map[string]string{testAccount: "prod"}, "aws.environment")
	if err != nil {
		t.Fatal(err)
	}
	want := []evidence.Resource{{Type: AccountType, ID: "arn:aws:iam::123456789012:root", Name: testAccount, Account: testAccount,
		Attributes: map[string]any{"classified": true, "environment": "prod"}}}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	// Unclassified: not classified, and the environment a gap, never a guess.
	out, err = runEnv(t.Context(), t, peerings(), nil, "aws.environment")
	if err != nil || len(out.resources) != 1 || len(out.resources[0].Gaps) != 1 || out.resources[0].Attributes["environment"] != nil ||
		out.resources[0].Attributes["classified"] != false {
		t.Errorf("unclassified account: %v %+v", err, out.resources)
	}
	// Cancelled during an OU lookup.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st = peerings()
	st.Faults = map[string]awsfake.Fault{"organizations:ListParents": {Block: true, Arrived: cancel}}
	_, err = runEnv(ctx, t, st, map[string]string{"ou-ab12-dev00000": "nonprod"}, "aws.environment")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestEnvironmentFromTagsAndRoot(t *testing.T) {
	t.Parallel()
	state := func(tags map[string]string) *awsfake.State {
		return &awsfake.State{Parents: map[string]string{testAccount: "ou-ab12-work0000", "ou-ab12-work0000": "r-ab12"},
			AccountTags: map[string]map[string]string{testAccount: tags}}
	}
	tests := []struct {
		name     string
		st       *awsfake.State
		envs     map[string]string
		tag      string
		pageSize int
		want     any // the environment attribute, nil when a gap
		wantGap  evidence.FailureKind
		tagCalls int
	}{
		{name: "tag names the environment (any case)", st: state(map[string]string{"environment": "Prod"}), tag: "environment", want: "prod", tagCalls: 1},
		{name: "tag on the second page", st: state(map[string]string{"cost-center": "42", "environment": "nonprod"}), tag: "environment", pageSize: 1,
			want: "nonprod", tagCalls: 2},
		{name: "other tag value falls back to the OU", st: state(map[string]string{"environment": "staging"}), tag: "environment",
			envs: map[string]string{"ou-ab12-work0000": "nonprod"}, want: "nonprod", tagCalls: 1},
		{name: "the account's own entry wins without a call", st: state(map[string]string{"environment": "nonprod"}), tag: "environment",
			envs: map[string]string{testAccount: "prod"}, want: "prod"},
		{name: "root id", st: state(nil), envs: map[string]string{"r-ab12": "prod"}, want: "prod"},
		{name: "no tag, no entry: unclassified", st: state(map[string]string{"team": "web"}), tag: "environment", wantGap: evidence.Errored, tagCalls: 1},
		{name: "tags denied", st: withFault(state(nil), "organizations:ListTagsForResource", "AccessDeniedException", http.StatusBadRequest),
			tag: "environment", wantGap: evidence.Denied, tagCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.st.AccountID, tt.st.PageSize = testAccount, tt.pageSize
			src := newFakeSource(t, tt.st)
			src.cfg.Environments, src.cfg.EnvironmentTag, src.caller = tt.envs, tt.tag, testAccount
			out, err := collect(t.Context(), t, src, "aws.environment", "eu-central-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(out.resources) != 1 {
				t.Fatalf("resources: %+v", out.resources)
			}
			r := out.resources[0]
			if got := r.Attributes["environment"]; got != tt.want {
				t.Errorf("environment = %v, want %v (gaps %+v)", got, tt.want, r.Gaps)
			}
			if tt.wantGap != "" && (len(r.Gaps) != 1 || r.Gaps[0].Kind != tt.wantGap) {
				t.Errorf("gaps = %+v, want one of kind %s", r.Gaps, tt.wantGap)
			}
			if got := tt.st.Calls("organizations:ListTagsForResource"); got != tt.tagCalls {
				t.Errorf("ListTagsForResource calls = %d, want %d", got, tt.tagCalls)
			}
		})
	}
}
