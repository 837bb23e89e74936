package aws

import (
	"context"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// IAMGroups collects the IAM groups of an account with the policies that
// grant their members permissions, and the environment (Config.Environments)
// of the account, so that controls can tell which groups hold permissions
// in production accounts. All groups come from one paginated listing of
// the account's authorisation details.
//
// AWS API docs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
// Operations: iam:GetAccountAuthorizationDetails, organizations:ListParents
// (see Environment).
type IAMGroups struct{ s *Source }

// IAMGroupType is the resource type of an IAM group.
const IAMGroupType = "aws.iam.group"

func (c *IAMGroups) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *IAMGroups) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.iam.groups", Version: 1, Source: SourceName, Title: "IAM groups, their policies and account environment",
		ResourceTypes: []collectors.ResourceType{{Name: IAMGroupType, Doc: "An IAM group. ID is the group ARN.", Attributes: []collectors.Attribute{
			{Name: "name", Type: "string", Doc: "The group name."},
			{Name: "attached_policies", Type: "list", Doc: "Names of the managed policies attached to the group, sorted; empty when none."},
			{Name: "admin_policy_attached", Type: "bool", Doc: "AdministratorAccess is attached to the group."},
			{Name: "inline_policies", Type: "int", Doc: "Number of inline policies embedded in the group."},
			{Name: "environment", Type: "string", Doc: `Environment of the group's account ("prod" or "nonprod") from aws.environments; a gap when the account is not classified.`},
		}}},
		Permissions: append([]string{"iam:GetAccountAuthorizationDetails"}, environmentPermissions...),
	}
}

// Collect lists the groups of target's account.
func (c *IAMGroups) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	auth, err := authorizationDetails(ctx, iam.NewFromConfig(cfg), iamtypes.EntityTypeGroup)
	if err != nil {
		return err
	}
	if len(auth.groups) == 0 {
		return nil
	}
	env, envErr := c.s.environment(ctx, target.Account, map[string]string{})
	if envErr != nil && ctx.Err() != nil {
		return envErr
	}
	if envErr != nil {
		out.Fail(collectors.FailureOf(envErr, ""))
	}
	records := trace.Records()
	var rs []evidence.Resource
	for _, g := range auth.groups {
		name := awssdk.ToString(g.GroupName)
		var names []string
		for _, p := range g.AttachedManagedPolicies {
			names = append(names, awssdk.ToString(p.PolicyName))
		}
		slices.Sort(names)
		policies := stringList(names)
		r := evidence.Resource{Type: IAMGroupType, ID: awssdk.ToString(g.Arn), Name: name, Account: target.Account, Records: records,
			Attributes: map[string]any{
				"name":                  name,
				"attached_policies":     policies,
				"admin_policy_attached": hasAdminPolicy(g.AttachedManagedPolicies),
				"inline_policies":       len(g.GroupPolicyList),
			}}
		switch {
		case envErr != nil:
			r.Gaps = append(r.Gaps, collectors.GapOf(envErr, "environment"))
		case env == "":
			r.Gaps = append(r.Gaps, unclassified(target.Account))
		default:
			r.Attributes["environment"] = env
		}
		rs = append(rs, r)
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}
