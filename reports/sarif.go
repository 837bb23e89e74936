package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/attestdev/attest/controls"
)

// informationURI is where SARIF viewers link the tool.
const informationURI = "https://github.com/attestdev/attest"

// securitySeverity maps control severity to GitHub code scanning's
// security-severity score.
var securitySeverity = map[controls.Severity]string{
	controls.Critical: "9.5", controls.High: "8.0", controls.Medium: "5.5", controls.Low: "3.0",
}

// SARIF writes a SARIF 2.1.0 log: one rule per control and one result per
// failed or inconclusive finding, with the resource as a logical location.
// A control that fails or is inconclusive without any resource (evidence
// missing, manual evidence expired) gets one result without a location.
func SARIF(w io.Writer, res *controls.Results) error {
	data, err := json.MarshalIndent(buildSARIF(res), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func buildSARIF(res *controls.Results) *sarif.Report {
	run := sarif.NewRunWithInformationURI("attest", informationURI)
	run.Tool.Driver.WithVersion(res.AttestVersion)
	for _, c := range res.Controls {
		rule := run.AddRule(c.ID).
			WithName(ruleName(c.ID)).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(c.Title)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(c.Title)).
			WithHelp(sarif.NewMultiformatMessageString().WithText(cmpOr(strings.TrimSpace(c.Remediation), c.Title))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(c.Severity)))
		props := sarif.NewPropertyBag().Add("security-severity", securitySeverity[c.Severity]).Add("severity", string(c.Severity))
		props.WithTags(ruleTags(c))
		rule.WithProperties(props)
	}
	for _, c := range res.Controls {
		if c.Outcome != controls.Fail && c.Outcome != controls.Inconclusive {
			continue
		}
		n := 0
		for _, req := range c.Evidence {
			for _, f := range req.Findings {
				if f.Outcome != controls.Fail && f.Outcome != controls.Inconclusive {
					continue
				}
				n++
				msg := c.Title + ": " + req.Type + " " + cmpOr(f.Name, f.Resource) + " " + string(f.Outcome)
				if f.Message != "" {
					msg += ": " + f.Message
				}
				r := sarifResult(run, c, f.Outcome, msg, f.Resource)
				loc := sarif.NewLogicalLocation().WithName(cmpOr(f.Name, f.Resource)).WithFullyQualifiedName(f.Resource).WithKind("resource")
				r.AddLocation(sarif.NewLocation().WithLogicalLocations([]*sarif.LogicalLocation{loc}))
			}
		}
		if n == 0 {
			sarifResult(run, c, c.Outcome, c.Title+": "+c.Reason, "")
		}
	}
	run.WithInvocations([]*sarif.Invocation{sarifInvocation(res)})
	return sarif.NewReport().AddRun(run)
}

// sarifInvocation states the scope: the run succeeded only if every
// collector run was complete, and each incomplete one is a tool execution
// notification naming the collector, target and first failure.
func sarifInvocation(res *controls.Results) *sarif.Invocation {
	sc := scopeSummary(res)
	ok := len(sc.Incomplete) == 0
	inv := sarif.NewInvocation()
	inv.ExecutionSuccessful = &ok
	inv.WithToolExecutionNotifications([]*sarif.Notification{})
	for _, r := range sc.Incomplete {
		text := fmt.Sprintf("collector %s on %s %s", r.Collector, r.Target, r.Status)
		if r.Problem != "" {
			text += ": " + r.Problem
		}
		n := sarif.NewNotification()
		n.Level = "error"
		n.Message = sarif.NewTextMessage(text)
		n.Locations = []*sarif.Location{}
		inv.AddToolExecutionNotification(n)
	}
	return inv
}

// sarifResult adds a result for control c to run. A failure is a "fail"
// at the control's level; an inconclusive outcome is a "review": a person
// must look, because the evidence was missing or incomplete.
func sarifResult(run *sarif.Run, c controls.ControlResult, o controls.Outcome, msg, resource string) *sarif.Result {
	r := run.CreateResultForRule(c.ID).WithMessage(sarif.NewTextMessage(msg))
	if o == controls.Fail {
		r.WithKind("fail").WithLevel(sarifLevel(c.Severity))
	} else {
		r.WithKind("review").WithLevel(sarif.LevelNone)
	}
	sum := sha256.Sum256([]byte(c.ID + "\x00" + resource))
	r.WithPartialFingerprints(map[string]string{"attestFinding/v1": hex.EncodeToString(sum[:16])})
	r.WithProperties(sarif.NewPropertyBag().Add("outcome", string(o)))
	return r
}

func sarifLevel(s controls.Severity) string {
	switch s {
	case controls.Critical, controls.High:
		return sarif.LevelError
	case controls.Medium:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// ruleName turns a control id into the PascalCase name SARIF suggests.
func ruleName(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == ' ' {
			return -1
		}
		return r
	}, id)
}

// ruleTags lists the framework requirements a control maps to, as tags a
// code-scanning UI can filter by.
func ruleTags(c controls.ControlResult) []string {
	tags := []string{"compliance"}
	for _, id := range c.Mappings.SOC2 {
		tags = append(tags, "soc2:"+id)
	}
	for _, id := range c.Mappings.ISO27001 {
		tags = append(tags, "iso27001:"+id)
	}
	for _, id := range c.Mappings.GDPR {
		tags = append(tags, "gdpr:"+id)
	}
	return tags
}
