package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/sources"
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
	var listing, since string
	c := &cobra.Command{
		Use:   "backfill --listing ID [--since DATE]",
		Short: "Store a listing's history, page by page, without per-review alerts",
		Long: `backfill pages through the history the platform allows (it says its limit first),
committing each page with its position: interrupted (Ctrl-C, a crash, a failure) and run
again, it continues where it stopped, with no duplicates. --since stops at older reviews
(2006-01-02, RFC 3339, or a duration back from now such as 90d).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listing == "" {
				return usageError{fmt.Errorf("--listing is required")}
			}
			from, err := parseSince(since, time.Now())
			if err != nil {
				return usageError{err}
			}
			return runBackfill(cmd.Context(), g, listing, from)
		},
	}
	c.Flags().StringVar(&listing, "listing", "", "listing id to backfill (required)")
	c.Flags().StringVar(&since, "since", "", "stop at reviews older than this (2025-01-31, RFC 3339 or 90d)")
	return c
}

// parseSince reads a date, an RFC 3339 time or a duration back from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if d, err := sources.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a date (2025-01-31), an RFC 3339 time or a duration such as 90d", s)
}

func runBackfill(ctx context.Context, g *globals, listing string, since time.Time) error {
	cfg, reg, err := g.loadConfig()
	if err != nil {
		return err
	}
	log, err := g.logger(false)
	if err != nil {
		return err
	}
	if _, _, ok := cfg.listing(listing); !ok {
		return usageError{fmt.Errorf("--listing %q: no such listing in %s (have: %v)", listing, g.config, cfg.listingIDs())}
	}
	a, err := openApp(cfg, reg, log, g.stdout)
	if err != nil {
		return err
	}
	defer a.close()
	t, err := a.target(listing)
	if err != nil {
		return err
	}
	if t.Limit != "" {
		fmt.Fprintf(g.stderr, "%s: %s.\n", listing, t.Limit)
	}
	bar := newProgress(g.stderr, listing)
	res, err := a.watcher.Backfill(ctx, t, since, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	if res.Err != nil {
		return fmt.Errorf("%w (stored so far: %d new reviews; run the same command again to continue)", res.Err, res.New)
	}
	fmt.Fprintf(g.stderr, "%s: backfilled, %d new reviews, %d edited\n", listing, res.New, res.Edited)
	return a.flush(ctx, 60*time.Second)
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
		fmt.Fprintf(g.stderr, "%s: polled, %d new reviews, %d edited, %d alerts\n", t.Info.ID, res.New, res.Edited, len(res.Alerts))
	}
	if err := a.flush(ctx, 60*time.Second); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d listings failed to poll", failed, len(targets))
	}
	return nil
}
