package aws

import (
	"github.com/google/go-cmp/cmp"

	"net/http"
	"testing"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/internal/fake/awsfake"
)

func buckets(names ...string) *awsfake.State {
	st := &awsfake.State{}
	for _, n := range names {
		st.Buckets = append(st.Buckets, awsfake.Bucket{Name: n, Region: "eu-central-1", Created: t0, Encryption: "AES256",
			Versioning: "Enabled", PublicAccessBlock: &awsfake.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}})
	}
	return st
}

func TestS3Buckets(t *testing.T) {
	t.Parallel()
	runCases(t, []caseTest{
		{name: "two pages", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				st := buckets("b-one", "b-three", "b-two")
				st.PageSize = 2
				return st
			},
			wantNames: []string{"b-one", "b-three", "b-two"},
			wantCalls: map[string]int{"s3:ListBuckets": 2, "s3:GetBucketEncryption": 3}},
		{name: "empty", collector: "aws.s3", typ: S3BucketType, state: func() *awsfake.State { return buckets() }},
		{name: "absent configuration", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return &awsfake.State{Buckets: []awsfake.Bucket{{Name: "bare", Region: "us-east-1", Created: t0}}}
			},
			wantNames: []string{"bare"},
			wantAttrs: map[string]any{"default_encryption": "none", "versioning": "Disabled", "public_access_block": false,
				"tls_only": false, "policy_present": false, "lifecycle_rules": 0, "region_allowed": false}},
		{name: "denied list", collector: "aws.s3",
			state: func() *awsfake.State {
				return withFault(buckets("b"), "s3:ListBuckets", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "s3:ListAllMyBuckets"},
		{name: "denied encryption", collector: "aws.s3", typ: S3BucketType,
			state: func() *awsfake.State {
				return withFault(buckets("b"), "s3:GetBucketEncryption", "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"b"},
			wantGaps: map[string]evidence.FailureKind{"default_encryption": evidence.Denied, "kms_key_id": evidence.Denied,
				"bucket_key_enabled": evidence.Denied},
			wantAttrs: map[string]any{"versioning": "Enabled"}},
		{name: "throttled", collector: "aws.s3",
			state: func() *awsfake.State {
				return withFault(buckets("b"), "s3:ListBuckets", "SlowDown", http.StatusServiceUnavailable)
			},
			wantErr:   evidence.Throttled,
			wantCalls: map[string]int{"s3:ListBuckets": 2}},
		{name: "cancelled list", collector: "aws.s3", state: func() *awsfake.State { return buckets("b") }, block: "s3:ListBuckets"},
		{name: "cancelled bucket call", collector: "aws.s3", state: func() *awsfake.State { return buckets("b") }, block: "s3:GetBucketPolicy"},
	})
}

func iamUsers() *awsfake.State {
	return &awsfake.State{
		Root: awsfake.Root{Created: t0, MFA: true},
		Users: []awsfake.User{
			{Name: "Carol", Created: t0, Password: true, MFA: false,
				Policies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"}},
			{Name: "svc", Created: t0, AccessKeys: []awsfake.AccessKey{{Active: false, Rotated: t0}}, Groups: []string{"readers", "ops"}},
		},
		Groups: []awsfake.Group{
			{Name: "readers", Policies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}},
			{Name: "ops", Policies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
		},
	}
}

func TestIAMCredentials(t *testing.T) {
	t.Parallel()
	const c, op = "aws.iam.credentials", "iam:GetAccountAuthorizationDetails"
	runCases(t, []caseTest{
		{name: "happy", collector: c, typ: IAMUserType, state: iamUsers,
			wantNames: []string{"Carol", "svc"},
			wantAttrs: map[string]any{"admin_policy_attached": true, "admin_via_group": false, "mfa_active": false, "console_access": true, "last_activity": ""},
			wantCalls: map[string]int{op: 1, "iam:GetCredentialReport": 1}},
		{name: "two pages", collector: c, typ: IAMUserType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.PageSize = 1
				return st
			},
			wantNames: []string{"Carol", "svc"},
			wantAttrs: map[string]any{"admin_policy_attached": true, "mfa_active": false, "console_access": true, "last_activity": ""},
			wantCalls: map[string]int{op: 4}},
		{name: "identity accounts", collector: c, typ: IdentityType, state: iamUsers,
			wantNames: []string{"Carol", "svc"},
			wantAttrs: map[string]any{"system": "aws", "person": "carol", "admin": true, "mfa": false, "active": true}},
		{name: "empty", collector: c, typ: IAMUserType, state: func() *awsfake.State { return &awsfake.State{} },
			wantCalls: map[string]int{op: 0}},
		{name: "absent credentials", collector: c, typ: IAMUserType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.Users = st.Users[1:]
				return st
			},
			wantNames: []string{"svc"},
			wantAttrs: map[string]any{"console_access": false, "active_access_keys": 0, "oldest_active_key_rotated": "",
				"admin_policy_attached": false, "admin_via_group": true}},
		{name: "admin through a group", collector: c, typ: IdentityType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.Users = st.Users[1:]
				st.PageSize = 1
				return st
			},
			wantNames: []string{"svc"},
			wantAttrs: map[string]any{"admin": true, "active": false},
			wantCalls: map[string]int{op: 3}},
		{name: "no admin policy", collector: c, typ: IdentityType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.Users = st.Users[1:]
				st.Groups = st.Groups[:1]
				return st
			},
			wantNames: []string{"svc"},
			wantAttrs: map[string]any{"admin": false}},
		{name: "admin through a customer managed policy, two pages", collector: c, typ: IAMUserType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.AccountID = testAccount
				st.Users = []awsfake.User{{Name: "dana", Created: t0, Password: true, MFA: true, Policies: []string{st.ManagedPolicyARN("Full")}}}
				st.ManagedPolicies = []awsfake.ManagedPolicy{{Name: "Reader"}, {Name: "Full", Admin: true}}
				st.PageSize = 1
				return st
			},
			wantNames: []string{"dana"},
			wantAttrs: map[string]any{"admin_policy_attached": true, "admin_via_group": false},
			wantCalls: map[string]int{op: 5}},
		{name: "admin through an inline group policy", collector: c, typ: IAMUserType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.Users = []awsfake.User{{Name: "erin", Created: t0, Password: true, MFA: true, Groups: []string{"wheel"}}}
				st.Groups = []awsfake.Group{{Name: "wheel", Inline: []string{"read"}, AdminInline: []string{"everything"}}}
				return st
			},
			wantNames: []string{"erin"},
			wantAttrs: map[string]any{"admin_policy_attached": false, "admin_via_group": true}},
		{name: "admin through an inline user policy", collector: c, typ: IAMUserType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.Users = []awsfake.User{{Name: "finn", Created: t0, AccessKeys: []awsfake.AccessKey{{Active: true, Rotated: t0}}, AdminInline: []string{"everything"}}}
				st.ManagedPolicies = []awsfake.ManagedPolicy{{Name: "Reader"}}
				return st
			},
			wantNames: []string{"finn"},
			wantAttrs: map[string]any{"admin_policy_attached": true, "admin_via_group": false}},
		{name: "root used", collector: c, typ: IAMRootType,
			state: func() *awsfake.State {
				st := iamUsers()
				st.Root.PasswordLastUsed = t0.AddDate(0, 0, 2)
				st.Root.AccessKeys = []awsfake.AccessKey{{Active: false, Rotated: t0, LastUsed: t0.AddDate(0, 0, 1)}}
				return st
			},
			wantNames: []string{"root"},
			wantAttrs: map[string]any{"password_last_used": "2025-01-04T03:04:05Z", "access_keys_last_used": "2025-01-03T03:04:05Z",
				"last_used": "2025-01-04T03:04:05Z", "access_keys_present": false}},
		{name: "root never used", collector: c, typ: IAMRootType, state: iamUsers,
			wantNames: []string{"root"},
			wantAttrs: map[string]any{"password_last_used": "", "access_keys_last_used": "", "last_used": ""}},
		{name: "denied details", collector: c, typ: IAMUserType,
			state: func() *awsfake.State {
				return withFault(iamUsers(), op, "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"Carol", "svc"},
			wantGaps:  map[string]evidence.FailureKind{"admin_policy_attached": evidence.Denied, "admin_via_group": evidence.Denied},
			wantAttrs: map[string]any{"mfa_active": false, "console_access": true}},
		{name: "denied details: identity", collector: c, typ: IdentityType,
			state: func() *awsfake.State {
				return withFault(iamUsers(), op, "AccessDenied", http.StatusForbidden)
			},
			wantNames: []string{"Carol", "svc"},
			wantGaps:  map[string]evidence.FailureKind{"admin": evidence.Denied}},
		{name: "denied report", collector: c,
			state: func() *awsfake.State {
				return withFault(iamUsers(), "iam:GetCredentialReport", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "iam:GetCredentialReport"},
		{name: "throttled", collector: c,
			state: func() *awsfake.State {
				return withFault(iamUsers(), "iam:GenerateCredentialReport", "Throttling", http.StatusBadRequest)
			},
			wantErr:   evidence.Throttled,
			wantCalls: map[string]int{"iam:GenerateCredentialReport": 2}},
		{name: "throttled details", collector: c, typ: IAMUserType,
			state: func() *awsfake.State {
				return withFault(iamUsers(), op, "Throttling", http.StatusBadRequest)
			},
			wantNames: []string{"Carol", "svc"},
			wantGaps:  map[string]evidence.FailureKind{"admin_policy_attached": evidence.Throttled, "admin_via_group": evidence.Throttled},
			wantCalls: map[string]int{op: 2}},
		{name: "cancelled", collector: c, state: iamUsers, block: "iam:GetCredentialReport"},
		{name: "cancelled details", collector: c, state: iamUsers, block: op},
	})
}

func TestIAMPasswordPolicy(t *testing.T) {
	t.Parallel()
	const c = "aws.iam.password_policy"
	good := func() *awsfake.State {
		return &awsfake.State{PasswordPolicy: &awsfake.PasswordPolicy{MinimumLength: 14, RequireSymbols: true, ReusePrevention: 24}}
	}
	runCases(t, []caseTest{
		{name: "present", collector: c, typ: PasswordPolicyType, state: good, wantNames: []string{"password policy"},
			wantAttrs: map[string]any{"present": true, "minimum_length": 14, "require_symbols": true, "reuse_prevention": 24, "max_age_days": 0}},
		{name: "absent", collector: c, typ: PasswordPolicyType, state: func() *awsfake.State { return &awsfake.State{} },
			wantNames: []string{"password policy"}, wantAttrs: map[string]any{"present": false, "minimum_length": 0}},
		{name: "denied", collector: c,
			state: func() *awsfake.State {
				return withFault(good(), "iam:GetAccountPasswordPolicy", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "iam:GetAccountPasswordPolicy"},
		{name: "throttled", collector: c,
			state: func() *awsfake.State {
				return withFault(good(), "iam:GetAccountPasswordPolicy", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"iam:GetAccountPasswordPolicy": 2}},
		{name: "cancelled", collector: c, state: good, block: "iam:GetAccountPasswordPolicy"},
	})
}

func kmsKeys() *awsfake.State {
	return &awsfake.State{Keys: []awsfake.Key{
		{ID: "k1", Region: "eu-central-1", Manager: "CUSTOMER", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Rotation: false, Created: t0},
		{ID: "k2", Region: "eu-central-1", Manager: "CUSTOMER", State: "Enabled", Spec: "RSA_2048", Created: t0},
		{ID: "k3", Region: "eu-central-1", Manager: "AWS", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Created: t0},
		{ID: "other-region", Region: "us-east-1", Manager: "CUSTOMER", State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Created: t0},
	}}
}

func TestKMSKeys(t *testing.T) {
	t.Parallel()
	const c, r = "aws.kms", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: KMSKeyType,
			state: func() *awsfake.State {
				st := kmsKeys()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"k1", "k2", "k3"},
			wantAttrs: map[string]any{"manager": "CUSTOMER", "rotation_supported": true, "rotation_enabled": false, "rotation_period_days": 0},
			wantCalls: map[string]int{"kms:ListKeys": 2, "kms:GetKeyRotationStatus": 1}},
		{name: "empty", collector: c, region: r, typ: KMSKeyType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "rotation not applicable", collector: c, region: r, typ: KMSKeyType,
			state: func() *awsfake.State {
				st := kmsKeys()
				st.Keys = st.Keys[1:2]
				return st
			},
			wantNames: []string{"k2"},
			wantAttrs: map[string]any{"rotation_supported": false, "rotation_enabled": false}},
		{name: "denied list", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(kmsKeys(), "kms:ListKeys", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "kms:ListKeys"},
		{name: "denied rotation", collector: c, region: r, typ: KMSKeyType,
			state: func() *awsfake.State {
				return withFault(kmsKeys(), "kms:GetKeyRotationStatus", "AccessDeniedException", http.StatusBadRequest)
			},
			wantNames: []string{"k1", "k2", "k3"},
			wantGaps:  map[string]evidence.FailureKind{"rotation_enabled": evidence.Denied, "rotation_period_days": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(kmsKeys(), "kms:ListKeys", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"kms:ListKeys": 2}},
		{name: "cancelled", collector: c, region: r, state: kmsKeys, block: "kms:DescribeKey"},
	})
}

func rdsDBs() *awsfake.State {
	return &awsfake.State{
		DBInstances: []awsfake.DBInstance{
			{ID: "db-a", Region: "eu-central-1", Engine: "postgres", Encrypted: true, BackupRetention: 7, MultiAZ: true, DeletionProtection: true},
			{ID: "db-b", Region: "eu-central-1", Engine: "mysql", Public: true},
			{ID: "db-c", Region: "eu-central-1", Engine: "aurora-mysql", Cluster: "aurora-1", Encrypted: true},
		},
		DBClusters: []awsfake.DBCluster{{ID: "aurora-1", Region: "eu-central-1", Engine: "aurora-mysql", Encrypted: true, BackupRetention: 1}},
	}
}

func TestRDSDatabases(t *testing.T) {
	t.Parallel()
	const c, r = "aws.rds", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: RDSInstanceType,
			state: func() *awsfake.State {
				st := rdsDBs()
				st.PageSize = 2
				return st
			},
			wantNames: []string{"db-a", "db-b", "db-c"},
			wantAttrs: map[string]any{"storage_encrypted": true, "backup_retention_days": 7, "publicly_accessible": false, "region_allowed": true},
			wantCalls: map[string]int{"rds:DescribeDBInstances": 2, "rds:DescribeDBClusters": 1}},
		{name: "clusters", collector: c, region: r, typ: RDSClusterType, state: rdsDBs, wantNames: []string{"aurora-1"},
			wantAttrs: map[string]any{"engine": "aurora-mysql", "backup_retention_days": 1}},
		{name: "empty", collector: c, region: r, typ: RDSInstanceType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(rdsDBs(), "rds:DescribeDBInstances", "AccessDenied", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "rds:DescribeDBInstances"},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(rdsDBs(), "rds:DescribeDBInstances", "Throttling", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"rds:DescribeDBInstances": 2}},
		{name: "cancelled", collector: c, region: r, state: rdsDBs, block: "rds:DescribeDBInstances"},
	})
}

func ebs() *awsfake.State {
	return &awsfake.State{
		EBSDefaultEncryption: map[string]bool{"eu-central-1": true},
		Volumes: []awsfake.Volume{
			{ID: "vol-1", Region: "eu-central-1", Encrypted: true, SizeGiB: 8, State: "in-use"},
			{ID: "vol-2", Region: "eu-central-1", Encrypted: false, SizeGiB: 8, State: "available"},
			{ID: "vol-3", Region: "us-east-1", Encrypted: false, SizeGiB: 8, State: "available"},
		},
	}
}

func TestEBSEncryption(t *testing.T) {
	t.Parallel()
	const c, r = "aws.ebs", "eu-central-1"
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: EBSVolumeType,
			state: func() *awsfake.State {
				st := ebs()
				st.PageSize = 1
				return st
			},
			wantNames: []string{"vol-1", "vol-2"},
			wantCalls: map[string]int{"ec2:DescribeVolumes": 2}},
		{name: "default on", collector: c, region: r, typ: EBSDefaultType, state: ebs,
			wantNames: []string{"EBS encryption by default eu-central-1"}, wantAttrs: map[string]any{"enabled": true}},
		{name: "empty", collector: c, region: r, typ: EBSVolumeType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "absent default", collector: c, region: r, typ: EBSDefaultType, state: func() *awsfake.State { return &awsfake.State{} },
			wantNames: []string{"EBS encryption by default eu-central-1"}, wantAttrs: map[string]any{"enabled": false}},
		{name: "denied volumes", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(ebs(), "ec2:DescribeVolumes", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "ec2:DescribeVolumes"},
		{name: "denied default", collector: c, region: r, typ: EBSDefaultType,
			state: func() *awsfake.State {
				return withFault(ebs(), "ec2:GetEbsEncryptionByDefault", "UnauthorizedOperation", http.StatusForbidden)
			},
			wantNames: []string{"EBS encryption by default eu-central-1"},
			wantGaps:  map[string]evidence.FailureKind{"enabled": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(ebs(), "ec2:DescribeVolumes", "RequestLimitExceeded", http.StatusServiceUnavailable)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"ec2:DescribeVolumes": 2}},
		{name: "cancelled", collector: c, region: r, state: ebs, block: "ec2:GetEbsEncryptionByDefault"},
	})
}

func trails() *awsfake.State {
	all := &awsfake.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	return &awsfake.State{
		Trails: []awsfake.Trail{
			{Name: "main", HomeRegion: "eu-central-1", MultiRegion: true, LogValidation: true, Logging: true, S3Bucket: "main-trail-logs"},
			{Name: "stopped", HomeRegion: "eu-central-1", S3Bucket: "stopped-trail-logs"},
			{Name: "elsewhere", HomeRegion: "us-east-1", MultiRegion: true, Logging: true, S3Bucket: "main-trail-logs"},
		},
		Buckets: []awsfake.Bucket{
			{Name: "main-trail-logs", Region: "eu-west-1", PublicAccessBlock: all},
			{Name: "stopped-trail-logs", Region: "eu-central-1"},
		},
		Hardening: awsfake.Hardening{BucketLogging: map[string]string{"main-trail-logs": "access-logs"}},
	}
}

func TestCloudTrailTrails(t *testing.T) {
	t.Parallel()
	const c, r = "aws.cloudtrail", "eu-central-1"
	runCases(t, []caseTest{
		{name: "home region only", collector: c, region: r, typ: TrailType, state: trails,
			wantNames: []string{"main", "stopped"},
			wantAttrs: map[string]any{"multi_region": true, "log_file_validation": true, "logging": true,
				"log_bucket": "main-trail-logs", "log_bucket_public_access_blocked": true, "log_bucket_access_logging": true}},
		{name: "empty", collector: c, region: r, typ: TrailType, state: func() *awsfake.State { return &awsfake.State{} }},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(trails(), "cloudtrail:DescribeTrails", "AccessDeniedException", http.StatusBadRequest)
			},
			wantErr: evidence.Denied, wantPermission: "cloudtrail:DescribeTrails"},
		{name: "denied status", collector: c, region: r, typ: TrailType,
			state: func() *awsfake.State {
				return withFault(trails(), "cloudtrail:GetTrailStatus", "AccessDeniedException", http.StatusBadRequest)
			},
			wantNames: []string{"main", "stopped"},
			wantGaps:  map[string]evidence.FailureKind{"logging": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(trails(), "cloudtrail:DescribeTrails", "ThrottlingException", http.StatusBadRequest)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"cloudtrail:DescribeTrails": 2}},
		{name: "cancelled", collector: c, region: r, state: trails, block: "cloudtrail:GetTrailStatus"},
	})
}

// TestCloudTrailRegions checks the regions' coverage: a member account
// sees the management account's organisation trail as a shadow trail, and
// a region no trail records is not recorded.
func TestCloudTrailRegions(t *testing.T) {
	t.Parallel()
	const member = "444455556666"
	st := &awsfake.State{
		AccountID: testAccount,
		Trails:    []awsfake.Trail{{Name: "org", HomeRegion: "eu-central-1", MultiRegion: true, Organization: true, Logging: true}},
		Members:   map[string]*awsfake.State{member: {}},
	}
	src := newFakeSource(t, st)
	src.cfg.Regions = []string{"eu-central-1", "us-east-1"}
	src.cfg.Organization.Enabled = true
	jobs, err := src.Plan(t.Context(), func(id string) bool { return id == "aws.cloudtrail" })
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	trailNames := map[string][]string{}
	for _, j := range jobs {
		out := &testSink{}
		if err := j.Collector.Collect(t.Context(), j.Target, out); err != nil {
			t.Fatalf("%s: %v", j.Target, err)
		}
		for _, r := range out.resources {
			switch r.Type {
			case TrailRegionType:
				got[r.Account+"/"+r.Region] = map[string]any{"recorded": r.Attributes["recorded"], "organization_trail": r.Attributes["organization_trail"]}
			case TrailType:
				trailNames[r.Account] = append(trailNames[r.Account], r.Name)
			}
		}
	}
	rec := map[string]any{"recorded": true, "organization_trail": true}
	mgmt := testAccount
	want := map[string]map[string]any{
		mgmt + "/eu-central-1": rec, mgmt + "/us-east-1": rec, member + "/eu-central-1": rec, member + "/us-east-1": rec,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
	// The organisation trail is a trail of the management account only,
	// and its status is read there.
	if diff := cmp.Diff(map[string][]string{mgmt: {"org"}}, trailNames); diff != "" {
		t.Errorf("trails (-want +got):\n%s", diff)
	}
	if n := st.Members[member].Calls("cloudtrail:GetTrailStatus"); n != 0 {
		t.Errorf("member account read the status of a trail it does not own %d times", n)
	}

	// Without the organisation trail, a member region with no trail of its
	// own is not recorded.
	st2 := trails()
	out, err := collect(t.Context(), t, newFakeSource(t, &awsfake.State{}), "aws.cloudtrail", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.resources) != 1 || out.resources[0].Attributes["recorded"] != false {
		t.Errorf("no trail: %+v", out.resources)
	}
	out, err = collect(t.Context(), t, newFakeSource(t, st2), "aws.cloudtrail", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.resources {
		if r.Type == TrailRegionType && r.Attributes["recorded"] != true {
			t.Errorf("us-east-1 is recorded by its own trail: %+v", r)
		}
	}
}

func detectors() *awsfake.State {
	return &awsfake.State{Detectors: []awsfake.Detector{
		{ID: "d1", Region: "eu-central-1", Enabled: false},
		{ID: "d2", Region: "eu-central-1", Enabled: true},
	}}
}

func TestGuardDutyDetectors(t *testing.T) {
	t.Parallel()
	const c, r = "aws.guardduty", "eu-central-1"
	name := []string{"GuardDuty eu-central-1"}
	runCases(t, []caseTest{
		{name: "two pages", collector: c, region: r, typ: GuardDutyType,
			state: func() *awsfake.State {
				st := detectors()
				st.PageSize = 1
				return st
			},
			wantNames: name, wantAttrs: map[string]any{"enabled": true, "detectors": 2},
			wantCalls: map[string]int{"guardduty:ListDetectors": 2, "guardduty:GetDetector": 2}},
		{name: "empty", collector: c, region: r, typ: GuardDutyType, state: func() *awsfake.State { return &awsfake.State{} },
			wantNames: name, wantAttrs: map[string]any{"enabled": false, "detectors": 0}},
		{name: "denied", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(detectors(), "guardduty:ListDetectors", "AccessDeniedException", http.StatusForbidden)
			},
			wantErr: evidence.Denied, wantPermission: "guardduty:ListDetectors"},
		{name: "denied detector", collector: c, region: r, typ: GuardDutyType,
			state: func() *awsfake.State {
				return withFault(detectors(), "guardduty:GetDetector", "AccessDeniedException", http.StatusForbidden)
			},
			wantNames: name, wantGaps: map[string]evidence.FailureKind{"enabled": evidence.Denied}},
		{name: "throttled", collector: c, region: r,
			state: func() *awsfake.State {
				return withFault(detectors(), "guardduty:ListDetectors", "TooManyRequestsException", http.StatusTooManyRequests)
			},
			wantErr: evidence.Throttled, wantCalls: map[string]int{"guardduty:ListDetectors": 2}},
		{name: "cancelled", collector: c, region: r, state: detectors, block: "guardduty:GetDetector"},
	})
}
