package gcp

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"slices"
	"sync"

	iam "google.golang.org/api/iam/v1"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/gcp/gcpapi"
)

// ServiceAccountKeys collects the user-managed keys of every service
// account in a project, with their creation time, so that long-lived keys
// can be found.
//
// IAM API docs:
//   - https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/list (iam.serviceAccounts.list)
//   - https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys/list (iam.serviceAccountKeys.list, keyTypes=USER_MANAGED)
type ServiceAccountKeys struct{ src *Source }

const (
	opSAList     = "iam.serviceAccounts.list"
	opSAKeysList = "iam.serviceAccountKeys.list"
	typeSAKey    = "gcp.iam.service_account_key"
)

// Describe returns the collector's metadata.
func (c *ServiceAccountKeys) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "gcp.iam_keys", Version: 1, Source: SourceName, Title: "Service account keys",
		ResourceTypes: []collectors.ResourceType{{Name: typeSAKey, Doc: "A user-managed service account key. ID is its resource name.", Attributes: []collectors.Attribute{
			{Name: "service_account", Type: "string", Doc: "E-mail address of the service account."},
			{Name: "created", Type: "timestamp", Doc: "When the key became valid (validAfterTime)."},
			{Name: "disabled", Type: "bool", Doc: "The key is disabled."},
		}}},
		Permissions: []string{opSAList, opSAKeysList},
	}
}

// Collect lists the service account keys of project target.Account.
func (c *ServiceAccountKeys) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	opts, err := c.src.options(ctx, "iam", "")
	if err != nil {
		return err
	}
	svc, err := iam.NewService(ctx, opts...)
	if err != nil {
		return fmt.Errorf("gcp iam client: %w", err)
	}
	name := "projects/" + target.Account
	var sas []*iam.ServiceAccount
	err = svc.Projects.ServiceAccounts.List(name).Pages(ctx, func(p *iam.ListServiceAccountsResponse) error {
		sas = append(sas, p.Accounts...)
		return nil
	})
	if err != nil {
		if apiDisabled(err) {
			return nil
		}
		return fmt.Errorf("gcp %s %s: %w", opSAList, name, gcpapi.Classify(err, opSAList, opSAList))
	}
	slices.SortFunc(sas, func(a, b *iam.ServiceAccount) int { return cmp.Compare(a.Email, b.Email) })
	keys := make([][]evidence.Resource, len(sas))
	var mu sync.Mutex
	err = collectors.ForEach(ctx, c.src.cfg.Concurrency, len(sas), func(ctx context.Context, i int) {
		tctx, trace := collectors.WithTrace(ctx)
		resp, err := svc.Projects.ServiceAccounts.Keys.List(sas[i].Name).KeyTypes("USER_MANAGED").Context(tctx).Do()
		if err != nil {
			if gcpapi.NotFound(err) || gcpapi.Canceled(err) {
				return // deleted meanwhile, or cancelled (reported below)
			}
			mu.Lock()
			out.Fail(collectors.FailureOf(fmt.Errorf("gcp %s %s: %w", opSAKeysList, sas[i].Email, gcpapi.Classify(err, opSAKeysList, opSAKeysList)), sas[i].Name))
			mu.Unlock()
			return
		}
		for _, k := range resp.Keys {
			keys[i] = append(keys[i], evidence.Resource{
				Type: typeSAKey, ID: k.Name, Name: path.Base(k.Name), Account: target.Account,
				Attributes: map[string]any{"service_account": sas[i].Email, "created": gcpapi.Time(k.ValidAfterTime), "disabled": k.Disabled},
				Records:    trace.Records(),
			})
		}
		slices.SortFunc(keys[i], func(a, b evidence.Resource) int { return cmp.Compare(a.ID, b.ID) })
	})
	if err != nil {
		return gcpapi.Classify(err, opSAKeysList, "")
	}
	for _, rs := range keys {
		for _, r := range rs {
			out.Emit(r)
		}
	}
	return nil
}
