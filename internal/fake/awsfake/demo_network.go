package awsfake

// demoNetwork is the management account's network: a production VPC with
// flow logs and a tight web security group in eu-central-1, an unused
// default VPC there, and in us-east-1 a default VPC that hosts the legacy
// API, has no flow logs, and a security group that opens SSH and MySQL to
// the internet.
func demoNetwork() Network {
	return Network{
		VPCs: []VPC{
			{ID: "vpc-0e1f2a3b4c5d60001", Region: "eu-central-1", CIDR: "10.20.0.0/16", Interfaces: 12},
			{ID: "vpc-0e1f2a3b4c5d60002", Region: "eu-central-1", CIDR: "172.31.0.0/16", Default: true},
			{ID: "vpc-0e1f2a3b4c5d60003", Region: "us-east-1", CIDR: "172.31.0.0/16", Default: true, Interfaces: 4},
		},
		FlowLogs: []FlowLog{{ID: "fl-0a1b2c3d4e5f60001", Region: "eu-central-1", VPC: "vpc-0e1f2a3b4c5d60001", Traffic: "ALL"}},
		Peerings: demoPeering(),
		SecurityGroups: []SecurityGroup{
			// The VPC's default group still has AWS's initial rules (all
			// traffic from itself, all traffic out): AWS-VPC-001 fails.
			{ID: "sg-0a1b2c3d4e5f60000", Name: "default", Region: "eu-central-1", VPC: "vpc-0e1f2a3b4c5d60001",
				Ingress: []SGRule{{Protocol: "-1", Groups: []string{"sg-0a1b2c3d4e5f60000"}}},
				Egress:  []SGRule{{Protocol: "-1", CIDRs: []string{"0.0.0.0/0"}}}},
			{ID: "sg-0a1b2c3d4e5f60001", Name: "web-alb", Region: "eu-central-1", VPC: "vpc-0e1f2a3b4c5d60001", Ingress: []SGRule{
				{Protocol: "tcp", From: 443, To: 443, CIDRs: []string{"0.0.0.0/0", "::/0"}},
				{Protocol: "tcp", From: 80, To: 80, CIDRs: []string{"0.0.0.0/0", "::/0"}},
			}},
			{ID: "sg-0a1b2c3d4e5f60002", Name: "orders-db", Region: "eu-central-1", VPC: "vpc-0e1f2a3b4c5d60001", Ingress: []SGRule{
				{Protocol: "tcp", From: 5432, To: 5432, CIDRs: []string{"10.20.0.0/16"}},
			}},
			{ID: "sg-0a1b2c3d4e5f60003", Name: "legacy-api", Region: "us-east-1", VPC: "vpc-0e1f2a3b4c5d60003", Ingress: []SGRule{
				{Protocol: "tcp", From: 22, To: 22, CIDRs: []string{"0.0.0.0/0"}},
				{Protocol: "tcp", From: 3306, To: 3306, CIDRs: []string{"0.0.0.0/0"}},
				{Protocol: "tcp", From: 443, To: 443, CIDRs: []string{"0.0.0.0/0"}},
			}},
		},
	}
}

// demoMemberNetwork is the member (staging) account's network: one VPC
// with flow logs and no internet-facing groups. Two VPCs of other accounts
// are shared with it: the production VPC of the management account (prod
// shared with nonprod, failing AWS-ENV-003), and the staging VPC of the
// nonprod network account (passing).
func demoMemberNetwork() Network {
	return Network{
		VPCs: []VPC{
			{ID: "vpc-0f9e8d7c6b5a40001", Region: "eu-central-1", CIDR: "10.30.0.0/16", Interfaces: 3},
			{ID: "vpc-0e1f2a3b4c5d60001", Region: "eu-central-1", CIDR: "10.20.0.0/16", Owner: DemoAccount},
			{ID: "vpc-0c7d8e9f0a1b20001", Region: "eu-central-1", CIDR: "10.40.0.0/16", Owner: demoNetworkAccount},
		},
		FlowLogs: []FlowLog{{ID: "fl-0f9e8d7c6b5a40001", Region: "eu-central-1", VPC: "vpc-0f9e8d7c6b5a40001", Traffic: "REJECT"}},
		SecurityGroups: []SecurityGroup{{ID: "sg-0f9e8d7c6b5a40000", Name: "default", Region: "eu-central-1", VPC: "vpc-0f9e8d7c6b5a40001"}, {ID: "sg-0f9e8d7c6b5a40001", Name: "staging-app", Region: "eu-central-1", VPC: "vpc-0f9e8d7c6b5a40001",
			Ingress: []SGRule{{Protocol: "tcp", From: 8080, To: 8080, CIDRs: []string{"10.30.0.0/16"}}}}},
	}
}

// demoSecrets is the management account's secret stores: a rotated
// database secret next to an API key that is never rotated, and a
// password parameter stored as plain String next to a SecureString one.
func demoSecrets() Secrets {
	return Secrets{
		Secrets: []Secret{
			{Name: "prod/orders-db", Region: "eu-central-1", RotationDays: 30, LastRotated: day(2026, 11, 10), Created: day(2024, 3, 1),
				KMSKey: "arn:aws:kms:eu-central-1:" + DemoAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"},
			{Name: "prod/payment-provider-api-key", Region: "eu-central-1", Created: day(2023, 2, 14)},
		},
		Parameters: []Parameter{
			{Name: "/orders/db_password", Region: "eu-central-1", Type: "SecureString", Modified: day(2026, 11, 10)},
			{Name: "/orders/feature-flags", Region: "eu-central-1", Type: "StringList", Modified: day(2026, 10, 2)},
			{Name: "/legacy/smtp_password", Region: "us-east-1", Type: "String", Modified: day(2022, 6, 30)},
		},
	}
}

// demoEdge filters the web load balancer and the orders API's production
// stage with a blocking WAF web ACL in eu-central-1, and the API's beta
// stage with one whose only rule group merely counts; the legacy API load
// balancer in us-east-1 is unfiltered. The CDN's web ACL (scope
// CLOUDFRONT) blocks with AWS managed rules.
func demoEdge() Edge {
	return Edge{
		WebACLs: []WebACL{
			{Name: "acme-edge", Region: "eu-central-1", LoadBalancers: []string{"web"}, Rules: []WebACLRule{
				{Name: "common", ManagedGroup: "AWSManagedRulesCommonRuleSet"},
				{Name: "bad-inputs", ManagedGroup: "AWSManagedRulesKnownBadInputsRuleSet"},
				{Name: "rate-limit", Action: "Block"},
			}},
			{Name: "acme-monitor", Region: "eu-central-1", Rules: []WebACLRule{
				{Name: "common", ManagedGroup: "AWSManagedRulesCommonRuleSet", Count: true},
			}},
			{Name: "acme-cdn", Region: "us-east-1", Global: true, Rules: []WebACLRule{
				{Name: "common", ManagedGroup: "AWSManagedRulesCommonRuleSet"},
				{Name: "rate-limit", Action: "Block"},
			}},
		},
		RestAPIs: []RestAPI{{ID: "k3x9q2w7e1", Name: "orders-api", Region: "eu-central-1",
			Stages: []Stage{{Name: "prod", WebACL: "acme-edge"}, {Name: "beta", WebACL: "acme-monitor"}}}},
	}
}

// demoDataStores has a private, encrypted Redshift cluster and a
// VPC-only OpenSearch domain in eu-central-1, and in us-east-1 a public BI
// sandbox cluster and a public legacy search domain.
func demoDataStores() DataStores {
	return DataStores{
		RedshiftClusters: []RedshiftCluster{
			{ID: "analytics", Region: "eu-central-1", Encrypted: true, MultiAZ: true},
			{ID: "bi-sandbox", Region: "us-east-1", Public: true},
		},
		Domains: []Domain{
			{Name: "app-logs", Region: "eu-central-1", VPC: "vpc-0e1f2a3b4c5d60001", Encrypted: true, NodeToNode: true, ZoneHA: true},
			{Name: "search-legacy", Region: "us-east-1", Encrypted: true},
		},
	}
}

// demoNetworkAccount owns the VPC that the nonprod accounts share. attest's
// demo does not collect it: it shows up only as the owner of that VPC.
const demoNetworkAccount = "777788889999"

// demoParents places the member (staging) account and the network account
// in a nonprod OU, for aws.environments keyed by OU.
var demoParents = map[string]string{DemoMemberAccount: "ou-demo-nonprod1", demoNetworkAccount: "ou-demo-nonprod1",
	"ou-demo-nonprod1": "r-demo", DemoAccount: "r-demo"}

// demoPeering joins the production VPC to the staging account's VPC: a
// link between prod and nonprod once aws.environments classifies them.
func demoPeering() []Peering {
	return []Peering{{ID: "pcx-0a1b2c3d4e5f60001", Region: "eu-central-1", RequesterAccount: DemoAccount, Accepter: DemoMemberAccount,
		RequesterVPC: "vpc-0e1f2a3b4c5d60001", AccepterVPC: "vpc-0f9e8d7c6b5a40001"}}
}
