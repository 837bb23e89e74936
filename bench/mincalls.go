package bench

import (
	"slices"
	"strings"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/azurefake"
	"github.com/attestdev/attest/internal/fake/entrafake"
	"github.com/attestdev/attest/internal/fake/gitlabfake"
)

// Calls maps an operation to a number of calls.
type Calls map[string]int64

// Total returns the sum of the calls.
func (c Calls) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

func pages(items, perPage int) int64 { return int64(max(1, (items+perPage-1)/perPage)) }

// GraphQLRepoBatch is how many repositories one GitHub GraphQL query
// covers: the largest page GitHub allows for a connection is 100, and the
// github collectors read 50 so that the largest query stays inside the
// node limit.
const GraphQLRepoBatch = 50

// reviewBatch is how many sampled pull requests one GraphQL query reads
// the reviews of, and reviewSample the github source's default
// review_sample_size.
const reviewBatch, reviewSample = 25, 25

// A need is one operation the minimum may charge: the calls it takes for
// an organisation of a size, and what it yields.
type need struct {
	op string
	// collector is the collector whose resource types the call serves
	// (several separated by "|" when they share one listing): the
	// call is charged only when one of them ran (attest collect runs a
	// collector only when an enabled control names one of its types).
	collector string
	// typ and attrs: the call yields these attributes of resources of typ.
	// A call with no attrs is a listing, charged whenever its collector
	// ran: the resources must be enumerated to be judged at all.
	typ   string
	attrs []string
	// n is the number of calls for the organisation.
	n func(sz Size) int64
	// where, when set, is the number of calls when the attributes are read
	// only by rules under a where clause: one per resource the where
	// selects in the simulated organisation.
	where func(sz Size) int64
}

// needs is the table of calls behind MinCalls. Each row cites what the
// call yields; the listings are the fewest pages the API's largest page
// size allows, each list read once however many collectors need it. With
// A accounts, R regions, B buckets and U IAM users per account, N
// repositories and M members (see Size and the constants of org.go).
//
// Operations that no row names (collectors added after the table) are
// charged at what they cost; the benchmark reports them as
// unmodelled_calls.
var needs = []need{
	// plan: who am I, the organisation's accounts, a role in each member.
	{op: "sts:GetCallerIdentity", collector: "*aws", n: func(Size) int64 { return 1 }},
	{op: "organizations:ListAccounts", collector: "*aws", n: func(sz Size) int64 { return pages(sz.Accounts, 20) }},
	{op: "sts:AssumeRole", collector: "*aws", n: func(sz Size) int64 { return int64(sz.Accounts - 1) }},

	// aws.s3: one listing per account, then per bucket only the reads whose
	// attributes a rule reads. region_allowed comes with ListBuckets
	// (BucketRegion); account_public_access_block is one S3 Control call per
	// account.
	{op: "s3:ListBuckets", collector: "aws.s3", n: perA(1)},
	{op: "s3control:GetPublicAccessBlock", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"account_public_access_block"}, n: perA(1)},
	{op: "s3:GetBucketEncryption", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"default_encryption"}, n: buckets},
	{op: "s3:GetBucketVersioning", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"versioning"}, n: buckets},
	{op: "s3:GetPublicAccessBlock", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"public_access_block"}, n: buckets},
	{op: "s3:GetBucketPolicy", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"tls_only"}, n: buckets},
	{op: "s3:GetBucketLifecycleConfiguration", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"lifecycle_rules"}, n: buckets},
	{op: "s3:GetBucketTagging", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"critical"}, n: buckets},
	{op: "s3:GetBucketLogging", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"access_logging"}, n: buckets},
	// Replication is read only of critical buckets (where: r.critical); the
	// simulated organisation tags none.
	{op: "s3:GetBucketReplication", collector: "aws.s3", typ: "aws.s3.bucket", attrs: []string{"replication_enabled"}, n: buckets,
		where: func(Size) int64 { return 0 }},

	// IAM: the credential report (one generation, one read) carries every
	// user's password, MFA and key ages; GetAccountAuthorizationDetails
	// (1,000 entries a page) every user's, group's and role's policies and
	// the customer managed policies (full_admin, attachment_count of
	// AWS-IAM-011; admin and account_admin_roles of AWS-IAM-012), once.
	// The simulated organisation's accounts hold only users, so the users
	// set the pages.
	{op: "iam:GenerateCredentialReport", collector: "aws.iam.credentials", n: perA(1)},
	{op: "iam:GetCredentialReport", collector: "aws.iam.credentials", n: perA(1)},
	{op: "iam:GetAccountAuthorizationDetails", collector: "aws.iam.credentials|aws.iam.groups|aws.iam.roles|aws.iam.policies",
		n: func(sz Size) int64 { return int64(sz.Accounts) * pages(usersPerAccount(sz), 1000) }},
	{op: "iam:GetAccountPasswordPolicy", collector: "aws.iam.password_policy", n: perA(1)},

	// KMS: ListKeys, then DescribeKey (manager, rotation_supported) and
	// GetKeyRotationStatus (rotation_enabled, rotation_period_days) per key.
	{op: "kms:ListKeys", collector: "aws.kms", n: perAR(1)},
	{op: "kms:DescribeKey", collector: "aws.kms", typ: "aws.kms.key", attrs: []string{"manager", "rotation_supported"}, n: perAR(KeysPerRegion)},
	{op: "kms:GetKeyRotationStatus", collector: "aws.kms", typ: "aws.kms.key", attrs: []string{"rotation_enabled", "rotation_period_days"}, n: perAR(KeysPerRegion)},

	// Regional listings, each read once (500 volumes, 100 DB instances a
	// page) however many collectors use them.
	{op: "ec2:GetEbsEncryptionByDefault", collector: "aws.ebs", n: perAR(1)},
	{op: "ec2:DescribeVolumes", collector: "aws.ebs", n: func(sz Size) int64 { return int64(sz.Accounts*sz.Regions) * pages(VolumesPerRegion, 500) }},
	{op: "rds:DescribeDBInstances", collector: "aws.rds", n: func(sz Size) int64 { return int64(sz.Accounts*sz.Regions) * pages(DBsPerRegion, 100) }},
	{op: "rds:DescribeDBClusters", collector: "aws.rds", n: perAR(1)},
	{op: "guardduty:ListDetectors", collector: "aws.guardduty", n: perAR(1)},
	{op: "guardduty:GetDetector", collector: "aws.guardduty", typ: "aws.guardduty.region", attrs: []string{"enabled"}, n: perAR(1)},
	{op: "cloudtrail:DescribeTrails", collector: "aws.cloudtrail", n: perAR(1)},
	// One organisation trail, its status read once from its home region.
	{op: "cloudtrail:GetTrailStatus", collector: "aws.cloudtrail", typ: "aws.cloudtrail.trail", attrs: []string{"logging"}, n: perA(1)},
	// The trail's log bucket (AWS-CT-004): its region, its public access
	// block and its logging, once per trail. The account's block (S3
	// Control) is needed only when the bucket's own is not all on; the
	// minimum charges none. When aws.s3 runs too it reads the same bucket's
	// block and logging, so a collection sharing reads between collectors
	// could save these two calls per trail.
	{op: "s3:GetBucketLocation", collector: "aws.cloudtrail", typ: "aws.cloudtrail.trail",
		attrs: []string{"log_bucket_public_access_blocked", "log_bucket_access_logging"}, n: perA(1)},
	{op: "s3:GetPublicAccessBlock", collector: "aws.cloudtrail", typ: "aws.cloudtrail.trail", attrs: []string{"log_bucket_public_access_blocked"}, n: perA(1)},
	{op: "s3:GetBucketLogging", collector: "aws.cloudtrail", typ: "aws.cloudtrail.trail", attrs: []string{"log_bucket_access_logging"}, n: perA(1)},
	{op: "backup:ListBackupPlans", collector: "aws.backup", n: perAR(1)},
	{op: "backup:ListBackupVaults", collector: "aws.backup", n: perAR(1)},
	{op: "elasticloadbalancing:DescribeLoadBalancers", collector: "aws.elbv2|aws.elbv2.load_balancers", n: perAR(1)},
	// Access Analyzer, EFS and DynamoDB: one listing per region; the
	// simulated organisation has no file systems or tables, so no
	// per-resource reads.
	{op: "access-analyzer:ListAnalyzers", collector: "aws.accessanalyzer", n: perAR(1)},
	{op: "elasticfilesystem:DescribeFileSystems", collector: "aws.efs", n: perAR(1)},
	{op: "dynamodb:ListTables", collector: "aws.dynamodb", n: perAR(1)},
	{op: "cloudfront:ListDistributions", collector: "aws.cloudfront", n: perA(1)},

	// GitHub REST: the organisation, its members (100 a page) with the
	// owners (role=admin) and the members without 2FA (filter=2fa_disabled)
	// read by filter, the outside collaborators, the Actions policies.
	{op: "GET /orgs/{org}", collector: "github.org", n: one},
	{op: "GET /orgs/{org}/members", collector: "github.org", n: func(sz Size) int64 { return pages(sz.Identities/2, 100) + 2 }},
	{op: "GET /orgs/{org}/outside_collaborators", collector: "github.org", n: one},
	// Fine-grained tokens with organisation access (GH-CRED-001), 100 a
	// page; the simulated organisation has none, and the benchmark does
	// not run the collector (GitHub App installations only, see appOnly).
	{op: "GET /orgs/{org}/personal-access-tokens", collector: "github.fine_grained_tokens", n: one},
	// The REST repository list carries security_and_analysis: secret
	// scanning and push protection status (github.repository.security, and
	// secret_scanning_enabled of the alerts), 100 repositories a page, once.
	{op: "GET /orgs/{org}/repos", collector: "*github", n: func(sz Size) int64 { return pages(sz.Repos, 100) }},
	// Open secret scanning alerts of the whole organisation, 100 a page:
	// secret_scanning_overdue of every repository. The simulated
	// organisation has none open, which takes one call to learn.
	{op: "GET /orgs/{org}/secret-scanning/alerts", collector: "github.alerts", typ: "github.repository.alerts", attrs: []string{"secret_scanning_overdue"}, n: one},
	// Per repository secret scanning alerts: the organisation listing
	// above answers the same attributes.
	{op: "GET /repos/{owner}/{repo}/secret-scanning/alerts", collector: "github.alerts", n: func(Size) int64 { return 0 }},
	// The newest code scanning analysis of each default branch
	// (last_sast_at): no organisation-wide or GraphQL endpoint serves it,
	// so one call per repository. GET /orgs/{org}/code-scanning/alerts
	// lists alerts, not analyses: no row for a repository without alerts,
	// and its times (created_at, updated_at: the latest state change,
	// fixed_at, dismissed_at) are not the time of an analysis; the code
	// security configuration endpoints say what is configured, not that an
	// analysis ran; the GraphQL schema has no code scanning analyses
	// (docs/scale.md cites the pages).
	{op: "GET /repos/{owner}/{repo}/code-scanning/analyses", collector: "github.sast", typ: "github.repository.sast", attrs: []string{"last_sast_at"}, n: func(sz Size) int64 { return int64(sz.Repos) }},
	// GitHub GraphQL: one walk of the repository list, GraphQLRepoBatch a
	// page, selects what github.repos, github.alerts (Dependabot) and
	// github.reviews read, plus the review sample's reviews and the
	// organisation's SAML provider.
	{op: "POST /graphql", collector: "*github", n: func(sz Size) int64 { return pages(sz.Repos, GraphQLRepoBatch) }},
	{op: "POST /graphql", collector: "github.reviews", typ: "github.pull_request.review", attrs: []string{"approved_by_other"}, n: func(Size) int64 { return pages(reviewSample, reviewBatch) }},
	{op: "POST /graphql", collector: "github.org_security", typ: "github.organization.security", attrs: []string{"saml_sso_enabled"}, n: one},

	// Microsoft Entra ID (Graph): the users with their sign-in activity
	// (120 a page, the most Graph serves with signInActivity), the
	// registration report (mfa_registered; the simulated Graph pages it at
	// 999), the role definitions and assignments (one page each), the
	// tenant's policies (one call each).
	{op: entrafake.Op("GET", "/users"), collector: "*entra", n: func(sz Size) int64 { return ifAny(sz.EntraUsers, pages(sz.EntraUsers, 120)) }},
	{op: entrafake.Op("GET", "/reports/authenticationMethods/userRegistrationDetails"), collector: "entra.users", typ: "entra.user", attrs: []string{"mfa_registered"},
		// Graph leaves disabled users out of the report: at least 90% of
		// the simulated users are enabled (about 3% are disabled).
		n: func(sz Size) int64 { return ifAny(sz.EntraUsers, pages(sz.EntraUsers*9/10, graphPageSize)) }},
	{op: entrafake.Op("GET", "/roleManagement/directory/roleDefinitions"), collector: "*entra", n: entraOne},
	{op: entrafake.Op("GET", "/roleManagement/directory/roleAssignments"), collector: "*entra", n: entraOne},
	// The direct eligible (PIM) role assignments: who can activate a role,
	// which ENTRA-004, ENTRA-005 and ENTRA-006 count with the active ones
	// (eligible_roles of entra.user, the eligible_ attributes and all_users
	// of entra.directory_role, whose only-eligible roles this listing
	// enumerates). The simulated tenant has none: one page.
	{op: entrafake.Op("GET", "/roleManagement/directory/roleEligibilityScheduleInstances"), collector: "entra.users", n: entraOne},
	{op: entrafake.Op("GET", "/identity/conditionalAccess/policies"), collector: "entra.policies", typ: "entra.tenant", attrs: []string{"conditional_access"}, n: entraOne},
	{op: entrafake.Op("GET", "/policies/identitySecurityDefaultsEnforcementPolicy"), collector: "entra.policies", typ: "entra.tenant", attrs: []string{"security_defaults_enabled"}, n: entraOne},
	{op: entrafake.Op("GET", "/policies/authorizationPolicy"), collector: "entra.policies", typ: "entra.tenant", attrs: []string{"guest_access", "guest_invites_from"}, n: entraOne},

	// Azure Resource Manager: one listing per subscription and type (the
	// simulated lists fit one page), then per SQL server its auditing,
	// firewall rules and databases, and per database its TDE and backup
	// retention (no list or batch endpoint serves them).
	azureList("/resources", "azure.resources"),
	azureList("/providers/microsoft.storage/storageaccounts", "azure.storage"),
	azureList("/providers/microsoft.sql/servers", "azure.sql"),
	// The vault listing serves azure.keyvault and azure.keyvault.keys: one
	// listing is the minimum (attest reads it once per collector).
	azureList("/providers/microsoft.keyvault/vaults", "azure.keyvault|azure.keyvault.keys"),
	azureList("/providers/microsoft.network/networksecuritygroups", "azure.network"),
	azureList("/providers/microsoft.insights/diagnosticsettings", "azure.activitylog"),
	azureList("/providers/microsoft.security/pricings", "azure.defender"),
	azureList("/providers/microsoft.authorization/roleassignments", "azure.authorization"),
	azureList("/providers/microsoft.dbforpostgresql/flexibleservers", "azure.postgresql"),
	azureList("/providers/microsoft.dbformysql/flexibleservers", "azure.mysql"),
	// Keys - List per vault (one page: the simulated vaults hold one key
	// each): the keys with their rotation policies, which only this
	// listing enumerates (AZURE-KV-003).
	{op: azurefake.Op("GET", "/subscriptions/x/resourceGroups/x/providers/microsoft.keyvault/vaults/x/keys"), collector: "azure.keyvault.keys",
		n: func(sz Size) int64 { return int64(sz.Azure.Subscriptions * sz.Azure.Vaults) }},
	azureList("/providers/microsoft.compute/disks", "azure.compute.disks"),
	azureList("/providers/microsoft.authorization/classicadministrators", "azure.authorization.classic"),
	// Backup coverage: the VMs, and only when there are VMs the
	// subscription's Recovery Services vaults (Azure Backup protects a VM
	// only from a vault of its own subscription) and each vault's VM
	// protected items (no subscription-wide listing of them exists; the
	// simulated estate holds one vault per subscription with VMs).
	azureList("/providers/microsoft.compute/virtualmachines", "azure.backup"),
	{op: azurefake.Op("GET", "/subscriptions/x/providers/microsoft.recoveryservices/vaults"), collector: "azure.backup", typ: "azure.compute.virtual_machine",
		attrs: []string{"protected", "last_backup_at"}, n: func(sz Size) int64 { return ifAny(sz.Azure.VirtualMachines, int64(sz.Azure.Subscriptions)) }},
	{op: azurefake.Op("GET", "/subscriptions/x/resourceGroups/x/providers/microsoft.recoveryservices/vaults/x/backupprotecteditems"), collector: "azure.backup",
		typ: "azure.compute.virtual_machine", attrs: []string{"protected", "last_backup_at"}, n: func(sz Size) int64 { return ifAny(sz.Azure.VirtualMachines, int64(sz.Azure.Subscriptions)) }},
	{op: azureSQL("/auditingsettings/default"), collector: "azure.sql", typ: "azure.sql.server", attrs: []string{"auditing_enabled"}, n: sqlServers},
	{op: azureSQL("/firewallrules"), collector: "azure.sql", typ: "azure.sql.server", attrs: []string{"open_to_internet", "allows_azure_services"}, n: sqlServers},
	{op: azureSQL("/databases"), collector: "azure.sql", n: sqlServers},
	{op: azureSQL("/databases/{}/transparentdataencryption/current"), collector: "azure.sql", typ: "azure.sql.database", attrs: []string{"tde_enabled"}, n: sqlServers},
	{op: azureSQL("/databases/{}/backupshorttermretentionpolicies/default"), collector: "azure.sql", typ: "azure.sql.database", attrs: []string{"backup_retention_days"}, n: sqlServers},

	// GitLab REST: the group, its subgroups, every group's direct members
	// (100 a page), the projects of the whole tree (100 a page, once), the
	// review sample's merged merge requests and their approvals, and per
	// project what no group-level endpoint serves: branch protection,
	// approval settings and rules, push rule, security settings, deploy
	// keys and access tokens. One GraphQL query for the group's
	// vulnerabilities.
	{op: gitlabfake.Op("GET", "/api/v4/groups/1"), collector: "*gitlab", n: gitlabOne},
	{op: gitlabfake.Op("GET", "/api/v4/groups/1/descendant_groups"), collector: "*gitlab", n: gitlabOne},
	{op: gitlabfake.Op("GET", "/api/v4/groups/1/members"), collector: "gitlab.groups", n: func(sz Size) int64 {
		return ifAny(sz.GitLabProjects, pages(sz.GitLabMembers, 100)+int64(min(GitLabSubgroups, sz.GitLabProjects)))
	}},
	// Pending invitations are listed per group (GitLab has no listing of a
	// hierarchy's invitations; 100 a page, none pending in the simulated
	// group), and GL-AUDIT-001 needs one page of the top-level group's
	// audit events: GitLab serves 30 days a query, newest first, and the
	// simulated group has an event of the last 30 days (a group without
	// one costs a page per earlier 30-day window searched).
	{op: gitlabfake.Op("GET", "/api/v4/groups/1/invitations"), collector: "gitlab.groups", typ: "gitlab.group", attrs: []string{"pending_invitations", "oldest_invitation_at"},
		n: func(sz Size) int64 { return ifAny(sz.GitLabProjects, 1+int64(min(GitLabSubgroups, sz.GitLabProjects))) }},
	{op: gitlabfake.Op("GET", "/api/v4/groups/1/audit_events"), collector: "gitlab.groups", typ: "gitlab.group", attrs: []string{"audit_events_available", "newest_audit_event_at"},
		n: gitlabOne, where: gitlabOne},
	{op: gitlabfake.Op("GET", "/api/v4/groups/1/projects"), collector: "*gitlab", n: func(sz Size) int64 { return ifAny(sz.GitLabProjects, pages(sz.GitLabProjects, 100)) }},
	{op: gitlabfake.Op("GET", "/api/v4/groups/1/merge_requests"), collector: "gitlab.reviews", n: gitlabOne},
	{op: gitlabfake.Op("GET", "/api/v4/projects/1/merge_requests/1/approvals"), collector: "gitlab.reviews", typ: "gitlab.merge_request.review", attrs: []string{"approved_by_other"},
		n: func(sz Size) int64 { return int64(min(sz.GitLabProjects, reviewSample)) }},
	gitlabProject("protected_branches", "gitlab.projects", "gitlab.project", "branch_protected", "force_pushes_blocked"),
	gitlabProject("approvals", "gitlab.projects", "gitlab.project", "author_approval_allowed", "committers_approval_disabled"),
	gitlabProject("approval_rules", "gitlab.projects", "gitlab.project", "required_approving_review_count"),
	gitlabProject("push_rule", "gitlab.projects", "gitlab.project", "prevent_secrets", "push_rules_configured"),
	gitlabProject("security_settings", "gitlab.projects", "gitlab.project", "secret_push_protection_enabled"),
	gitlabProject("deploy_keys", "gitlab.projects", "gitlab.credential", "expires_at"),
	gitlabProject("access_tokens", "gitlab.projects", "gitlab.credential", "expires_at"),
	// The scanning facts (the head commit's pipeline and its jobs) of as
	// many projects as one GraphQL query may hold: GitLab refuses
	// authenticated queries above a complexity of 250, and one project's
	// pipeline with its jobs costs about 30, and the CODEOWNERS blobs of its
	// default branch about 5 more.
	{op: gitlabfake.Op("POST", "/api/graphql"), collector: "gitlab.scanning", typ: "gitlab.project.scanning", attrs: []string{"last_sast_at", "last_secret_detection_at", "last_dependency_scanning_at", "codeowners_file"},
		n: func(sz Size) int64 { return ifAny(sz.GitLabProjects, pages(sz.GitLabProjects, 250/35)) }},
	{op: gitlabfake.Op("POST", "/api/graphql"), collector: "gitlab.vulnerabilities", typ: "gitlab.project.vulnerabilities", attrs: []string{"vulnerabilities_open", "oldest_open_vulnerability_at"}, n: gitlabOne},
}

// ifAny returns n when count is positive, else 0.
func ifAny(count int, n int64) int64 {
	if count <= 0 {
		return 0
	}
	return n
}

func entraOne(sz Size) int64  { return ifAny(sz.EntraUsers, 1) }
func gitlabOne(sz Size) int64 { return ifAny(sz.GitLabProjects, 1) }

func sqlServers(sz Size) int64 { return int64(sz.Azure.Subscriptions * sz.Azure.SQLServers) }

// azureList is one listing per subscription of the path under it.
func azureList(path, collector string) need {
	return need{op: azurefake.Op("GET", "/subscriptions/x"+path), collector: collector, n: func(sz Size) int64 { return int64(sz.Azure.Subscriptions) }}
}

// azureSQL is the operation of a SQL server's child path.
func azureSQL(child string) string {
	return azurefake.Op("GET", "/subscriptions/x/resourceGroups/x/providers/microsoft.sql/servers/x"+strings.ReplaceAll(child, "{}", "x"))
}

// gitlabProject is one call per project of child, yielding attrs of typ.
func gitlabProject(child, collector, typ string, attrs ...string) need {
	return need{op: gitlabfake.Op("GET", "/api/v4/projects/1/"+child), collector: collector, typ: typ, attrs: attrs,
		n: func(sz Size) int64 { return int64(sz.GitLabProjects) }}
}

func one(Size) int64 { return 1 }

func perA(k int64) func(Size) int64 { return func(sz Size) int64 { return k * int64(sz.Accounts) } }

func perAR(k int64) func(Size) int64 {
	return func(sz Size) int64 { return k * int64(sz.Accounts*sz.Regions) }
}

func buckets(sz Size) int64 { return int64(sz.Accounts * sz.Buckets) }

func usersPerAccount(sz Size) int { return sz.Identities / 2 / max(sz.Accounts, 1) }

// Minimum is the fewest calls the enabled controls need, and how it was
// derived.
type Minimum struct {
	// Calls is the minimum per operation.
	Calls Calls
	// Unread are the operations of the table whose attributes no rule
	// reads: not charged, whatever attest made.
	Unread []string
	// Unmodelled counts the calls of operations the table does not know,
	// charged at what they cost.
	Unmodelled int64
}

// MinCalls returns the fewest calls the enabled controls need for an
// organisation of size sz: the rows of needs whose collector ran and whose
// attributes the rules read (reads, from RuleReads), plus the operations
// the table does not model, charged at what they cost (made).
func MinCalls(sz Size, runs []evidence.Run, reads Reads, made Calls) Minimum {
	ran := map[string]bool{}
	for _, r := range runs {
		ran[r.Collector] = true
		ran["*"+strings.SplitN(r.Collector, ".", 2)[0]] = true
	}
	m := Minimum{Calls: Calls{}}
	known := map[string]bool{}
	for _, nd := range needs {
		known[nd.op] = true
		if !slices.ContainsFunc(strings.Split(nd.collector, "|"), func(c string) bool { return ran[c] }) {
			continue
		}
		if len(nd.attrs) == 0 {
			m.Calls[nd.op] += nd.n(sz)
			continue
		}
		always, under := false, false
		for _, a := range nd.attrs {
			switch read, ok := reads[nd.typ][a]; {
			case ok && read:
				always = true
			case ok:
				under = true
			}
		}
		switch {
		case always || (under && nd.where == nil):
			m.Calls[nd.op] += nd.n(sz)
		case under:
			m.Calls[nd.op] += nd.where(sz)
		default:
			m.Unread = append(m.Unread, nd.op)
		}
	}
	for op, n := range made {
		if !known[op] {
			m.Calls[op] += n
			m.Unmodelled += n
		}
	}
	slices.Sort(m.Unread)
	return m
}
