package awsfake

import (
	"fmt"
	"time"
)

// DemoAccount is the account id of the demo organisation's management
// account; DemoMemberAccount is its second account.
const (
	DemoAccount       = "111122223333"
	DemoMemberAccount = "444455556666"
)

// tlsOnlyPolicy denies every request made without TLS.
const tlsOnlyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, time.UTC) }

// Demo returns a small demo organisation: a management account with a mix
// of compliant and non-compliant resources in eu-central-1 and us-east-1,
// and one member account reached through sts:AssumeRole.
func Demo() *State {
	all := &PublicAccessBlock{true, true, true, true}
	return &State{
		AccountID: DemoAccount,
		Regions:   []string{"eu-central-1", "us-east-1"},
		Buckets: []Bucket{
			{Name: "acme-customer-data", Region: "eu-central-1", Created: day(2024, 3, 1), Encryption: "aws:kms",
				KMSKeyID: "arn:aws:kms:eu-central-1:" + DemoAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab", BucketKey: true,
				Versioning: "Enabled", PublicAccessBlock: all,
				Policy:    fmt.Sprintf(tlsOnlyPolicy, "acme-customer-data", "acme-customer-data"),
				Lifecycle: []LifecycleRule{{ID: "expire-noncurrent", Enabled: true}}},
			{Name: "acme-marketing-assets", Region: "us-east-1", Created: day(2023, 6, 12), Versioning: "Suspended",
				PublicAccessBlock: &PublicAccessBlock{BlockPublicAcls: true}},
			// The organisation trail's log bucket: public access blocked,
			// access logged (AWS-CT-004 passes on org-trail).
			{Name: "acme-cloudtrail-logs", Region: "eu-central-1", Created: day(2022, 1, 10), Encryption: "aws:kms",
				KMSKeyID: "arn:aws:kms:eu-central-1:" + DemoAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab", BucketKey: true,
				Versioning: "Enabled", PublicAccessBlock: all,
				Policy:    fmt.Sprintf(tlsOnlyPolicy, "acme-cloudtrail-logs", "acme-cloudtrail-logs"),
				Lifecycle: []LifecycleRule{{ID: "glacier-after-90d", Enabled: true}}},
		},
		Root: Root{Created: day(2022, 1, 10), MFA: true},
		Users: []User{
			{Name: "alice", Created: day(2022, 2, 1), Password: true, PasswordLastUsed: day(2026, 11, 20), MFA: true,
				Policies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, Groups: []string{"platform-admins"}},
			{Name: "bob", Created: day(2023, 5, 4), Password: true, PasswordLastUsed: day(2026, 9, 1), MFA: false,
				Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
			{Name: "ci-deploy", Created: day(2022, 8, 15),
				AccessKeys: []AccessKey{{Active: true, Rotated: day(2022, 8, 15), LastUsed: day(2026, 11, 22)}},
				Policies:   []string{"arn:aws:iam::aws:policy/PowerUserAccess"}},
		},
		Groups: []Group{
			{Name: "platform-admins", Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
			// Developers hold rights in the production account (AWS-IAM-008
			// fails here and passes in the staging member account).
			{Name: "developers", Policies: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}},
		},
		// An operations role assumed from within the account, and a deploy
		// role the staging account may assume (AWS-ENV-004 fails on it).
		Roles: []Role{
			{Name: "ops-admin", Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, Trust: []string{"arn:aws:iam::" + DemoAccount + ":root"}},
			{Name: "deploy-from-staging", Policies: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}, Trust: []string{"arn:aws:iam::" + DemoMemberAccount + ":role/ci"}},
			// A vendor's support role holding everything through a customer
			// managed policy (AWS-IAM-011 and AWS-IAM-012 fail on it).
			{Name: "vendor-support", Policies: []string{"arn:aws:iam::" + DemoAccount + ":policy/legacy-ops-full"}, Trust: []string{"999988887777"}},
		},
		ManagedPolicies: []ManagedPolicy{{Name: "legacy-ops-full", Admin: true}, {Name: "read-reports"}},
		PasswordPolicy:  &PasswordPolicy{MinimumLength: 8, RequireNumbers: true, RequireLowercase: true},
		Keys: []Key{
			{ID: "1234abcd-12ab-34cd-56ef-1234567890ab", Region: "eu-central-1", Manager: "CUSTOMER", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Rotation: true, Created: day(2024, 3, 1)},
			{ID: "0987dcba-09fe-87dc-65ba-ab0987654321", Region: "eu-central-1", Manager: "CUSTOMER", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Rotation: false, Created: day(2023, 1, 9)},
			{ID: "aws-s3-default-key-0001", Region: "eu-central-1", Manager: "AWS", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Created: day(2022, 1, 10)},
		},
		DBInstances: []DBInstance{
			{ID: "orders-db", Region: "eu-central-1", Engine: "postgres", Encrypted: true, BackupRetention: 14, MultiAZ: true, DeletionProtection: true},
			{ID: "legacy-reporting", Region: "us-east-1", Engine: "mysql", Encrypted: false, BackupRetention: 1, MultiAZ: true, DeletionProtection: true, Public: true},
		},
		EBSDefaultEncryption: map[string]bool{"eu-central-1": true, "us-east-1": true},
		Volumes: []Volume{
			{ID: "vol-0a1b2c3d4e5f60001", Region: "eu-central-1", Encrypted: true, SizeGiB: 100, State: "in-use"},
			{ID: "vol-0a1b2c3d4e5f60002", Region: "us-east-1", Encrypted: false, SizeGiB: 20, State: "available"},
		},
		Snapshots: []Snapshot{
			{ID: "snap-0a1b2c3d4e5f60001", Region: "eu-central-1", Volume: "vol-0a1b2c3d4e5f60001"},
			{ID: "snap-0a1b2c3d4e5f60002", Region: "us-east-1", Volume: "vol-0a1b2c3d4e5f60002", Public: true},
		},
		LogGroups: []LogGroup{
			{Name: "/aws/lambda/orders-api", Region: "eu-central-1", RetentionDays: 400},
			{Name: "/ecs/orders-worker", Region: "eu-central-1", RetentionDays: 30},
			{Name: "/aws/rds/instance/legacy-reporting/postgresql", Region: "us-east-1"},
		},
		DBSnapshots: []DBSnapshot{
			{ID: "orders-db-before-migration", Region: "eu-central-1", DB: "orders-db"},
			{ID: "legacy-reporting-export", Region: "us-east-1", DB: "legacy-reporting", Public: true},
		},
		Images: []Image{
			{ID: "ami-0a1b2c3d4e5f60001", Name: "orders-app-2026-11", Region: "eu-central-1"},
			{ID: "ami-0a1b2c3d4e5f60002", Name: "legacy-reporting-base", Region: "us-east-1", Public: true},
			{ID: "ami-0a1b2c3d4e5f60003", Name: "orders-app-2026-10", Region: "eu-central-1"},
		},
		Trails: []Trail{{Name: "org-trail", HomeRegion: "eu-central-1", MultiRegion: true, LogValidation: true, Logging: true,
			Organization: true, S3Bucket: "acme-cloudtrail-logs", KMSKeyID: "arn:aws:kms:eu-central-1:" + DemoAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		Detectors: []Detector{
			{ID: "12abc34d567e8fa901bc2d34e56789f0", Region: "eu-central-1", Enabled: true},
			// Suspended in us-east-1 (AWS-GD-001 fails there).
			{ID: "34cde56f789a0bc123de4f56a78901b2", Region: "us-east-1", Enabled: false},
		},
		LoadBalancers: []LoadBalancer{
			{Name: "web", Region: "eu-central-1", Type: "application", Listeners: []Listener{
				{Port: 80, Protocol: "HTTP", RedirectHTTPS: true},
				{Port: 443, Protocol: "HTTPS", SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"},
			}},
			{Name: "legacy-api", Region: "us-east-1", Type: "application", Listeners: []Listener{
				{Port: 80, Protocol: "HTTP"},
				{Port: 443, Protocol: "HTTPS", SSLPolicy: "ELBSecurityPolicy-2016-08"},
			}},
		},
		Distributions: []Distribution{
			{ID: "E2QWRUHEXAMPLE", ViewerProtocolPolicy: "redirect-to-https", MinimumProtocolVersion: "TLSv1.2_2021",
				WebACL: GlobalWebACLARN(DemoAccount, "acme-cdn")},
			{ID: "EDFDVBD6EXAMPLE", ViewerProtocolPolicy: "allow-all"},
		},
		BackupPlans: []BackupPlan{{ID: "8f2b3c4d-1a2b-4c3d-9e8f-0a1b2c3d4e5f", Name: "daily-35d", Region: "eu-central-1", Rules: []BackupRule{
			{Name: "daily", Schedule: "cron(0 3 ? * * *)", DeleteDays: 35,
				CopyTo: "arn:aws:backup:eu-west-1:" + DemoAccount + ":backup-vault:dr-copy"},
		}}},
		BackupVaults: []BackupVault{{Name: "Default", Region: "eu-central-1", KMSKey: "arn:aws:kms:eu-central-1:" + DemoAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab", RecoveryPoints: 42}},
		Network:      demoNetwork(),
		Secrets:      demoSecrets(),
		Monitoring:   withCISAlarms(demoMonitoring(), "eu-central-1", "org-trail", TopicARN("eu-central-1", DemoAccount, "oncall")),
		Edge:         demoEdge(),
		DataStores:   demoDataStores(),
		Parents:      demoParents,
		Protection:   demoProtection(),
		Hardening:    demoHardening(),
		Members: map[string]*State{
			DemoMemberAccount: {
				AccountID: DemoMemberAccount,
				Regions:   []string{"eu-central-1", "us-east-1"},
				Root:      Root{Created: day(2023, 4, 2), MFA: false, AccessKeys: []AccessKey{{Active: true, Rotated: day(2023, 4, 2)}}},
				Groups: []Group{{Name: "developers", Policies: []string{"arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::" + DemoMemberAccount + ":policy/read-reports"},
					Inline: []string{"staging-deploy"}}},
				// Administrators sign in through IAM Identity Center (AWS-IAM-012
				// passes here); the group's customer managed policy is narrow.
				Roles: []Role{{Name: "AWSReservedSSO_AdministratorAccess_8a1b2c3d4e5f6a7b", Path: "/aws-reserved/sso.amazonaws.com/",
					Policies:  []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
					Federated: "arn:aws:iam::" + DemoMemberAccount + ":saml-provider/AWSSSO_8a1b2c3d4e5f6a7b_DO_NOT_DELETE"}},
				ManagedPolicies: []ManagedPolicy{{Name: "read-reports"}},
				Buckets: []Bucket{{Name: "acme-staging-backups", Region: "eu-central-1", Created: day(2024, 9, 30), Encryption: "AES256",
					Versioning: "Enabled", PublicAccessBlock: all, Policy: fmt.Sprintf(tlsOnlyPolicy, "acme-staging-backups", "acme-staging-backups"),
					Lifecycle: []LifecycleRule{{ID: "expire-30d", Enabled: true}}},
					// The staging trail's log bucket: blocked account-wide, but
					// access is not logged (AWS-CT-004 fails on staging-trail).
					{Name: "acme-staging-cloudtrail", Region: "eu-central-1", Created: day(2023, 4, 2), Encryption: "AES256",
						Versioning: "Enabled", Policy: fmt.Sprintf(tlsOnlyPolicy, "acme-staging-cloudtrail", "acme-staging-cloudtrail"),
						Lifecycle: []LifecycleRule{{ID: "expire-365d", Enabled: true}}}},
				EBSDefaultEncryption: map[string]bool{"eu-central-1": true, "us-east-1": true},
				// A weekly plan without a copy to another region, into a
				// vault without a KMS key (AWS-BAK-002 and -003 fail here).
				BackupPlans: []BackupPlan{{ID: "5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f", Name: "staging-weekly", Region: "eu-central-1",
					Rules: []BackupRule{{Name: "weekly", Schedule: "cron(0 4 ? * SUN *)", DeleteDays: 14}}}},
				BackupVaults: []BackupVault{{Name: "staging", Region: "eu-central-1", RecoveryPoints: 3}},
				// The staging account's own trail is not encrypted with KMS
				// (AWS-CT-003 fails here).
				Trails: []Trail{{Name: "staging-trail", HomeRegion: "eu-central-1", MultiRegion: true, LogValidation: true, Logging: true,
					S3Bucket: "acme-staging-cloudtrail"}},
				Protection: demoMemberProtection(),
				Network:    demoMemberNetwork(),
				Monitoring: demoMemberMonitoring(),
				Hardening:  demoMemberHardening(),
				Detectors: []Detector{
					{ID: "56ef78a901bc2d34e56f7a89b01c2d34", Region: "eu-central-1", Enabled: true},
					{ID: "78a90bc12d3e4f56a78b90c12d3e4f56", Region: "us-east-1", Enabled: true},
				},
			},
		},
	}
}
