package gcp

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	var ds []collectors.Descriptor
	for _, c := range NewSource(Config{}).Collectors() {
		ds = append(ds, c.Describe())
	}
	got, err := Policy(ds)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantPolicy, string(got)); diff != "" {
		t.Errorf("Policy (-want +got):\n%s", diff)
	}
}

const wantPolicy = `# gcloud iam roles create attestReader --organization=ORG_ID --file=this.yaml
title: attest read-only evidence collector
description: Read-only permissions attest needs to collect evidence.
stage: GA
includedPermissions:
- cloudkms.cryptoKeys.list
- cloudkms.keyRings.list
- cloudkms.locations.list
- cloudsql.instances.list
- compute.backendServices.list
- compute.firewalls.list
- compute.instances.list
- compute.networks.list
- compute.projects.get
- compute.subnetworks.list
- iam.serviceAccountKeys.list
- iam.serviceAccounts.list
- logging.logMetrics.list
- monitoring.alertPolicies.list
- orgpolicy.policy.get
- resourcemanager.projects.get
- resourcemanager.projects.getIamPolicy
- secretmanager.secrets.list
- storage.buckets.list
# Only when projects are discovered from parents (organisations or folders):
- resourcemanager.folders.list
- resourcemanager.projects.list
`
