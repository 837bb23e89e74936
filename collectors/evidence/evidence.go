package evidence

import (
	"fmt"
	"strings"
	"time"
)

// A Target names what one collector run looked at: a source, and within it an
// account (AWS account id, GCP project, GitHub organisation, host) and
// optionally a region.
type Target struct {
	Source  string `json:"source"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
}

// String returns the target as source/account/region, leaving out empty parts.
func (t Target) String() string {
	parts := []string{t.Source}
	if t.Account != "" {
		parts = append(parts, t.Account)
	}
	if t.Region != "" {
		parts = append(parts, t.Region)
	}
	return strings.Join(parts, "/")
}

// Compare orders targets by source, account and region.
func (t Target) Compare(o Target) int {
	switch {
	case t.Source != o.Source:
		return strings.Compare(t.Source, o.Source)
	case t.Account != o.Account:
		return strings.Compare(t.Account, o.Account)
	default:
		return strings.Compare(t.Region, o.Region)
	}
}

// A Resource is one thing a collector observed, normalised so that rules do
// not depend on the provider's wire format. Attributes hold only JSON values:
// strings, float64 or int numbers, bools, nil, []any and map[string]any.
// Times are RFC 3339 strings in UTC.
type Resource struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Name       string         `json:"name,omitempty"`
	Account    string         `json:"account,omitempty"`
	Region     string         `json:"region,omitempty"`
	Attributes map[string]any `json:"attributes"`
	// Gaps lists attributes the collector could not read, and why. A rule
	// that needs a missing attribute is inconclusive, never a pass.
	Gaps []Gap `json:"gaps,omitempty"`
	// Records lists the SHA-256 of the raw responses the resource was built
	// from.
	Records          []string  `json:"records,omitempty"`
	Collector        string    `json:"collector"`
	CollectorVersion int       `json:"collector_version"`
	CollectedAt      time.Time `json:"collected_at"`
}

// Key returns the identity of the resource within a bundle.
func (r *Resource) Key() string {
	return r.Type + "\x00" + r.Account + "\x00" + r.Region + "\x00" + r.ID
}

// A Gap is an attribute of a resource that could not be collected.
type Gap struct {
	Attribute string      `json:"attribute"`
	Kind      FailureKind `json:"kind"`
	Operation string      `json:"operation,omitempty"`
	// Permission is the API permission whose absence caused a denial.
	Permission string `json:"permission,omitempty"`
	Message    string `json:"message"`
}

// A FailureKind classifies why a call did not return evidence.
type FailureKind string

// The failure kinds. Each makes the affected controls inconclusive.
const (
	Denied    FailureKind = "denied"    // the credentials lack a permission
	Throttled FailureKind = "throttled" // rate limited, retries exhausted
	Timeout   FailureKind = "timeout"   // a deadline passed
	Cancelled FailureKind = "cancelled" // the run was interrupted
	Errored   FailureKind = "error"     // any other failure
)

// A Failure is a call, or a whole run, that did not return evidence.
type Failure struct {
	Kind       FailureKind `json:"kind"`
	Operation  string      `json:"operation,omitempty"`
	Permission string      `json:"permission,omitempty"`
	// Resource names the resource the call was about, when there was one.
	Resource string `json:"resource,omitempty"`
	Message  string `json:"message"`
}

// String describes the failure in one line.
func (f Failure) String() string {
	var b strings.Builder
	b.WriteString(string(f.Kind))
	if f.Operation != "" {
		fmt.Fprintf(&b, " %s", f.Operation)
	}
	if f.Resource != "" {
		fmt.Fprintf(&b, " on %s", f.Resource)
	}
	if f.Permission != "" {
		fmt.Fprintf(&b, " (needs %s)", f.Permission)
	}
	if f.Message != "" {
		fmt.Fprintf(&b, ": %s", f.Message)
	}
	return b.String()
}

// RunStatus says how much of its target a collector run covered.
type RunStatus string

// The run statuses. Only a complete run lets a control pass.
const (
	Complete RunStatus = "complete" // every call succeeded
	Partial  RunStatus = "partial"  // the run finished, but some calls failed
	Failed   RunStatus = "failed"   // the run could not enumerate its target
)

// A Run records one collector run against one target: the scope statement
// that every result carries.
type Run struct {
	Collector        string    `json:"collector"`
	CollectorVersion int       `json:"collector_version"`
	Target           Target    `json:"target"`
	ResourceTypes    []string  `json:"resource_types"`
	Status           RunStatus `json:"status"`
	StartedAt        time.Time `json:"started_at"`
	FinishedAt       time.Time `json:"finished_at"`
	Resources        int       `json:"resources"`
	Records          int       `json:"records"`
	Failures         []Failure `json:"failures,omitempty"`
	// Fixed gives, by resource type, attribute values that every resource
	// of the type from this run has, such as {"system": "aws"} for
	// identity.account. Evaluation uses them to tell which runs a
	// requirement depends on: a partial AWS run does not make a GitHub
	// control over identity accounts inconclusive.
	Fixed map[string]map[string]any `json:"fixed,omitempty"`
	// Skipped lists what the collector enumerated but left out on purpose,
	// and why (e.g. archived repositories, or filters in the
	// configuration), so that the scope statement covers them.
	Skipped []Skip `json:"skipped,omitempty"`
}

// A Skip is a resource a collector enumerated and deliberately did not
// evaluate.
type Skip struct {
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

// Produces reports whether the run collects resources of type typ.
func (r *Run) Produces(typ string) bool {
	for _, t := range r.ResourceTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// A Record describes one raw API response kept in the bundle. The body is
// stored under raw/<SHA256>.
type Record struct {
	SHA256           string `json:"sha256"`
	Collector        string `json:"collector"`
	CollectorVersion int    `json:"collector_version"`
	Target           Target `json:"target"`
	Operation        string `json:"operation"`
	Method           string `json:"method,omitempty"`
	Endpoint         string `json:"endpoint"`
	Status           int    `json:"status,omitempty"`
	ContentType      string `json:"content_type,omitempty"`
	// Request is the JSON body of a read sent as POST, such as a GraphQL
	// query with its variables, so that the response can be read against
	// what was asked. Empty for GET requests.
	Request     string    `json:"request,omitempty"`
	Size        int       `json:"size"`
	CollectedAt time.Time `json:"collected_at"`
}
