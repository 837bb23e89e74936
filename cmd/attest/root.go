package main

import (
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func attestVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// globals are the flags every command shares.
type globals struct {
	config   string
	logLevel string
	stdout   io.Writer
	stderr   io.Writer
	log      *slog.Logger
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "attest",
		Short: "Compliance evidence from your cloud, VCS and identity APIs, checked against SOC 2, ISO 27001 and GDPR controls",
		Long: `attest collects evidence read-only from AWS, GCP, GitHub and identity providers,
evaluates it against YAML controls mapped to SOC 2, ISO/IEC 27001:2022 Annex A
and GDPR Art. 32 TOMs, and reports pass/fail with the evidence behind each
outcome. Results go to stdout; logs go to stderr.

Exit codes: 0 the gate passed; 1 a control failed, rests on stale evidence or
could not be evaluated at or above --fail-on (with --baseline: newly did);
2 usage, configuration or runtime error; 3 attest collect wrote a bundle but
a collector run failed or was partial.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
				return fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)
			}
			g.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
			slog.SetDefault(g.log)
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVarP(&g.config, "config", "c", "", `configuration file (default "attest.yaml" when it exists)`)
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error")
	root.AddCommand(
		newCollect(g), newEvaluate(g), newCheck(g), newControls(g),
		newPermissions(g), newDemo(g), newInit(g), newVersion(g),
		newReport(g), newDiff(g), newPack(g), newVerify(g), newWaivers(g), newCoverage(g),
		newTOMs(g), newDPA(g), newTrust(g), newMerge(g),
		newEvidence(g), newAccessReview(g), newHistory(g), newCIComment(g),
	)
	return root
}

func newVersion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the attest version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(g.stdout, "attest", attestVersion())
			return err
		},
	}
}

// usageError is an error in the command line; it exits 2.
func usageError(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}
