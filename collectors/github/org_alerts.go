package github

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	gh "github.com/google/go-github/v92/github"

	"github.com/attestdev/attest/collectors"
)

const (
	opOrgSecretScanning = "GET /orgs/{org}/secret-scanning/alerts"
	// permOrgSecretScanning is what the organisation-wide listing needs:
	// an organisation owner or security manager, with a classic token's
	// repo or security_events scope, or the fine-grained "Secret scanning
	// alerts" repository permission (read).
	permOrgSecretScanning = "the organisation owner or security manager role with scope:repo or scope:security_events or " + permSecretScanning
)

// orgSecrets is the organisation's open secret scanning alerts, read with
// one listing for every repository, and each repository's secret scanning
// status from the REST repository list (security_and_analysis).
type orgSecrets struct {
	// status maps a repository's lower-cased full name to whether secret
	// scanning is enabled; repositories GitHub showed no
	// security_and_analysis for are absent.
	status map[string]bool
	// listRecord maps a repository to the raw response of its page of the
	// repository list.
	listRecord map[string]string
	// created maps a repository to the creation times of its open alerts.
	created map[string][]time.Time
	// records are the raw responses of the alert listing: the evidence of
	// every repository's count, zero included.
	records []string
}

// lookup returns what the organisation listings say about the repository
// nameWithOwner: whether secret scanning is enabled, its open alerts, and
// the raw responses; ok is false when they cannot say (GitHub showed no
// security_and_analysis for it), and the repository must be read on its
// own.
func (s *orgSecrets) lookup(nameWithOwner string) (enabled bool, created []time.Time, records []string, ok bool) {
	if s == nil {
		return false, nil, nil, false
	}
	key := strings.ToLower(nameWithOwner)
	enabled, ok = s.status[key]
	if !ok {
		return false, nil, nil, false
	}
	records = append([]string{s.listRecord[key]}, s.records...)
	return enabled, s.created[key], records, true
}

// orgSecrets reads the open secret scanning alerts of the whole
// organisation (https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-an-organization)
// and the repository list with security_and_analysis. It returns nil,
// without a failure, when either is denied, absent or fails otherwise:
// every repository is then read on its own, as before, and any failure is
// recorded there. Only a cancellation is returned.
func (c *AlertsCollector) orgSecrets(ctx context.Context, client *gh.Client, org string) (*orgSecrets, error) {
	out := &orgSecrets{status: map[string]bool{}, listRecord: map[string]string{}, created: map[string][]time.Time{}}
	actx, trace := collectors.WithTrace(ctx)
	opts := &gh.SecretScanningAlertListOptions{State: "open", ListOptions: gh.ListOptions{PerPage: 100}}
	for a, err := range client.SecretScanning.ListAlertsForOrgIter(actx, org, opts) {
		if err != nil {
			return nil, fallBack(ctx, err, opOrgSecretScanning, permOrgSecretScanning, org)
		}
		key := strings.ToLower(a.GetRepository().GetFullName())
		out.created[key] = append(out.created[key], a.GetCreatedAt().Time)
	}
	out.records = trace.Records()
	w, err := c.src.walkRepos(ctx, client, org)
	if err != nil {
		return nil, fallBack(ctx, err, opListRepos, permSecurityAnalysis, org)
	}
	for i, r := range w.repos {
		sa := r.security
		if sa == nil {
			continue
		}
		key := strings.ToLower(r.fullName)
		// A repository where secret scanning is not available has no
		// secret_scanning status: not enabled.
		out.status[key] = sa.GetSecretScanning().GetStatus() == "enabled"
		if rec := w.pageRecord[i]; rec != "" {
			out.listRecord[key] = rec
		}
	}
	return out, nil
}

// fallBack returns a cancellation as the error to stop on, and logs any
// other failure of an organisation listing as the reason to read every
// repository on its own.
func fallBack(ctx context.Context, err error, op, perm, org string) error {
	err = classify(err, op, perm)
	if canceled(err) {
		return err
	}
	slog.DebugContext(ctx, "github: reading secret scanning per repository", "org", org, "operation", op, "reason", err)
	return nil
}

// secretCounts counts created and those before cutoff.
func secretCounts(created []time.Time, cutoff time.Time) (open, overdue int) {
	for _, t := range created {
		open++
		if t.Before(cutoff) {
			overdue++
		}
	}
	return open, overdue
}

// withRecords appends the records not yet in rs.
func withRecords(rs []string, more ...string) []string {
	for _, r := range more {
		if r != "" && !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return rs
}
