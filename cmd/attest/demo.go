package main

import (
	"fmt"
	"os"
	"path/filepath"
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
dpa, trust and pack) are written to --out-dir, with an attest.yaml that
names the waivers, company data and register, so that attest pack run there
packs them. Nothing leaves
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
			if err := writeDemoConfig(f.outDir); err != nil {
				return err
			}
			cfg.Sources.Register = &register.Config{File: cfg.Subprocessors}
			return g.check(cmd, cfg, all.Sources(cfg.Sources), f)
		},
	}
	f.register(cmd, "attest-demo")
	return cmd
}

// demoConfig is the attest.yaml the demo writes beside its inputs. It has no
// sources: the demo servers stop when the demo ends.
const demoConfig = `# attest demo: the inputs of the demo run, for attest pack, toms, dpa and
# trust run in this directory. The demo organisation's servers are gone, so
# there are no sources: run attest demo again to collect.
waivers: waivers.yaml
company: company.yaml
subprocessors: subprocessors.yaml
`

// writeDemoConfig writes demoConfig to dir/attest.yaml.
func writeDemoConfig(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, config.DefaultFile), []byte(demoConfig), 0o640); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
