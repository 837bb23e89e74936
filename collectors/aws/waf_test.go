package aws

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

const exampleACL = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/ExampleWebACL/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"

// TestFixturesWAF runs aws.waf against responses shaped like the AWS API
// reference examples (see testdata/README.md).
func TestFixturesWAF(t *testing.T) {
	t.Parallel()
	const r = "eu-central-1"
	src := newFixtureSource(t, map[string]route{
		"elasticloadbalancing:DescribeLoadBalancers": {file: "elbv2/DescribeLoadBalancers.xml"},
		"wafv2:ListWebACLs":                          {file: "wafv2/ListWebACLs.json"},
		"wafv2:ListResourcesForWebACL":               {file: "wafv2/ListResourcesForWebACL.json"},
		"wafv2:GetWebACL":                            {file: "wafv2/GetWebACL.json"},
		"apigateway:GetRestApis":                     {file: "apigateway/GetRestApis.json"},
		"apigateway:GetStages":                       {file: "apigateway/GetStages.json"},
	})
	out, err := collect(t.Context(), t, src, "aws.waf", r)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if len(out.failures) > 0 {
		t.Errorf("failures: %v", out.failures)
	}
	want := []evidence.Resource{
		{Type: EdgeEndpointType, ID: "arn:aws:apigateway:eu-central-1::/restapis/fuw6fdq1la/stages/prod", Name: "PetStore/prod", Account: testAccount, Region: r,
			Attributes: map[string]any{"kind": "api_gateway_stage", "web_acl": exampleACL, "web_acl_rules": 4, "web_acl_blocking_rules": 2,
				"web_acl_managed_rule_groups": []any{"AWS/AWSManagedRulesCommonRuleSet"}, "web_acl_default_action": "ALLOW"}},
		{Type: EdgeEndpointType, ID: "arn:aws:apigateway:eu-central-1::/restapis/fuw6fdq1la/stages/test", Name: "PetStore/test", Account: testAccount, Region: r,
			Attributes: map[string]any{"kind": "api_gateway_stage", "web_acl": "", "web_acl_rules": 0, "web_acl_blocking_rules": 0,
				"web_acl_managed_rule_groups": []any{}, "web_acl_default_action": ""}},
		{Type: EdgeEndpointType, ID: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188", Name: "my-load-balancer",
			Account: testAccount, Region: r, Attributes: map[string]any{"kind": "application_load_balancer", "web_acl": exampleACL, "web_acl_rules": 4,
				"web_acl_blocking_rules": 2, "web_acl_managed_rule_groups": []any{"AWS/AWSManagedRulesCommonRuleSet"}, "web_acl_default_action": "ALLOW"}},
	}
	if diff := cmp.Diff(want, out.resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}

func edge() *awsfake.State {
	const r = "eu-central-1"
	return &awsfake.State{
		LoadBalancers: []awsfake.LoadBalancer{
			{Name: "web", Region: r, Type: "application"},
			{Name: "admin", Region: r, Type: "application"},
			{Name: "nlb", Region: r, Type: "network"},
		},
		Edge: awsfake.Edge{
			WebACLs: []awsfake.WebACL{{Name: "edge", Region: r, LoadBalancers: []string{"web"}, Rules: []awsfake.WebACLRule{
				{Name: "common", ManagedGroup: "AWSManagedRulesCommonRuleSet"},
				{Name: "sqli", ManagedGroup: "AWSManagedRulesSQLiRuleSet", Count: true},
				{Name: "rate", Action: "Block"},
			}}, {Name: "unused", Region: r}},
			RestAPIs: []awsfake.RestAPI{
				{ID: "a1", Name: "orders", Region: r, Stages: []awsfake.Stage{{Name: "prod", WebACL: "edge"}, {Name: "dev"}}},
				{ID: "a2", Name: "internal", Region: r, Private: true, Stages: []awsfake.Stage{{Name: "prod"}}},
			},
		},
	}
}

func TestWAFAssociations(t *testing.T) {
	t.Parallel()
	const c, r = "aws.waf", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.PageSize = 1
				return st
			},
			wantNames: []string{"orders/dev", "orders/prod", "admin", "web"},
			wantAttrs: map[string]any{"kind": "api_gateway_stage", "web_acl": ""},
			wantCalls: map[string]int{"wafv2:ListWebACLs": 2, "wafv2:ListResourcesForWebACL": 2, "apigateway:GetRestApis": 2, "apigateway:GetStages": 1}},
		{name: "no load balancers", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.LoadBalancers = nil
				return st
			},
			wantNames: []string{"orders/dev", "orders/prod"},
			wantCalls: map[string]int{"wafv2:ListWebACLs": 0}},
		{name: "empty", collector: c, region: r, typ: EdgeEndpointType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(edge(), "apigateway:GetRestApis", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "apigateway:GET"},
		{name: "web ACLs denied", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.Edge.RestAPIs = nil
				return withFault(st, "wafv2:ListWebACLs", "AccessDeniedException", http.StatusBadRequest)
			},
			wantNames: []string{"admin", "web"},
			wantGaps: map[string]evidence.FailureKind{"web_acl": evidence.Denied, "web_acl_rules": evidence.Denied, "web_acl_blocking_rules": evidence.Denied,
				"web_acl_managed_rule_groups": evidence.Denied, "web_acl_default_action": evidence.Denied}},
		{name: "stages throttled", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.LoadBalancers = nil
				return withFault(st, "apigateway:GetStages", "TooManyRequestsException", http.StatusTooManyRequests)
			},
			wantNames: []string{"orders/*"},
			wantGaps: map[string]evidence.FailureKind{"web_acl": evidence.Throttled, "web_acl_rules": evidence.Throttled, "web_acl_blocking_rules": evidence.Throttled,
				"web_acl_managed_rule_groups": evidence.Throttled, "web_acl_default_action": evidence.Throttled}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(edge(), "elasticloadbalancing:DescribeLoadBalancers", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"elasticloadbalancing:DescribeLoadBalancers": 2}},
		{name: "rules of the web ACL", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.Edge.RestAPIs = nil
				return st
			},
			wantNames: []string{"admin", "web"},
			wantAttrs: map[string]any{"web_acl": "", "web_acl_rules": 0, "web_acl_blocking_rules": 0, "web_acl_managed_rule_groups": []any{}, "web_acl_default_action": ""},
			wantCalls: map[string]int{"wafv2:GetWebACL": 1}},
		{name: "web ACL that only counts", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.LoadBalancers = st.LoadBalancers[:1]
				st.Edge.RestAPIs = nil
				st.Edge.WebACLs[0].LoadBalancers = []string{"web"}
				st.Edge.WebACLs[0].Rules = []awsfake.WebACLRule{{Name: "common", ManagedGroup: "AWSManagedRulesCommonRuleSet", Count: true}, {Name: "watch", Action: "Count"}}
				st.Edge.WebACLs[0].DefaultBlock = true
				st.LoadBalancers[0].Name = "web"
				return st
			},
			wantNames: []string{"web"},
			wantAttrs: map[string]any{"web_acl_rules": 2, "web_acl_blocking_rules": 0, "web_acl_managed_rule_groups": []any{}, "web_acl_default_action": "BLOCK"}},
		{name: "blocking rules, one call per web ACL", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.LoadBalancers = st.LoadBalancers[:1]
				st.Edge.RestAPIs[0].Stages = st.Edge.RestAPIs[0].Stages[:1]
				return st
			},
			wantNames: []string{"orders/prod", "web"},
			wantAttrs: map[string]any{"web_acl_rules": 3, "web_acl_blocking_rules": 2,
				"web_acl_managed_rule_groups": []any{"AWS/AWSManagedRulesCommonRuleSet"}, "web_acl_default_action": "ALLOW"},
			wantCalls: map[string]int{"wafv2:GetWebACL": 1}},
		{name: "web ACL denied", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.LoadBalancers = st.LoadBalancers[:1]
				st.Edge.RestAPIs = nil
				return withFault(st, "wafv2:GetWebACL", "AccessDeniedException", http.StatusBadRequest)
			},
			wantNames: []string{"web"},
			wantGaps: map[string]evidence.FailureKind{"web_acl_rules": evidence.Denied, "web_acl_blocking_rules": evidence.Denied,
				"web_acl_managed_rule_groups": evidence.Denied, "web_acl_default_action": evidence.Denied},
			wantAttrs: map[string]any{"web_acl": "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/edge/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"}},
		{name: "web ACL gone", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.LoadBalancers = st.LoadBalancers[:1]
				return withFault(st, "wafv2:GetWebACL", "WAFNonexistentItemException", http.StatusBadRequest)
			},
			wantNames: []string{"orders/dev", "orders/prod", "web"},
			wantGaps: map[string]evidence.FailureKind{"web_acl_rules": evidence.Errored, "web_acl_blocking_rules": evidence.Errored,
				"web_acl_managed_rule_groups": evidence.Errored, "web_acl_default_action": evidence.Errored},
			wantAttrs: map[string]any{"web_acl_rules": 0}},
		{name: "web ACL throttled", collector: c, region: r, typ: EdgeEndpointType,
			state: func() *awsfake.State {
				st := edge()
				st.LoadBalancers = st.LoadBalancers[:1]
				st.Edge.RestAPIs = nil
				return withFault(st, "wafv2:GetWebACL", "ThrottlingException", http.StatusBadRequest)
			},
			wantNames: []string{"web"},
			wantGaps: map[string]evidence.FailureKind{"web_acl_rules": evidence.Throttled, "web_acl_blocking_rules": evidence.Throttled,
				"web_acl_managed_rule_groups": evidence.Throttled, "web_acl_default_action": evidence.Throttled}},
		{name: "web ACL cancelled", collector: c, region: r, block: "wafv2:GetWebACL", state: edge},
		{name: "cancelled", collector: c, region: r, block: "wafv2:ListResourcesForWebACL",
			state: func() *awsfake.State {
				st := edge()
				st.Edge.WebACLs = st.Edge.WebACLs[:1]
				return st
			}},
	})
}
