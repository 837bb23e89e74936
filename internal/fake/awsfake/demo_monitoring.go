package awsfake

// demoMonitoring is the management account's monitoring: in eu-central-1
// alarms on the orders database and the web load balancer notify the
// on-call topic, CloudTrail metric filters alarm on root activity and
// unauthorised calls, AWS Config records everything, and Security Hub's
// one high finding is a week old; in us-east-1 the legacy database's alarm
// notifies a topic nobody confirmed, the legacy API load balancer has no
// alarm at all, AWS Config is off, and a critical Security Hub finding on
// the public legacy database has been open since August.
func demoMonitoring() Monitoring {
	const eu, us = "eu-central-1", "us-east-1"
	oncall := TopicARN(eu, DemoAccount, "oncall")
	legacy := TopicARN(us, DemoAccount, "legacy-alerts")
	return Monitoring{
		Alarms: []Alarm{
			{Name: "orders-db-cpu-high", Region: eu, Namespace: "AWS/RDS", Metric: "CPUUtilization", Dimensions: []Dimension{{"DBInstanceIdentifier", "orders-db"}},
				Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 21)},
			{Name: "orders-db-free-storage-low", Region: eu, Namespace: "AWS/RDS", Metric: "FreeStorageSpace", Dimensions: []Dimension{{"DBInstanceIdentifier", "orders-db"}},
				Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 21)},
			{Name: "web-alb-5xx", Region: eu, Namespace: "AWS/ApplicationELB", Metric: "HTTPCode_ELB_5XX_Count",
				Dimensions: []Dimension{{"LoadBalancer", LoadBalancerDimension("application", "web")}}, Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 22)},
			{Name: "cis-root-account-usage", Region: eu, Namespace: "CISBenchmark", Metric: "RootAccountUsage", Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 1)},
			{Name: "cis-unauthorized-api-calls", Region: eu, Namespace: "CISBenchmark", Metric: "UnauthorizedAPICalls", Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 1)},
			{Name: "legacy-reporting-storage-low", Region: us, Namespace: "AWS/RDS", Metric: "FreeStorageSpace", Dimensions: []Dimension{{"DBInstanceIdentifier", "legacy-reporting"}},
				Actions: []string{legacy}, State: "ALARM", StateUpdatedAt: day(2026, 11, 19)},
		},
		MetricFilters: []MetricFilter{
			{Name: "RootAccountUsage", Region: eu, LogGroup: "org-trail", Namespace: "CISBenchmark", Metric: "RootAccountUsage",
				Pattern: `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`},
			{Name: "UnauthorizedAPICalls", Region: eu, LogGroup: "org-trail", Namespace: "CISBenchmark", Metric: "UnauthorizedAPICalls",
				Pattern: `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`},
		},
		Topics: []Topic{
			{Name: "oncall", Region: eu, Subscribers: []string{"oncall@acme.example"}},
			{Name: "legacy-alerts", Region: us, Pending: []string{"legacy-team@acme.example"}},
		},
		Recorders: []Recorder{{Name: "default", Region: eu, AllSupported: true, Recording: true}},
		Hubs: []Hub{
			{Region: eu, SubscribedAt: day(2024, 2, 12), Standards: []HubStandard{
				{ID: "aws-foundational-security-best-practices/v/1.0.0"}, {ID: "cis-aws-foundations-benchmark/v/1.4.0"}}},
			// us-east-1 runs Security Hub with only PCI DSS, which AWS-SH-002 does not accept.
			{Region: us, SubscribedAt: day(2024, 2, 12), Standards: []HubStandard{{ID: "pci-dss/v/3.2.1"}}},
		},
		HubFindings: []HubFinding{
			{ID: "5d1b2f6e-0c3a-4d8e-9f21-7a6b5c4d3e2f", Region: eu, Generator: "security-control/EC2.19", Severity: "HIGH",
				Title:        "Security groups should not allow unrestricted access to ports with high risk",
				ResourceType: "AwsEc2SecurityGroup", ResourceID: "arn:aws:ec2:eu-central-1:" + DemoAccount + ":security-group/sg-0a1b2c3d4e5f60003",
				Created: day(2026, 11, 16), Updated: day(2026, 11, 23)},
			{ID: "7c2e9a41-3b5d-4f60-8a1c-2d3e4f5a6b7c", Region: eu, Generator: "security-control/S3.8", Severity: "HIGH", Workflow: "RESOLVED",
				Title:        "S3 general purpose buckets should block public access",
				ResourceType: "AwsS3Bucket", ResourceID: "arn:aws:s3:::acme-customer-data", Created: day(2026, 3, 2), Updated: day(2026, 3, 9)},
			{ID: "9e4f1c7a-6d2b-4a85-b3e0-1f2a3b4c5d6e", Region: us, Generator: "security-control/RDS.2", Severity: "CRITICAL", Workflow: "NOTIFIED",
				Title:        "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration",
				ResourceType: "AwsRdsDbInstance", ResourceID: "arn:aws:rds:us-east-1:" + DemoAccount + ":db:legacy-reporting",
				Created: day(2026, 8, 14), Updated: day(2026, 11, 23)},
		},
	}
}

// demoMemberMonitoring is the member account's monitoring: AWS Config
// records in eu-central-1 but only selected resource types, and the account
// does not use Security Hub.
func demoMemberMonitoring() Monitoring {
	return Monitoring{Recorders: []Recorder{{Name: "default", Region: "eu-central-1", Recording: true}}}
}
