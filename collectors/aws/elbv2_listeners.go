package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// ELBv2Listeners collects the listeners of the application and network
// load balancers of a region, with their protocol, TLS security policy and
// the TLS versions that policy allows.
//
// AWS API docs: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeListeners.html
// Operations: DescribeLoadBalancers, DescribeListeners, DescribeSSLPolicies.
type ELBv2Listeners struct{ s *Source }

// ListenerType is the resource type of a load balancer listener.
const ListenerType = "aws.elbv2.listener"

func (c *ELBv2Listeners) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *ELBv2Listeners) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.elbv2", Version: 1, Source: SourceName, Title: "Load balancer listeners and their TLS policies",
		ResourceTypes: []collectors.ResourceType{{Name: ListenerType, Doc: "A listener of an application, network or gateway load balancer. ID is the listener ARN.", Attributes: []collectors.Attribute{
			{Name: "load_balancer", Type: "string", Doc: "Name of the load balancer."},
			{Name: "load_balancer_type", Type: "string", Doc: `"application", "network" or "gateway".`},
			{Name: "scheme", Type: "string", Doc: `"internet-facing" or "internal".`},
			{Name: "port", Type: "int", Doc: "Listener port."},
			{Name: "protocol", Type: "string", Doc: `Listener protocol: "HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP" or "GENEVE".`},
			{Name: "encrypted", Type: "bool", Doc: "The listener terminates TLS (HTTPS or TLS)."},
			{Name: "redirects_to_https", Type: "bool", Doc: "The listener's default action redirects to HTTPS."},
			{Name: "ssl_policy", Type: "string", Doc: `The TLS security policy, or "" for unencrypted listeners.`},
			{Name: "tls_protocols", Type: "list", Doc: `TLS versions the security policy allows, e.g. ["TLSv1.2", "TLSv1.3"]; empty for unencrypted listeners.`},
			{Name: "min_tls_version", Type: "string", Doc: `Lowest TLS version the policy allows ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"), or "".`},
		}}},
		Permissions: []string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeSSLPolicies"},
	}
}

// Collect lists the load balancers and listeners of target's region.
func (c *ELBv2Listeners) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := elbv2.NewFromConfig(cfg)
	lbs, err := describeLoadBalancers(ctx, cl)
	if err != nil {
		return err
	}
	lists := make([][]elbtypes.Listener, len(lbs))
	errs := make([]error, len(lbs))
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(lbs), func(ctx context.Context, i int) {
		lp := elbv2.NewDescribeListenersPaginator(cl, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs[i].LoadBalancerArn})
		for lp.HasMorePages() {
			page, err := lp.NextPage(ctx)
			if err != nil {
				errs[i] = apiError("elasticloadbalancing:DescribeListeners",
					fmt.Errorf("aws elasticloadbalancing DescribeListeners %s: %w", awssdk.ToString(lbs[i].LoadBalancerName), err))
				return
			}
			lists[i] = append(lists[i], page.Listeners...)
		}
	}); err != nil {
		return fmt.Errorf("aws elasticloadbalancing DescribeListeners: %w", err)
	}
	var names []string
	for i, e := range errs {
		if e != nil {
			out.Fail(collectors.FailureOf(e, awssdk.ToString(lbs[i].LoadBalancerArn)))
		}
		for _, l := range lists[i] {
			if p := awssdk.ToString(l.SslPolicy); p != "" && !slices.Contains(names, p) {
				names = append(names, p)
			}
		}
	}
	slices.Sort(names)
	protocols, polErr := sslPolicies(ctx, cl, names)
	if polErr != nil && ctx.Err() != nil {
		return polErr
	}
	var rs []evidence.Resource
	for i, lb := range lbs {
		for _, l := range lists[i] {
			r := evidence.Resource{Type: ListenerType, ID: awssdk.ToString(l.ListenerArn),
				Name:    fmt.Sprintf("%s:%d", awssdk.ToString(lb.LoadBalancerName), awssdk.ToInt32(l.Port)),
				Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"load_balancer": awssdk.ToString(lb.LoadBalancerName), "load_balancer_type": string(lb.Type),
					"scheme": string(lb.Scheme), "port": int(awssdk.ToInt32(l.Port)), "protocol": string(l.Protocol),
					"encrypted":          l.Protocol == elbtypes.ProtocolEnumHttps || l.Protocol == elbtypes.ProtocolEnumTls,
					"redirects_to_https": redirectsToHTTPS(l.DefaultActions),
					"ssl_policy":         awssdk.ToString(l.SslPolicy),
				}}
			policy := awssdk.ToString(l.SslPolicy)
			switch {
			case policy == "":
				r.Attributes["tls_protocols"] = []any{}
				r.Attributes["min_tls_version"] = ""
			case polErr != nil:
				fail(out, &r, polErr, "tls_protocols", "min_tls_version")
			default:
				ps := protocols[policy]
				list := make([]any, len(ps))
				for j, v := range ps {
					list[j] = v
				}
				r.Attributes["tls_protocols"] = list
				r.Attributes["min_tls_version"] = minTLS(ps)
			}
			rs = append(rs, r)
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// describeLoadBalancers lists the application, network and gateway load
// balancers of cl's region.
func describeLoadBalancers(ctx context.Context, cl *elbv2.Client) ([]elbtypes.LoadBalancer, error) {
	var lbs []elbtypes.LoadBalancer
	p := elbv2.NewDescribeLoadBalancersPaginator(cl, &elbv2.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws elasticloadbalancing DescribeLoadBalancers: %w", apiError("elasticloadbalancing:DescribeLoadBalancers", err))
		}
		lbs = append(lbs, page.LoadBalancers...)
	}
	return lbs, nil
}

// sslPolicies returns the TLS protocols of each named security policy.
func sslPolicies(ctx context.Context, cl *elbv2.Client, names []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(names) == 0 {
		return out, nil
	}
	in := &elbv2.DescribeSSLPoliciesInput{Names: names}
	for {
		page, err := cl.DescribeSSLPolicies(ctx, in)
		if err != nil {
			return nil, apiError("elasticloadbalancing:DescribeSSLPolicies", fmt.Errorf("aws elasticloadbalancing DescribeSSLPolicies: %w", err))
		}
		for _, p := range page.SslPolicies {
			ps := slices.Clone(p.SslProtocols)
			slices.Sort(ps)
			out[awssdk.ToString(p.Name)] = ps
		}
		if awssdk.ToString(page.NextMarker) == "" {
			return out, nil
		}
		in.Marker = page.NextMarker
	}
}

// tlsOrder ranks the TLS protocol names of ELB security policies.
var tlsOrder = []string{"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

func minTLS(ps []string) string {
	best := ""
	for _, p := range ps {
		if i := slices.Index(tlsOrder, p); i >= 0 && (best == "" || i < slices.Index(tlsOrder, best)) {
			best = p
		}
	}
	return best
}

func redirectsToHTTPS(actions []elbtypes.Action) bool {
	for _, a := range actions {
		if a.Type == elbtypes.ActionTypeEnumRedirect && a.RedirectConfig != nil &&
			strings.EqualFold(awssdk.ToString(a.RedirectConfig.Protocol), "HTTPS") {
			return true
		}
	}
	return false
}
