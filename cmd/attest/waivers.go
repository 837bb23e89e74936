package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/engine"
)

func newWaivers(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "waivers", Short: "List approved exceptions and when they expire"}
	var file, expiring string
	list := &cobra.Command{
		Use:   "list",
		Short: "List waivers, soonest expiry first; --expiring 30d shows only those expiring within 30 days",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if file == "" {
				file = cfg.Waivers
			}
			if file == "" {
				return usageError("no waiver file: set waivers: in attest.yaml or pass --file")
			}
			lib, err := engine.LoadLibrary(cfg, nil)
			if err != nil {
				return err
			}
			ws, err := controls.LoadWaivers(file, lib)
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			var within time.Duration
			if expiring != "" {
				if within, err = controls.ParseDuration(expiring); err != nil {
					return usageError("--expiring: %v", err)
				}
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCONTROL\tSTATE\tEXPIRES\tOWNER\tAPPROVED BY\tRESOURCES\tREASON")
			for _, w := range engine.WaiverRows(ws, now, within) {
				res := strings.Join(w.Resources, " ")
				if res == "" {
					res = "(whole control)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", oneLine(w.ID, 60), oneLine(w.Control, 60), w.State, w.ExpiresAt().Format(time.DateOnly), oneLine(w.Owner, 60), oneLine(w.ApprovedBy, 60), oneLine(res, 200), oneLine(w.Reason, 60))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&file, "file", "", "waiver file (default: waivers in attest.yaml)")
	list.Flags().StringVar(&expiring, "expiring", "", "only waivers that expire within this long, e.g. 30d")
	cmd.AddCommand(list)
	return cmd
}
