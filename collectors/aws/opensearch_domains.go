package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// OpenSearchDomains collects the OpenSearch Service domains of a region:
// whether the endpoint is public (no VPC), encryption, and zone awareness.
//
// AWS API docs: https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_ListDomainNames.html,
// https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DescribeDomains.html
// Operations: ListDomainNames, DescribeDomains (up to five domains per
// call).
type OpenSearchDomains struct{ s *Source }

// OpenSearchDomainType is the resource type of an OpenSearch domain.
const OpenSearchDomainType = "aws.opensearch.domain"

func (c *OpenSearchDomains) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *OpenSearchDomains) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.opensearch", Version: 1, Source: SourceName, Title: "OpenSearch Service domains",
		ResourceTypes: []collectors.ResourceType{{Name: OpenSearchDomainType, Doc: "An OpenSearch Service domain. ID is the domain ARN.", Attributes: []collectors.Attribute{
			{Name: "public_endpoint", Type: "bool", Doc: "The domain has a public endpoint instead of running inside a VPC."},
			{Name: "encrypted_at_rest", Type: "bool", Doc: "Encryption at rest is enabled."},
			{Name: "node_to_node_encryption", Type: "bool", Doc: "Traffic between nodes is encrypted."},
			{Name: "zone_awareness", Type: "bool", Doc: "Nodes and replicas are spread over availability zones."},
		}}},
		Permissions: []string{"es:ListDomainNames", "es:DescribeDomains"},
	}
}

// Collect lists the domains of target's region.
func (c *OpenSearchDomains) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := opensearch.NewFromConfig(cfg)
	names, err := cl.ListDomainNames(ctx, &opensearch.ListDomainNamesInput{})
	if err != nil {
		return fmt.Errorf("aws es ListDomainNames: %w", apiError("es:ListDomainNames", err))
	}
	var rs []evidence.Resource
	for start := 0; start < len(names.DomainNames); start += 5 {
		var batch []string
		for _, d := range names.DomainNames[start:min(start+5, len(names.DomainNames))] {
			batch = append(batch, awssdk.ToString(d.DomainName))
		}
		got, err := cl.DescribeDomains(ctx, &opensearch.DescribeDomainsInput{DomainNames: batch})
		if err != nil {
			err = apiError("es:DescribeDomains", fmt.Errorf("aws es DescribeDomains: %w", err))
			if ctx.Err() != nil {
				return err
			}
			for _, name := range batch {
				r := evidence.Resource{Type: OpenSearchDomainType, ID: fmt.Sprintf("arn:aws:es:%s:%s:domain/%s", target.Region, target.Account, name),
					Name: name, Account: target.Account, Region: target.Region, Attributes: map[string]any{}}
				fail(out, &r, err, "public_endpoint", "encrypted_at_rest", "node_to_node_encryption", "zone_awareness")
				rs = append(rs, r)
			}
			continue
		}
		for _, d := range got.DomainStatusList {
			vpc := d.VPCOptions != nil && awssdk.ToString(d.VPCOptions.VPCId) != ""
			zone := d.ClusterConfig != nil && awssdk.ToBool(d.ClusterConfig.ZoneAwarenessEnabled)
			rs = append(rs, evidence.Resource{Type: OpenSearchDomainType, ID: awssdk.ToString(d.ARN), Name: awssdk.ToString(d.DomainName),
				Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"public_endpoint":         !vpc,
					"encrypted_at_rest":       d.EncryptionAtRestOptions != nil && awssdk.ToBool(d.EncryptionAtRestOptions.Enabled),
					"node_to_node_encryption": d.NodeToNodeEncryptionOptions != nil && awssdk.ToBool(d.NodeToNodeEncryptionOptions.Enabled),
					"zone_awareness":          zone,
				}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
