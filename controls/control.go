package controls

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Control is one control definition.
type Control struct {
	ID          string         `yaml:"id" json:"id"`
	Title       string         `yaml:"title" json:"title"`
	Description string         `yaml:"description" json:"description"`
	Severity    Severity       `yaml:"severity" json:"severity"`
	Owner       string         `yaml:"owner" json:"owner"`
	Frequency   Frequency      `yaml:"frequency" json:"frequency"`
	Mappings    Mappings       `yaml:"mappings" json:"mappings"`
	TOM         TOM            `yaml:"tom" json:"tom"`
	Params      map[string]any `yaml:"params,omitempty" json:"params,omitempty"`
	Evidence    []Requirement  `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	Manual      []Manual       `yaml:"manual,omitempty" json:"manual,omitempty"`
	Remediation string         `yaml:"remediation" json:"remediation"`

	// File is where the control was loaded from ("builtin:..." for the
	// embedded library).
	File string `yaml:"-" json:"file"`
}

// Mappings lists the framework requirements a control supports, by
// framework id.
type Mappings struct {
	SOC2     []string `yaml:"soc2,omitempty" json:"soc2,omitempty"`
	ISO27001 []string `yaml:"iso27001,omitempty" json:"iso27001,omitempty"`
	GDPR     []string `yaml:"gdpr,omitempty" json:"gdpr,omitempty"`
}

// For returns the requirement ids mapped for framework id.
func (m Mappings) For(framework string) []string {
	switch framework {
	case "soc2":
		return m.SOC2
	case "iso27001":
		return m.ISO27001
	case "gdpr":
		return m.GDPR
	}
	return nil
}

// A TOM places a control in the classic categories of technical and
// organisational measures, with the statement a TOMs document makes when
// the control passes.
type TOM struct {
	Category  string    `yaml:"category" json:"category"`
	Statement Statement `yaml:"statement" json:"statement"`
}

// A Statement is a text in English and German.
type Statement struct {
	EN string `yaml:"en" json:"en"`
	DE string `yaml:"de" json:"de"`
}

// TOMCategories are the eight classic TOM categories, in their customary
// order. A control's tom.category also maps it to TOM.<category> in the
// gdpr catalog.
var TOMCategories = []string{
	"physical-access", "system-access", "data-access", "transfer",
	"input", "job", "availability", "separation",
}

// A Requirement is one evidence requirement: a CEL rule over the resources of
// one type.
type Requirement struct {
	Type        string `yaml:"type" json:"type"`
	Mode        Mode   `yaml:"mode,omitempty" json:"mode"`
	Where       string `yaml:"where,omitempty" json:"where,omitempty"`
	Rule        string `yaml:"rule" json:"rule"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// A Mode says how a rule is applied to the resources of a type.
type Mode string

// The modes.
const (
	// Each: every resource must satisfy the rule.
	Each Mode = "each"
	// Any: at least one resource must satisfy the rule.
	Any Mode = "any"
	// Count: the rule is evaluated once, with count bound to the number of
	// resources (after where).
	Count Mode = "count"
)

// A Manual requirement asks for organisational evidence of a kind, fresher
// than MaxAge.
type Manual struct {
	Kind        string   `yaml:"kind" json:"kind"`
	MaxAge      Duration `yaml:"max_age" json:"max_age"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
}

// Severity ranks how much a failure matters.
type Severity string

// The severities, lowest first.
const (
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Severities lists the valid severities, lowest first.
var Severities = []Severity{Low, Medium, High, Critical}

// Rank orders severities: low is 1, critical 4, anything else 0.
func (s Severity) Rank() int { return slices.Index(Severities, s) + 1 }

// ParseSeverity parses a severity name.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToLower(s))
	if sev.Rank() == 0 {
		return "", fmt.Errorf("unknown severity %q (want low, medium, high or critical)", s)
	}
	return sev, nil
}

// Frequency is how often a control's evidence must be refreshed.
type Frequency string

var frequencies = map[Frequency]time.Duration{
	"continuous":   24 * time.Hour,
	"daily":        24 * time.Hour,
	"weekly":       7 * 24 * time.Hour,
	"monthly":      31 * 24 * time.Hour,
	"quarterly":    92 * 24 * time.Hour,
	"semiannually": 184 * 24 * time.Hour,
	"annually":     366 * 24 * time.Hour,
}

// MaxAge returns the oldest evidence the frequency accepts.
func (f Frequency) MaxAge() time.Duration { return frequencies[f] }

// A Duration is a length of time written as a number and a unit: d (days),
// w (weeks) or y (365 days), or any Go duration such as 12h.
type Duration string

// Parse returns the duration.
func (d Duration) Parse() (time.Duration, error) { return ParseDuration(string(d)) }

// ParseDuration parses "90d", "2w", "1y" or a Go duration such as "36h".
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	units := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	if u, ok := units[s[len(s)-1]]; ok {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("bad duration %q (want e.g. 90d, 2w, 1y or 36h)", s)
		}
		return time.Duration(n) * u, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bad duration %q (want e.g. 90d, 2w, 1y or 36h)", s)
	}
	return d, nil
}

var idPattern = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)*$`)
