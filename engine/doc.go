// Package engine runs attest's phases: load, plan, collect, evaluate,
// gate, verify; the CLI calls it.
//
// Every decision attest makes between reading its inputs and printing an
// answer lives here or in the packages engine calls (config, controls,
// collectors, gate, reports):
//
//   - load: which configuration and controls apply (LoadConfig, Load,
//     NewSetup, LoadLibrary);
//   - plan: which collectors the enabled controls need (Setup.Plan), and
//     which controls a configuration can collect evidence for
//     (Configured);
//   - preflight: which input files must parse before any API call
//     (Setup.Preflight);
//   - collect: how a collection is bounded and what an interrupted one
//     keeps (Setup.Collect, Setup.CollectAndEvaluate);
//   - evaluate: which options an evaluation runs with, and whether a saved
//     bundle reproduces its results (Setup.EvalOptions, Setup.Evaluate,
//     Setup.CheckReproducible, Setup.PackControls);
//   - gate: which severity fails the gate and what it reads (FailOn, Gate,
//     Drift);
//   - verify and sign: which trust anchors a verification requires
//     (Anchors) and how a pack is signed (PackSigner);
//   - listings: manual evidence and waivers by expiry (ManualExpiries,
//     WaiverRows), the controls of a framework (ForFramework), the test
//     cases of controls and their gaps (TestControls), the inputs of the
//     TOMs, DPA and trust page (LoadDocInputs) and the population of an
//     access review (OpenPopulation).
//
// cmd/attest keeps the flags, the wiring, the mapping of verdicts to exit
// codes and the printing. Imports flow one way: engine may import
// collectors, controls, reports, gate and config; none of them imports
// engine (depguard in .golangci.yml). Error messages name the command-line
// flags that set an option (--timeout, --waivers, ...), since that is where
// a user changes it.
package engine
