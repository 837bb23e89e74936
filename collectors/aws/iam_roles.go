package aws

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// IAMRoles collects the IAM roles of an account: whether a role holds full
// administrative rights and how many roles of the account do, which other
// AWS accounts its trust policy lets assume it, and whether one of them belongs to the other environment
// (prod or nonprod, see Environment).
//
// AWS API docs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
// Operations: iam:GetAccountAuthorizationDetails (filters Role and
// LocalManagedPolicy), organizations:ListParents and
// organizations:ListTagsForResource (see Environment).
type IAMRoles struct{ s *Source }

// IAMRoleType is the resource type of an IAM role.
const IAMRoleType = "aws.iam.role"

func (c *IAMRoles) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *IAMRoles) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.iam.roles", Version: 1, Source: SourceName, Title: "IAM roles: administrator rights and cross-account trust",
		ResourceTypes: []collectors.ResourceType{{Name: IAMRoleType, Doc: "An IAM role. ID is the role ARN.", Attributes: []collectors.Attribute{
			{Name: "service_linked", Type: "bool", Doc: "The role is service-linked (path /aws-service-role/), created and managed by an AWS service."},
			{Name: "admin", Type: "bool", Doc: "An attached or inline policy of the role gives full administrative rights: AWS managed AdministratorAccess, or a customer managed or inline policy allowing every action on every resource."},
			{Name: "identity_center", Type: "bool", Doc: "The role was created by IAM Identity Center for a permission set (path /aws-reserved/sso.amazonaws.com/, name AWSReservedSSO_*); people sign in to it through Identity Center."},
			{Name: "account_admin_roles", Type: "int", Doc: "The number of roles of the role's account, service-linked roles left out and Identity Center roles counted, that hold full administrative rights (admin)."},
			{Name: "trusted_accounts", Type: "list", Doc: `The other AWS accounts whose principals the trust policy lets assume the role, sorted; "*" when any principal may. Empty when only the account itself, services or identity providers may.`},
			{Name: "environment", Type: "string", Doc: `Environment of the role's account ("prod" or "nonprod"); a gap when unclassified.`},
			{Name: "cross_environment", Type: "bool", Doc: `A trusted account belongs to the other environment, or the trust policy admits any principal ("*"). Trusted accounts that aws.environments does not classify (such as vendors') do not count; a gap when the role's own environment or a lookup is unknown.`},
		}}},
		Permissions: append([]string{"iam:GetAccountAuthorizationDetails"}, environmentPermissions...),
	}
}

// Collect lists the roles of target's account.
func (c *IAMRoles) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	ctx, trace := collectors.WithTrace(ctx)
	auth, err := authorizationDetails(ctx, iam.NewFromConfig(cfg), iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy)
	if err != nil {
		return err
	}
	if len(auth.roles) == 0 {
		return nil
	}
	cache := map[string]string{}
	env, envErr := c.s.environment(ctx, target.Account, cache)
	if envErr != nil && ctx.Err() != nil {
		return envErr
	}
	if envErr != nil {
		out.Fail(collectors.FailureOf(envErr, ""))
	}
	// The roles in name order: the environment lookups below record
	// Organizations responses in the order they are made, and a role's
	// records must not change with the iteration order of a map.
	roles := auth.sortedRoles()
	admins := 0
	for _, role := range roles {
		if !serviceLinked(role) && auth.adminGrant(role.AttachedManagedPolicies, role.RolePolicyList) {
			admins++
		}
	}
	var rs []evidence.Resource
	for _, role := range roles {
		trusted := trustedAccounts(awssdk.ToString(role.AssumeRolePolicyDocument), target.Account)
		r := evidence.Resource{Type: IAMRoleType, ID: awssdk.ToString(role.Arn), Name: awssdk.ToString(role.RoleName), Account: target.Account,
			Attributes: map[string]any{
				"service_linked":      serviceLinked(role),
				"identity_center":     strings.HasPrefix(awssdk.ToString(role.Path), "/aws-reserved/sso.amazonaws.com/") && strings.HasPrefix(awssdk.ToString(role.RoleName), "AWSReservedSSO_"),
				"admin":               auth.adminGrant(role.AttachedManagedPolicies, role.RolePolicyList),
				"account_admin_roles": admins,
				"trusted_accounts":    stringList(trusted),
			}}
		switch {
		case envErr != nil:
			r.Gaps = append(r.Gaps, collectors.GapOf(envErr, "environment"), collectors.GapOf(envErr, "cross_environment"))
		case env == "":
			g := unclassified(target.Account)
			r.Gaps = append(r.Gaps, g)
			g.Attribute = "cross_environment"
			r.Gaps = append(r.Gaps, g)
		default:
			r.Attributes["environment"] = env
			cross, err := c.crossTrust(ctx, env, trusted, cache)
			switch {
			case err != nil && ctx.Err() != nil:
				return err
			case err != nil:
				fail(out, &r, err, "cross_environment")
			default:
				r.Attributes["cross_environment"] = cross
			}
		}
		rs = append(rs, r)
	}
	records := trace.Records()
	for i := range rs {
		rs[i].Records = records
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// sortedRoles returns the roles of a in name order.
func (a *authorization) sortedRoles() []iamtypes.RoleDetail {
	names := slices.Sorted(maps.Keys(a.roles))
	roles := make([]iamtypes.RoleDetail, len(names))
	for i, n := range names {
		roles[i] = a.roles[n]
	}
	return roles
}

// serviceLinked reports whether role is service-linked: created and
// managed by an AWS service under the path /aws-service-role/.
func serviceLinked(role iamtypes.RoleDetail) bool {
	return strings.HasPrefix(awssdk.ToString(role.Path), "/aws-service-role/")
}

// crossTrust reports whether one of trusted is "*" or an account of the
// environment other than env.
func (c *IAMRoles) crossTrust(ctx context.Context, env string, trusted []string, cache map[string]string) (bool, error) {
	for _, a := range trusted {
		if a == "*" {
			return true, nil
		}
		other, err := c.s.environment(ctx, a, cache)
		if err != nil {
			return false, err
		}
		if other != "" && other != env {
			return true, nil
		}
	}
	return false, nil
}

// principalAccount matches the account id of an AWS principal: a bare
// account id or an IAM ARN (root, user, role, assumed role).
var principalAccount = regexp.MustCompile(`^(?:arn:aws[a-z-]*:(?:iam|sts)::)?([0-9]{12})(?::|$)`)

// trustedAccounts returns the accounts other than own whose principals the
// trust policy doc (URL-encoded or plain JSON) allows to assume the role,
// sorted; "*" stands for any principal. Deny statements and service or
// federated principals are ignored.
func trustedAccounts(doc, own string) []string {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var p struct{ Statement json.RawMessage }
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil
	}
	type statement struct {
		Effect    string
		Principal json.RawMessage
	}
	var sts []statement
	if err := json.Unmarshal(p.Statement, &sts); err != nil {
		var one statement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return nil
		}
		sts = []statement{one}
	}
	var out []string
	for _, s := range sts {
		if s.Effect != "Allow" {
			continue
		}
		var any string
		if json.Unmarshal(s.Principal, &any) == nil && any == "*" {
			out = append(out, "*")
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(s.Principal, &m) != nil {
			continue
		}
		raw, ok := m["AWS"]
		if !ok {
			continue
		}
		var ps []string
		var one string
		if json.Unmarshal(raw, &one) == nil {
			ps = []string{one}
		} else {
			_ = json.Unmarshal(raw, &ps)
		}
		for _, pr := range ps {
			if pr == "*" {
				out = append(out, "*")
				continue
			}
			if m := principalAccount.FindStringSubmatch(pr); m != nil && m[1] != own {
				out = append(out, m[1])
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
