package controls

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// A Control is one control definition.
type Control struct {
	ID          string    `yaml:"id" json:"id"`
	Title       string    `yaml:"title" json:"title"`
	Description string    `yaml:"description" json:"description"`
	Severity    Severity  `yaml:"severity" json:"severity"`
	Owner       string    `yaml:"owner" json:"owner"`
	Frequency   Frequency `yaml:"frequency" json:"frequency"`
	Mappings    Mappings  `yaml:"mappings" json:"mappings"`
	TOM         TOM       `yaml:"tom" json:"tom"`
	// Params are the declared parameters, by name: their type, default
	// and meaning. Rules read them as params.NAME and statements as .NAME;
	// attest.yaml may override them per control.
	Params      map[string]*Param `yaml:"params,omitempty" json:"params,omitempty"`
	Evidence    []Requirement     `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	Manual      []Manual          `yaml:"manual,omitempty" json:"manual,omitempty"`
	Remediation string            `yaml:"remediation" json:"remediation"`
	// Tests are the cases `attest controls test` runs through the
	// evaluator.
	Tests []TestCase `yaml:"tests,omitempty" json:"tests,omitempty"`

	// File is where the control was loaded from ("builtin:..." for the
	// embedded library).
	File string `yaml:"-" json:"file"`

	// statements are the parsed tom.statement templates, set by Load.
	statements *statementTemplates
	// lines are the lines of some fields (tests, params.NAME), for Lint.
	lines map[string]int
}

// Mappings lists the framework requirements a control supports, by
// framework id, in file order. In a control file each framework is a map
// from requirement id to the one-line reason the mapping holds; the older
// list form (soc2: [CC6.1]) still loads, with empty rationales.
type Mappings struct {
	SOC2     []string `yaml:"soc2,omitempty" json:"soc2,omitempty"`
	ISO27001 []string `yaml:"iso27001,omitempty" json:"iso27001,omitempty"`
	GDPR     []string `yaml:"gdpr,omitempty" json:"gdpr,omitempty"`
	// Rationales say, by framework id and requirement id, why each mapping
	// holds. Results leave them out.
	Rationales map[string]map[string]string `yaml:"-" json:"rationales,omitempty"`

	// lines are the lines of the mapped ids, by framework id and
	// requirement id, and problems what UnmarshalYAML could not decode;
	// the validator reports them with file and line.
	lines    map[string]map[string]int
	problems []problem
}

// A problem is a decoding problem found inside a custom YAML decoder, kept
// until the validator can name the file.
type problem struct {
	line  int
	field string
	msg   string
}

// Rationale returns why requirement id of framework fw is mapped, or ""
// when the control gives no reason (or does not map it).
func (m Mappings) Rationale(fw, id string) string { return m.Rationales[fw][id] }

// IDs returns the mapped ids without rationales, as results carry them.
func (m Mappings) IDs() Mappings {
	return Mappings{SOC2: m.SOC2, ISO27001: m.ISO27001, GDPR: m.GDPR}
}

// UnmarshalYAML decodes the map form (id: rationale) and the list form
// (ids only) of each framework.
func (m *Mappings) UnmarshalYAML(n *yaml.Node) error {
	*m = Mappings{}
	if n.Kind != yaml.MappingNode {
		m.problems = append(m.problems, problem{n.Line, "mappings", "want a map of framework ids (soc2, iso27001, gdpr)"})
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		fw := k.Value
		field := "mappings." + fw
		var dst *[]string
		switch fw {
		case "soc2":
			dst = &m.SOC2
		case "iso27001":
			dst = &m.ISO27001
		case "gdpr":
			dst = &m.GDPR
		default:
			m.problems = append(m.problems, problem{k.Line, field, "unknown framework: want soc2, iso27001 or gdpr"})
			continue
		}
		add := func(idNode *yaml.Node, rationale string) {
			id := idNode.Value
			if idNode.Kind != yaml.ScalarNode || id == "" {
				m.problems = append(m.problems, problem{idNode.Line, field, "a requirement id must be a non-empty string"})
				return
			}
			if m.lines == nil {
				m.lines, m.Rationales = map[string]map[string]int{}, map[string]map[string]string{}
			}
			if m.lines[fw] == nil {
				m.lines[fw], m.Rationales[fw] = map[string]int{}, map[string]string{}
			}
			if _, dup := m.lines[fw][id]; dup {
				m.problems = append(m.problems, problem{idNode.Line, field + "." + id, "mapped twice"})
				return
			}
			m.lines[fw][id] = idNode.Line
			m.Rationales[fw][id] = strings.Join(strings.Fields(rationale), " ")
			*dst = append(*dst, id)
		}
		switch v.Kind {
		case yaml.SequenceNode:
			for _, item := range v.Content {
				add(item, "")
			}
		case yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				r := v.Content[j+1]
				if r.Kind != yaml.ScalarNode || (r.Tag != "!!str" && r.Tag != "!!null") {
					m.problems = append(m.problems, problem{r.Line, field + "." + v.Content[j].Value, "the rationale must be a one-line string"})
					continue
				}
				add(v.Content[j], r.Value)
			}
		default:
			m.problems = append(m.problems, problem{v.Line, field, "want a map of requirement id to rationale"})
		}
	}
	return nil
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
	// Category may be empty when no TOM category honestly fits.
	Category  string    `yaml:"category,omitempty" json:"category,omitempty"`
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

	// rule and where are compiled once, by Load.
	rule, where *program
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
