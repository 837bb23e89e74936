package aws

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/attestdev/attest/collectors"
)

// apiGatewayRead is the IAM action of every API Gateway read.
const apiGatewayRead = "apigateway:GET"

// planPermissions are needed by Plan, whatever collectors are enabled.
var planPermissions = []string{"sts:GetCallerIdentity", "ec2:DescribeRegions", "organizations:ListAccounts"}

// Policy renders the least-privilege IAM policy for the AWS collectors among
// ds: the sorted, deduplicated read-only actions they declare, plus those
// Plan needs to find accounts and regions. sts:GetCallerIdentity needs no
// permission but is listed for clarity. Assuming the read-only role in
// member accounts needs sts:AssumeRole on the default role name
// "attest-readonly"; it is a separate statement, scoped to that role. So is
// apigateway:GET, scoped to REST APIs and their stages.
func Policy(ds []collectors.Descriptor) ([]byte, error) {
	actions := slices.Clone(planPermissions)
	for _, d := range ds {
		if d.Source != SourceName {
			continue
		}
		actions = append(actions, d.Permissions...)
	}
	slices.SortFunc(actions, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	actions = slices.Compact(actions)
	// apigateway:GET reads every API Gateway resource, API key values
	// included; it is granted on REST APIs and their stages only.
	apigw := slices.Contains(actions, apiGatewayRead)
	actions = slices.DeleteFunc(actions, func(a string) bool { return a == apiGatewayRead })
	statements := []map[string]any{{
		"Sid":      "AttestReadOnly",
		"Effect":   "Allow",
		"Action":   actions,
		"Resource": "*",
	}, {
		"Sid":      "AttestAssumeReadOnlyRole",
		"Effect":   "Allow",
		"Action":   []string{"sts:AssumeRole"},
		"Resource": "arn:aws:iam::*:role/" + defaultRoleName,
	}}
	if apigw {
		statements = append(statements, map[string]any{
			"Sid":      "AttestReadRestApiStages",
			"Effect":   "Allow",
			"Action":   []string{apiGatewayRead},
			"Resource": []string{"arn:aws:apigateway:*::/restapis", "arn:aws:apigateway:*::/restapis/*/stages"},
		})
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": statements}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
