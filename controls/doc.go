// Package controls loads control definitions and framework catalogs, and
// evaluates controls against an evidence bundle.
//
// A control is one YAML document (see schema.json): what it checks, how
// severe a failure is, which SOC 2, ISO/IEC 27001:2022 and GDPR Art. 32
// requirements it supports, the TOM statement it backs in English and
// German, and its evidence requirements as CEL rules over typed resources.
// Controls are decoded strictly: an unknown key, a bad mapping id, an
// unknown resource type or attribute, and a rule that does not compile are
// all load errors naming file, line and field.
//
// Evaluation is fail-closed: a control passes only on complete evidence. A
// missing attribute, a denied or throttled call, or a collector run that did
// not finish makes it inconclusive, never a pass. The same bundle always
// gives byte-identical results.
package controls
