package awsfake

// demoMonitoring is the management account's monitoring: in eu-central-1
// alarms on the orders database and the web load balancer notify the
// on-call topic, CloudTrail metric filters alarm on root activity and
// unauthorised calls, and AWS Config records everything; in us-east-1 the
// legacy database's alarm notifies a topic nobody confirmed, and AWS Config
// is off.
func demoMonitoring() Monitoring {
	const eu, us = "eu-central-1", "us-east-1"
	oncall := TopicARN(eu, DemoAccount, "oncall")
	legacy := TopicARN(us, DemoAccount, "legacy-alerts")
	return Monitoring{
		Alarms: []Alarm{
			{Name: "orders-db-cpu-high", Region: eu, Namespace: "AWS/RDS", Metric: "CPUUtilization", Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 21)},
			{Name: "orders-db-free-storage-low", Region: eu, Namespace: "AWS/RDS", Metric: "FreeStorageSpace", Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 21)},
			{Name: "web-alb-5xx", Region: eu, Namespace: "AWS/ApplicationELB", Metric: "HTTPCode_ELB_5XX_Count", Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 22)},
			{Name: "cis-root-account-usage", Region: eu, Namespace: "CISBenchmark", Metric: "RootAccountUsage", Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 1)},
			{Name: "cis-unauthorized-api-calls", Region: eu, Namespace: "CISBenchmark", Metric: "UnauthorizedAPICalls", Actions: []string{oncall}, StateUpdatedAt: day(2026, 11, 1)},
			{Name: "legacy-reporting-storage-low", Region: us, Namespace: "AWS/RDS", Metric: "FreeStorageSpace", Actions: []string{legacy}, State: "ALARM", StateUpdatedAt: day(2026, 11, 19)},
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
	}
}

// demoMemberMonitoring is the member account's monitoring: AWS Config
// records in eu-central-1 but only selected resource types.
func demoMemberMonitoring() Monitoring {
	return Monitoring{Recorders: []Recorder{{Name: "default", Region: "eu-central-1", Recording: true}}}
}
