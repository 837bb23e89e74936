// Package aws collects evidence from Amazon Web Services with the AWS SDK for
// Go v2: S3 buckets, IAM credentials and password policy, KMS keys, RDS
// databases, EBS encryption, CloudTrail trails, GuardDuty detectors, load
// balancer listeners, CloudFront distributions, AWS Backup plans and
// vaults, security groups open to the internet (Config.Network), VPCs with
// their flow logs and default-VPC use, Secrets Manager rotation, SSM
// parameter types (Config.Secrets), CloudWatch alarms and their SNS
// subscriptions, alarms on root use and unauthorised calls, AWS Config
// recorders, the WAF web ACLs of load balancers, API Gateway stages and
// CloudFront distributions, and the public accessibility of Redshift
// clusters and OpenSearch domains. S3, RDS and EBS resources also say whether their region is in
// Config.AllowedRegions (data residency).
//
// Credentials come from the SDK's standard chain (environment, shared
// config and AWS_PROFILE, SSO, web identity, container and instance roles).
// Endpoints honour AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_<SERVICE>
// variables, or Config.EndpointURL. With Organization.Enabled, Plan lists the
// accounts of the organisation and assumes a named read-only role in each.
//
// Every client sends its requests through collectors.Transport, so every
// response body is kept as raw evidence named after its operation (for
// example "s3:GetBucketEncryption"). Credential exchanges are never kept.
// Calls use the SDK's adaptive retry mode (Config.MaxAttempts), every list
// is paginated, and per-resource calls of one collector run are bounded by
// Config.Concurrency. Absent configuration (for example
// ServerSideEncryptionConfigurationNotFoundError or NoSuchEntity) is
// evidence; denied, throttled and failed calls become gaps or a failed run,
// never a pass. Collectors only call read operations; Policy renders the
// IAM policy they need. The account-level S3 public access block (s3control)
// is not collected.
package aws
