package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// BackupPlans collects the AWS Backup plans of a region (frequency,
// retention, cross-region copies) and the backup vaults with their
// encryption.
//
// AWS API docs: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Operations_AWS_Backup.html
// Operations: ListBackupPlans, GetBackupPlan, ListBackupVaults.
type BackupPlans struct{ s *Source }

// Resource types emitted by BackupPlans.
const (
	BackupPlanType  = "aws.backup.plan"
	BackupVaultType = "aws.backup.vault"
)

func (c *BackupPlans) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *BackupPlans) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.backup", Version: 1, Source: SourceName, Title: "AWS Backup plans and vaults",
		ResourceTypes: []collectors.ResourceType{
			{Name: BackupPlanType, Doc: "An AWS Backup plan. ID is the plan ARN.", Attributes: []collectors.Attribute{
				{Name: "rules", Type: "int", Doc: "Number of backup rules."},
				{Name: "frequency", Type: "string", Doc: `Most frequent schedule of any rule: "continuous", "hourly", "daily", "weekly", "monthly", "other" or "none".`},
				{Name: "max_retention_days", Type: "int", Doc: "Longest retention of any rule in days, 0 when backups are kept forever or there are no rules."},
				{Name: "cross_region_copy", Type: "bool", Doc: "A rule copies backups to a vault in another region."},
			}},
			{Name: BackupVaultType, Doc: "An AWS Backup vault. ID is the vault ARN.", Attributes: []collectors.Attribute{
				{Name: "encrypted", Type: "bool", Doc: "Recovery points are encrypted with a KMS key."},
				{Name: "encryption_key_type", Type: "string", Doc: `"AWS_OWNED_KMS_KEY", "CUSTOMER_MANAGED_KMS_KEY" or "" when not reported.`},
				{Name: "locked", Type: "bool", Doc: "AWS Backup Vault Lock protects the recovery points from deletion."},
				{Name: "recovery_points", Type: "int", Doc: "Number of recovery points in the vault."},
			}},
		},
		Permissions: []string{"backup:ListBackupPlans", "backup:GetBackupPlan", "backup:ListBackupVaults"},
	}
}

// Collect reads the plans and vaults of target's region.
func (c *BackupPlans) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := backup.NewFromConfig(cfg)
	var plans []backuptypes.BackupPlansListMember
	p := backup.NewListBackupPlansPaginator(cl, &backup.ListBackupPlansInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws backup ListBackupPlans: %w", apiError("backup:ListBackupPlans", err))
		}
		plans = append(plans, page.BackupPlansList...)
	}
	var rs []evidence.Resource
	vp := backup.NewListBackupVaultsPaginator(cl, &backup.ListBackupVaultsInput{})
	for vp.HasMorePages() {
		page, err := vp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws backup ListBackupVaults: %w", apiError("backup:ListBackupVaults", err))
		}
		for _, v := range page.BackupVaultList {
			rs = append(rs, evidence.Resource{Type: BackupVaultType, ID: awssdk.ToString(v.BackupVaultArn), Name: awssdk.ToString(v.BackupVaultName),
				Account: target.Account, Region: target.Region, Attributes: map[string]any{
					"encrypted": awssdk.ToString(v.EncryptionKeyArn) != "", "encryption_key_type": string(v.EncryptionKeyType),
					"locked": awssdk.ToBool(v.Locked), "recovery_points": int(v.NumberOfRecoveryPoints),
				}})
		}
	}
	res := make([]evidence.Resource, len(plans))
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(plans), func(ctx context.Context, i int) {
		res[i] = c.plan(ctx, cl, target, plans[i], out)
	}); err != nil {
		return fmt.Errorf("aws backup GetBackupPlan: %w", err)
	}
	collectors.EmitSorted(out, append(rs, res...), nil)
	return nil
}

func (c *BackupPlans) plan(ctx context.Context, cl *backup.Client, target evidence.Target, m backuptypes.BackupPlansListMember, out collectors.Sink) evidence.Resource {
	ctx, trace := collectors.WithTrace(ctx)
	r := evidence.Resource{Type: BackupPlanType, ID: awssdk.ToString(m.BackupPlanArn), Name: awssdk.ToString(m.BackupPlanName),
		Account: target.Account, Region: target.Region, Attributes: map[string]any{}}
	got, err := cl.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: m.BackupPlanId})
	if err != nil {
		fail(out, &r, apiError("backup:GetBackupPlan", fmt.Errorf("aws backup GetBackupPlan %s: %w", r.Name, err)),
			"rules", "frequency", "max_retention_days", "cross_region_copy")
		r.Records = trace.Records()
		return r
	}
	var rules []backuptypes.BackupRule
	if got.BackupPlan != nil {
		rules = got.BackupPlan.Rules
	}
	freq, retention, copies := "none", 0, false
	for _, rule := range rules {
		if f := ruleFrequency(rule); slices.Index(frequencies, f) < slices.Index(frequencies, freq) {
			freq = f
		}
		if l := rule.Lifecycle; l != nil {
			retention = max(retention, int(awssdk.ToInt64(l.DeleteAfterDays)))
		}
		for _, ca := range rule.CopyActions {
			if a, err := arn.Parse(awssdk.ToString(ca.DestinationBackupVaultArn)); err == nil && a.Region != target.Region {
				copies = true
			}
		}
	}
	r.Attributes["rules"] = len(rules)
	r.Attributes["frequency"] = freq
	r.Attributes["max_retention_days"] = retention
	r.Attributes["cross_region_copy"] = copies
	r.Records = trace.Records()
	return r
}

// frequencies orders schedule frequencies from most to least frequent.
var frequencies = []string{"continuous", "hourly", "daily", "weekly", "monthly", "other", "none"}

// ruleFrequency classifies the schedule of a backup rule. AWS Backup
// schedules are cron(minutes hours day-of-month month day-of-week year).
func ruleFrequency(r backuptypes.BackupRule) string {
	if awssdk.ToBool(r.EnableContinuousBackup) {
		return "continuous"
	}
	expr := strings.TrimSpace(awssdk.ToString(r.ScheduleExpression))
	inner, ok := strings.CutPrefix(expr, "cron(")
	if !ok {
		if strings.HasPrefix(expr, "rate(") {
			switch {
			case strings.Contains(expr, "minute") || strings.Contains(expr, "hour"):
				return "hourly"
			case strings.Contains(expr, "1 day)"):
				return "daily"
			}
		}
		return "other"
	}
	f := strings.Fields(strings.TrimSuffix(inner, ")"))
	if len(f) != 6 {
		return "other"
	}
	any := func(s string) bool { return s == "*" || s == "?" }
	switch {
	case any(f[1]) || strings.Contains(f[1], "/") || strings.Contains(f[1], ","):
		return "hourly"
	case any(f[2]) && any(f[4]):
		return "daily"
	case !any(f[4]):
		return "weekly"
	case !any(f[2]) && any(f[3]):
		return "monthly"
	}
	return "other"
}
