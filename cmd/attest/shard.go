package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/engine"
)

// completionIndexEnv is set by Kubernetes on every pod of an Indexed Job.
const completionIndexEnv = "JOB_COMPLETION_INDEX"

const shardFlagUsage = `collect only shard INDEX/COUNT (from 0, e.g. 0/3) of the targets; with COUNT alone the index is read from ` + completionIndexEnv + ` (Kubernetes Indexed Jobs). Combine the shards with attest merge`

// parseShardFlag reads --shard: "i/n", or "n" with the index taken from
// JOB_COMPLETION_INDEX.
func parseShardFlag(flag string, getenv func(string) string) (evidence.Shard, error) {
	if flag == "" || strings.Contains(flag, "/") {
		s, err := evidence.ParseShard(flag)
		if err != nil {
			return s, usageError("--shard: %v", err)
		}
		return s, nil
	}
	idx := getenv(completionIndexEnv)
	if idx == "" {
		return evidence.Shard{}, usageError("--shard %s: give INDEX/COUNT, or set %s", flag, completionIndexEnv)
	}
	if _, err := strconv.Atoi(idx); err != nil {
		return evidence.Shard{}, usageError("%s=%q is not a number", completionIndexEnv, idx)
	}
	s, err := evidence.ParseShard(idx + "/" + flag)
	if err != nil {
		return s, usageError("--shard %s with %s=%s: %v", flag, completionIndexEnv, idx, err)
	}
	return s, nil
}

func newMerge(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge --out DIR BUNDLE...",
		Short: "Merge the bundles of a sharded collection into one bundle",
		Long: `Merge combines the bundles written by attest collect --shard i/n on several
machines into one bundle that evaluates exactly like an unsharded collection.
Every shard 0..n-1 must be given once. Merge refuses a missing or repeated
shard, bundles of another format or attest version, and a collector run that
appears in two bundles. Resources and records are streamed and raw responses
copied once each, so it needs little memory. See docs/scale.md.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if out == "" {
				return usageError("--out: give the directory for the merged bundle")
			}
			m, err := evidence.Merge(out, args...)
			if err != nil {
				return err
			}
			g.log.Info("bundles merged", "dir", out, "bundles", len(args), "incomplete_runs", engine.Incomplete(m.Runs), "interrupted", m.Interrupted)
			_, err = fmt.Fprintf(g.stdout, "%s: %d resources, %d raw responses, %d collector runs from %d bundles\n", out, m.Resources, m.Records, len(m.Runs), len(args))
			return err
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "directory for the merged bundle (must be empty or absent)")
	return cmd
}
