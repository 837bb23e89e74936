package workspace

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"

	cloudidentity "google.golang.org/api/cloudidentity/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// DriveSharingCollector reads the Drive and Docs external sharing settings
// of the Workspace customer from the Cloud Identity Policy API: one
// policy per organisational unit (or group) where the setting is set, the
// root organisational unit included, with the mode of sharing outside the
// organisation.
//
// API docs:
//   - https://cloud.google.com/identity/docs/reference/rest/v1/policies/list (cloudidentity.policies.list)
//   - https://cloud.google.com/identity/docs/concepts/supported-policy-api-settings (settings/drive_and_docs.external_sharing)
type DriveSharingCollector struct{ src *Source }

const (
	opListPolicies   = "cloudidentity.policies.list"
	typeDriveSharing = "workspace.drive_sharing_policy"
	driveSharingID   = "workspace.policies.drive_sharing"
	// scopePolicies is the read-only scope of the Cloud Identity Policy API.
	scopePolicies = cloudidentity.CloudIdentityPoliciesReadonlyScope
	// settingDriveSharing is the setting type of Drive's external sharing.
	settingDriveSharing = "settings/drive_and_docs.external_sharing"
	// policiesPageSize is the largest page policies.list returns.
	policiesPageSize = 100
)

// Describe returns the collector's metadata.
func (c *DriveSharingCollector) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: driveSharingID, Version: 1, Source: SourceName,
		Title: "Google Drive external sharing settings per organisational unit",
		ResourceTypes: []collectors.ResourceType{
			{Name: typeDriveSharing, Doc: "A Cloud Identity policy setting Drive and Docs external sharing for an organisational unit or group. ID is the policy name (policies/...).", Attributes: []collectors.Attribute{
				{Name: "org_unit", Type: "string", Doc: `The organisational unit the policy applies to (orgUnits/<id>), or "" for a group policy.`},
				{Name: "group", Type: "string", Doc: `The group the policy applies to (groups/<id>), or "".`},
				{Name: "policy_type", Type: "string", Doc: "ADMIN (set by an administrator) or SYSTEM (Google's default)."},
				{Name: "external_sharing_mode", Type: "string", Doc: "externalSharingMode: DISALLOWED (no sharing outside the organisation), ALLOWLISTED_DOMAINS (only with allow-listed domains) or ALLOWED; \"\" when the policy does not say."},
				{Name: "warn_for_external_sharing", Type: "bool", Doc: "Users are warned when they share a file outside the organisation (warnForExternalSharing)."},
				{Name: "allow_publishing_files", Type: "bool", Doc: "Users may publish files to the web or make them visible to anyone with the link (allowPublishingFiles)."},
			}},
		},
		Permissions: []string{scopePolicies},
	}
}

// driveSharingValue is the value of a settings/drive_and_docs.external_sharing
// setting, the fields the collector reads.
type driveSharingValue struct {
	ExternalSharingMode    string `json:"externalSharingMode"`
	WarnForExternalSharing bool   `json:"warnForExternalSharing"`
	AllowPublishingFiles   bool   `json:"allowPublishingFiles"`
}

// Collect lists the Drive external sharing policies of the customer
// target.Account.
func (c *DriveSharingCollector) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	ci, err := c.src.cloudIdentity(ctx)
	if err != nil {
		return err
	}
	tctx, trace := collectors.WithTrace(ctx)
	filter := fmt.Sprintf(`customer == "customers/%s" && setting.type.matches('^settings/drive_and_docs\\.external_sharing$')`, target.Account)
	var rs []evidence.Resource
	err = ci.Policies.List().Filter(filter).PageSize(policiesPageSize).Pages(tctx, func(p *cloudidentity.ListPoliciesResponse) error {
		for _, pol := range p.Policies {
			if pol.Setting == nil || pol.Setting.Type != settingDriveSharing {
				continue
			}
			r, err := driveSharingResource(target.Account, pol)
			if err != nil {
				return err
			}
			rs = append(rs, r)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("workspace %s %s: %w", opListPolicies, target.Account, gcpapi.Classify(err, opListPolicies, scopePolicies))
	}
	collectors.EmitSorted(out, rs, trace.Records())
	return nil
}

// driveSharingResource turns one policy into its resource. A value that
// does not decode is an error: the setting would otherwise read as unset.
func driveSharingResource(customer string, pol *cloudidentity.Policy) (evidence.Resource, error) {
	var v driveSharingValue
	if err := json.Unmarshal(pol.Setting.Value, &v); err != nil {
		return evidence.Resource{}, fmt.Errorf("policy %s: setting value: %w", pol.Name, err)
	}
	var ou, group string
	if q := pol.PolicyQuery; q != nil {
		ou, group = q.OrgUnit, q.Group
	}
	return evidence.Resource{Type: typeDriveSharing, ID: pol.Name, Name: cmp.Or(ou, group, pol.Name), Account: customer,
		Attributes: map[string]any{
			"org_unit": ou, "group": group, "policy_type": pol.Type,
			"external_sharing_mode":     v.ExternalSharingMode,
			"warn_for_external_sharing": v.WarnForExternalSharing,
			"allow_publishing_files":    v.AllowPublishingFiles,
		}}, nil
}
