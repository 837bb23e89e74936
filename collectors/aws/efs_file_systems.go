package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// EFSFileSystems collects the EFS file systems of a region, whether each
// is encrypted at rest, and the status of its backup policy, which turns
// on EFS automatic backups (daily backups by AWS Backup into the default
// vault).
//
// AWS API docs: https://docs.aws.amazon.com/efs/latest/ug/API_DescribeFileSystems.html,
// https://docs.aws.amazon.com/efs/latest/ug/API_DescribeBackupPolicy.html
// Operations: DescribeFileSystems, DescribeBackupPolicy (one per file
// system).
type EFSFileSystems struct{ s *Source }

// EFSFileSystemType is the resource type of an EFS file system.
const EFSFileSystemType = "aws.efs.file_system"

func (c *EFSFileSystems) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *EFSFileSystems) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.efs", Version: 1, Source: SourceName, Title: "EFS file systems: encryption at rest and automatic backups",
		ResourceTypes: []collectors.ResourceType{{Name: EFSFileSystemType, Doc: "An EFS file system. ID is the file system ARN.", Attributes: []collectors.Attribute{
			{Name: "encrypted", Type: "bool", Doc: "The file system is encrypted at rest (Encrypted)."},
			{Name: "kms_key_id", Type: "string", Doc: `The KMS key that encrypts the file system, or "".`},
			{Name: "backup_policy", Type: "string", Doc: `Status of the file system's backup policy: "ENABLED", "ENABLING", "DISABLED", "DISABLING", or "NONE" when it has none (PolicyNotFound).`},
			{Name: "automatic_backups", Type: "bool", Doc: "The backup policy's status is ENABLED: EFS automatic backups are on."},
		}}},
		Permissions:      []string{"elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeBackupPolicy"},
		CallsPerResource: 1,
	}
}

// Collect lists the file systems of target's region and reads the backup
// policy of each.
func (c *EFSFileSystems) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := efs.NewFromConfig(cfg)
	var fss []efstypes.FileSystemDescription
	p := efs.NewDescribeFileSystemsPaginator(cl, &efs.DescribeFileSystemsInput{MaxItems: awssdk.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws elasticfilesystem DescribeFileSystems: %w", apiError("elasticfilesystem:DescribeFileSystems", err))
		}
		fss = append(fss, page.FileSystems...)
	}
	return describeEach(ctx, c.s.cfg.concurrency(), "elasticfilesystem DescribeBackupPolicy", fss, func(ctx context.Context, x efstypes.FileSystemDescription) (evidence.Resource, bool) {
		return c.fileSystem(ctx, cl, target, x, out)
	}, out)
}

func (c *EFSFileSystems) fileSystem(ctx context.Context, cl *efs.Client, target evidence.Target, f efstypes.FileSystemDescription, out collectors.Sink) (res evidence.Resource, gone bool) {
	ctx, trace := collectors.WithTrace(ctx)
	id := awssdk.ToString(f.FileSystemId)
	arn := awssdk.ToString(f.FileSystemArn)
	if arn == "" {
		arn = fmt.Sprintf("arn:aws:elasticfilesystem:%s:%s:file-system/%s", target.Region, target.Account, id)
	}
	name := awssdk.ToString(f.Name)
	if name == "" {
		name = id
	}
	r := evidence.Resource{Type: EFSFileSystemType, ID: arn, Name: name, Account: target.Account, Region: target.Region,
		Attributes: map[string]any{"encrypted": awssdk.ToBool(f.Encrypted), "kms_key_id": awssdk.ToString(f.KmsKeyId)}}
	bp, err := cl.DescribeBackupPolicy(ctx, &efs.DescribeBackupPolicyInput{FileSystemId: f.FileSystemId})
	switch {
	case isCode(err, "FileSystemNotFound"):
		return r, true
	case isCode(err, "PolicyNotFound"):
		r.Attributes["backup_policy"] = "NONE"
		r.Attributes["automatic_backups"] = false
	case err != nil:
		fail(out, &r, apiError("elasticfilesystem:DescribeBackupPolicy",
			fmt.Errorf("aws elasticfilesystem DescribeBackupPolicy %s: %w", id, err)), "backup_policy", "automatic_backups")
	default:
		status := "NONE"
		if bp.BackupPolicy != nil {
			status = string(bp.BackupPolicy.Status)
		}
		r.Attributes["backup_policy"] = status
		r.Attributes["automatic_backups"] = status == string(efstypes.StatusEnabled)
	}
	r.Records = trace.Records()
	return r, false
}
