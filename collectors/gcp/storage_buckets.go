package gcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	storage "google.golang.org/api/storage/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// StorageBuckets collects the Cloud Storage buckets of a project with their
// location, default CMEK key, versioning, public access prevention, uniform
// bucket-level access and retention policy, all from the bucket list.
//
// Cloud Storage JSON API docs: https://cloud.google.com/storage/docs/json_api/v1/buckets/list
// Operation: storage.buckets.list (GET /storage/v1/b?project=...).
type StorageBuckets struct{ src *Source }

const (
	opBucketsList = "storage.buckets.list"
	typeBucket    = "gcp.storage.bucket"
)

// Describe returns the collector's metadata.
func (c *StorageBuckets) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.storage", Version: 1, Source: SourceName, Title: "Cloud Storage buckets",
		ResourceTypes: []collectors.ResourceType{{Name: typeBucket, Doc: "A Cloud Storage bucket. ID is gs://NAME.", Attributes: []collectors.Attribute{
			{Name: "location", Type: "string", Doc: "Location, lower case: a region (europe-west3), dual-region (eur4) or multi-region (eu, us)."},
			{Name: "location_type", Type: "string", Doc: "region, dual-region or multi-region."},
			{Name: "default_kms_key", Type: "string", Doc: `Customer-managed (CMEK) default key of new objects, or "" for Google-managed encryption.`},
			{Name: "versioning", Type: "bool", Doc: "Object versioning is enabled."},
			{Name: "public_access_prevention", Type: "string", Doc: "enforced, or inherited from the organisation policy."},
			{Name: "uniform_access", Type: "bool", Doc: "Uniform bucket-level access is enabled (no object ACLs)."},
			{Name: "retention_days", Type: "int", Doc: "Retention policy period in whole days; 0 without a policy."},
			{Name: "retention_locked", Type: "bool", Doc: "The retention policy is locked."},
		}}},
		Permissions: []string{"storage.buckets.list"},
	}
}

// Collect lists the buckets of project target.Account. A project with the
// Cloud Storage API disabled has no buckets.
func (c *StorageBuckets) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "storage", "storage/v1/")
	if err != nil {
		return err
	}
	svc, err := storage.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp storage client: %w", err)
	}
	tctx, trace := collectors.WithTrace(ctx)
	var buckets []*storage.Bucket
	err = svc.Buckets.List(target.Account).Pages(tctx, func(p *storage.Buckets) error {
		buckets = append(buckets, p.Items...)
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opBucketsList, target.Account, gcpapi.Classify(err, opBucketsList, "storage.buckets.list"))
	}
	records := trace.Records()
	slices.SortFunc(buckets, func(a, b *storage.Bucket) int { return cmp.Compare(a.Name, b.Name) })
	for _, b := range buckets {
		attrs := map[string]any{
			"location": strings.ToLower(b.Location), "location_type": b.LocationType,
			"default_kms_key": "", "versioning": false, "public_access_prevention": "inherited",
			"uniform_access": false, "retention_days": 0, "retention_locked": false,
		}
		if b.Encryption != nil {
			attrs["default_kms_key"] = b.Encryption.DefaultKmsKeyName
		}
		if b.Versioning != nil {
			attrs["versioning"] = b.Versioning.Enabled
		}
		if ic := b.IamConfiguration; ic != nil {
			if ic.PublicAccessPrevention != "" && ic.PublicAccessPrevention != "unspecified" {
				attrs["public_access_prevention"] = ic.PublicAccessPrevention
			}
			if ic.UniformBucketLevelAccess != nil {
				attrs["uniform_access"] = ic.UniformBucketLevelAccess.Enabled
			}
		}
		if rp := b.RetentionPolicy; rp != nil {
			attrs["retention_days"] = int(rp.RetentionPeriod / 86400)
			attrs["retention_locked"] = rp.IsLocked
		}
		out.Emit(evidence.Resource{Type: typeBucket, ID: "gs://" + b.Name, Name: b.Name, Account: target.Account,
			Region: strings.ToLower(b.Location), Attributes: attrs, Records: records})
	}
	return nil
}
