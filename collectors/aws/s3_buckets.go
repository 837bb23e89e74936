package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// S3Buckets collects the configuration of every S3 bucket of an account:
// region, default encryption, versioning, bucket public access block, a
// TLS-only bucket policy, lifecycle rules and server access logging.
//
// AWS API docs: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
// Operations: ListBuckets, GetBucketLocation, GetBucketEncryption,
// GetBucketVersioning, GetPublicAccessBlock, GetBucketPolicy,
// GetBucketLifecycleConfiguration, GetBucketReplication, GetBucketTagging,
// GetBucketLogging,
// and S3 Control GetPublicAccessBlock for
// the account-level Block Public Access settings, which it emits as their
// own resource and folds into every bucket.
type S3Buckets struct{ s *Source }

// S3BucketType is the resource type of an S3 bucket.
const S3BucketType = "aws.s3.bucket"

func (c *S3Buckets) regional() bool { return false }

// Describe returns the collector's metadata.
func (c *S3Buckets) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "aws.s3", Version: 1, Source: SourceName, Title: "S3 bucket configuration",
		ResourceTypes: []collectors.ResourceType{{
			Name: S3BucketType, Doc: "An S3 bucket. ID is the bucket ARN.",
			Attributes: []collectors.Attribute{
				{Name: "created", Type: "timestamp", Doc: "When the bucket was created."},
				{Name: "default_encryption", Type: "string", Doc: `Default server-side encryption: "AES256" (SSE-S3), "aws:kms" (SSE-KMS), "aws:kms:dsse" (DSSE-KMS) or "none".`},
				{Name: "kms_key_id", Type: "string", Doc: `The KMS key of SSE-KMS default encryption, or "".`},
				{Name: "bucket_key_enabled", Type: "bool", Doc: "An S3 Bucket Key is used for SSE-KMS."},
				{Name: "versioning", Type: "string", Doc: `"Enabled", "Suspended" or "Disabled" (never enabled).`},
				{Name: "public_access_block", Type: "bool", Doc: "The bucket's public access block has all four settings on."},
				{Name: "public_access_block_settings", Type: "map", Doc: "The bucket's four public access block settings (false when there is no configuration)."},
				{Name: "account_public_access_block", Type: "bool", Doc: "The account-level Block Public Access settings, which apply to this bucket too, are all four on."},
				{Name: "policy_present", Type: "bool", Doc: "The bucket has a bucket policy."},
				{Name: "tls_only", Type: "bool", Doc: "The bucket policy denies every request made without TLS (aws:SecureTransport false)."},
				{Name: "lifecycle_rules", Type: "int", Doc: "Number of enabled lifecycle rules (0 when there is no configuration)."},
				regionAllowedAttr,
				{Name: "replication_enabled", Type: "bool", Doc: "The bucket has an enabled replication rule (false when there is no replication configuration)."},
				{Name: "replication_destinations", Type: "list", Doc: "The destination bucket ARNs of the enabled replication rules, sorted."},
				{Name: "access_logging", Type: "bool", Doc: "Server access logging is on: GetBucketLogging names a target bucket."},
				{Name: "access_log_target", Type: "string", Doc: `The bucket receiving the server access logs, or "".`},
				{Name: "critical", Type: "bool", Doc: "The bucket is in aws.critical_buckets or carries the aws.critical_bucket_tag tag (default criticality=critical)."},
				{Name: "tags", Type: "map", Doc: "The bucket's tags, key to value (empty when it has none)."},
			},
		}, s3AccountPABResourceType},
		Permissions: []string{
			"s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:GetEncryptionConfiguration",
			"s3:GetBucketVersioning", "s3:GetBucketPublicAccessBlock", "s3:GetBucketPolicy",
			"s3:GetLifecycleConfiguration", "s3:GetAccountPublicAccessBlock",
			"s3:GetReplicationConfiguration", "s3:GetBucketTagging", "s3:GetBucketLogging",
		},
		// Encryption, versioning, public access block, policy, lifecycle,
		// replication, tags and logging of every bucket, and its location
		// when the listing does not give it. Replication is read only when
		// an enabled rule reads it of the bucket (collectors.Wanted).
		CallsPerResource: 9,
	}
}

// s3Clients builds one S3 client per region, lazily.
type s3Clients struct {
	cfg awssdk.Config
	mu  sync.Mutex
	by  map[string]*s3.Client
}

func (c *s3Clients) get(region string) *s3.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.by[region]; ok {
		return cl
	}
	cl := s3.NewFromConfig(c.cfg, func(o *s3.Options) {
		o.Region = region
		o.UsePathStyle = o.BaseEndpoint != nil
	})
	c.by[region] = cl
	return cl
}

// Collect lists the buckets of target's account and reads each bucket's
// configuration in the bucket's region.
func (c *S3Buckets) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	cfg, err := c.s.config(target)
	if err != nil {
		return err
	}
	clients := &s3Clients{cfg: cfg, by: map[string]*s3.Client{}}
	var buckets []s3types.Bucket
	p := s3.NewListBucketsPaginator(clients.get(cfg.Region), &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("aws s3 ListBuckets: %w", apiError("s3:ListBuckets", err))
		}
		buckets = append(buckets, page.Buckets...)
	}
	account, accountErr := c.accountPublicAccessBlock(ctx, cfg, target, out)
	if err := cancelled(ctx, "s3"); err != nil {
		return err
	}
	res := make([]evidence.Resource, len(buckets), len(buckets)+1)
	if err := collectors.ForEach(ctx, c.s.cfg.concurrency(), len(buckets), func(ctx context.Context, i int) {
		res[i] = c.bucket(ctx, clients, target, buckets[i], out)
		if accountErr != nil {
			res[i].Gaps = append(res[i].Gaps, collectors.GapOf(accountErr, "account_public_access_block"))
		} else {
			res[i].Attributes["account_public_access_block"] = account.Attributes["all"]
		}
	}); err != nil {
		return fmt.Errorf("aws s3: %w", err)
	}
	res = append(res, account)
	collectors.EmitSorted(out, res, nil)
	return nil
}

func (c *S3Buckets) bucket(ctx context.Context, clients *s3Clients, target evidence.Target, b s3types.Bucket, out collectors.Sink) evidence.Resource {
	ctx, trace := collectors.WithTrace(ctx)
	name := awssdk.ToString(b.Name)
	res := evidence.Resource{
		Type: S3BucketType, ID: "arn:aws:s3:::" + name, Name: name, Account: target.Account,
		Attributes: map[string]any{"created": timestamp(b.CreationDate)},
	}
	region := awssdk.ToString(b.BucketRegion)
	if region == "" {
		loc, err := clients.get(clients.cfg.Region).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b.Name})
		if err != nil {
			fail(out, &res, apiError("s3:GetBucketLocation", fmt.Errorf("aws s3 GetBucketLocation %s: %w", name, err)), "region_allowed")
			region = clients.cfg.Region
		} else {
			region = string(loc.LocationConstraint)
			if region == "" {
				region = "us-east-1"
			}
			c.s.residency(&res, region)
		}
	} else {
		c.s.residency(&res, region)
	}
	res.Region = region
	cl := clients.get(region)
	c.encryption(ctx, cl, b.Name, &res, out)
	c.versioning(ctx, cl, b.Name, &res, out)
	c.publicAccessBlock(ctx, cl, b.Name, &res, out)
	c.policy(ctx, cl, b.Name, &res, out)
	c.lifecycle(ctx, cl, b.Name, &res, out)
	// Tags first: they say whether the bucket is critical, and the
	// built-in rules read replication only of critical buckets.
	c.tagging(ctx, cl, b.Name, &res, out)
	if collectors.Wanted(ctx, S3BucketType, res.Attributes, "replication_enabled", "replication_destinations") {
		c.replication(ctx, cl, b.Name, &res, out)
	}
	c.logging(ctx, cl, b.Name, &res, out)
	res.Records = trace.Records()
	return res
}

// encryption sets default_encryption, kms_key_id and bucket_key_enabled
// from GetBucketEncryption.
func (c *S3Buckets) encryption(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	name := awssdk.ToString(bucket)
	enc, err := cl.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucket})
	switch {
	case isCode(err, "ServerSideEncryptionConfigurationNotFoundError"):
		res.Attributes["default_encryption"] = "none"
		res.Attributes["kms_key_id"] = ""
		res.Attributes["bucket_key_enabled"] = false
	case err != nil:
		fail(out, res, wrapS3("GetBucketEncryption", name, err), "default_encryption", "kms_key_id", "bucket_key_enabled")
	default:
		algo, key, bucketKey := "none", "", false
		if enc.ServerSideEncryptionConfiguration != nil {
			for _, r := range enc.ServerSideEncryptionConfiguration.Rules {
				if d := r.ApplyServerSideEncryptionByDefault; d != nil {
					algo, key = string(d.SSEAlgorithm), awssdk.ToString(d.KMSMasterKeyID)
					bucketKey = awssdk.ToBool(r.BucketKeyEnabled)
					break
				}
			}
		}
		res.Attributes["default_encryption"] = algo
		res.Attributes["kms_key_id"] = key
		res.Attributes["bucket_key_enabled"] = bucketKey
	}
}

// versioning sets versioning from GetBucketVersioning.
func (c *S3Buckets) versioning(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	ver, err := cl.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bucket})
	if err != nil {
		fail(out, res, wrapS3("GetBucketVersioning", awssdk.ToString(bucket), err), "versioning")
		return
	}
	v := string(ver.Status)
	if v == "" {
		v = "Disabled"
	}
	res.Attributes["versioning"] = v
}

// publicAccessBlock sets public_access_block and
// public_access_block_settings from GetPublicAccessBlock.
func (c *S3Buckets) publicAccessBlock(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	pab, err := cl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})
	switch {
	case isCode(err, "NoSuchPublicAccessBlockConfiguration"):
		res.Attributes["public_access_block"] = false
		res.Attributes["public_access_block_settings"] = pabSettings(nil)
	case err != nil:
		fail(out, res, wrapS3("GetPublicAccessBlock", awssdk.ToString(bucket), err), "public_access_block", "public_access_block_settings")
	default:
		settings := pabSettings(pab.PublicAccessBlockConfiguration)
		res.Attributes["public_access_block"] = allOn(settings)
		res.Attributes["public_access_block_settings"] = settings
	}
}

// policy sets policy_present and tls_only from GetBucketPolicy.
func (c *S3Buckets) policy(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	pol, err := cl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	switch {
	case isCode(err, "NoSuchBucketPolicy"):
		res.Attributes["policy_present"] = false
		res.Attributes["tls_only"] = false
	case err != nil:
		fail(out, res, wrapS3("GetBucketPolicy", awssdk.ToString(bucket), err), "policy_present", "tls_only")
	default:
		res.Attributes["policy_present"] = true
		res.Attributes["tls_only"] = denyInsecureTransport(awssdk.ToString(pol.Policy))
	}
}

// lifecycle sets lifecycle_rules from GetBucketLifecycleConfiguration.
func (c *S3Buckets) lifecycle(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	lc, err := cl.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
	switch {
	case isCode(err, "NoSuchLifecycleConfiguration"):
		res.Attributes["lifecycle_rules"] = 0
	case err != nil:
		fail(out, res, wrapS3("GetBucketLifecycleConfiguration", awssdk.ToString(bucket), err), "lifecycle_rules")
	default:
		n := 0
		for _, r := range lc.Rules {
			if r.Status == s3types.ExpirationStatusEnabled {
				n++
			}
		}
		res.Attributes["lifecycle_rules"] = n
	}
}

func wrapS3(op, bucket string, err error) error {
	return apiError("s3:"+op, fmt.Errorf("aws s3 %s %s: %w", op, bucket, err))
}

func pabSettings(p *s3types.PublicAccessBlockConfiguration) map[string]any {
	if p == nil {
		p = &s3types.PublicAccessBlockConfiguration{}
	}
	return map[string]any{
		"block_public_acls":       awssdk.ToBool(p.BlockPublicAcls),
		"ignore_public_acls":      awssdk.ToBool(p.IgnorePublicAcls),
		"block_public_policy":     awssdk.ToBool(p.BlockPublicPolicy),
		"restrict_public_buckets": awssdk.ToBool(p.RestrictPublicBuckets),
	}
}

// denyInsecureTransport reports whether the policy document has a Deny
// statement for every principal that applies when aws:SecureTransport is
// false.
func denyInsecureTransport(doc string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.NewDecoder(io.LimitReader(strings.NewReader(doc), 1<<20)).Decode(&p); err != nil {
		return false
	}
	var stmts []map[string]any
	if err := json.Unmarshal(p.Statement, &stmts); err != nil {
		var one map[string]any
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]any{one}
	}
	for _, st := range stmts {
		if st["Effect"] != "Deny" || !anyPrincipal(st["Principal"]) {
			continue
		}
		cond, _ := st["Condition"].(map[string]any)
		for op, v := range cond {
			if !strings.EqualFold(op, "Bool") {
				continue
			}
			kv, _ := v.(map[string]any)
			for k, val := range kv {
				if strings.EqualFold(k, "aws:SecureTransport") && isFalse(val) {
					return true
				}
			}
		}
	}
	return false
}

func anyPrincipal(p any) bool {
	switch v := p.(type) {
	case string:
		return v == "*"
	case map[string]any:
		return v["AWS"] == "*" || fmt.Sprint(v["AWS"]) == "[*]"
	}
	return false
}

func isFalse(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.EqualFold(x, "false")
	case bool:
		return !x
	case []any:
		return len(x) == 1 && isFalse(x[0])
	}
	return false
}
