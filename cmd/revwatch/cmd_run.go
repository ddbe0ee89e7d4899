package main

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/watcher"
)

func newRunCmd(g *globals) *cobra.Command {
	var parallel int
	c := &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: poll every listing on its schedule and deliver alerts",
		Long: `run polls each listing once at start, then on its cron schedule, and delivers
alerts from the outbox. SIGINT or SIGTERM stops it gracefully: running polls finish
(or are abandoned without partial writes), the outbox is flushed for up to 10 s.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, reg, err := g.loadConfig()
			if err != nil {
				return err
			}
			log, err := g.logger(true)
			if err != nil {
				return err
			}
			a, err := openApp(cfg, reg, log, g.stdout)
			if err != nil {
				return err
			}
			defer a.close()
			return a.daemon(cmd.Context(), parallel)
		},
	}
	c.Flags().IntVar(&parallel, "parallel", 4, "polls running at once")
	return c
}

// daemon runs until ctx is cancelled, then shuts down in order: scheduler,
// running polls, dispatcher flush. The caller closes the store.
func (a *app) daemon(ctx context.Context, parallel int) error {
	dctx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispDone := make(chan error, 1)
	go func() { dispDone <- a.disp.Run(dctx) }()

	sched := watcher.NewScheduler(a.watcher, a.log, parallel)
	for _, t := range a.targets {
		if err := sched.Add(ctx, t); err != nil {
			stopDispatch()
			return usageError{err}
		}
	}
	a.log.Info("revwatch started", "listings", len(a.targets), "store", a.db.Path(), "notifier", a.notifier.Name())
	sched.Start()
	// A first poll of everything now, so a new daemon doesn't sit idle for
	// a whole schedule interval.
	sched.PollAll(ctx, a.targets)
	<-ctx.Done()
	a.log.Info("stopping")
	select {
	case <-sched.Stop():
	case <-time.After(30 * time.Second):
		a.log.Warn("polls still running after 30s; abandoning them")
	}
	stopDispatch()
	if err := <-dispDone; err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("dispatcher", "err", err)
	}
	if err := a.flush(ctx, 10*time.Second); err != nil {
		return err
	}
	a.log.Info("stopped")
	return nil
}
