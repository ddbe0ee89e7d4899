package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/watcher"
)

func newPollCmd(g *globals) *cobra.Command {
	var listing string
	c := &cobra.Command{
		Use:   "poll",
		Short: "Poll every listing once now (or one with --listing), alert, and exit",
		Long: `poll runs the daemon's pipeline once: fetch, store, rules, alerts. The first poll of
a listing is a silent baseline. Exit code 1 when any listing failed to poll.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPoll(cmd.Context(), g, listing, watcher.Live)
		},
	}
	c.Flags().StringVar(&listing, "listing", "", "poll only this listing id")
	return c
}

func newBackfillCmd(g *globals) *cobra.Command {
	var listing string
	c := &cobra.Command{
		Use:   "backfill --listing ID",
		Short: "Store a listing's history (every page the platform gives), without per-review alerts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listing == "" {
				return usageError{fmt.Errorf("--listing is required")}
			}
			return runPoll(cmd.Context(), g, listing, watcher.Backfill)
		},
	}
	c.Flags().StringVar(&listing, "listing", "", "listing id to backfill (required)")
	return c
}

func runPoll(ctx context.Context, g *globals, listing string, mode watcher.Mode) error {
	cfg, reg, err := g.loadConfig()
	if err != nil {
		return err
	}
	log, err := g.logger(false)
	if err != nil {
		return err
	}
	if listing != "" {
		if _, _, ok := cfg.listing(listing); !ok {
			return usageError{fmt.Errorf("--listing %q: no such listing in %s (have: %v)", listing, g.config, cfg.listingIDs())}
		}
	}
	a, err := openApp(cfg, reg, log, g.stdout)
	if err != nil {
		return err
	}
	defer a.close()
	targets := a.targets
	if listing != "" {
		t, err := a.target(listing)
		if err != nil {
			return err
		}
		targets = []watcher.Target{t}
	}
	failed := 0
	for _, t := range targets {
		res, err := a.watcher.Poll(ctx, t, mode)
		if err != nil {
			return err
		}
		if res.Err != nil {
			failed++
			fmt.Fprintf(g.stderr, "%s: FAILED: %v\n", t.Info.ID, res.Err)
			continue
		}
		verb := "polled"
		if mode == watcher.Backfill {
			verb = "backfilled"
		}
		fmt.Fprintf(g.stderr, "%s: %s, %d new reviews, %d edited, %d alerts\n", t.Info.ID, verb, res.New, res.Edited, len(res.Alerts))
	}
	if err := a.flush(ctx, 60*time.Second); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d listings failed to poll", failed, len(targets))
	}
	return nil
}
