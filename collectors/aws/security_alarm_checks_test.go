package aws

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/internal/fake/awsfake"
)

// TestAlarmChecksMatchCISPatterns checks that each CIS benchmark pattern
// (as the fake holds them, written independently of alarmChecks) matches
// its own event class and no other, and that every class has a pattern.
func TestAlarmChecksMatchCISPatterns(t *testing.T) {
	t.Parallel()
	if len(awsfake.CISPatterns) != len(alarmChecks) {
		t.Errorf("%d CIS patterns, %d checks", len(awsfake.CISPatterns), len(alarmChecks))
	}
	for name, pattern := range awsfake.CISPatterns {
		var got []string
		for _, c := range alarmChecks {
			if c.matches(pattern) {
				got = append(got, c.name)
			}
		}
		if diff := cmp.Diff([]string{name}, got); diff != "" {
			t.Errorf("pattern of %s matches (-want +got):\n%s", name, diff)
		}
	}
}

// TestAlarmChecksRejectPartialPatterns checks that a pattern missing one
// event of its class, negating an event, or missing a required fragment
// matches nothing.
func TestAlarmChecksRejectPartialPatterns(t *testing.T) {
	t.Parallel()
	p := awsfake.CISPatterns
	for name, pattern := range map[string]string{
		"trail without StopLogging":      strings.Replace(p["cloudtrail_changes"], " || ($.eventName=StopLogging)", "", 1),
		"trail negating StopLogging":     strings.Replace(p["cloudtrail_changes"], "$.eventName=StopLogging", "$.eventName!=StopLogging", 1),
		"policy without a version op":    strings.Replace(p["iam_policy_changes"], "||($.eventName=DeletePolicyVersion)", "", 1),
		"console login without MFA test": `{ ($.eventName = "ConsoleLogin") }`,
		"CMK events of another source":   strings.Replace(p["cmk_disable_or_deletion"], "kms.amazonaws.com", "ec2.amazonaws.com", 1),
		"only a prefix of an event":      strings.ReplaceAll(p["route_table_changes"], "DisassociateRouteTable", "Disassociate"),
		"errors without a code field":    `{ ($.errorMessage = "*UnauthorizedOperation") }`,
	} {
		for _, c := range alarmChecks {
			if c.matches(pattern) {
				t.Errorf("%s: matches %s", name, c.name)
			}
		}
	}
}
