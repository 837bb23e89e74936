package awsfake

import (
	"slices"
	"strings"
)

// demoHardening is the management account's Access Analyzer, EFS, DynamoDB
// and access logging: eu-central-1 has an active organisation analyzer, an
// encrypted file system with automatic backups and a table encrypted with
// a KMS key and point-in-time recovery; us-east-1 has no analyzer, an
// unencrypted file system without a backup policy and a table on the AWS
// owned key without recovery. The customer data bucket and the web load
// balancer write access logs; the marketing bucket and the legacy API load
// balancer do not.
func demoHardening() Hardening {
	const eu, us = "eu-central-1", "us-east-1"
	key := "arn:aws:kms:eu-central-1:" + DemoAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	return Hardening{
		Analyzers: []Analyzer{{Name: "acme-organization", Region: eu, Type: "ORGANIZATION", Status: "ACTIVE"}},
		FileSystems: []FileSystem{
			{ID: "fs-0a1b2c3d4e5f60001", Region: eu, Encrypted: true, KMSKeyID: key, Backup: "ENABLED"},
			{ID: "fs-0a1b2c3d4e5f60002", Region: us},
		},
		Tables: []Table{
			{Name: "orders-sessions", Region: eu, SSEType: "KMS", KMSKey: key, PITR: true},
			{Name: "legacy-events", Region: us},
		},
		BucketLogging: map[string]string{"acme-customer-data": "acme-access-logs", "acme-cloudtrail-logs": "acme-access-logs"},
		LBAccessLogs:  map[string]string{"web": "acme-elb-logs"},
	}
}

// demoMemberHardening is the staging account's: an account analyzer in
// eu-central-1 only, and a bucket that does not log access.
func demoMemberHardening() Hardening {
	return Hardening{Analyzers: []Analyzer{{Name: "staging", Region: "eu-central-1", Type: "ACCOUNT", Status: "ACTIVE"}}}
}

// withCISAlarms adds to m, in region, a metric filter on log group
// logGroup and an alarm notifying topic for every CIS event class of
// CISPatterns that m has no filter for yet.
func withCISAlarms(m Monitoring, region, logGroup, topic string) Monitoring {
	names := make([]string, 0, len(CISPatterns))
	for n := range CISPatterns {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if slices.ContainsFunc(m.MetricFilters, func(f MetricFilter) bool { return f.Pattern == CISPatterns[n] }) {
			continue
		}
		metric := strings.ReplaceAll(n, "_", "-")
		m.MetricFilters = append(m.MetricFilters, MetricFilter{Name: "cis-" + metric, Region: region, LogGroup: logGroup,
			Namespace: "CISBenchmark", Metric: metric, Pattern: CISPatterns[n]})
		m.Alarms = append(m.Alarms, Alarm{Name: "cis-" + metric, Region: region, Namespace: "CISBenchmark", Metric: metric,
			Actions: []string{topic}, StateUpdatedAt: day(2026, 11, 1)})
	}
	return m
}
