// Package collectors defines how evidence is gathered: the Collector
// interface, an explicit Registry, the Runner that executes collector jobs
// with bounded concurrency, and the HTTP transport that keeps every raw API
// response as evidence.
//
// Each source (AWS, GitHub, TLS, ...) lives in its own sub-package and
// implements Source. Package all is the only place that lists them.
// Collectors never call a mutating API, and never import the controls or
// reports packages.
package collectors
