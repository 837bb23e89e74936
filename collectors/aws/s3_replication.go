package aws

import (
	"context"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

// replication sets replication_enabled and replication_destinations of
// res from GetBucketReplication:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketReplication.html
func (c *S3Buckets) replication(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	rep, err := cl.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: bucket})
	switch {
	case isCode(err, "ReplicationConfigurationNotFoundError"):
		res.Attributes["replication_enabled"] = false
		res.Attributes["replication_destinations"] = []any{}
	case err != nil:
		fail(out, res, wrapS3("GetBucketReplication", awssdk.ToString(bucket), err), "replication_enabled", "replication_destinations")
	default:
		var dests []string
		if rep.ReplicationConfiguration != nil {
			for _, r := range rep.ReplicationConfiguration.Rules {
				if r.Status == s3types.ReplicationRuleStatusEnabled && r.Destination != nil {
					dests = append(dests, awssdk.ToString(r.Destination.Bucket))
				}
			}
		}
		slices.Sort(dests)
		dests = slices.Compact(dests)
		list := stringList(dests)
		res.Attributes["replication_enabled"] = len(dests) > 0
		res.Attributes["replication_destinations"] = list
	}
}

// tagging sets attributes tags and critical of res from
// GetBucketTagging:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html
// The bucket is critical when it is listed in aws.critical_buckets or has
// the aws.critical_bucket_tag tag. A bucket without tags answers
// NoSuchTagSet: no tags, which is evidence, not a failure.
func (c *S3Buckets) tagging(ctx context.Context, cl *s3.Client, bucket *string, res *evidence.Resource, out collectors.Sink) {
	listed := slices.Contains(c.s.cfg.CriticalBuckets, awssdk.ToString(bucket))
	want := c.s.cfg.criticalBucketTag()
	tags, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucket})
	switch {
	case isCode(err, "NoSuchTagSet"):
		res.Attributes["tags"] = map[string]any{}
		res.Attributes["critical"] = listed
	case err != nil:
		err = wrapS3("GetBucketTagging", awssdk.ToString(bucket), err)
		if listed {
			res.Attributes["critical"] = true
			fail(out, res, err, "tags")
			return
		}
		fail(out, res, err, "tags", "critical")
	default:
		m := map[string]any{}
		for _, t := range tags.TagSet {
			m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
		}
		res.Attributes["tags"] = m
		res.Attributes["critical"] = listed || slices.ContainsFunc(tags.TagSet, func(t s3types.Tag) bool {
			return awssdk.ToString(t.Key) == want.Key && awssdk.ToString(t.Value) == want.Value
		})
	}
}
