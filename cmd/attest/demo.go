package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors/all"
	"github.com/attestdev/attest/collectors/register"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/demo"
)

func newDemo(g *globals) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run attest check end to end against a built-in demo organisation",
		Long: `Demo starts local servers that answer like the real provider APIs for a small
made-up organisation (some of it compliant, some not), points the real SDK
clients at them, and runs attest check: collect, evaluate, print the results
and exit 1 because some demo controls fail at or above --fail-on. The bundle,
results.json, the demo's waivers, company data, subprocessor register and a
throwaway signing identity (signer.key, signer.pem, ca.pem; for attest toms,
dpa, trust and pack) are written to --out-dir. Nothing leaves
this machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := demo.Start(time.Now())
			if err != nil {
				return err
			}
			defer env.Close()
			g.log.Info("demo organisation started")
			cfg := &config.File{Sources: env.Sources}
			if cfg.Waivers, err = env.WriteWaivers(f.outDir, time.Now()); err != nil {
				return err
			}
			if cfg.Company, cfg.Subprocessors, err = env.WriteTrustInputs(f.outDir, time.Now()); err != nil {
				return err
			}
			if _, _, _, err := env.WriteSigningIdentity(f.outDir, time.Now()); err != nil {
				return err
			}
			cfg.Sources.Register = &register.Config{File: cfg.Subprocessors}
			return g.check(cmd, cfg, all.Sources(cfg.Sources), f)
		},
	}
	f.register(cmd, "attest-demo")
	return cmd
}
