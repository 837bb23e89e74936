// Package reports renders evaluation results for every audience: HTML for
// people, Markdown for pull requests and CI summaries, JSON, CSV, JUnit XML,
// SARIF 2.1.0 and OSCAL assessment results for tools.
//
// Every renderer takes a *controls.Results, and optionally the evidence
// bundle it was computed from for the evidence behind each finding, and
// writes to an io.Writer. Output is deterministic: times come from the
// results, never from the clock, and everything is sorted, so re-rendering a
// saved results file gives the same bytes.
package reports
