package bench

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
	"github.com/attestdev/attest/internal/fake/azurefake"
	"github.com/attestdev/attest/internal/fake/fakeapi"
	"github.com/attestdev/attest/internal/fake/githubfake"
)

var small = Size{Accounts: 2, Regions: 2, Buckets: 3, Repos: 5, Identities: 8, EntraUsers: 7, CAPolicies: 3,
	Azure: azurefake.ScaleSize{Subscriptions: 2, StorageAccounts: 3, SQLServers: 2, Vaults: 2, SecurityGroups: 2, VirtualMachines: 2}, GitLabProjects: 5, GitLabMembers: 8}

func TestOrgIsDeterministic(t *testing.T) {
	t.Parallel()
	ignore := cmp.Options{cmpopts.IgnoreUnexported(awsfake.State{}, githubfake.State{}), cmpopts.IgnoreFields(githubfake.State{}, "Refusals")}
	if diff := cmp.Diff(AWSOrg(7, small, benchNow), AWSOrg(7, small, benchNow), ignore); diff != "" {
		t.Errorf("AWSOrg differs for the same seed:\n%s", diff)
	}
	if diff := cmp.Diff(GitHubOrg(7, small, benchNow), GitHubOrg(7, small, benchNow), ignore); diff != "" {
		t.Errorf("GitHubOrg differs for the same seed:\n%s", diff)
	}
	ms := cmp.Options{cmpopts.IgnoreUnexported(fakeapi.Refusals{})}
	if diff := cmp.Diff(EntraTenant(7, small, benchNow), EntraTenant(7, small, benchNow), ms); diff != "" {
		t.Errorf("EntraTenant differs for the same seed:\n%s", diff)
	}
	if diff := cmp.Diff(AzureEstate(7, small), AzureEstate(7, small), ms); diff != "" {
		t.Errorf("AzureEstate differs for the same seed:\n%s", diff)
	}
	if diff := cmp.Diff(GitLabGroup(7, small, benchNow), GitLabGroup(7, small, benchNow), ms); diff != "" {
		t.Errorf("GitLabGroup differs for the same seed:\n%s", diff)
	}
	if g := GitLabGroup(7, small, benchNow).Groups[0]; len(g.Members) != small.GitLabMembers || len(g.Subgroups) != 5 {
		t.Errorf("GitLabGroup size: %d members, %d subgroups", len(g.Members), len(g.Subgroups))
	}
	org := AWSOrg(7, small, benchNow)
	if len(org.Members) != 1 || len(org.Buckets) != 3 || len(org.Volumes) != 2*VolumesPerRegion || len(org.Users) != 2 {
		t.Errorf("AWSOrg size: %d members, %d buckets, %d volumes, %d users", len(org.Members), len(org.Buckets), len(org.Volumes), len(org.Users))
	}
}

// TestCollectMatchesMinimum collects a small simulated organisation without
// latency or limits and checks that every run completes and that each
// operation the formula knows is called exactly as often as MinCalls says,
// so the benchmark's minimum stays in step with the collectors.
func TestCollectMatchesMinimum(t *testing.T) {
	t.Parallel()
	res, err := Collect(t.Context(), filepath.Join(t.TempDir(), "bundle"), Options{Seed: 1, Size: small, Now: benchNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Runs {
		if r.Status != evidence.Complete {
			t.Errorf("%s on %s: %s %v", r.Collector, r.Target, r.Status, r.Failures)
		}
	}
	if res.APICalls == 0 || res.Throttled != 0 {
		t.Fatalf("%d calls, %d throttled", res.APICalls, res.Throttled)
	}
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	reads, err := RuleReads(lib)
	if err != nil {
		t.Fatal(err)
	}
	min := MinCalls(small, res.Runs, reads, res.Operations).Calls
	for op, want := range min {
		if got := res.Operations[op]; got < want {
			t.Errorf("%s: %d calls, fewer than the minimum %d: the formula is wrong", op, got, want)
		}
	}
	// The token of the simulated organisation is an owner's: secret
	// scanning comes from the organisation-wide listing.
	if n := res.Operations["GET /repos/{owner}/{repo}/secret-scanning/alerts"]; n != 0 {
		t.Errorf("%d per-repository secret scanning calls, want none (the organisation listing answers)", n)
	}
	if min.Total() > res.APICalls {
		t.Errorf("minimum %d above the %d calls made", min.Total(), res.APICalls)
	}
}
