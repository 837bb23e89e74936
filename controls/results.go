package controls

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// ResultsSchema names the format of results.json; it changes only when the
// format changes incompatibly. See results.schema.json.
const ResultsSchema = "attest.results/v1"

// An Outcome is the result of evaluating a control, a requirement or a
// resource.
type Outcome string

// The outcomes. Only Pass is a pass: Waived is a failure under an approved
// exception, and everything else is not evidence of compliance.
const (
	Pass          Outcome = "pass"
	Fail          Outcome = "fail"
	Inconclusive  Outcome = "inconclusive"
	NotApplicable Outcome = "not_applicable"
	ManualOutcome Outcome = "manual"
	Waived        Outcome = "waived"
)

// outcomeOrder is the one order of the outcomes, worst first: fail,
// inconclusive, waived, manual, pass, not_applicable. The worst outcome
// dominates a roll-up (Worst), and reports list what needs attention first
// (CompareOutcomes).
var outcomeOrder = []Outcome{Fail, Inconclusive, Waived, ManualOutcome, Pass, NotApplicable}

// weight orders outcomes for roll-up: the worst outcome has the highest
// weight; an unknown outcome has 0.
func (o Outcome) weight() int {
	if i := slices.Index(outcomeOrder, o); i >= 0 {
		return len(outcomeOrder) - i
	}
	return 0
}

// CompareOutcomes orders outcomes worst first, for listings that put what
// needs attention first: it is negative when a is worse than b, zero when
// they are the same and positive otherwise.
func CompareOutcomes(a, b Outcome) int { return cmp.Compare(b.weight(), a.weight()) }

// Worst returns the outcome that dominates a roll-up: fail, then
// inconclusive, waived, manual, pass and not_applicable.
func Worst(a, b Outcome) Outcome {
	if b.weight() > a.weight() {
		return b
	}
	return a
}

// A Code says, beside the prose of a reason, why a requirement or a
// control has its outcome, so that programs need not match reasons.
type Code string

// The reason codes.
const (
	// CodeRuleTrue: the rule holds (each: every selected resource passes;
	// any: at least one does; count: the count satisfies it).
	CodeRuleTrue Code = "rule_true"
	// CodeRuleFalse: the rule does not hold.
	CodeRuleFalse Code = "rule_false"
	// CodeRuleError: the where or rule could not be evaluated for some
	// resources (a missing attribute, an error, the cost limit).
	CodeRuleError Code = "rule_error"
	// CodeRunFailed: a collector run in scope was partial or failed, so
	// the evidence may be incomplete.
	CodeRunFailed Code = "run_failed"
	// CodeNotCollected: no configured source collected the type (or none
	// that the where can select).
	CodeNotCollected Code = "not_collected"
	// CodeNoResources: the type was collected, but no resource of it is
	// selected.
	CodeNoResources Code = "no_resources"
	// CodeStale: the evidence is older than the control's frequency
	// allows.
	CodeStale Code = "stale"
	// CodeWaived: the failures are covered by waivers.
	CodeWaived Code = "waived"
	// CodeNoEvidence: no manual evidence record of the kind exists.
	CodeNoEvidence Code = "no_evidence"
	// CodeUnverifiable: the newest manual record's attachment is missing
	// or changed.
	CodeUnverifiable Code = "unverifiable"
	// CodeExpired: the newest manual record has expired.
	CodeExpired Code = "expired"
	// CodeAttested: a valid manual record attests the requirement.
	CodeAttested Code = "attested"
)

// Codes lists every reason code.
var Codes = []Code{CodeRuleTrue, CodeRuleFalse, CodeRuleError, CodeRunFailed, CodeNotCollected, CodeNoResources,
	CodeStale, CodeWaived, CodeNoEvidence, CodeUnverifiable, CodeExpired, CodeAttested}

// Results is the evaluation of a library against a bundle: the content of
// results.json.
type Results struct {
	Schema        string            `json:"schema"`
	AttestVersion string            `json:"attest_version"`
	EvaluatedAt   time.Time         `json:"evaluated_at"`
	Bundle        BundleInfo        `json:"bundle"`
	Summary       Summary           `json:"summary"`
	Controls      []ControlResult   `json:"controls"`
	Frameworks    []FrameworkResult `json:"frameworks"`
	Scope         []evidence.Run    `json:"scope"`
	// Warnings list waivers and manual evidence that expired or expire
	// soon.
	Warnings []string `json:"warnings"`
}

// BundleInfo identifies the evidence the results were computed from.
type BundleInfo struct {
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
	Interrupted bool      `json:"interrupted,omitempty"`
	Resources   int       `json:"resources"`
	Records     int       `json:"records"`
}

// Summary counts controls by outcome.
type Summary struct {
	Total         int `json:"total"`
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	Inconclusive  int `json:"inconclusive"`
	NotApplicable int `json:"not_applicable"`
	Manual        int `json:"manual"`
	Waived        int `json:"waived"`
}

func (s *Summary) add(o Outcome) {
	s.Total++
	switch o {
	case Pass:
		s.Pass++
	case Fail:
		s.Fail++
	case Inconclusive:
		s.Inconclusive++
	case NotApplicable:
		s.NotApplicable++
	case ManualOutcome:
		s.Manual++
	case Waived:
		s.Waived++
	}
}

// A ControlResult is the outcome of one control with everything behind it.
type ControlResult struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Owner    string   `json:"owner"`
	Outcome  Outcome  `json:"outcome"`
	Reason   string   `json:"reason"`
	// Code is the reason code of the requirement that decided the
	// outcome (see Code); empty in results written before codes.
	Code        Code     `json:"code,omitempty"`
	Mappings    Mappings `json:"mappings"`
	TOMCategory string   `json:"tom_category"`
	// Statement is the control's TOM statement rendered from Params; nil
	// in results written before statements were rendered.
	Statement *Statement `json:"statement,omitempty"`
	// Params are the effective params the control was evaluated with:
	// its declared defaults with attest.yaml's overrides applied.
	Params      map[string]any      `json:"params,omitempty"`
	Evidence    []RequirementResult `json:"evidence,omitempty"`
	Manual      []ManualResult      `json:"manual,omitempty"`
	Remediation string              `json:"remediation,omitempty"`
	// Stale is set when evidence was older than the control's frequency
	// allows at evaluation time.
	Stale bool `json:"stale,omitempty"`
	// Waivers are the ids of the waivers applied to this control.
	Waivers []string `json:"waivers,omitempty"`
}

// A RequirementResult is the outcome of one evidence requirement.
type RequirementResult struct {
	Type        string     `json:"type"`
	Mode        Mode       `json:"mode"`
	Where       string     `json:"where,omitempty"`
	Rule        string     `json:"rule"`
	Description string     `json:"description,omitempty"`
	Outcome     Outcome    `json:"outcome"`
	Reason      string     `json:"reason"`
	Code        Code       `json:"code,omitempty"`
	Counts      Counts     `json:"counts"`
	Findings    []Finding  `json:"findings,omitempty"`
	Scope       []ScopeRef `json:"scope"`
	Stale       bool       `json:"stale,omitempty"`
}

// Counts counts the resources a requirement looked at.
type Counts struct {
	Resources    int `json:"resources"`
	Filtered     int `json:"filtered"`
	Pass         int `json:"pass"`
	Fail         int `json:"fail"`
	Inconclusive int `json:"inconclusive"`
	Waived       int `json:"waived"`
}

// A Finding is the outcome of a rule for one resource.
type Finding struct {
	// ResourceRef names the resource. Findings about one resource share
	// it, so results over many controls stay small; it is never nil.
	*ResourceRef
	Outcome Outcome `json:"outcome"`
	Message string  `json:"message,omitempty"`
}

// A ResourceRef identifies a resource in results, with the raw responses
// it was built from.
type ResourceRef struct {
	Resource string   `json:"resource"`
	Name     string   `json:"name,omitempty"`
	Account  string   `json:"account,omitempty"`
	Region   string   `json:"region,omitempty"`
	Records  []string `json:"records,omitempty"`
	// rank is the resource's place among the resources of its type in
	// bundle order (type, account, region, id), set during evaluation.
	rank int
	// strings says whether encoding/json writes every string of the
	// reference as it is (see plainBytes), so that the encoder checks a
	// reference shared by many findings once. Evaluation and ReadResults
	// set it; a reference whose strings change after must have it reset
	// to unchecked.
	strings stringsState
}

// stringsState is what is known about the strings of a ResourceRef.
type stringsState uint8

const (
	unchecked   stringsState = iota // check them at each use
	allPlain                        // none needs escaping
	someEscaped                     // at least one needs escaping
)

// checkStrings sets r.strings from r's strings.
func (r *ResourceRef) checkStrings() {
	r.strings = someEscaped
	if r.plain() {
		r.strings = allPlain
	}
}

// plain reports whether encoding/json writes every string of r as it is.
func (r *ResourceRef) plain() bool {
	if !plainBytes(r.Resource) || !plainBytes(r.Name) || !plainBytes(r.Account) || !plainBytes(r.Region) {
		return false
	}
	for _, s := range r.Records {
		if !plainBytes(s) {
			return false
		}
	}
	return true
}

// A ScopeRef says which collector run a requirement's resources came from
// and how complete it was.
type ScopeRef struct {
	Collector string             `json:"collector"`
	Target    evidence.Target    `json:"target"`
	Status    evidence.RunStatus `json:"status"`
	Failures  []evidence.Failure `json:"failures,omitempty"`
}

// A ManualResult is the outcome of one manual evidence requirement.
type ManualResult struct {
	Kind       string  `json:"kind"`
	MaxAge     string  `json:"max_age"`
	Outcome    Outcome `json:"outcome"`
	Reason     string  `json:"reason"`
	Code       Code    `json:"code,omitempty"`
	Record     string  `json:"record,omitempty"`
	AttestedBy string  `json:"attested_by,omitempty"`
	ValidUntil string  `json:"valid_until,omitempty"`
}

// A FrameworkResult rolls control outcomes up to framework requirements.
type FrameworkResult struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	Summary      Summary             `json:"summary"`
	Requirements []RequirementRollup `json:"requirements"`
}

// A RequirementRollup is the outcome of one framework requirement: the worst
// outcome of the controls mapped to it. A requirement no control maps to is
// not_applicable with an empty Controls list: it is not covered.
type RequirementRollup struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Outcome  Outcome  `json:"outcome"`
	Controls []string `json:"controls"`
}

// WriteFile writes the results as indented JSON, streamed to the file
// (see Encode).
func (r *Results) WriteFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("controls: write results: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	err = r.Encode(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("controls: write results: %w", cerr)
	}
	return err
}

// MarshalIndent encodes the results as indented JSON with a final newline.
func (r *Results) MarshalIndent() ([]byte, error) {
	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// controlsKey is how json.MarshalIndent writes an empty controls list at
// the top level of the results: the place Encode streams the controls into.
const controlsKey = "\n  \"controls\": [],\n"

// Encode writes the results to w as indented JSON with a final newline:
// byte for byte what json.MarshalIndent(r, "", "  ") gives, without holding
// the whole document in memory. The controls, which hold every finding,
// are encoded one at a time, their findings without reflection (see
// encodeControl); everything else in one piece.
func (r *Results) Encode(w io.Writer) error {
	if r.Controls == nil {
		// "controls": null, as json.MarshalIndent writes it; there is
		// nothing to stream.
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return fmt.Errorf("controls: encode results: %w", err)
		}
		if _, err := w.Write(append(data, '\n')); err != nil {
			return fmt.Errorf("controls: write results: %w", err)
		}
		return nil
	}
	shell := *r
	shell.Controls = []ControlResult{}
	head, err := json.MarshalIndent(&shell, "", "  ")
	if err != nil {
		return fmt.Errorf("controls: encode results: %w", err)
	}
	i := bytes.Index(head, []byte(controlsKey))
	if i < 0 {
		return errors.New("controls: encode results: no controls list")
	}
	open := i + len(controlsKey) - len("],\n")
	if _, err := w.Write(head[:open]); err != nil {
		return fmt.Errorf("controls: write results: %w", err)
	}
	if err := writeControls(w, r.Controls); err != nil {
		return err
	}
	if len(r.Controls) > 0 {
		if _, err := io.WriteString(w, "\n  "); err != nil {
			return fmt.Errorf("controls: write results: %w", err)
		}
	}
	if _, err := w.Write(head[open:]); err != nil {
		return fmt.Errorf("controls: write results: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("controls: write results: %w", err)
	}
	return nil
}

// ReadResults reads a results.json file.
func ReadResults(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("controls: read results: %w", err)
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("controls: %s: %w", path, err)
	}
	if r.Schema != ResultsSchema {
		return nil, fmt.Errorf("controls: %s: schema %q, want %q", path, r.Schema, ResultsSchema)
	}
	for i := range r.Controls {
		for j := range r.Controls[i].Evidence {
			for k, f := range r.Controls[i].Evidence[j].Findings {
				if f.ResourceRef == nil {
					return nil, fmt.Errorf("controls: %s: controls[%d].evidence[%d].findings[%d]: no resource", path, i, j, k)
				}
				f.checkStrings()
			}
		}
	}
	return &r, nil
}
