package aws

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// IAMCredentials collects the IAM credential report (console access, MFA,
// access keys and their use for every user and the root user) and the
// managed policies attached to each user, directly or through a group.
//
// AWS API docs: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html
// Operations: GenerateCredentialReport, GetCredentialReport,
// ListAttachedUserPolicies, ListGroupsForUser, ListAttachedGroupPolicies.
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
		ID: "aws.iam.credentials", Version: 1, Source: SourceName, Title: "IAM users, root user and their credentials",
		ResourceTypes: []collectors.ResourceType{
			{Name: IAMUserType, Doc: "An IAM user from the credential report. ID is the user ARN.", Attributes: []collectors.Attribute{
				{Name: "created", Type: "timestamp", Doc: "When the user was created."},
				{Name: "console_access", Type: "bool", Doc: "The user has a console password."},
				{Name: "mfa_active", Type: "bool", Doc: "The user has an MFA device."},
				{Name: "password_last_used", Type: "timestamp", Doc: `When the password was last used, or "" when never or unknown.`},
				{Name: "active_access_keys", Type: "int", Doc: "Number of active access keys (0-2)."},
				{Name: "oldest_active_key_rotated", Type: "timestamp", Doc: `When the oldest active access key was created or rotated, or "" without active keys.`},
				{Name: "last_activity", Type: "timestamp", Doc: `Latest use of the password or an access key, or "" when never used.`},
				{Name: "admin_policy_attached", Type: "bool", Doc: "AdministratorAccess is attached directly to the user."},
				{Name: "admin_via_group", Type: "bool", Doc: "AdministratorAccess is attached to a group the user belongs to."},
			}},
			{Name: IAMRootType, Doc: "The root user of an account. ID is the root ARN.", Attributes: []collectors.Attribute{
				{Name: "mfa_active", Type: "bool", Doc: "The root user has an MFA device."},
				{Name: "access_keys_present", Type: "bool", Doc: "The root user has an active access key."},
				{Name: "password_last_used", Type: "timestamp", Doc: `When the root password was last used, or "".`},
			}},
			{Name: IdentityType, Doc: "An account in an identity system, for access reviews across systems.", Attributes: []collectors.Attribute{
				{Name: "system", Type: "string", Doc: `The identity system, here "aws".`},
				{Name: "account_id", Type: "string", Doc: "The AWS account id."},
				{Name: "user", Type: "string", Doc: "The user name in the system."},
				{Name: "email", Type: "string", Doc: `The user's e-mail address; IAM has none, so "".`},
				{Name: "person", Type: "string", Doc: "Key joining accounts of one person across systems: the lower-cased user name."},
				{Name: "mfa", Type: "bool", Doc: "The account has MFA."},
				{Name: "admin", Type: "bool", Doc: "The account has administrative rights (for IAM: AdministratorAccess attached directly or through a group; inline policies are not inspected)."},
				{Name: "last_login", Type: "timestamp", Doc: `Last console sign-in, or "".`},
				{Name: "active", Type: "bool", Doc: "The account has a console password or an active access key."},
			}},
		},
		Permissions: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:ListAttachedUserPolicies",
			"iam:ListGroupsForUser", "iam:ListAttachedGroupPolicies"},
	}
}

// reportPoll is the delay between polls of a credential report being
// generated.
var reportPoll = 2 * time.Second

// Collect reads the credential report of target's account.
func (c *IAMCredentials) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := iam.NewFromConfig(cfg)
	rows, err := credentialReport(ctx, cl)
	if err != nil {
		return err
	}
	var users []map[string]string
	var rs []evidence.Resource
	for _, row := range rows {
		if row["user"] == "<root_account>" {
			rs = append(rs, evidence.Resource{Type: IAMRootType, ID: row["arn"], Name: "root", Account: target.Account,
				Attributes: map[string]any{
					"mfa_active":          row["mfa_active"] == "true",
					"access_keys_present": row["access_key_1_active"] == "true" || row["access_key_2_active"] == "true",
					"password_last_used":  reportTime(row["password_last_used"]),
				}})
			continue
		}
		users = append(users, row)
	}
	direct := make([]bool, len(users))
	directErr := make([]error, len(users))
	group := make([]bool, len(users))
	groupErr := make([]error, len(users))
	groups := &groupAdmins{by: map[string]bool{}}
	each(ctx, c.s.cfg.concurrency(), len(users), func(ctx context.Context, i int) {
		direct[i], directErr[i] = attachedAdmin(ctx, cl, users[i]["user"])
		group[i], groupErr[i] = groups.userIsAdmin(ctx, cl, users[i]["user"])
	})
	if err := cancelled(ctx, "iam ListAttachedUserPolicies"); err != nil {
		return err
	}
	for i, row := range users {
		u := userResource(target.Account, row)
		id := evidence.Resource{Type: IdentityType, ID: u.ID, Name: u.Name, Account: target.Account, Attributes: map[string]any{
			"system": "aws", "account_id": target.Account, "user": u.Name, "email": "",
			"person": strings.ToLower(u.Name), "mfa": u.Attributes["mfa_active"],
			"last_login": u.Attributes["password_last_used"],
			"active":     u.Attributes["console_access"] == true || u.Attributes["active_access_keys"].(int) > 0,
		}}
		if directErr[i] != nil {
			fail(out, &u, directErr[i], "admin_policy_attached")
		} else {
			u.Attributes["admin_policy_attached"] = direct[i]
		}
		if groupErr[i] != nil {
			fail(out, &u, groupErr[i], "admin_via_group")
		} else {
			u.Attributes["admin_via_group"] = group[i]
		}
		switch {
		case (directErr[i] == nil && direct[i]) || (groupErr[i] == nil && group[i]):
			id.Attributes["admin"] = true
		case directErr[i] != nil:
			id.Gaps = append(id.Gaps, collectors.GapOf(directErr[i], "admin"))
		case groupErr[i] != nil:
			id.Gaps = append(id.Gaps, collectors.GapOf(groupErr[i], "admin"))
		default:
			id.Attributes["admin"] = false
		}
		rs = append(rs, u, id)
	}
	emitSorted(out, rs)
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

// attachedAdmin reports whether an administrator policy is attached
// directly to user.
func attachedAdmin(ctx context.Context, cl *iam.Client, user string) (bool, error) {
	p := iam.NewListAttachedUserPoliciesPaginator(cl, &iam.ListAttachedUserPoliciesInput{UserName: awssdk.String(user)})
	admin := false
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isCode(err, "NoSuchEntity") {
			return false, nil
		}
		if err != nil {
			return false, apiError("iam:ListAttachedUserPolicies", fmt.Errorf("aws iam ListAttachedUserPolicies %s: %w", user, err))
		}
		for _, pol := range page.AttachedPolicies {
			admin = admin || isAdminPolicy(awssdk.ToString(pol.PolicyArn))
		}
	}
	return admin, nil
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

// groupAdmins caches, per IAM group, whether an administrator policy is
// attached to it.
type groupAdmins struct {
	mu sync.Mutex
	by map[string]bool
}

// userIsAdmin reports whether user belongs to a group with an
// administrator policy attached.
func (g *groupAdmins) userIsAdmin(ctx context.Context, cl *iam.Client, user string) (bool, error) {
	p := iam.NewListGroupsForUserPaginator(cl, &iam.ListGroupsForUserInput{UserName: awssdk.String(user)})
	var names []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isCode(err, "NoSuchEntity") {
			return false, nil
		}
		if err != nil {
			return false, apiError("iam:ListGroupsForUser", fmt.Errorf("aws iam ListGroupsForUser %s: %w", user, err))
		}
		for _, gr := range page.Groups {
			names = append(names, awssdk.ToString(gr.GroupName))
		}
	}
	for _, name := range names {
		admin, err := g.groupIsAdmin(ctx, cl, name)
		if err != nil || admin {
			return admin, err
		}
	}
	return false, nil
}

func (g *groupAdmins) groupIsAdmin(ctx context.Context, cl *iam.Client, group string) (bool, error) {
	g.mu.Lock()
	admin, ok := g.by[group]
	g.mu.Unlock()
	if ok {
		return admin, nil
	}
	p := iam.NewListAttachedGroupPoliciesPaginator(cl, &iam.ListAttachedGroupPoliciesInput{GroupName: awssdk.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isCode(err, "NoSuchEntity") {
			break
		}
		if err != nil {
			return false, apiError("iam:ListAttachedGroupPolicies", fmt.Errorf("aws iam ListAttachedGroupPolicies %s: %w", group, err))
		}
		for _, pol := range page.AttachedPolicies {
			admin = admin || isAdminPolicy(awssdk.ToString(pol.PolicyArn))
		}
	}
	g.mu.Lock()
	g.by[group] = admin
	g.mu.Unlock()
	return admin, nil
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
