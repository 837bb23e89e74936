package gcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	secretmanager "google.golang.org/api/secretmanager/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// Secrets collects the Secret Manager secrets of a project (metadata only,
// never a secret version): rotation schedule, replication policy and
// customer-managed encryption.
//
// Secret Manager API docs: https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/list
// Operation: secretmanager.secrets.list (GET /v1/projects/{project}/secrets).
type Secrets struct{ src *Source }

const (
	opSecretsList = "secretmanager.secrets.list"
	typeSecret    = "gcp.secretmanager.secret"
)

// Describe returns the collector's metadata.
func (c *Secrets) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.secretmanager", Version: 1, Source: SourceName, Title: "Secret Manager secrets",
		ResourceTypes: []collectors.ResourceType{{Name: typeSecret, Doc: "A Secret Manager secret (metadata only). ID is its resource name.", Attributes: []collectors.Attribute{
			{Name: "created", Type: "timestamp", Doc: "When the secret was created."},
			{Name: "rotation_period_days", Type: "int", Doc: "Days between rotation notifications, 0 when no rotation schedule is set."},
			{Name: "next_rotation", Type: "timestamp", Doc: `When the next rotation is due, "" when none is scheduled.`},
			{Name: "replication", Type: "string", Doc: `"automatic" (Google chooses the locations) or "user_managed".`},
			{Name: "replica_locations", Type: "int", Doc: "Number of locations of a user-managed replication policy; 0 for automatic replication."},
			{Name: "cmek", Type: "bool", Doc: "The secret's payloads are encrypted with a customer-managed key."},
		}}},
		Permissions: []string{opSecretsList},
	}
}

// Collect lists the secrets of project target.Account. A project with the
// Secret Manager API disabled has none.
func (c *Secrets) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "secretmanager", "")
	if err != nil {
		return err
	}
	svc, err := secretmanager.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp secretmanager client: %w", err)
	}
	tctx, trace := collectors.WithTrace(ctx)
	var secrets []*secretmanager.Secret
	err = svc.Projects.Secrets.List("projects/"+target.Account).Pages(tctx, func(p *secretmanager.ListSecretsResponse) error {
		secrets = append(secrets, p.Secrets...)
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opSecretsList, target.Account, gcpapi.Classify(err, opSecretsList, opSecretsList))
	}
	records := trace.Records()
	slices.SortFunc(secrets, func(a, b *secretmanager.Secret) int { return cmp.Compare(a.Name, b.Name) })
	for _, s := range secrets {
		attrs := map[string]any{"created": s.CreateTime, "rotation_period_days": 0, "next_rotation": "",
			"replication": "automatic", "replica_locations": 0, "cmek": false}
		if r := s.Rotation; r != nil {
			attrs["rotation_period_days"] = rotationDays(r.RotationPeriod)
			attrs["next_rotation"] = r.NextRotationTime
		}
		if rp := s.Replication; rp != nil {
			switch {
			case rp.UserManaged != nil:
				attrs["replication"] = "user_managed"
				attrs["replica_locations"] = len(rp.UserManaged.Replicas)
				attrs["cmek"] = len(rp.UserManaged.Replicas) > 0 && !slices.ContainsFunc(rp.UserManaged.Replicas, func(r *secretmanager.Replica) bool {
					return r.CustomerManagedEncryption == nil || r.CustomerManagedEncryption.KmsKeyName == ""
				})
			case rp.Automatic != nil:
				attrs["cmek"] = rp.Automatic.CustomerManagedEncryption != nil && rp.Automatic.CustomerManagedEncryption.KmsKeyName != ""
			}
		}
		out.Emit(evidence.Resource{Type: typeSecret, ID: s.Name, Name: s.Name[strings.LastIndex(s.Name, "/")+1:], Account: target.Account,
			Records: records, Attributes: attrs})
	}
	return nil
}
