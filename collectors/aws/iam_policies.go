package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// IAMPolicies collects the customer managed IAM policies of an account:
// whether the default version allows every action on every resource, and
// how many users, groups and roles it is attached to (CIS AWS Foundations
// 1.16). AWS managed policies are not listed; AdministratorAccess on a
// principal is judged by the user and role controls.
//
// AWS API docs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
// Operations: iam:GetAccountAuthorizationDetails (filter LocalManagedPolicy).
type IAMPolicies struct{ s *Source }

// IAMPolicyType is the resource type of a customer managed IAM policy.
const IAMPolicyType = "aws.iam.policy"

func (c *IAMPolicies) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *IAMPolicies) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.iam.policies", Version: 1, Source: SourceName, Title: "Customer managed IAM policies: full administrative rights and attachments",
		ResourceTypes: []collectors.ResourceType{{Name: IAMPolicyType, Doc: "A customer managed IAM policy. ID is the policy ARN.", Attributes: []collectors.Attribute{
			{Name: "full_admin", Type: "bool", Doc: `The policy's default version has an Allow statement with every action ("*") on every resource ("*"), with or without a condition.`},
			{Name: "attachment_count", Type: "int", Doc: "The number of users, groups and roles the policy is attached to (AttachmentCount)."},
			{Name: "default_version", Type: "string", Doc: "The id of the default version, the one in force."},
			{Name: "path", Type: "string", Doc: "The policy's path."},
		}}},
		Permissions: []string{"iam:GetAccountAuthorizationDetails"},
	}
}

// Collect lists the customer managed policies of target's account.
func (c *IAMPolicies) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	auth, err := authorizationDetails(ctx, iam.NewFromConfig(cfg), iamtypes.EntityTypeLocalManagedPolicy)
	if err != nil {
		return err
	}
	records := trace.Records()
	rs := make([]evidence.Resource, 0, len(auth.policies))
	for _, p := range auth.policies {
		arn := awssdk.ToString(p.Arn)
		rs = append(rs, evidence.Resource{Type: IAMPolicyType, ID: arn, Name: awssdk.ToString(p.PolicyName), Account: target.Account, Records: records,
			Attributes: map[string]any{
				"full_admin":       auth.adminPolicies[arn],
				"attachment_count": int(awssdk.ToInt32(p.AttachmentCount)),
				"default_version":  awssdk.ToString(p.DefaultVersionId),
				"path":             awssdk.ToString(p.Path),
			}})
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
