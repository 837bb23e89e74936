package aws

import (
	"encoding/json"
	"net/url"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// grantsAdmin reports whether the IAM policy document doc (URL-encoded, as
// the IAM query API returns it, or plain JSON) has a statement that allows
// every action ("*") on every resource ("*"): full administrative rights,
// whether or not a condition narrows the statement. A document that does
// not parse grants nothing.
func grantsAdmin(doc string) bool {
	if d, err := url.QueryUnescape(doc); err == nil {
		doc = d
	}
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return false
	}
	type statement struct {
		Effect   string
		Action   json.RawMessage
		Resource json.RawMessage
	}
	var sts []statement
	if err := json.Unmarshal(p.Statement, &sts); err != nil {
		var one statement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return false
		}
		sts = []statement{one}
	}
	for _, s := range sts {
		if s.Effect == "Allow" && stringsOf(s.Action, "*") && stringsOf(s.Resource, "*") {
			return true
		}
	}
	return false
}

// stringsOf reports whether raw, a JSON string or list of strings, holds
// want.
func stringsOf(raw json.RawMessage, want string) bool {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return one == want
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		return slices.Contains(many, want)
	}
	return false
}

// adminGrant reports whether managed policies attached (AWS managed
// AdministratorAccess, or a customer managed policy whose default version
// allows everything) or inline policies give full administrative rights.
func (a *authorization) adminGrant(attached []iamtypes.AttachedPolicy, inline []iamtypes.PolicyDetail) bool {
	if hasAdminPolicy(attached) {
		return true
	}
	for _, p := range attached {
		if a.adminPolicies[awssdk.ToString(p.PolicyArn)] {
			return true
		}
	}
	for _, p := range inline {
		if grantsAdmin(awssdk.ToString(p.PolicyDocument)) {
			return true
		}
	}
	return false
}

// customerAdminPolicies returns the ARNs of the customer managed policies of
// ps whose default version allows every action on every resource.
func customerAdminPolicies(ps []iamtypes.ManagedPolicyDetail) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		for _, v := range p.PolicyVersionList {
			if v.IsDefaultVersion && grantsAdmin(awssdk.ToString(v.Document)) {
				out[awssdk.ToString(p.Arn)] = true
			}
		}
	}
	return out
}
