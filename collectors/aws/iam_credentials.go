package aws

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// IAMCredentials collects the IAM credential report (console access, MFA,
// access keys and their use for every user and the root user) and whether
// each user holds full administrative rights through its managed or inline
// policies, directly or through a group. The
// policies and groups of all users come from one paginated listing of the
// account's authorisation details (1,000 users and groups a page), not from
// calls per user.
//
// AWS API docs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
// Operations: GenerateCredentialReport, GetCredentialReport,
// GetAccountAuthorizationDetails.
type IAMCredentials struct{ s *Source }

// Resource types emitted by IAMCredentials.
const (
	IAMUserType  = "aws.iam.user"
	IAMRootType  = "aws.iam.root"
	IdentityType = "identity.account"
)

// adminPolicies are managed policies that grant full administrative access.
var adminPolicies = []string{"AdministratorAccess"}

func (c *IAMCredentials) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *IAMCredentials) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.iam.credentials", Version: 2, Source: SourceName, Title: "IAM users, root user and their credentials",
		ResourceTypes: []collectors.ResourceType{
			{Name: IAMUserType, Doc: "An IAM user from the credential report. ID is the user ARN.", Attributes: []collectors.Attribute{
				{Name: "created", Type: "timestamp", Doc: "When the user was created."},
				{Name: "console_access", Type: "bool", Doc: "The user has a console password."},
				{Name: "mfa_active", Type: "bool", Doc: "The user has an MFA device."},
				{Name: "password_last_used", Type: "timestamp", Doc: `When the password was last used, or "" when never or unknown.`},
				{Name: "active_access_keys", Type: "int", Doc: "Number of active access keys (0-2)."},
				{Name: "oldest_active_key_rotated", Type: "timestamp", Doc: `When the oldest active access key was created or rotated, or "" without active keys.`},
				{Name: "last_activity", Type: "timestamp", Doc: `Latest use of the password or an access key, or "" when never used.`},
				{Name: "admin_policy_attached", Type: "bool", Doc: "The user's own policies give full administrative rights: AWS managed AdministratorAccess, or a customer managed or inline policy allowing every action (\"*\") on every resource (\"*\")."},
				{Name: "admin_via_group", Type: "bool", Doc: "Such a policy is attached to, or embedded in, a group the user belongs to."},
			}},
			{Name: IAMRootType, Doc: "The root user of an account. ID is the root ARN.", Attributes: []collectors.Attribute{
				{Name: "mfa_active", Type: "bool", Doc: "The root user has an MFA device."},
				{Name: "access_keys_present", Type: "bool", Doc: "The root user has an active access key."},
				{Name: "password_last_used", Type: "timestamp", Doc: `When the root password was last used, or "" when never or unknown.`},
				{Name: "access_keys_last_used", Type: "timestamp", Doc: `When a root access key was last used, or "" when never (or there is none).`},
				{Name: "last_used", Type: "timestamp", Doc: `The later of password_last_used and access_keys_last_used, or "" when the root user was never used as far as the credential report knows.`},
			}},
			{Name: IdentityType, Doc: "An account in an identity system, for access reviews across systems.", Fixed: map[string]any{"system": "aws"}, Attributes: []collectors.Attribute{
				{Name: "system", Type: "string", Doc: `The identity system, here "aws".`},
				{Name: "account_id", Type: "string", Doc: "The AWS account id."},
				{Name: "user", Type: "string", Doc: "The user name in the system."},
				{Name: "email", Type: "string", Doc: `The user's e-mail address; IAM has none, so "".`},
				{Name: "person", Type: "string", Doc: "Key joining accounts of one person across systems: the lower-cased user name."},
				{Name: "mfa", Type: "bool", Doc: "The account has MFA."},
				{Name: "admin", Type: "bool", Doc: "The account has administrative rights (for IAM: AdministratorAccess, or a customer managed or inline policy allowing every action on every resource, held directly or through a group)."},
				{Name: "last_login", Type: "timestamp", Doc: `Last console sign-in, or "".`},
				{Name: "active", Type: "bool", Doc: "The account has a console password or an active access key."},
			}},
		},
		Permissions: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:GetAccountAuthorizationDetails"},
	}
}

// reportPoll is the delay between polls of a credential report being
// generated.
var reportPoll = 2 * time.Second

// Collect reads the credential report of target's account and the
// policies and groups of its users. A failed listing of the authorisation
// details leaves gaps on the attributes it feeds; a failed credential
// report fails the run.
func (c *IAMCredentials) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := iam.NewFromConfig(cfg)
	ctx, trace := collectors.WithTrace(ctx)
	rows, err := credentialReport(ctx, cl)
	if err != nil {
		return err
	}
	report := trace.Records()
	var users []map[string]string
	var rs []evidence.Resource
	for _, row := range rows {
		if row["user"] == "<root_account>" {
			keysUsed := max(reportTime(row["access_key_1_last_used_date"]), reportTime(row["access_key_2_last_used_date"]))
			rs = append(rs, evidence.Resource{Type: IAMRootType, ID: row["arn"], Name: "root", Account: target.Account,
				Attributes: map[string]any{
					"mfa_active":            row["mfa_active"] == "true",
					"access_keys_present":   row["access_key_1_active"] == "true" || row["access_key_2_active"] == "true",
					"password_last_used":    reportTime(row["password_last_used"]),
					"access_keys_last_used": keysUsed,
					"last_used":             max(reportTime(row["password_last_used"]), keysUsed),
				}, Records: report})
			continue
		}
		users = append(users, row)
	}
	var auth *authorization
	var authErr error
	if len(users) > 0 {
		auth, authErr = authorizationDetails(ctx, cl, iamtypes.EntityTypeUser, iamtypes.EntityTypeGroup, iamtypes.EntityTypeLocalManagedPolicy)
		if authErr != nil && ctx.Err() != nil {
			return authErr
		}
		if authErr != nil {
			out.Fail(collectors.FailureOf(authErr, ""))
		}
	}
	records := trace.Records()
	for _, row := range users {
		u := userResource(target.Account, row)
		u.Records = records
		id := evidence.Resource{Type: IdentityType, ID: u.ID, Name: u.Name, Account: target.Account, Attributes: map[string]any{
			"system": "aws", "account_id": target.Account, "user": u.Name, "email": "",
			"person": strings.ToLower(u.Name), "mfa": u.Attributes["mfa_active"],
			"last_login": u.Attributes["password_last_used"],
			"active":     u.Attributes["console_access"] == true || u.Attributes["active_access_keys"].(int) > 0,
		}, Records: records}
		if authErr != nil {
			for _, a := range []string{"admin_policy_attached", "admin_via_group"} {
				u.Gaps = append(u.Gaps, collectors.GapOf(authErr, a))
			}
			id.Gaps = append(id.Gaps, collectors.GapOf(authErr, "admin"))
			rs = append(rs, u, id)
			continue
		}
		direct, group := auth.userAdmin(u.Name)
		u.Attributes["admin_policy_attached"] = direct
		u.Attributes["admin_via_group"] = group
		id.Attributes["admin"] = direct || group
		rs = append(rs, u, id)
	}
	collectors.EmitSorted(out, rs, nil)
	return nil
}

// reportAttempts bounds how often a credential report that is not ready
// (ReportInProgress, ReportNotPresent, ReportExpired) is generated again.
const reportAttempts = 5

// maxReportPolls bounds the polls of a credential report being generated.
const maxReportPolls = 60

// credentialReport generates the credential report if needed and returns
// its rows keyed by column name.
func credentialReport(ctx context.Context, cl *iam.Client) ([]map[string]string, error) {
	var rep *iam.GetCredentialReportOutput
	for attempt := 1; ; attempt++ {
		gen, err := cl.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, fmt.Errorf("aws iam GenerateCredentialReport: %w", apiError("iam:GenerateCredentialReport", err))
		}
		if gen.State != iamtypes.ReportStateTypeComplete {
			if attempt >= maxReportPolls {
				return nil, fmt.Errorf("aws iam GenerateCredentialReport: report still %s after %d polls", gen.State, attempt)
			}
			if err := wait(ctx, reportPoll); err != nil {
				return nil, fmt.Errorf("aws iam GenerateCredentialReport: %w", err)
			}
			continue
		}
		rep, err = cl.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		if err == nil {
			break
		}
		if attempt >= reportAttempts || !isCode(err, "ReportInProgress", "ReportNotPresent", "ReportExpired") {
			return nil, fmt.Errorf("aws iam GetCredentialReport: %w", apiError("iam:GetCredentialReport", err))
		}
		if err := wait(ctx, reportPoll); err != nil {
			return nil, fmt.Errorf("aws iam GetCredentialReport: %w", err)
		}
	}
	records, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("aws iam GetCredentialReport: parse CSV: %w", err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("aws iam GetCredentialReport: empty report")
	}
	header := records[0]
	rows := make([]map[string]string, 0, len(records)-1)
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, h := range header {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// wait returns after d, or ctx's error when ctx is done first.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// userResource builds an IAM user from a credential report row.
func userResource(account string, row map[string]string) evidence.Resource {
	keys := 0
	oldest, last := "", reportTime(row["password_last_used"])
	for _, k := range []string{"access_key_1", "access_key_2"} {
		if used := reportTime(row[k+"_last_used_date"]); used > last {
			last = used
		}
		if row[k+"_active"] != "true" {
			continue
		}
		keys++
		if r := reportTime(row[k+"_last_rotated"]); r != "" && (oldest == "" || r < oldest) {
			oldest = r
		}
	}
	return evidence.Resource{Type: IAMUserType, ID: row["arn"], Name: row["user"], Account: account, Attributes: map[string]any{
		"created":                   reportTime(row["user_creation_time"]),
		"console_access":            row["password_enabled"] == "true",
		"mfa_active":                row["mfa_active"] == "true",
		"password_last_used":        reportTime(row["password_last_used"]),
		"active_access_keys":        keys,
		"oldest_active_key_rotated": oldest,
		"last_activity":             last,
	}}
}

// reportTime converts a credential report time to RFC 3339 UTC; "N/A",
// "no_information" and "not_supported" become "".
func reportTime(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// authDetailsPageSize is the MaxItems of one GetAccountAuthorizationDetails
// page, the most IAM returns.
const authDetailsPageSize = 1000

// An authorization holds the users and groups of one account from
// iam:GetAccountAuthorizationDetails, by name.
type authorization struct {
	users  map[string]iamtypes.UserDetail
	groups map[string]iamtypes.GroupDetail
	roles  map[string]iamtypes.RoleDetail
	// adminPolicies holds the ARNs of the customer managed policies that
	// allow every action on every resource (listed only with the
	// LocalManagedPolicy filter).
	adminPolicies map[string]bool
	// policies are the customer managed policies (LocalManagedPolicy
	// filter) in listing order.
	policies []iamtypes.ManagedPolicyDetail
}

// authorizationDetails lists the entities of filter in the account of cl,
// reading every page.
func authorizationDetails(ctx context.Context, cl *iam.Client, filter ...iamtypes.EntityType) (*authorization, error) {
	a := &authorization{users: map[string]iamtypes.UserDetail{}, groups: map[string]iamtypes.GroupDetail{},
		roles: map[string]iamtypes.RoleDetail{}, adminPolicies: map[string]bool{}}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(cl, &iam.GetAccountAuthorizationDetailsInput{
		Filter: filter, MaxItems: awssdk.Int32(authDetailsPageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("aws iam GetAccountAuthorizationDetails: %w", apiError("iam:GetAccountAuthorizationDetails", err))
		}
		for _, u := range page.UserDetailList {
			a.users[awssdk.ToString(u.UserName)] = u
		}
		for _, g := range page.GroupDetailList {
			a.groups[awssdk.ToString(g.GroupName)] = g
		}
		for _, r := range page.RoleDetailList {
			a.roles[awssdk.ToString(r.RoleName)] = r
		}
		maps.Copy(a.adminPolicies, customerAdminPolicies(page.Policies))
		a.policies = append(a.policies, page.Policies...)
	}
	return a, nil
}

// userAdmin reports whether user holds full administrative rights
// directly (an attached or inline policy of the user) and through one of
// its groups (an attached or inline policy of the group). Administrative
// rights are AWS managed AdministratorAccess or a customer managed or
// inline policy allowing every action on every resource. A user or group
// missing from the listing (deleted since the credential report) has no
// policies.
func (a *authorization) userAdmin(user string) (direct, group bool) {
	u, ok := a.users[user]
	if !ok {
		return false, false
	}
	direct = a.adminGrant(u.AttachedManagedPolicies, u.UserPolicyList)
	for _, name := range u.GroupList {
		if g, ok := a.groups[name]; ok && a.adminGrant(g.AttachedManagedPolicies, g.GroupPolicyList) {
			group = true
		}
	}
	return direct, group
}

// hasAdminPolicy reports whether ps include an administrator policy.
func hasAdminPolicy(ps []iamtypes.AttachedPolicy) bool {
	for _, p := range ps {
		if isAdminPolicy(awssdk.ToString(p.PolicyArn)) {
			return true
		}
	}
	return false
}

// isAdminPolicy reports whether arn is an AWS managed administrator policy.
func isAdminPolicy(arn string) bool {
	for _, a := range adminPolicies {
		if strings.HasSuffix(arn, ":iam::aws:policy/"+a) {
			return true
		}
	}
	return false
}
