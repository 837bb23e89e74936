package azure

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/keyvault/armkeyvault"

	"github.com/attestdev/attest/collectors"
	"github.com/attestdev/attest/collectors/evidence"
)

const (
	opKeysList = "Microsoft.KeyVault/vaults/keys/read"
	typeKey    = "azure.keyvault.key"
)

// VaultKeys lists the keys of every key vault of a subscription with their
// rotation policy, through Resource Manager (the control plane): no
// data-plane access to the vaults is needed, and no key material is read.
//
// API: https://learn.microsoft.com/rest/api/keyvault/keyvault/keys/list
// Operations: GET /subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/vaults
// (Microsoft.KeyVault/vaults/read), then per vault GET
// .../resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{vault}/keys
// (Microsoft.KeyVault/vaults/keys/read).
//
// A vault whose keys could not be listed is a failure of the run on that
// vault (the run is partial), never a vault without keys.
type VaultKeys struct{ src *Source }

// Describe returns the collector's metadata.
func (c *VaultKeys) Describe() collectors.Descriptor {
	return collectors.Descriptor{
		ID: "azure.keyvault.keys", Version: 1, Source: SourceName, Title: "Key vault keys and their rotation policies",
		ResourceTypes: []collectors.ResourceType{{Name: typeKey, Doc: "A key of a key vault (its current version). ID is its resource ID, lower-cased.", Attributes: []collectors.Attribute{
			{Name: "vault", Type: "string", Doc: "The name of the key vault that holds the key."},
			{Name: "enabled", Type: "bool", Doc: "attributes.enabled: the key can be used (true when the response leaves it out)."},
			{Name: "rotation_enabled", Type: "bool", Doc: "The key's rotation policy has a lifetime action of type Rotate: Key Vault makes a new key version automatically."},
			{Name: "rotate_after_days", Type: "int", Doc: "Days after a version's creation at which the Rotate action makes the next one: its trigger's timeAfterCreate, or the policy's expiryTime less timeBeforeExpiry. ISO 8601 durations count a year as 365 days, a month as 31 and a week as 7. 0 when rotation_enabled is false (no automatic rotation: read it together with rotation_enabled); absent with a gap when a duration cannot be read."},
			{Name: "expires_at", Type: "timestamp", Doc: `attributes.exp: when the current version expires, or "" when it does not.`},
		}}},
		Permissions:      []string{opVaultsList, opKeysList},
		CallsPerResource: 1,
	}
}

// Collect lists the vaults of subscription target.Account, then the keys
// of each.
func (c *VaultKeys) Collect(ctx context.Context, target evidence.Target, out collectors.Sink) error {
	sub := target.Account
	vaults, err := newClient(c.src, armkeyvault.NewVaultsClient, sub)
	if err != nil {
		return err
	}
	var found []*armkeyvault.Vault
	err = list(ctx, c.src, out, vaults.NewListBySubscriptionPager(nil), opVaultsList, "Microsoft.KeyVault", func(p armkeyvault.VaultsClientListBySubscriptionResponse) {
		found = append(found, p.Value...)
	})
	if err != nil {
		return fmt.Errorf("azure %s %s: %w", opVaultsList, sub, err)
	}
	keys, err := newClient(c.src, armkeyvault.NewKeysClient, sub)
	if err != nil {
		return err
	}
	return each(ctx, c.src, found, func(ctx context.Context, v *armkeyvault.Vault) error {
		return c.vault(ctx, keys, sub, v, out)
	})
}

// vault lists and emits the keys of v. It returns an error only when the
// run was stopped; other failures are recorded on out.
func (c *VaultKeys) vault(ctx context.Context, keys *armkeyvault.KeysClient, sub string, v *armkeyvault.Vault, out collectors.Sink) error {
	tctx, trace := collectors.WithTrace(ctx)
	var found []*armkeyvault.Key
	err := list(tctx, c.src, out, keys.NewListPager(resourceGroup(str(v.ID)), str(v.Name), nil), opKeysList, "Microsoft.KeyVault", func(p armkeyvault.KeysClientListResponse) {
		found = append(found, p.Value...)
	})
	switch {
	case collectors.Stopped(err):
		return err
	case err != nil:
		out.Fail(collectors.FailureOf(fmt.Errorf("azure %s %s: %w", opKeysList, str(v.Name), err), strings.ToLower(str(v.ID))))
		return nil
	}
	records := trace.Records()
	for _, k := range found {
		if k == nil {
			continue
		}
		r := resource(typeKey, sub, k.ID, k.Name, v.Location, nil)
		r.Attributes, r.Gaps = keyAttributes(str(v.Name), k.Properties)
		r.Records = records
		out.Emit(r)
	}
	return nil
}

// keyAttributes returns the attributes of a key and the gaps of those it
// could not read.
func keyAttributes(vault string, p *armkeyvault.KeyProperties) (map[string]any, []evidence.Gap) {
	if p == nil {
		p = &armkeyvault.KeyProperties{}
	}
	attrs := map[string]any{"vault": vault, "enabled": true, "expires_at": "", "rotation_enabled": false, "rotate_after_days": 0}
	if a := p.Attributes; a != nil {
		attrs["enabled"] = boolOr(a.Enabled, true)
		if a.Expires != nil {
			attrs["expires_at"] = time.Unix(*a.Expires, 0).UTC().Format(time.RFC3339)
		}
	}
	rp := p.RotationPolicy
	if rp == nil {
		return attrs, nil
	}
	for _, la := range rp.LifetimeActions {
		if la == nil || la.Action == nil || la.Action.Type == nil || !strings.EqualFold(string(*la.Action.Type), "rotate") {
			continue
		}
		attrs["rotation_enabled"] = true
		days, err := rotateAfter(la.Trigger, rp.Attributes)
		if err != nil {
			delete(attrs, "rotate_after_days")
			return attrs, []evidence.Gap{{Attribute: "rotate_after_days", Kind: evidence.Errored, Operation: opKeysList, Message: err.Error()}}
		}
		attrs["rotate_after_days"] = days
		return attrs, nil
	}
	return attrs, nil
}

// rotateAfter returns the days after creation at which trigger t rotates a
// key: timeAfterCreate, or the policy's expiryTime less timeBeforeExpiry.
func rotateAfter(t *armkeyvault.Trigger, a *armkeyvault.KeyRotationPolicyAttributes) (int, error) {
	switch {
	case t != nil && t.TimeAfterCreate != nil:
		return isoDays(*t.TimeAfterCreate)
	case t != nil && t.TimeBeforeExpiry != nil:
		if a == nil || a.ExpiryTime == nil {
			return 0, errors.New("the rotate action is due timeBeforeExpiry " + *t.TimeBeforeExpiry + ", but the policy sets no expiryTime")
		}
		expiry, err := isoDays(*a.ExpiryTime)
		if err != nil {
			return 0, err
		}
		before, err := isoDays(*t.TimeBeforeExpiry)
		if err != nil {
			return 0, err
		}
		return expiry - before, nil
	}
	return 0, errors.New("the rotate action has no trigger")
}

// isoDuration is an ISO 8601 duration of years, months, weeks and days, the
// forms Key Vault rotation policies use (e.g. P90D, P1Y, P1Y6M, P2W).
var isoDuration = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$`)

// isoDays converts an ISO 8601 duration to days, a year counted as 365, a
// month as 31 (the longest, so that a limit is never understated) and a
// week as 7. A duration with a time part, or none at all, is an error.
func isoDays(s string) (int, error) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || s == "P" || strings.TrimSpace(strings.ToUpper(s)) == "P" {
		return 0, fmt.Errorf("rotation policy duration %q is not an ISO 8601 duration in years, months, weeks or days", s)
	}
	days := 0
	for i, per := range []int{365, 31, 7, 1} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("rotation policy duration %q is out of range", s)
		}
		days += n * per
	}
	return days, nil
}
