package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// CloudFrontDistributions collects the viewer protocol policies, the
// minimum TLS version and the WAF web ACL of every CloudFront distribution
// of an account, with what the web ACL's rules do.
//
// AWS API docs: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ListDistributions.html
// https://docs.aws.amazon.com/waf/latest/APIReference/API_GetWebACL.html
// Operations: ListDistributions, wafv2:GetWebACL (scope CLOUDFRONT, in
// us-east-1, once per web ACL in use).
type CloudFrontDistributions struct{ s *Source }

// cloudFrontWAFRegion is the region of the web ACLs of CloudFront.
const cloudFrontWAFRegion = "us-east-1"

// DistributionType is the resource type of a CloudFront distribution.
const DistributionType = "aws.cloudfront.distribution"

func (c *CloudFrontDistributions) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *CloudFrontDistributions) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.cloudfront", Version: 2, Source: SourceName, Title: "CloudFront distributions and viewer TLS",
		ResourceTypes: []collectors.ResourceType{{Name: DistributionType, Doc: "A CloudFront distribution. ID is the distribution ARN.", Attributes: append([]collectors.Attribute{
			{Name: "domain_name", Type: "string", Doc: "The distribution's cloudfront.net domain name."},
			{Name: "enabled", Type: "bool", Doc: "The distribution serves traffic."},
			{Name: "viewer_protocol_policy", Type: "string", Doc: `Viewer protocol policy of the default cache behaviour: "allow-all", "redirect-to-https" or "https-only".`},
			{Name: "all_behaviors_https", Type: "bool", Doc: "No cache behaviour (default or path-specific) allows plain HTTP to viewers."},
			{Name: "default_certificate", Type: "bool", Doc: "The distribution uses the *.cloudfront.net certificate, which allows TLS 1.0."},
			{Name: "minimum_protocol_version", Type: "string", Doc: `Minimum TLS security policy for viewers, e.g. "TLSv1.2_2021".`},
			{Name: "web_acl", Type: "string", Doc: `ARN of the AWS WAF web ACL that filters the distribution's requests, "" when none.`},
		}, webACLAttributes...)}},
		Permissions: []string{"cloudfront:ListDistributions", "wafv2:GetWebACL"},
	}
}

// Collect lists the distributions of target's account.
func (c *CloudFrontDistributions) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	var rs []evidence.Resource
	p := cloudfront.NewListDistributionsPaginator(cloudfront.NewFromConfig(cfg), &cloudfront.ListDistributionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws cloudfront ListDistributions: %w", apiError("cloudfront:ListDistributions", err))
		}
		if page.DistributionList == nil {
			continue
		}
		for _, d := range page.DistributionList.Items {
			rs = append(rs, distribution(target, d))
		}
	}
	var arns []string
	for _, r := range rs {
		arns = append(arns, r.Attributes["web_acl"].(string))
	}
	// Web ACLs of CloudFront (scope CLOUDFRONT) are read in us-east-1.
	wcfg := cfg.Copy()
	wcfg.Region = cloudFrontWAFRegion
	sums, errs, err := c.s.webACLSummaries(ctx, wafv2.NewFromConfig(wcfg), arns)
	if err != nil {
		return err
	}
	setWebACL(out, rs, sums, errs)
	collectors.EmitSorted(out, rs, nil)
	return nil
}

func distribution(target evidence.Target, d cftypes.DistributionSummary) evidence.Resource {
	policy := ""
	https := true
	if b := d.DefaultCacheBehavior; b != nil {
		policy = string(b.ViewerProtocolPolicy)
		https = b.ViewerProtocolPolicy != cftypes.ViewerProtocolPolicyAllowAll
	}
	if cb := d.CacheBehaviors; cb != nil {
		for _, b := range cb.Items {
			if b.ViewerProtocolPolicy == cftypes.ViewerProtocolPolicyAllowAll {
				https = false
			}
		}
	}
	defCert, minVersion := true, "TLSv1"
	if vc := d.ViewerCertificate; vc != nil {
		defCert = awssdk.ToBool(vc.CloudFrontDefaultCertificate)
		if vc.MinimumProtocolVersion != "" {
			minVersion = string(vc.MinimumProtocolVersion)
		}
	}
	return evidence.Resource{Type: DistributionType, ID: awssdk.ToString(d.ARN), Name: awssdk.ToString(d.Id), Account: target.Account,
		Attributes: map[string]any{
			"domain_name": awssdk.ToString(d.DomainName), "enabled": awssdk.ToBool(d.Enabled),
			"viewer_protocol_policy": policy, "all_behaviors_https": https,
			"default_certificate": defCert, "minimum_protocol_version": minVersion, "web_acl": awssdk.ToString(d.WebACLId),
		}}
}
