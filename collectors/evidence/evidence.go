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
	// Uncollected lists attributes the collector left out on purpose
	// because no rule enabled for the collection read them (see Reads), so
	// that the scope statement says so and a rule that reads one later is
	// inconclusive, never a pass on a missing value.
	Uncollected []Uncollected `json:"uncollected,omitempty"`
}

// An Uncollected is an attribute of a resource type that a run did not
// collect because no enabled rule read it. When Except is set, the
// attribute was collected of the resources whose boolean attribute Except
// is true (the rules read it only under the where clause r.EXCEPT) and of
// those whose Except could not be read, and left out of the others.
type Uncollected struct {
	Type      string `json:"type"`
	Attribute string `json:"attribute"`
	Except    string `json:"except,omitempty"`
}

// A Read says how the rules enabled for a collection read one attribute of
// a resource type.
type Read struct {
	// All is set when some rule or where clause reads the attribute of
	// every resource of the type.
	All bool `json:"all,omitempty"`
	// Where, when All is not set, names boolean attributes: the attribute
	// is read only by rules whose where clause is exactly r.NAME for one
	// of them, that is only of the resources where that attribute is true.
	Where []string `json:"where,omitempty"`
}

// Reads maps a resource type to the attributes the enabled rules read of
// it. A type the rules name has an entry, empty when they read none of its
// attributes (a count). A nil Reads means the reads are not known:
// collectors then collect every attribute. The attribute AllAttributes
// stands for every attribute of the type (a rule that reads r as a whole,
// or r[KEY] with a computed KEY).
type Reads map[string]map[string]Read

// AllAttributes is the attribute name in Reads that stands for all of a
// type's attributes.
const AllAttributes = "*"

// Wanted reports whether some enabled rule reads one of names of a
// resource of typ with attributes attrs: always when r is nil, when one
// is read of every resource, or read under a where r.NAME whose NAME is
// true in attrs or missing from them (not known, so it may be true). The
// second result, when the first is false, lists the attributes left out.
func (r Reads) Wanted(typ string, attrs map[string]any, names ...string) (bool, []Uncollected) {
	if r == nil {
		return true, nil
	}
	if r[typ][AllAttributes].All {
		return true, nil
	}
	var out []Uncollected
	for _, n := range names {
		read, ok := r[typ][n]
		if ok && read.All {
			return true, nil
		}
		for _, w := range read.Where {
			if v, known := attrs[w]; !known || v != false {
				return true, nil
			}
		}
		u := Uncollected{Type: typ, Attribute: n}
		if len(read.Where) > 0 {
			u.Except = strings.Join(read.Where, " or ")
		}
		out = append(out, u)
	}
	return false, out
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
