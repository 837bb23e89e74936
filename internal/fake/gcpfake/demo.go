package gcpfake

import "time"

// DemoParent is the organisation the demo projects belong to.
const DemoParent = "organizations/123456789012"

// Demo folders: non-production projects, and shared tooling nobody has
// classified yet.
const (
	DemoNonprodFolder = "folders/300000000001"
	DemoToolsFolder   = "folders/300000000002"
)

// DemoEnvironments is the demo's gcp.environments: acme-prod by its ID,
// the non-production folder by folder; the tools folder is left out, so
// its project acme-ci is unclassified.
func DemoEnvironments() map[string]string {
	return map[string]string{"acme-prod": "prod", DemoNonprodFolder: "nonprod"}
}

// Demo returns the demo projects as of now.
func Demo() *State { return DemoAt(time.Now()) }

// DemoAt returns the demo projects with dates relative to now: a mix of
// compliant and non-compliant resources, so that some demo controls pass
// and some fail.
//
//   - acme-prod keeps invoices in a CMEK-encrypted, versioned, locked-down
//     bucket in europe-west3, but exports go to a US multi-region bucket
//     without versioning or public access prevention.
//   - Its Postgres database is backed up with point-in-time recovery, TLS
//     only, private and highly available.
//   - One KMS key rotates every 90 days, a legacy key never.
//   - alice holds roles/owner directly; Data Access logs are on.
//   - One service account key is 30 days old, another 400.
//   - A firewall rule opens SSH to the internet.
//   - A second database, analytics-db, has a public IP and no private one.
//   - The prod subnet has flow logs, the default one does not.
//   - The database password rotates every 30 days and is replicated to two
//     regions with CMEK; a payment API key has no rotation schedule and
//     lives in one region only.
//   - The web backend is behind Cloud Armor, the admin backend is not.
//   - The uptime alert notifies two channels, the database CPU alert none.
//   - acme-sandbox has Cloud SQL disabled, grants roles/editor to bob and
//     has no Data Access logs.
//   - Environments: acme-prod is prod, acme-sandbox sits in the non-prod
//     folder, acme-ci in a tools folder nobody classified.
//   - acme-prod's prod network is peered with acme-sandbox's network; its
//     default network is peered with Google's service producer network
//     for the database's private IP. acme-sandbox shares its network with
//     acme-ci (Shared VPC host and service project).
//   - The engineering group can view acme-prod and edit acme-sandbox.
//   - acme-prod runs web-1 (Shielded VM, OS Login from the project, its own
//     service account, no external IP) and bastion (external IP, OS Login
//     off, no Shielded VM, default service account with the cloud-platform
//     scope, which also holds roles/editor); it still has the default
//     network. The invoices bucket's retention policy is locked.
//   - The organisation enforces all six organisation policies attest reads;
//     acme-sandbox overrides domain-restricted sharing (allow all) and VM
//     external IPs; acme-ci has the Org Policy API disabled.
//   - acme-prod alerts on the four CIS log-based metrics; acme-sandbox has
//     no log-based metrics; acme-ci has Cloud Monitoring disabled.
func DemoAt(now time.Time) *State {
	day := 24 * time.Hour
	ago := func(d int) time.Time { return now.Add(-time.Duration(d) * day).UTC().Truncate(time.Second) }
	key := "projects/acme-prod/locations/europe-west3/keyRings/prod/cryptoKeys/storage"
	off := false
	return &State{
		Parent: DemoParent,
		OrgPolicies: map[string]OrgPolicy{
			"iam.allowedPolicyMemberDomains":       {AllowedValues: []string{"is:C03acmedemo"}},
			"storage.uniformBucketLevelAccess":     {Enforce: true},
			"storage.publicAccessPrevention":       {Enforce: true},
			"sql.restrictPublicIp":                 {Enforce: true},
			"compute.vmExternalIpAccess":           {DenyAll: true},
			"iam.disableServiceAccountKeyCreation": {Enforce: true},
		},
		Folders: []Folder{
			{Name: DemoNonprodFolder, DisplayName: "nonprod"},
			{Name: DemoToolsFolder, DisplayName: "tools"},
		},
		Projects: []*Project{
			{
				ID: "acme-prod", Number: 415104041262,
				Buckets: []Bucket{
					{Name: "acme-prod-invoices", Location: "EUROPE-WEST3", LocationType: "region", KMSKey: key,
						Versioning: true, Uniform: true, PublicAccessPrevention: "enforced", RetentionDays: 3650, RetentionLocked: true},
					{Name: "acme-prod-exports", Location: "US", LocationType: "multi-region", PublicAccessPrevention: "inherited"},
				},
				SQL: []SQLInstance{{Name: "orders-db", Version: "POSTGRES_16", Region: "europe-west3",
					Backups: true, PITR: true, RequireSSL: true, HA: true, KMSKey: key},
					{Name: "analytics-db", Version: "POSTGRES_16", Region: "europe-west3",
						Backups: true, PITR: true, RequireSSL: true, HA: true, KMSKey: key, PublicIP: true}},
				Subnets: []Subnet{
					{Name: "prod-europe-west3", Network: "prod", Region: "europe-west3", CIDR: "10.10.0.0/20", FlowLogs: true, PrivateGoogleAccess: true},
					{Name: "default", Network: "default", Region: "us-central1", CIDR: "10.128.0.0/20"},
				},
				Secrets: []Secret{
					{Name: "orders-db-password", Created: ago(200), RotationDays: 30, Locations: []string{"europe-west3", "europe-west4"}, KMSKey: key},
					{Name: "payment-api-key", Created: ago(500), Locations: []string{"europe-west3"}},
				},
				Backends: []BackendService{
					{Name: "web-backend", Scheme: "EXTERNAL_MANAGED", Policy: "acme-armor"},
					{Name: "admin-backend", Scheme: "EXTERNAL"},
					{Name: "orders-internal", Region: "europe-west3", Scheme: "INTERNAL_MANAGED"},
				},
				AlertPolicies: []AlertPolicy{
					{Name: "Web uptime check failing", Channels: 2},
					{Name: "orders-db CPU above 80%"},
					{Name: "CIS: ownership, audit configuration, custom role and firewall changes", Channels: 1,
						LogMetrics: []string{"project-ownership-changes", "audit-config-changes", "custom-role-changes", "firewall-rule-changes"}},
				},
				LogMetrics: []LogMetric{
					{Name: "project-ownership-changes", Filter: FilterProjectOwnership},
					{Name: "audit-config-changes", Filter: FilterAuditConfig},
					{Name: "custom-role-changes", Filter: FilterCustomRole},
					{Name: "firewall-rule-changes", Filter: FilterFirewall},
				},
				OSLogin: true,
				Instances: []Instance{
					{Name: "web-1", Zone: "europe-west3-a", Shielded: true},
					{Name: "bastion", Zone: "europe-west3-b", ExternalIP: "34.89.10.20", OSLogin: &off, DefaultSA: true, FullScope: true},
				},
				KeyRings: []KeyRing{{Location: "europe-west3", Name: "prod", Keys: []Key{
					{Name: "storage", Purpose: "ENCRYPT_DECRYPT", Protection: "SOFTWARE", RotationDays: 90},
					{Name: "legacy", Purpose: "ENCRYPT_DECRYPT", Protection: "SOFTWARE"},
				}}},
				Bindings: []Binding{
					{Role: "roles/owner", Members: []string{"group:platform-admins@acme-demo.example", "user:alice@acme-demo.example"}},
					{Role: "roles/viewer", Members: []string{"group:engineering@acme-demo.example"}},
					{Role: "roles/editor", Members: []string{"serviceAccount:415104041262-compute@developer.gserviceaccount.com", "serviceAccount:415104041262@cloudservices.gserviceaccount.com"}},
				},
				DataAccessLogs: true,
				ServiceAccounts: []ServiceAccount{
					{Email: "deployer@acme-prod.iam.gserviceaccount.com", Keys: []SAKey{{ID: "1f2e3d4c5b6a", Created: ago(30)}}},
					{Email: "legacy-etl@acme-prod.iam.gserviceaccount.com", Keys: []SAKey{{ID: "9a8b7c6d5e4f", Created: ago(400)}}},
				},
				Firewalls: []Firewall{
					{Name: "allow-https", Network: "default", Direction: "INGRESS", SourceRanges: []string{"0.0.0.0/0"}, Ports: []string{"443"}},
					{Name: "allow-ssh-anywhere", Network: "default", Direction: "INGRESS", SourceRanges: []string{"0.0.0.0/0"}, Ports: []string{"22"}},
					{Name: "allow-internal", Network: "default", Direction: "INGRESS", SourceRanges: []string{"10.128.0.0/9"}, Ports: []string{"0-65535"}},
				},
				Networks: []Network{
					{Name: "default", Peerings: []Peering{{Name: "servicenetworking-googleapis-com", Project: "b7e4c2d9a1f03e56-tp", Network: "servicenetworking"}}},
					{Name: "prod", Peerings: []Peering{{Name: "prod-to-sandbox", Project: "acme-sandbox", Network: "sandbox"}}},
				},
			},
			{
				ID: "acme-sandbox", Number: 415104041263, SQLDisabled: true, Folder: DemoNonprodFolder,
				Buckets: []Bucket{{Name: "acme-sandbox-scratch", Location: "EUROPE-WEST1", LocationType: "region", Versioning: true,
					Uniform: true, PublicAccessPrevention: "enforced"}},
				Bindings: []Binding{{Role: "roles/editor", Members: []string{"group:engineering@acme-demo.example", "user:bob@acme-demo.example"}}},
				Networks: []Network{{Name: "sandbox", Peerings: []Peering{{Name: "sandbox-to-prod", Project: "acme-prod", Network: "prod"}}}},
				OrgPolicies: map[string]OrgPolicy{
					"iam.allowedPolicyMemberDomains": {AllowAll: true},
					"compute.vmExternalIpAccess":     {},
				},
			},
			{
				ID: "acme-ci", Number: 415104041264, Folder: DemoToolsFolder, SharedVPCHost: "acme-sandbox", DataAccessLogs: true,
				OrgPolicyDisabled: true, MonitoringDisabled: true,
				Bindings: []Binding{{Role: "roles/owner", Members: []string{"group:platform-admins@acme-demo.example"}}},
			},
		},
	}
}
