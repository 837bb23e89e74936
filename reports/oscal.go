package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/controls"
)

// OSCALVersion is the OSCAL version of the assessment results attest
// writes.
const OSCALVersion = "1.1.3"

// oscalNS is the namespace of attest's own OSCAL properties.
const oscalNS = "https://github.com/attestdev/attest/ns/oscal"

type oscalDoc struct {
	AR oscalAR `json:"assessment-results"`
}

type oscalAR struct {
	UUID     string        `json:"uuid"`
	Metadata oscalMetadata `json:"metadata"`
	ImportAP oscalHref     `json:"import-ap"`
	Results  []oscalResult `json:"results"`
}

type oscalMetadata struct {
	Title        string      `json:"title"`
	LastModified string      `json:"last-modified"`
	Version      string      `json:"version"`
	OSCALVersion string      `json:"oscal-version"`
	Props        []oscalProp `json:"props,omitempty"`
}

type oscalHref struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalProp struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
	Class string `json:"class,omitempty"`
}

type oscalResult struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title"`
	Description      string             `json:"description"`
	Start            string             `json:"start"`
	End              string             `json:"end,omitempty"`
	Props            []oscalProp        `json:"props,omitempty"`
	ReviewedControls oscalReviewed      `json:"reviewed-controls"`
	Observations     []oscalObservation `json:"observations,omitempty"`
	Findings         []oscalFinding     `json:"findings,omitempty"`
	Remarks          string             `json:"remarks,omitempty"`
}

type oscalReviewed struct {
	Description       string                  `json:"description,omitempty"`
	ControlSelections []oscalControlSelection `json:"control-selections"`
}

type oscalControlSelection struct {
	Description string   `json:"description,omitempty"`
	IncludeAll  struct{} `json:"include-all"`
}

type oscalObservation struct {
	UUID             string          `json:"uuid"`
	Title            string          `json:"title,omitempty"`
	Description      string          `json:"description"`
	Props            []oscalProp     `json:"props,omitempty"`
	Methods          []string        `json:"methods"`
	Types            []string        `json:"types,omitempty"`
	RelevantEvidence []oscalEvidence `json:"relevant-evidence,omitempty"`
	Collected        string          `json:"collected"`
}

type oscalEvidence struct {
	Href        string      `json:"href,omitempty"`
	Description string      `json:"description"`
	Props       []oscalProp `json:"props,omitempty"`
}

type oscalFinding struct {
	UUID                string           `json:"uuid"`
	Title               string           `json:"title"`
	Description         string           `json:"description"`
	Props               []oscalProp      `json:"props,omitempty"`
	Target              oscalTarget      `json:"target"`
	RelatedObservations []oscalRelatedOb `json:"related-observations,omitempty"`
}

type oscalTarget struct {
	Type     string      `json:"type"`
	TargetID string      `json:"target-id"`
	Title    string      `json:"title,omitempty"`
	Status   oscalStatus `json:"status"`
}

type oscalStatus struct {
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalRelatedOb struct {
	ObservationUUID string `json:"observation-uuid"`
}

// OSCAL writes NIST OSCAL 1.1.3 assessment results: one result for the
// evaluation, one finding per control (satisfied only when it passed) and
// one observation per control listing the resources and, with a bundle,
// the API responses (operation, time, SHA-256) behind the outcome. UUIDs
// are derived from the results, so re-rendering gives the same document.
func OSCAL(w io.Writer, res *controls.Results, b *evidence.Bundle) error {
	data, err := json.MarshalIndent(buildOSCAL(res, b), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func buildOSCAL(res *controls.Results, b *evidence.Bundle) oscalDoc {
	at := oscalTime(res.EvaluatedAt)
	seed := "attest/" + at + "/"
	recs := records(b)
	start := res.Bundle.StartedAt
	if start.IsZero() || start.After(res.EvaluatedAt) {
		start = res.EvaluatedAt
	}
	result := oscalResult{
		UUID:        stableUUID(seed + "result"),
		Title:       "attest evaluation " + at,
		Description: fmt.Sprintf("Automated evaluation of %d controls against evidence collected read-only from the configured sources (%d resources, %d API responses).", res.Summary.Total, res.Bundle.Resources, res.Bundle.Records),
		Start:       oscalTime(start),
		End:         at,
		ReviewedControls: oscalReviewed{
			Description:       "The attest controls evaluated in this run, each mapped to SOC 2, ISO/IEC 27001:2022 Annex A and GDPR Art. 32 requirements.",
			ControlSelections: []oscalControlSelection{{Description: "Every control in the results."}},
		},
	}
	sc := scopeSummary(res)
	result.Props = props(
		oscalProp{Name: "collector-runs", Value: fmt.Sprint(sc.Runs)},
		oscalProp{Name: "collector-runs-incomplete", Value: fmt.Sprint(len(sc.Incomplete))},
		oscalProp{Name: "resources-skipped-by-configuration", Value: fmt.Sprint(sc.Skipped)},
	)
	for _, c := range res.Controls {
		obs := oscalObservation{
			UUID:        stableUUID(seed + "observation/" + c.ID),
			Title:       c.ID + " evidence",
			Description: textOr(c.Reason, "No reason recorded."),
			Methods:     []string{"TEST"},
			Types:       []string{"control-objective"},
			Collected:   at,
		}
		for _, req := range c.Evidence {
			for _, run := range req.Scope {
				obs.Props = append(obs.Props, props(oscalProp{Name: "collector-run", Class: run.Collector, Value: run.Target.String() + " " + string(run.Status)})...)
			}
			for _, f := range req.Findings {
				ev := oscalEvidence{
					Description: textOr(fmt.Sprintf("%s %s: %s %s", req.Type, f.Resource, f.Outcome, f.Message), "resource"),
					Props:       props(oscalProp{Name: "resource", Value: f.Resource}, oscalProp{Name: "outcome", Value: string(f.Outcome)}),
				}
				for _, sha := range f.Records {
					ev.Props = append(ev.Props, props(oscalProp{Name: "record-sha256", Value: sha})...)
					if r, ok := recs[sha]; ok {
						ev.Props = append(ev.Props, props(
							oscalProp{Name: "record-operation", Value: r.Operation, Class: sha},
							oscalProp{Name: "record-collected-at", Value: oscalTime(r.CollectedAt), Class: sha})...)
					}
				}
				obs.RelevantEvidence = append(obs.RelevantEvidence, ev)
			}
		}
		for _, m := range c.Manual {
			obs.RelevantEvidence = append(obs.RelevantEvidence, oscalEvidence{
				Description: textOr(fmt.Sprintf("manual %s: %s %s", m.Kind, m.Outcome, m.Reason), "manual evidence"),
				Props:       props(oscalProp{Name: "outcome", Value: string(m.Outcome)}, oscalProp{Name: "record-sha256", Value: m.Record}),
			})
		}
		result.Observations = append(result.Observations, obs)
		state, reason := "not-satisfied", "other"
		switch c.Outcome {
		case controls.Pass:
			state, reason = "satisfied", "pass"
		case controls.Fail:
			reason = "fail"
		}
		fp := props(oscalProp{Name: "outcome", Value: string(c.Outcome)}, oscalProp{Name: "severity", Value: string(c.Severity)})
		for _, fw := range controls.FrameworkIDs {
			for _, id := range c.Mappings.For(fw) {
				fp = append(fp, props(oscalProp{Name: "mapping", Class: fw, Value: id})...)
			}
		}
		result.Findings = append(result.Findings, oscalFinding{
			UUID:        stableUUID(seed + "finding/" + c.ID),
			Title:       c.ID + ": " + c.Title,
			Description: textOr(c.Reason, c.Title),
			Props:       fp,
			Target: oscalTarget{
				Type: "objective-id", TargetID: oscalToken(c.ID), Title: c.Title,
				Status: oscalStatus{State: state, Reason: reason, Remarks: string(c.Outcome) + ": " + textOr(c.Reason, "no reason recorded")},
			},
			RelatedObservations: []oscalRelatedOb{{ObservationUUID: obs.UUID}},
		})
	}
	return oscalDoc{AR: oscalAR{
		UUID: stableUUID(seed + "assessment-results"),
		Metadata: oscalMetadata{
			Title:        "attest assessment results " + at,
			LastModified: at,
			Version:      at,
			OSCALVersion: OSCALVersion,
			Props:        props(oscalProp{Name: "attest-version", Value: res.AttestVersion}),
		},
		ImportAP: oscalHref{Href: "#", Remarks: "attest evaluates its control library directly; there is no separate assessment plan."},
		Results:  []oscalResult{result},
	}}
}

// props returns the properties with a value, in attest's namespace, with
// values trimmed as OSCAL requires.
func props(ps ...oscalProp) []oscalProp {
	var out []oscalProp
	for _, p := range ps {
		p.Value = oneLine(p.Value)
		if p.Value == "" {
			continue
		}
		p.NS = oscalNS
		if p.Class != "" {
			p.Class = oscalToken(p.Class)
		}
		out = append(out, p)
	}
	return out
}

// oscalToken makes s an OSCAL token: letters, digits, '.', '-' and '_',
// starting with a letter or '_'.
func oscalToken(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || r == '.' || r == '-' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
		if !ok {
			r = '_'
		}
		if i == 0 && !(r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')) {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// textOr returns s with whitespace collapsed, or def when s is blank.
func textOr(s, def string) string {
	if s = oneLine(s); s != "" {
		return s
	}
	return def
}

func oscalTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
