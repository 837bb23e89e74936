// Package awsfake serves a fake AWS organisation over HTTP in the real wire
// protocols of the services the aws collectors call (S3 REST-XML; IAM, STS,
// RDS and EC2 query XML; KMS, CloudTrail and Organizations JSON 1.1;
// GuardDuty REST-JSON), with paging, injected faults and a guard that
// reports every non-read operation. Tests and the demo point real SDK
// clients at it.
package awsfake

import (
	"sync"
	"time"
)

// A State is the content of one fake AWS account.
type State struct {
	// AccountID is the twelve-digit account id.
	AccountID string
	// Regions are the enabled regions (ec2:DescribeRegions).
	Regions []string
	// PageSize bounds the items of one list page; 0 means 1000.
	PageSize int

	Buckets []Bucket
	Users   []User
	Groups  []Group
	// ManagedPolicies are the account's customer managed IAM policies.
	ManagedPolicies []ManagedPolicy
	// Roles are the account's IAM roles.
	Roles          []Role
	Root           Root
	PasswordPolicy *PasswordPolicy
	Keys           []Key
	DBInstances    []DBInstance
	// LogGroups are CloudWatch Logs log groups.
	LogGroups []LogGroup
	// DBSnapshots are the account's manual RDS DB snapshots (rds_snapshots.go).
	DBSnapshots []DBSnapshot
	DBClusters  []DBCluster
	// EBSDefaultEncryption holds, by region, whether EBS encryption by
	// default is on.
	EBSDefaultEncryption map[string]bool
	Volumes              []Volume
	// Snapshots and Images are the account's own EBS snapshots and AMIs
	// (images.go).
	Snapshots     []Snapshot
	Images        []Image
	Trails        []Trail
	Detectors     []Detector
	LoadBalancers []LoadBalancer
	Distributions []Distribution
	BackupPlans   []BackupPlan
	BackupVaults  []BackupVault
	// Network holds VPCs, security groups and flow logs (network.go).
	Network Network
	// Secrets holds Secrets Manager secrets and SSM parameters (secrets.go).
	Secrets Secrets
	// Monitoring holds alarms, metric filters, SNS topics and AWS Config
	// recorders (monitoring.go).
	Monitoring Monitoring
	// Edge holds WAFv2 web ACLs and API Gateway REST APIs (edge.go).
	Edge Edge
	// DataStores holds Redshift clusters and OpenSearch domains
	// (datastores.go).
	DataStores DataStores
	// Parents maps account and OU ids to their parent OU ("ou-...") or
	// root ("r-...") for organizations:ListParents (environments.go).
	Parents map[string]string
	// AccountTags are the Organizations tags of accounts, by account id,
	// for organizations:ListTagsForResource (environments.go).
	AccountTags map[string]map[string]string
	// Protection holds the account-level S3 public access block and the
	// other protection settings of protection.go.
	Protection Protection
	// Hardening holds Access Analyzer analyzers, EFS file systems,
	// DynamoDB tables and S3 and load balancer access logging
	// (hardening.go).
	Hardening Hardening

	// Members are the other accounts of the organisation, by account id.
	// A non-empty Members makes this the management account:
	// organizations:ListAccounts lists them, and sts:AssumeRole into a role
	// of one returns credentials that the handler serves from its State.
	Members map[string]*State

	// Faults are injected errors by operation, e.g. "s3:GetBucketEncryption".
	Faults map[string]Fault

	// Errorf, when set, is called for every request that is not a read
	// operation or that the fake does not know (tests pass t.Errorf). The
	// request always fails with status 500.
	Errorf func(format string, args ...any)

	mu    sync.Mutex
	calls map[string]int
}

// A Fault makes an operation fail.
type Fault struct {
	// Status is the HTTP status code; 0 means 400.
	Status int
	// Code is the AWS error code, e.g. "AccessDenied" or "Throttling".
	Code string
	// Block makes the handler wait until the request is cancelled.
	Block bool
	// Arrived, when set, is called when a blocked request arrives; tests
	// use it to cancel the caller's context without sleeping.
	Arrived func()
}

// Calls returns how often operation op was served.
func (s *State) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

func (s *State) count(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[op]++
}

// A Bucket is an S3 bucket.
type Bucket struct {
	Name    string
	Region  string
	Created time.Time
	// Encryption is the default SSE algorithm: "" (none), "AES256",
	// "aws:kms" or "aws:kms:dsse".
	Encryption string
	KMSKeyID   string
	BucketKey  bool
	// Versioning is "", "Enabled" or "Suspended".
	Versioning string
	// PublicAccessBlock is nil when the bucket has none.
	PublicAccessBlock *PublicAccessBlock
	// Policy is the bucket policy JSON, "" for none.
	Policy string
	// Lifecycle lists the lifecycle rules; nil means no configuration.
	Lifecycle []LifecycleRule
}

// A PublicAccessBlock is the S3 public access block configuration.
type PublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

// A LifecycleRule is one S3 lifecycle rule.
type LifecycleRule struct {
	ID      string
	Enabled bool
}

// A User is an IAM user.
type User struct {
	Name     string
	Created  time.Time
	Password bool
	// PasswordLastUsed is zero when the password was never used.
	PasswordLastUsed time.Time
	MFA              bool
	AccessKeys       []AccessKey
	// Policies are the ARNs of the managed policies attached directly.
	Policies []string
	// Groups are the IAM groups the user belongs to.
	Groups []string
	// AdminInline names inline policies of the user that allow every
	// action on every resource.
	AdminInline []string
}

// A Group is an IAM group.
type Group struct {
	Name string
	// Policies are the ARNs of the managed policies attached to it.
	Policies []string
	// Inline are the names of its inline policies.
	Inline []string
	// AdminInline names inline policies that allow every action on every
	// resource.
	AdminInline []string
}

// A Role is an IAM role.
type Role struct {
	Name string
	// Path is "/" when empty; "/aws-service-role/" for service-linked roles.
	Path string
	// Policies are the ARNs of the managed policies attached to it.
	Policies []string
	// AdminInline names inline policies that allow every action on every
	// resource.
	AdminInline []string
	// Trust are the AWS principals its trust policy allows: account ids,
	// ARNs or "*". Without them the trust policy names ec2.amazonaws.com,
	// or Federated.
	Trust []string
	// Federated, without Trust, is the identity provider (a SAML provider
	// ARN, as for IAM Identity Center's roles) the trust policy names.
	Federated string
}

// A ManagedPolicy is a customer managed IAM policy of the account.
type ManagedPolicy struct {
	Name string
	// Admin makes its default version allow every action on every
	// resource; otherwise it allows s3:GetObject.
	Admin bool
}

// An AccessKey is an IAM access key.
type AccessKey struct {
	Active   bool
	Rotated  time.Time
	LastUsed time.Time
}

// Root is the root user of the account.
type Root struct {
	Created time.Time
	// PasswordLastUsed is zero when the root password was never used.
	PasswordLastUsed time.Time
	MFA              bool
	AccessKeys       []AccessKey
}

// A PasswordPolicy is the IAM account password policy.
type PasswordPolicy struct {
	MinimumLength                                                      int
	RequireSymbols, RequireNumbers, RequireUppercase, RequireLowercase bool
	MaxAgeDays                                                         int
	ReusePrevention                                                    int
	HardExpiry                                                         bool
}

// A Key is a KMS key.
type Key struct {
	ID     string
	Region string
	// Manager is "CUSTOMER" or "AWS".
	Manager string
	// State is e.g. "Enabled", "Disabled" or "PendingDeletion".
	State    string
	Spec     string
	Rotation bool
	Created  time.Time
}

// A DBInstance is an RDS DB instance.
type DBInstance struct {
	ID                 string
	Region             string
	Engine             string
	Cluster            string
	Encrypted          bool
	BackupRetention    int
	MultiAZ            bool
	DeletionProtection bool
	Public             bool
	// BackedUp is when AWS Backup last backed it up; zero when never.
	BackedUp time.Time
}

// A DBCluster is an Aurora or multi-AZ DB cluster.
type DBCluster struct {
	ID                 string
	Region             string
	Engine             string
	Encrypted          bool
	BackupRetention    int
	MultiAZ            bool
	DeletionProtection bool
	Public             bool
	// BackedUp is when AWS Backup last backed it up; zero when never.
	BackedUp time.Time
}

// A Volume is an EBS volume.
type Volume struct {
	ID        string
	Region    string
	Encrypted bool
	SizeGiB   int
	State     string
	// BackedUp is when AWS Backup last backed it up; zero when never.
	BackedUp time.Time
}

// A Trail is a CloudTrail trail.
type Trail struct {
	Name          string
	HomeRegion    string
	MultiRegion   bool
	LogValidation bool
	Logging       bool
	Organization  bool
	S3Bucket      string
	KMSKeyID      string
}

// A Detector is a GuardDuty detector.
type Detector struct {
	ID      string
	Region  string
	Enabled bool
}

// A LoadBalancer is an application or network load balancer.
type LoadBalancer struct {
	Name   string
	Region string
	// Type is "application", "network" or "gateway".
	Type      string
	Listeners []Listener
}

// A Listener is a load balancer listener.
type Listener struct {
	Port     int
	Protocol string
	// SSLPolicy names the security policy of HTTPS and TLS listeners.
	SSLPolicy string
	// RedirectHTTPS makes the default action a redirect to HTTPS.
	RedirectHTTPS bool
}

// A Distribution is a CloudFront distribution.
type Distribution struct {
	ID string
	// ViewerProtocolPolicy is "allow-all", "redirect-to-https" or
	// "https-only".
	ViewerProtocolPolicy string
	// MinimumProtocolVersion is e.g. "TLSv1.2_2021"; "" means the default
	// certificate (TLSv1).
	MinimumProtocolVersion string
	// WebACL is the ARN of the WAFv2 web ACL (scope CLOUDFRONT) of the
	// distribution, "" for none.
	WebACL string
}

// A BackupPlan is an AWS Backup plan.
type BackupPlan struct {
	ID     string
	Name   string
	Region string
	Rules  []BackupRule
}

// A BackupRule is a rule of a backup plan.
type BackupRule struct {
	Name string
	// Schedule is a cron expression, e.g. "cron(0 5 ? * * *)".
	Schedule   string
	DeleteDays int
	// CopyTo is the ARN of a vault the rule copies to, "" for none.
	CopyTo string
}

// A BackupVault is an AWS Backup vault.
type BackupVault struct {
	Name           string
	Region         string
	KMSKey         string
	Locked         bool
	RecoveryPoints int
}

// A LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Name   string
	Region string
	// RetentionDays is retentionInDays; 0 means never expire.
	RetentionDays int
}
