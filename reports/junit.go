package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/reports/sanitize"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

// JUnit writes one test suite with one test case per control: a failed
// control is a <failure>, an inconclusive one an <error> (the check could
// not run to completion), and manual, waived and not applicable controls
// are <skipped> with the reason.
func JUnit(w io.Writer, res *controls.Results) error {
	suite := junitSuite{Name: "attest", Time: "0.000", Timestamp: res.EvaluatedAt.UTC().Format("2006-01-02T15:04:05")}
	sc := scopeSummary(res)
	suite.Properties = []junitProperty{
		{Name: "attest_version", Value: res.AttestVersion},
		{Name: "evaluated_at", Value: res.EvaluatedAt.UTC().Format("2006-01-02T15:04:05Z")},
		{Name: "collector_runs", Value: fmt.Sprint(sc.Runs)},
		{Name: "collector_runs_incomplete", Value: fmt.Sprint(len(sc.Incomplete))},
		{Name: "resources_skipped_by_configuration", Value: fmt.Sprint(sc.Skipped)},
	}
	for _, c := range res.Controls {
		tc := junitCase{Name: c.ID + ": " + c.Title, ClassName: "attest." + className(c.ID), Time: "0.000"}
		msg := &junitMessage{Message: oneLine(c.Reason), Text: junitDetail(c)}
		switch c.Outcome {
		case controls.Pass:
			tc.SystemOut = &junitText{Text: c.Reason + "\n" + junitScope(c)}
		case controls.Fail:
			msg.Type = string(c.Severity)
			tc.Failure = msg
			suite.Failures++
		case controls.Inconclusive:
			msg.Type = "inconclusive"
			tc.Error = msg
			suite.Errors++
		default:
			msg.Message = string(c.Outcome) + ": " + msg.Message
			msg.Text = ""
			tc.Skipped = msg
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	junitSanitize(&suite)
	doc := junitSuites{Name: "attest", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// className groups controls by the prefix of their id: TLS-001 → tls.
func className(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	return strings.ToLower(prefix)
}

// junitScope lists the collector runs a control's evidence came from.
func junitScope(c controls.ControlResult) string {
	var b strings.Builder
	for _, req := range c.Evidence {
		for _, sc := range req.Scope {
			fmt.Fprintf(&b, "scope: %s %s on %s: %s\n", req.Type, sc.Collector, sc.Target, sc.Status)
		}
	}
	return b.String()
}

// junitDetail lists the resources behind a failed or inconclusive control.
func junitDetail(c controls.ControlResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n", c.ID, c.Severity, c.Reason)
	for _, req := range c.Evidence {
		for _, f := range req.Findings {
			if f.Outcome == controls.Pass || f.Outcome == controls.NotApplicable {
				continue
			}
			fmt.Fprintf(&b, "- %s %s %s", f.Outcome, req.Type, f.Resource)
			if f.Message != "" {
				fmt.Fprintf(&b, ": %s", f.Message)
			}
			b.WriteByte('\n')
		}
	}
	for _, m := range c.Manual {
		fmt.Fprintf(&b, "- %s manual %s: %s\n", m.Outcome, m.Kind, m.Reason)
	}
	b.WriteString(junitScope(c))
	if c.Remediation != "" {
		fmt.Fprintf(&b, "Remediation: %s\n", strings.TrimSpace(c.Remediation))
	}
	return b.String()
}

// oneLine collapses whitespace, for attributes and table cells.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// junitSanitize removes from every value the characters XML 1.0 does not
// allow (an ANSI escape in a name, a NUL in a message) and repairs invalid
// UTF-8. The encoder escapes attributes, but writes CDATA as it is: an
// invalid character there would make the whole file unreadable to CI.
func junitSanitize(s *junitSuite) {
	for i := range s.Properties {
		s.Properties[i].Value = sanitize.XML(s.Properties[i].Value)
	}
	msg := func(m *junitMessage) {
		if m != nil {
			m.Message, m.Type, m.Text = sanitize.XML(m.Message), sanitize.XML(m.Type), sanitize.XML(m.Text)
		}
	}
	for i := range s.Cases {
		c := &s.Cases[i]
		c.Name, c.ClassName = sanitize.XML(c.Name), sanitize.XML(c.ClassName)
		msg(c.Failure)
		msg(c.Error)
		msg(c.Skipped)
		if c.SystemOut != nil {
			c.SystemOut.Text = sanitize.XML(c.SystemOut.Text)
		}
	}
}
