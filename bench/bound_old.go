package bench

import (
	"strings"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// opCollector names the collector that makes each operation, for the
// critical path.
func opCollector(op string) string {
	switch {
	case strings.HasPrefix(op, "s3:"):
		return "aws.s3"
	case strings.HasPrefix(op, "iam:GetAccountPasswordPolicy"):
		return "aws.iam.password_policy"
	case strings.HasPrefix(op, "iam:"):
		return "aws.iam.credentials"
	case strings.HasPrefix(op, "kms:"):
		return "aws.kms"
	case strings.HasPrefix(op, "ec2:"):
		return "aws.ebs"
	case strings.Contains(op, "/code-scanning/"):
		return "github.sast"
	case strings.Contains(op, "/secret-scanning/"):
		return "github.alerts"
	}
	return ""
}

// LowerBound returns the shortest possible collection of the calls min
// made by runs at attest's own concurrency settings (the yardstick before
// Floor).
func LowerBound(min Calls, runs []evidence.Run, o Options) time.Duration {
	callConc := int64(max(o.CallConcurrency, 1))
	work := time.Duration(min.Total()) * o.Latency / time.Duration(int64(max(o.Concurrency, 1))*callConc)
	targets := map[string]int64{}
	for _, r := range runs {
		targets[r.Collector]++
	}
	perJob := map[string]int64{}
	for op, n := range min {
		if c := opCollector(op); c != "" && targets[c] > 0 {
			perJob[c] += n / targets[c]
		}
	}
	var path time.Duration
	for _, n := range perJob {
		path = max(path, time.Duration((n+callConc-1)/callConc)*o.Latency)
	}
	return max(work, path)
}
