package aws

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// SSMParameters collects the Parameter Store parameters of a region: their
// type, and whether their name looks like a secret
// (Config.Secrets.NamePattern). Parameter values are never read.
//
// AWS API docs: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html
// Operation: DescribeParameters.
type SSMParameters struct{ s *Source }

// ParameterType is the resource type of an SSM parameter.
const ParameterType = "aws.ssm.parameter"

func (c *SSMParameters) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *SSMParameters) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.ssm", Version: 1, Source: SourceName, Title: "SSM Parameter Store parameters",
		ResourceTypes: []collectors.ResourceType{{Name: ParameterType, Doc: "An SSM Parameter Store parameter (metadata only). ID is the parameter ARN.", Attributes: []collectors.Attribute{
			{Name: "type", Type: "string", Doc: `"String", "StringList" or "SecureString" (encrypted with KMS).`},
			{Name: "secret_like", Type: "bool", Doc: "The name matches aws.secrets.name_pattern (by default: password, secret, token, api key, private key or credential)."},
			{Name: "last_modified", Type: "timestamp", Doc: "When the parameter was last changed."},
		}}},
		Permissions: []string{"ssm:DescribeParameters"},
	}
}

// Collect lists the parameters of target's region.
func (c *SSMParameters) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	re, err := regexp.Compile(c.s.cfg.secretNamePattern())
	if err != nil {
		return fmt.Errorf("aws secrets.name_pattern: %w", err)
	}
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	var rs []evidence.Resource
	p := ssm.NewDescribeParametersPaginator(ssm.NewFromConfig(cfg), &ssm.DescribeParametersInput{MaxResults: awssdk.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws ssm DescribeParameters: %w", apiError("ssm:DescribeParameters", err))
		}
		for _, m := range page.Parameters {
			name := awssdk.ToString(m.Name)
			id := awssdk.ToString(m.ARN)
			if id == "" {
				id = fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", target.Region, target.Account, strings.TrimLeft(name, "/"))
			}
			rs = append(rs, evidence.Resource{Type: ParameterType, ID: id, Name: name, Account: target.Account, Region: target.Region,
				Attributes: map[string]any{"type": string(m.Type), "secret_like": re.MatchString(name), "last_modified": timestamp(m.LastModifiedDate)}})
		}
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
