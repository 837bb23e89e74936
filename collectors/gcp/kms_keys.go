package gcp

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	cloudkms "google.golang.org/api/cloudkms/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// KMSKeys collects the Cloud KMS keys of a project: the locations, their
// key rings, and each ring's keys with purpose, rotation period and
// protection level.
//
// Cloud KMS API docs:
//   - https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations/list (cloudkms.locations.list)
//   - https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings/list (cloudkms.keyRings.list)
//   - https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys/list (cloudkms.cryptoKeys.list)
type KMSKeys struct{ src *Source }

const (
	opKMSLocations = "cloudkms.locations.list"
	opKMSKeyRings  = "cloudkms.keyRings.list"
	opKMSKeys      = "cloudkms.cryptoKeys.list"
	typeKMSKey     = "gcp.kms.key"
)

// Describe returns the collector's metadata.
func (c *KMSKeys) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.kms", Version: 1, Source: SourceName, Title: "Cloud KMS keys and their rotation",
		ResourceTypes: []collectors.ResourceType{{Name: typeKMSKey, Doc: "A Cloud KMS key. ID is its resource name.", Attributes: []collectors.Attribute{
			{Name: "purpose", Type: "string", Doc: "ENCRYPT_DECRYPT (symmetric), ASYMMETRIC_SIGN, ASYMMETRIC_DECRYPT, MAC or RAW_ENCRYPT_DECRYPT."},
			{Name: "location", Type: "string", Doc: "Location of the key ring, e.g. europe-west3 or global."},
			{Name: "rotation_period_days", Type: "int", Doc: "Automatic rotation period in days, rounded up; 0 without automatic rotation."},
			{Name: "next_rotation", Type: "timestamp", Doc: `Next automatic rotation, or "".`},
			{Name: "protection_level", Type: "string", Doc: "SOFTWARE, HSM, EXTERNAL or EXTERNAL_VPC."},
			{Name: "primary_state", Type: "string", Doc: `State of the primary version (ENABLED, DISABLED, DESTROYED, ...), or "" for keys without one (asymmetric).`},
		}}},
		Permissions: []string{opKMSLocations, opKMSKeyRings, opKMSKeys},
	}
}

// Collect lists the keys of project target.Account. A project with the
// Cloud KMS API disabled has no keys.
func (c *KMSKeys) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "cloudkms", "")
	if err != nil {
		return err
	}
	svc, err := cloudkms.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp cloudkms client: %w", err)
	}
	project := "projects/" + target.Account
	locs := slices.Clone(c.src.cfg.KMSLocations)
	if len(locs) == 0 {
		err := svc.Projects.Locations.List(project).Pages(ctx, func(p *cloudkms.ListLocationsResponse) error {
			for _, l := range p.Locations {
				locs = append(locs, l.LocationId)
			}
			return nil
		})
		if err != nil {
			if apiDisabled(err) {
				return nil
			}
			return fmt.Errorf("gcp %s %s: %w", opKMSLocations, project, gcpapi.Classify(err, opKMSLocations, opKMSLocations))
		}
	}
	slices.Sort(locs)
	locs = slices.Compact(locs)

	keys := make([][]evidence.Resource, len(locs))
	var mu sync.Mutex
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, len(locs), func(ctx context.Context, i int) {
		rs, err := c.location(ctx, svc, target.Account, locs[i])
		keys[i] = rs
		if err != nil && !gcpapi.Canceled(err) {
			mu.Lock()
			out.Fail(collectors.FailureOf(err, project+"/locations/"+locs[i]))
			mu.Unlock()
		}
	})
	if err != nil {
		return gcpapi.Classify(err, opKMSKeyRings, "")
	}
	for _, rs := range keys {
		for _, r := range rs {
			out.Emit(r)
		}
	}
	return nil
}

// location lists the keys of all key rings in one location.
func (c *KMSKeys) location(ctx context.Context, svc *cloudkms.Service, project, loc string) ([]evidence.Resource, error) {
	parent := "projects/" + project + "/locations/" + loc
	var rings []string
	err := svc.Projects.Locations.KeyRings.List(parent).Pages(ctx, func(p *cloudkms.ListKeyRingsResponse) error {
		for _, r := range p.KeyRings {
			rings = append(rings, r.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gcp %s %s: %w", opKMSKeyRings, parent, gcpapi.Classify(err, opKMSKeyRings, opKMSKeyRings))
	}
	slices.Sort(rings)
	var out []evidence.Resource
	for _, ring := range rings {
		tctx, trace := collectors.WithTrace(ctx)
		var keys []*cloudkms.CryptoKey
		err := svc.Projects.Locations.KeyRings.CryptoKeys.List(ring).Pages(tctx, func(p *cloudkms.ListCryptoKeysResponse) error {
			keys = append(keys, p.CryptoKeys...)
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("gcp %s %s: %w", opKMSKeys, ring, gcpapi.Classify(err, opKMSKeys, opKMSKeys))
		}
		slices.SortFunc(keys, func(a, b *cloudkms.CryptoKey) int { return cmp.Compare(a.Name, b.Name) })
		for _, k := range keys {
			attrs := map[string]any{
				"purpose": k.Purpose, "location": loc, "rotation_period_days": rotationDays(k.RotationPeriod),
				"next_rotation": gcpapi.Time(k.NextRotationTime), "protection_level": "", "primary_state": "",
			}
			if k.VersionTemplate != nil {
				attrs["protection_level"] = k.VersionTemplate.ProtectionLevel
			}
			if k.Primary != nil {
				attrs["primary_state"] = k.Primary.State
				if k.Primary.ProtectionLevel != "" {
					attrs["protection_level"] = k.Primary.ProtectionLevel
				}
			}
			out = append(out, evidence.Resource{Type: typeKMSKey, ID: k.Name, Name: path.Base(k.Name), Account: project,
				Region: loc, Attributes: attrs, Records: trace.Records()})
		}
	}
	return out, nil
}

// rotationDays converts a duration like "7776000s" to whole days, rounded
// up; "" (no rotation) is 0.
func rotationDays(d string) int {
	secs, err := strconv.ParseFloat(strings.TrimSuffix(d, "s"), 64)
	if err != nil || secs <= 0 {
		return 0
	}
	return int(math.Ceil(secs / 86400))
}
