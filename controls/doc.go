// Package controls loads control definitions and framework catalogs, and
// evaluates controls against an evidence bundle.
//
// A control is one YAML document (see schema.json): what it checks, how
// severe a failure is, which SOC 2, ISO/IEC 27001:2022 and GDPR Art. 32
// requirements it supports and why, the TOM statement it backs in English
// and German, its declared params, its evidence requirements as CEL rules
// over typed resources, and test cases. Controls are decoded strictly: an
// unknown key, a bad mapping id, an unknown resource type or attribute, a
// rule that does not compile or does not yield a bool for the declared
// attribute types, a param default not of its type, a statement template
// that does not parse or names an undeclared param, and an invalid test case
// are all load errors naming file, line and field. Rules are compiled once,
// at load.
//
// A statement is a text/template over the control's effective params (its
// declared defaults with attest.yaml's overrides), so that what a TOMs
// document says is what the rule checked; results carry it rendered.
//
// Evaluation is fail-closed: a control passes only on complete evidence. A
// missing attribute, a denied or throttled call, a collector run that did
// not finish, or a rule over its cost limit makes it inconclusive, never a
// pass. A requirement depends only on the runs that could have produced what
// its where selects. How requirement outcomes make a control's outcome is
// documented on controlOutcome. Every outcome carries a reason in prose and
// a reason code (Code) for programs. The same bundle always gives
// byte-identical results.
//
// Evaluation reads the resources once: EvaluateDir streams a bundle from
// disk (evidence.ScanSelected), decoding of each resource only the
// attributes its type's rules read, and keeps of each resource only its
// reference and its findings; Evaluate does the same over a bundle in
// memory. Both evaluate on every core and give the same bytes.
package controls
