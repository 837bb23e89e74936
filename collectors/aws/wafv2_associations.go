package aws

import (
	"context"
	"fmt"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// WAFAssociations collects the internet-facing application load balancers
// and API Gateway REST API stages of a region, and the AWS WAF (WAFv2) web
// ACL that filters each, with what the web ACL's rules do (GetWebACL,
// once per web ACL in use).
//
// AWS API docs: https://docs.aws.amazon.com/waf/latest/APIReference/API_ListWebACLs.html,
// https://docs.aws.amazon.com/waf/latest/APIReference/API_ListResourcesForWebACL.html,
// https://docs.aws.amazon.com/apigateway/latest/api/API_GetStages.html
// Operations: elasticloadbalancing:DescribeLoadBalancers, wafv2:ListWebACLs
// (scope REGIONAL), wafv2:ListResourcesForWebACL (per web ACL, only when an
// internet-facing load balancer exists), apigateway GET /restapis and GET
// /restapis/{id}/stages (per API; a stage names its web ACL),
// wafv2:GetWebACL (per web ACL associated with an endpoint).
type WAFAssociations struct{ s *Source }

// EdgeEndpointType is the resource type of an internet-facing endpoint that
// a web ACL can filter.
const EdgeEndpointType = "aws.waf.endpoint"

func (c *WAFAssociations) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *WAFAssociations) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.waf", Version: 2, Source: SourceName, Title: "WAF web ACLs of load balancers and API gateways",
		ResourceTypes: []collectors.ResourceType{{Name: EdgeEndpointType, Doc: "An internet-facing application load balancer or API Gateway REST API stage. ID is its ARN.", Attributes: append([]collectors.Attribute{
			{Name: "kind", Type: "string", Doc: `"application_load_balancer" or "api_gateway_stage".`},
			{Name: "web_acl", Type: "string", Doc: `ARN of the WAFv2 web ACL associated with the endpoint, "" when none.`},
		}, webACLAttributes...)}},
		Permissions: []string{"elasticloadbalancing:DescribeLoadBalancers", "wafv2:ListWebACLs", "wafv2:ListResourcesForWebACL", "wafv2:GetWebACL", "apigateway:GET"},
	}
}

// Collect lists the endpoints of target's region and their web ACLs.
func (c *WAFAssociations) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	var rs []evidence.Resource
	var albs []elbtypes.LoadBalancer
	p := elbv2.NewDescribeLoadBalancersPaginator(elbv2.NewFromConfig(cfg), &elbv2.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws elasticloadbalancing DescribeLoadBalancers: %w", apiError("elasticloadbalancing:DescribeLoadBalancers", err))
		}
		for _, lb := range page.LoadBalancers {
			if lb.Type == elbtypes.LoadBalancerTypeEnumApplication && lb.Scheme == elbtypes.LoadBalancerSchemeEnumInternetFacing {
				albs = append(albs, lb)
			}
		}
	}
	if len(albs) > 0 {
		acls, err := c.albACLs(ctx, cfg)
		if err != nil && ctx.Err() != nil {
			return err
		}
		for _, lb := range albs {
			arn := awssdk.ToString(lb.LoadBalancerArn)
			r := evidence.Resource{Type: EdgeEndpointType, ID: arn, Name: awssdk.ToString(lb.LoadBalancerName), Account: target.Account, Region: target.Region,
				Attributes: map[string]any{"kind": "application_load_balancer"}}
			if err != nil {
				r.Gaps = append(r.Gaps, collectors.GapOf(err, "web_acl"))
			} else {
				r.Attributes["web_acl"] = acls[arn]
			}
			rs = append(rs, r)
		}
		if err != nil {
			out.Fail(collectors.FailureOf(err, ""))
		}
	}
	stages, err := c.stages(ctx, cfg, target, out)
	if err != nil {
		return err
	}
	rs = append(rs, stages...)
	var arns []string
	for _, r := range rs {
		if a, ok := r.Attributes["web_acl"].(string); ok {
			arns = append(arns, a)
		}
	}
	sums, errs, err := c.s.webACLSummaries(ctx, wafv2.NewFromConfig(cfg), arns)
	if err != nil {
		return err
	}
	setWebACL(out, rs, sums, errs)
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// albACLs maps load balancer ARNs to the regional web ACL associated with
// them.
func (c *WAFAssociations) albACLs(ctx context.Context, cfg awssdk.Config) (map[string]string, error) {
	cl := wafv2.NewFromConfig(cfg)
	var acls []waftypes.WebACLSummary
	in := &wafv2.ListWebACLsInput{Scope: waftypes.ScopeRegional, Limit: awssdk.Int32(100)}
	for {
		page, err := cl.ListWebACLs(ctx, in)
		if err != nil {
			return nil, apiError("wafv2:ListWebACLs", fmt.Errorf("aws wafv2 ListWebACLs: %w", err))
		}
		acls = append(acls, page.WebACLs...)
		if awssdk.ToString(page.NextMarker) == "" {
			break
		}
		in.NextMarker = page.NextMarker
	}
	res := make([][]string, len(acls))
	errs := make([]error, len(acls))
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(acls), func(ctx context.Context, i int) {
		got, err := cl.ListResourcesForWebACL(ctx, &wafv2.ListResourcesForWebACLInput{WebACLArn: acls[i].ARN,
			ResourceType: waftypes.ResourceTypeApplicationLoadBalancer})
		if err != nil {
			errs[i] = apiError("wafv2:ListResourcesForWebACL", fmt.Errorf("aws wafv2 ListResourcesForWebACL %s: %w", awssdk.ToString(acls[i].Name), err))
			return
		}
		res[i] = got.ResourceArns
	}); err != nil {
		return nil, fmt.Errorf("aws wafv2 ListResourcesForWebACL: %w", err)
	}
	out := map[string]string{}
	for i, a := range acls {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, arn := range res[i] {
			out[arn] = awssdk.ToString(a.ARN)
		}
	}
	return out, nil
}

// stages lists the REST API stages of the region with their web ACLs. A
// stage list that cannot be read is a failure of that API only.
func (c *WAFAssociations) stages(ctx context.Context, cfg awssdk.Config, target evidence.Target, out collectors.Sink) ([]evidence.Resource, error) {
	cl := apigateway.NewFromConfig(cfg)
	type api struct{ id, name string }
	var apis []api
	p := apigateway.NewGetRestApisPaginator(cl, &apigateway.GetRestApisInput{Limit: awssdk.Int32(500)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws apigateway GetRestApis: %w", apiError("apigateway:GET", err))
		}
		for _, a := range page.Items {
			if a.EndpointConfiguration != nil && slices.Contains(a.EndpointConfiguration.Types, "PRIVATE") {
				continue
			}
			apis = append(apis, api{awssdk.ToString(a.Id), awssdk.ToString(a.Name)})
		}
	}
	lists := make([][]evidence.Resource, len(apis))
	errs := make([]error, len(apis))
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(apis), func(ctx context.Context, i int) {
		got, err := cl.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: awssdk.String(apis[i].id)})
		if err != nil {
			errs[i] = apiError("apigateway:GET", fmt.Errorf("aws apigateway GetStages %s: %w", apis[i].id, err))
			return
		}
		for _, s := range got.Item {
			name := awssdk.ToString(s.StageName)
			lists[i] = append(lists[i], evidence.Resource{Type: EdgeEndpointType,
				ID:   fmt.Sprintf("arn:aws:apigateway:%s::/restapis/%s/stages/%s", target.Region, apis[i].id, name),
				Name: apis[i].name + "/" + name, Account: target.Account, Region: target.Region,
				Attributes: map[string]any{"kind": "api_gateway_stage", "web_acl": awssdk.ToString(s.WebAclArn)}})
		}
	}); err != nil {
		return nil, fmt.Errorf("aws apigateway GetStages: %w", err)
	}
	var rs []evidence.Resource
	for i := range apis {
		if errs[i] != nil {
			// The API's stages are unknown: one resource stands for them,
			// with a gap, so no control passes on missing evidence.
			r := evidence.Resource{Type: EdgeEndpointType, ID: fmt.Sprintf("arn:aws:apigateway:%s::/restapis/%s/stages/*", target.Region, apis[i].id),
				Name: apis[i].name + "/*", Account: target.Account, Region: target.Region, Attributes: map[string]any{"kind": "api_gateway_stage"}}
			fail(out, &r, errs[i], "web_acl")
			rs = append(rs, r)
		}
		rs = append(rs, lists[i]...)
	}
	return rs, nil
}
