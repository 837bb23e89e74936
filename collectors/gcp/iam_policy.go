package gcp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	crm "google.golang.org/api/cloudresourcemanager/v3"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// ProjectIAM collects a project's IAM policy: basic (primitive) owner and
// editor roles granted to individual users, bindings to allUsers or
// allAuthenticatedUsers, the groups holding roles, whether Data Access
// audit logs are on for all services, and the project's environment (see
// Environment), so that one rule can test roles against the environment.
//
// Resource Manager API docs: https://cloud.google.com/resource-manager/reference/rest/v3/projects/getIamPolicy
// Operations: resourcemanager.projects.getIamPolicy (POST /v3/projects/{project}:getIamPolicy, a read),
// resourcemanager.projects.getAncestry (see Environment).
type ProjectIAM struct{ src *Source }

const (
	opGetIamPolicy = "resourcemanager.projects.getIamPolicy"
	typeProjectIAM = "gcp.project.iam"
)

// publicMembers are the IAM principals meaning anyone.
var publicMembers = []string{"allUsers", "allAuthenticatedUsers"}

// Describe returns the collector's metadata.
func (c *ProjectIAM) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.iam", Version: 3, Source: SourceName, Title: "Project IAM policy and audit log configuration",
		ResourceTypes: []collectors.ResourceType{{Name: typeProjectIAM, Doc: "The IAM policy of a project. ID is //cloudresourcemanager.googleapis.com/projects/ID.", Attributes: []collectors.Attribute{
			{Name: "owners", Type: "int", Doc: "Number of principals with roles/owner."},
			{Name: "primitive_user_grants", Type: "list", Doc: `Basic roles granted to individual users, as "roles/owner user:EMAIL" or "roles/editor user:EMAIL", sorted.`},
			{Name: "primitive_service_account_grants", Type: "list", Doc: `Basic roles roles/owner and roles/editor granted to service accounts other than Google-managed service agents (NUMBER@cloudservices.gserviceaccount.com, service-NUMBER@...), as "roles/editor serviceAccount:EMAIL", sorted.`},
			{Name: "public_grants", Type: "list", Doc: `Roles granted to allUsers or allAuthenticatedUsers, as "ROLE MEMBER", sorted.`},
			{Name: "data_access_logs", Type: "bool", Doc: "Data Access audit logs (DATA_READ and DATA_WRITE) are enabled for allServices."},
			{Name: "groups", Type: "list", Doc: "E-mail addresses (lower case) of the Google groups, and IDs of the workforce identity pool groups, holding any role in the project, sorted."},
			{Name: "group_grants", Type: "list", Doc: `Roles granted to groups, as "ROLE group:EMAIL" or "ROLE principalSet://...", sorted.`},
			{Name: "environment", Type: "string", Doc: `The project's environment ("prod" or "nonprod") from gcp.environments, as for gcp.project; a gap when unclassified or when its ancestry cannot be read.`},
		}}},
		Permissions: []string{opGetIamPolicy, permProjectsGet},
	}
}

// Collect reads the IAM policy of project target.Account.
func (c *ProjectIAM) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "cloudresourcemanager", "")
	if err != nil {
		return err
	}
	svc, err := crm.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp cloudresourcemanager client: %w", err)
	}
	tctx, trace := collectors.WithTrace(ctx)
	name := "projects/" + target.Account
	pol, err := svc.Projects.GetIamPolicy(name, &crm.GetIamPolicyRequest{Options: &crm.GetPolicyOptions{RequestedPolicyVersion: 3}}).Context(tctx).Do()
	if err != nil {
		return fmt.Errorf("gcp %s %s: %w", opGetIamPolicy, name, gcpapi.Classify(err, opGetIamPolicy, opGetIamPolicy))
	}
	r := evidence.Resource{
		Type: typeProjectIAM, ID: "//cloudresourcemanager.googleapis.com/" + name, Name: target.Account, Account: target.Account,
		Attributes: policyAttributes(pol),
	}
	// A failed ancestry lookup leaves only the environment unknown: it is
	// a gap on that attribute, not a failure of the run, so the controls
	// over the policy itself keep their evidence.
	cl := c.src.classifier().classify(tctx, target.Account)
	switch {
	case cl.err != nil && gcpapi.Canceled(cl.err):
		return cl.err
	case cl.err != nil:
		r.Gaps = append(r.Gaps, collectors.GapOf(cl.err, "environment"))
	case cl.env == "":
		r.Gaps = append(r.Gaps, unclassified(target.Account, "environment"))
	default:
		r.Attributes["environment"] = cl.env
	}
	r.Records = trace.Records()
	out.Emit(r)
	return nil
}

// policyAttributes summarises a project's IAM policy: owners, primitive
// role grants to users and service accounts, public and group grants, and
// whether data access audit logs are on for all services.
func policyAttributes(pol *crm.Policy) map[string]any {
	owners := map[string]bool{}
	userGrants, publicGrants, groups, groupGrants := []string{}, []string{}, []string{}, []string{}
	saGrants := []string{}
	for _, b := range pol.Bindings {
		for _, m := range b.Members {
			if g := groupOf(m); g != "" {
				groups = append(groups, g)
				groupGrants = append(groupGrants, b.Role+" "+m)
			}
			if b.Role == "roles/owner" {
				owners[m] = true
			}
			if (b.Role == "roles/owner" || b.Role == "roles/editor") && strings.HasPrefix(m, "user:") {
				userGrants = append(userGrants, b.Role+" "+m)
			}
			if (b.Role == "roles/owner" || b.Role == "roles/editor") && strings.HasPrefix(m, "serviceAccount:") && !googleManagedSA(m) {
				saGrants = append(saGrants, b.Role+" "+m)
			}
			if slices.Contains(publicMembers, m) {
				publicGrants = append(publicGrants, b.Role+" "+m)
			}
		}
	}
	dataAccess := false
	for _, ac := range pol.AuditConfigs {
		if ac.Service != "allServices" {
			continue
		}
		var types []string
		for _, l := range ac.AuditLogConfigs {
			types = append(types, l.LogType)
		}
		dataAccess = slices.Contains(types, "DATA_READ") && slices.Contains(types, "DATA_WRITE")
	}
	return map[string]any{
		"owners": len(owners), "primitive_user_grants": sortedList(userGrants),
		"primitive_service_account_grants": sortedList(saGrants),
		"public_grants":                    sortedList(publicGrants), "data_access_logs": dataAccess,
		"groups": sortedList(groups), "group_grants": sortedList(groupGrants),
	}
}

// googleManagedSA reports whether member is a Google-managed service
// account (a service agent such as the Google APIs Service Agent
// NUMBER@cloudservices.gserviceaccount.com, or
// service-NUMBER@gcp-sa-NAME.iam.gserviceaccount.com, which is named
// service-PROJECT_NUMBER), which Google grants
// roles to and customers do not use as a workload identity.
func googleManagedSA(member string) bool {
	local, domain, _ := strings.Cut(strings.TrimPrefix(member, "serviceAccount:"), "@")
	if domain == "cloudservices.gserviceaccount.com" {
		return true
	}
	n, ok := strings.CutPrefix(local, "service-")
	return ok && n != "" && strings.Trim(n, "0123456789") == ""
}

// groupOf returns the group a policy member names, lower case: the e-mail
// of "group:EMAIL" or the principal set of a workforce identity pool group
// ("principalSet://iam.googleapis.com/locations/global/workforcePools/POOL/group/ID"
// gives ID); "" for any other member.
func groupOf(member string) string {
	if e, ok := strings.CutPrefix(member, "group:"); ok {
		return strings.ToLower(e)
	}
	if strings.HasPrefix(member, "principalSet://") {
		if i := strings.LastIndex(member, "/group/"); i >= 0 {
			return strings.ToLower(member[i+len("/group/"):])
		}
	}
	return ""
}

// sortedList returns ss sorted, without duplicates, as a JSON list.
func sortedList(ss []string) []any {
	ss = slices.Clone(ss)
	slices.Sort(ss)
	ss = slices.Compact(ss)
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
