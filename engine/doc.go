// Package engine runs attest's phases: load, plan, collect, evaluate,
// gate, verify; the CLI calls it.
//
// Every decision attest makes between reading its inputs and printing an
// answer lives here or in the packages engine calls (config, controls,
// collectors, gate, reports): which configuration and controls apply
// (Load), which collectors the enabled controls need (Setup.Plan), which
// input files must parse before any API call (Setup.Preflight), how a
// collection is bounded and what an interrupted one keeps
// (Setup.Collect), which options an evaluation runs with and whether a
// saved bundle reproduces its results (Setup.Evaluate,
// Setup.CheckReproducible), what the gate reads (FailOn, Gate, Drift),
// which trust anchors a verification requires (Anchors), and how manual
// evidence and waivers are listed by expiry (ManualExpiries, WaiverRows).
//
// cmd/attest keeps the flags, the wiring, the mapping of verdicts to exit
// codes and the printing. Imports flow one way: engine may import
// collectors, controls, reports, gate and config; none of them imports
// engine.
package engine
