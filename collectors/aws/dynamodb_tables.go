package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// DynamoDBTables collects the DynamoDB tables of a region, the key that
// encrypts each at rest, and whether point-in-time recovery is on.
// DynamoDB encrypts every table at rest: with the AWS owned key when the
// table has no SSEDescription, or with a KMS key in the account (the AWS
// managed key aws/dynamodb or a customer managed key) when SSEType is KMS.
// Telling the AWS managed from a customer managed key would need
// kms:DescribeKey, which this collector does not call.
//
// AWS API docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html
// Operations: ListTables, DescribeTable and DescribeContinuousBackups (one
// each per table).
type DynamoDBTables struct{ s *Source }

// DynamoDBTableType is the resource type of a DynamoDB table.
const DynamoDBTableType = "aws.dynamodb.table"

func (c *DynamoDBTables) regional() bool { return true }

// Describe returns the collector's metadata.
func (c *DynamoDBTables) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.dynamodb", Version: 1, Source: SourceName, Title: "DynamoDB tables: encryption key and point-in-time recovery",
		ResourceTypes: []collectors.ResourceType{{Name: DynamoDBTableType, Doc: "A DynamoDB table. ID is the table ARN.", Attributes: []collectors.Attribute{
			{Name: "encryption", Type: "string", Doc: `The key that encrypts the table at rest: "aws_owned_key" (no SSEDescription, SSE status DISABLED, or SSEType AES256), "kms_key" (SSEType KMS with status ENABLED or UPDATING: the AWS managed key aws/dynamodb or a customer managed key), or "changing" while the table moves between the two (ENABLING, DISABLING).`},
			{Name: "kms_key_arn", Type: "string", Doc: `The ARN of the KMS key of "kms_key" encryption, or "".`},
			{Name: "point_in_time_recovery", Type: "bool", Doc: "Point-in-time recovery is ENABLED (continuous backups you can restore to any second of the recovery period)."},
			{Name: "recovery_period_days", Type: "int", Doc: "The point-in-time recovery period in days; 0 when recovery is off."},
		}}},
		Permissions:      []string{"dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups"},
		CallsPerResource: 2,
	}
}

// Collect lists the tables of target's region and describes each.
func (c *DynamoDBTables) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	cl := dynamodb.NewFromConfig(cfg)
	var names []string
	p := dynamodb.NewListTablesPaginator(cl, &dynamodb.ListTablesInput{Limit: awssdk.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws dynamodb ListTables: %w", apiError("dynamodb:ListTables", err))
		}
		names = append(names, page.TableNames...)
	}
	return describeEach(ctx, c.s.cfg.concurrency(), "dynamodb DescribeTable", names, func(ctx context.Context, x string) (evidence.Resource, bool) {
		return c.table(ctx, cl, target, x, out)
	}, out)
}

func (c *DynamoDBTables) table(ctx context.Context, cl *dynamodb.Client, target evidence.Target, name string, out collectors.Sink) (res evidence.Resource, gone bool) {
	ctx, trace := collectors.WithTrace(ctx)
	r := evidence.Resource{Type: DynamoDBTableType, ID: fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", target.Region, target.Account, name),
		Name: name, Account: target.Account, Region: target.Region, Attributes: map[string]any{}}
	t, err := cl.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: awssdk.String(name)})
	switch {
	case isCode(err, "ResourceNotFoundException"):
		return r, true
	case err != nil:
		fail(out, &r, apiError("dynamodb:DescribeTable", fmt.Errorf("aws dynamodb DescribeTable %s: %w", name, err)), "encryption", "kms_key_arn")
	default:
		if t.Table != nil && awssdk.ToString(t.Table.TableArn) != "" {
			r.ID = awssdk.ToString(t.Table.TableArn)
		}
		var sse *ddbtypes.SSEDescription
		if t.Table != nil {
			sse = t.Table.SSEDescription
		}
		r.Attributes["encryption"], r.Attributes["kms_key_arn"] = tableEncryption(sse)
	}
	cb, err := cl.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: awssdk.String(name)})
	switch {
	case isCode(err, "TableNotFoundException"):
		return r, true
	case err != nil:
		fail(out, &r, apiError("dynamodb:DescribeContinuousBackups", fmt.Errorf("aws dynamodb DescribeContinuousBackups %s: %w", name, err)),
			"point_in_time_recovery", "recovery_period_days")
	default:
		on, days := false, 0
		if d := cb.ContinuousBackupsDescription; d != nil && d.PointInTimeRecoveryDescription != nil {
			pitr := d.PointInTimeRecoveryDescription
			on = pitr.PointInTimeRecoveryStatus == ddbtypes.PointInTimeRecoveryStatusEnabled
			if on {
				// Without RecoveryPeriodInDays the period is the
				// default, 35 days (API reference).
				days = int(awssdk.ToInt32(pitr.RecoveryPeriodInDays))
				if days == 0 {
					days = 35
				}
			}
		}
		r.Attributes["point_in_time_recovery"] = on
		r.Attributes["recovery_period_days"] = days
	}
	r.Records = trace.Records()
	return r, false
}

// tableEncryption returns the encryption attribute and KMS key ARN of a
// table's SSE description.
func tableEncryption(sse *ddbtypes.SSEDescription) (string, string) {
	switch {
	case sse == nil || sse.Status == ddbtypes.SSEStatusDisabled:
		return "aws_owned_key", ""
	case sse.SSEType == ddbtypes.SSETypeAes256 && sse.Status == ddbtypes.SSEStatusEnabled:
		// AES256 is DynamoDB's own key, as the AWS owned key.
		return "aws_owned_key", ""
	case sse.SSEType == ddbtypes.SSETypeKms && (sse.Status == ddbtypes.SSEStatusEnabled || sse.Status == ddbtypes.SSEStatusUpdating):
		return "kms_key", awssdk.ToString(sse.KMSMasterKeyArn)
	default:
		return "changing", ""
	}
}
