package awsfake

import "time"

// demoProtection returns the management account's protection settings: no
// account-level public access block, a critical customer data bucket that
// replicates to another region, and in us-east-1 a high severity GuardDuty
// finding left open since September, and in eu-central-1 an instance
// with a public IP address in a private subnet.
func demoProtection() Protection {
	return Protection{
		Subnets: []Subnet{
			{ID: "subnet-0a1b2c3d4e5f60001", Region: "eu-central-1", VPC: "vpc-0a1b2c3d4e5f60001", Tags: map[string]string{"tier": "private", "Name": "app-a"}},
			{ID: "subnet-0a1b2c3d4e5f60002", Region: "eu-central-1", VPC: "vpc-0a1b2c3d4e5f60001", Tags: map[string]string{"tier": "public", "Name": "edge-a"}},
		},
		Instances: []Instance{
			{ID: "i-0a1b2c3d4e5f60001", Region: "eu-central-1", Subnet: "subnet-0a1b2c3d4e5f60001", State: "running", IMDSTokens: "required"},
			{ID: "i-0a1b2c3d4e5f60002", Region: "eu-central-1", Subnet: "subnet-0a1b2c3d4e5f60001", PublicIP: "203.0.113.25", State: "running"},
			{ID: "i-0a1b2c3d4e5f60003", Region: "eu-central-1", Subnet: "subnet-0a1b2c3d4e5f60002", PublicIP: "203.0.113.26", State: "running", IMDSTokens: "required"},
		},
		Findings: []Finding{
			{ID: "a2c4e6f8b0d1e3f5a7b9c1d3e5f7a9b1", Region: "us-east-1", Type: "UnauthorizedAccess:EC2/SSHBruteForce",
				Severity: 8, Created: day(2026, 9, 2), Updated: day(2026, 11, 20)},
			{ID: "b3d5f7a9c1e2f4a6b8c0d2e4f6a8b0c2", Region: "us-east-1", Type: "Recon:EC2/PortProbeUnprotectedPort",
				Severity: 5, Created: day(2026, 6, 1), Updated: day(2026, 6, 1)},
			{ID: "c4e6a8b0d2f3a5b7c9d1e3f5a7b9c1d3", Region: "eu-central-1", Type: "Backdoor:EC2/Spambot",
				Severity: 8, Archived: true, Created: day(2026, 5, 4), Updated: day(2026, 5, 9)},
		},
		BucketTags: map[string]map[string]string{
			"acme-customer-data":    {"criticality": "critical", "team": "orders", "data-classification": "confidential"},
			"acme-marketing-assets": {"team": "marketing", "data-classification": "public"},
		},
		Replication: map[string][]ReplicationRule{
			"acme-customer-data": {{ID: "dr-eu-west-1", Enabled: true, Destination: "arn:aws:s3:::acme-customer-data-dr"}},
		},
	}
}

// demoMemberProtection returns the member account's protection settings:
// public access is blocked account-wide, a critical backup bucket does not
// replicate, and the account subscribes to Shield Advanced (the management
// account does not, so AWS-EDGE-001 fails there once aws.shield_required
// is set).
func demoMemberProtection() Protection {
	return Protection{
		ShieldAdvanced:           true,
		AccountPublicAccessBlock: &PublicAccessBlock{true, true, true, true},
		BucketTags: map[string]map[string]string{
			"acme-staging-backups": {"criticality": "critical"},
		},
	}
}

// DemoRecent records what the demo organisation did shortly before now:
// AWS Backup backed up the orders database and the volume in eu-central-1
// this morning, the unencrypted volume in us-east-1 nine days ago, and the
// legacy reporting database never; the member account's root user signed
// in three days ago.
func DemoRecent(s *State, now time.Time) {
	if m, ok := s.Members[DemoMemberAccount]; ok {
		m.Root.PasswordLastUsed = now.AddDate(0, 0, -3)
	}
	for i := range s.DBInstances {
		if s.DBInstances[i].ID == "orders-db" {
			s.DBInstances[i].BackedUp = now.Add(-5 * time.Hour)
		}
	}
	for i := range s.Volumes {
		switch s.Volumes[i].ID {
		case "vol-0a1b2c3d4e5f60001":
			s.Volumes[i].BackedUp = now.Add(-6 * time.Hour)
		case "vol-0a1b2c3d4e5f60002":
			s.Volumes[i].BackedUp = now.AddDate(0, 0, -9)
		}
	}
}
