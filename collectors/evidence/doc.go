// Package evidence defines what attest collects and how it is stored: typed
// resources, the raw API responses they came from, and the record of every
// collector run with its scope and failures.
//
// It is the leaf of the module: it imports only the standard library, so
// collectors, controls and reports can all depend on it without depending on
// each other.
//
// A bundle is a directory:
//
//	bundle.json       manifest: format, tool version, times, one Run per collector and target
//	resources.jsonl   one Resource per line
//	records.jsonl     one Record per line: metadata of a raw API response
//	raw/<sha256>      the raw response bodies, named by their SHA-256
//
// Resources and records are streamed to disk as they arrive, so a run that is
// interrupted keeps what it had collected.
package evidence
