package gcp

import (
	"context"
	"fmt"
	"sync"

	orgpolicy "google.golang.org/api/orgpolicy/v2"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// OrgPolicies collects the effective organisation policy of each
// constraint in OrgPolicyConstraints for a project: the policy that
// applies after inheritance from the organisation and folders and any
// project override, as Org Policy v2 getEffectivePolicy computes it.
//
// Org Policy API docs: https://cloud.google.com/resource-manager/docs/reference/orgpolicy/rest/v2/projects.policies/getEffectivePolicy
// Operation: orgpolicy.policies.getEffectivePolicy (GET /v2/projects/{project}/policies/{constraint}:getEffectivePolicy),
// permission orgpolicy.policy.get. One call per constraint and project: a
// policy read at the organisation or a folder would miss project
// overrides, and policies.list returns only policies set on the project
// itself, not the inherited ones.
type OrgPolicies struct{ src *Source }

const (
	opGetEffectivePolicy = "orgpolicy.policies.getEffectivePolicy"
	permOrgPolicyGet     = "orgpolicy.policy.get"
	typeOrgPolicy        = "gcp.orgpolicy.policy"
)

// OrgPolicyConstraints are the constraints whose effective policy is read
// for each project, sorted.
var OrgPolicyConstraints = []string{
	"compute.vmExternalIpAccess",
	"iam.allowedPolicyMemberDomains",
	"iam.disableServiceAccountKeyCreation",
	"sql.restrictPublicIp",
	"storage.publicAccessPrevention",
	"storage.uniformBucketLevelAccess",
}

// Describe returns the collector's metadata.
func (c *OrgPolicies) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.org_policies", Version: 1, Source: SourceName, Title: "Effective organisation policies of each project",
		ResourceTypes: []collectors.ResourceType{{Name: typeOrgPolicy, Doc: "The effective organisation policy of one constraint for a project. ID is projects/PROJECT/policies/CONSTRAINT. " +
			"Only rules without a condition count: a conditional rule applies to some resources only.", Attributes: []collectors.Attribute{
			{Name: "constraint", Type: "string", Doc: `The constraint without its "constraints/" prefix, e.g. iam.allowedPolicyMemberDomains.`},
			{Name: "api_enabled", Type: "bool", Doc: "The Org Policy API is enabled for the project; when it is not, the policy cannot be read and every other attribute is false or empty."},
			{Name: "enforced", Type: "bool", Doc: "A boolean constraint is enforced by an unconditional rule."},
			{Name: "allow_all", Type: "bool", Doc: "A list constraint allows all values (allowAll)."},
			{Name: "deny_all", Type: "bool", Doc: "A list constraint denies all values (denyAll)."},
			{Name: "allowed_values", Type: "list", Doc: "Values a list constraint allows (e.g. Workspace customer IDs such as C0abc123 or is:C0abc123), sorted."},
			{Name: "denied_values", Type: "list", Doc: "Values a list constraint denies, sorted."},
		}}},
		Permissions: []string{permOrgPolicyGet},
	}
}

// Collect reads the effective policies of project target.Account.
func (c *OrgPolicies) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "orgpolicy", "")
	if err != nil {
		return err
	}
	svc, err := orgpolicy.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp orgpolicy client: %w", err)
	}
	res := make([]*evidence.Resource, len(OrgPolicyConstraints))
	var mu sync.Mutex
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, len(OrgPolicyConstraints), func(ctx context.Context, i int) {
		con := OrgPolicyConstraints[i]
		name := "projects/" + target.Account + "/policies/" + con
		tctx, trace := collectors.WithTrace(ctx)
		attrs := map[string]any{"constraint": con, "api_enabled": true, "enforced": false, "allow_all": false, "deny_all": false}
		var allowed, denied []string
		pol, err := svc.Projects.Policies.GetEffectivePolicy(name).Context(tctx).Do()
		switch {
		case err != nil && apiDisabled(err):
			attrs["api_enabled"] = false
		case err != nil && gcpapi.Canceled(err):
			return // reported below
		case err != nil:
			mu.Lock()
			out.Fail(collectors.FailureOf(fmt.Errorf("gcp %s %s: %w", opGetEffectivePolicy, name, gcpapi.Classify(err, opGetEffectivePolicy, permOrgPolicyGet)), name))
			mu.Unlock()
			return
		case pol.Spec != nil:
			for _, r := range pol.Spec.Rules {
				if r.Condition != nil && r.Condition.Expression != "" {
					continue
				}
				attrs["enforced"] = attrs["enforced"].(bool) || r.Enforce
				attrs["allow_all"] = attrs["allow_all"].(bool) || r.AllowAll
				attrs["deny_all"] = attrs["deny_all"].(bool) || r.DenyAll
				if r.Values != nil {
					allowed = append(allowed, r.Values.AllowedValues...)
					denied = append(denied, r.Values.DeniedValues...)
				}
			}
		}
		attrs["allowed_values"], attrs["denied_values"] = sortedList(allowed), sortedList(denied)
		res[i] = &evidence.Resource{Type: typeOrgPolicy, ID: name, Name: con, Account: target.Account, Attributes: attrs, Records: trace.Records()}
	})
	if err != nil {
		return gcpapi.Classify(err, opGetEffectivePolicy, "")
	}
	for _, r := range res {
		if r != nil {
			out.Emit(*r)
		}
	}
	return nil
}
