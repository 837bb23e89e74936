package main

// timeoutFlagUsage documents --timeout of collect and check.
const timeoutFlagUsage = `bound on the whole collection, e.g. 10m (0: none). When it passes, the bundle keeps what was collected and records every collector that had not finished as a failed run (timeout), so its controls are inconclusive, never empty`
