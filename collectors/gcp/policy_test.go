package gcp

import (
	"testing"

	"github.com/attestdev/attest/collectors/internal/sourcetest"
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	sourcetest.Policy(t, NewSource(Config{}).Collectors(), Policy, wantPolicy)
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
