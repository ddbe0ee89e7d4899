package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/watcher"
)

func newRunCmd(g *globals) *cobra.Command {
	var parallel int
	c := &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: poll every listing on its schedule and deliver alerts",
		Long: `run polls each listing once at start, then on its cron schedule, and delivers
alerts from the outbox. SIGINT or SIGTERM stops it gracefully: running polls finish
(or are abandoned without partial writes), a Slack call under way completes,
and the outbox is flushed for up to 10 s.`,
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
	// Hooks are set before anything runs that could call them.
	m := newMetrics(a.db, a.targets)
	alarm := &storeAlarm{n: a.notifier, log: a.log, path: a.db.Path()}
	release := &memRelease{db: a.db, log: a.log}
	a.watcher.OnPoll = func(t watcher.Target, res watcher.Result, took time.Duration) {
		m.poll(t, res, took)
		alarm.ok(ctx)
		release.polled()
	}
	a.disp.Observe = m.deliver
	dctx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispDone := make(chan error, 1)
	go func() { dispDone <- a.disp.Run(dctx) }()

	sched := watcher.NewScheduler(a.watcher, a.log, parallel)
	sched.OnError = func(t watcher.Target, err error) {
		if ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			m.storeError()
		}
		alarm.failed(ctx, t, err)
	}
	for i := range a.targets {
		if err := sched.Add(ctx, &a.targets[i]); err != nil {
			stopDispatch()
			return usageError{err}
		}
	}
	if err := a.startDigests(ctx, sched); err != nil {
		stopDispatch()
		return err
	}
	// Approvals (Slack, API) wake the publisher; set before anything can approve.
	approved := make(chan struct{}, 1)
	a.drafts.OnApprove = func() {
		select {
		case approved <- struct{}{}:
		default:
		}
	}
	srv, err := a.listen(ctx, sched, m)
	if err != nil {
		stopDispatch()
		return err
	}
	a.log.Info("revwatch started", "listings", len(a.targets), "store", a.db.Path(), "notifier", a.notifier.Name(), "listen", a.cfg.Listen)
	sched.Start()
	// A first poll of everything now, so a new daemon doesn't sit idle for
	// a whole schedule interval.
	sched.PollAll(ctx, a.targets)
	draftsDone := make(chan struct{})
	go func() {
		defer close(draftsDone)
		a.draftLoop(ctx, approved)
	}()
	<-ctx.Done()
	a.log.Info("stopping")
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		srv.Shutdown(sctx)
		cancel()
		os.Remove(apiTokenPath(a.cfg.Store))
	}
	select {
	case <-sched.Stop():
	case <-time.After(30 * time.Second):
		a.log.Warn("polls still running after 30s; abandoning them")
	}
	<-draftsDone
	if a.interactions != nil {
		a.interactions.Wait()
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

// listen starts the daemon's HTTP listener: /healthz, and Google's push
// endpoint when google_pubsub.token is set. It returns nil for "off".
func (a *app) listen(ctx context.Context, sched *watcher.Scheduler, m *metrics) (*http.Server, error) {
	if a.cfg.Listen == "off" {
		return nil, nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.health(time.Now()))
	mux.Handle("GET /metrics", m)
	if err := a.slackInteractions(ctx, mux); err != nil {
		return nil, err
	}
	if tok := a.cfg.GooglePubSub.Token.Reveal(); tok != "" {
		mux.Handle("/google/pubsub", &watcher.GooglePush{Token: tok, Poll: sched.PollAsync(ctx),
			Targets: watcher.PushTargets(a.targets), Log: a.log})
	}
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return nil, usageError{fmt.Errorf("listen %s: %w (set `listen:` in the config to another address, or off)", a.cfg.Listen, err)}
	}
	token, err := newAPIToken(a.cfg.Store, ln.Addr().String())
	if err != nil {
		ln.Close()
		return nil, err
	}
	mux.Handle("/api/", a.apiHandler(token, a.drafts))
	lim := a.listenerLimits()
	srv := &http.Server{Handler: limitBodies(mux, lim.MaxBody), ReadHeaderTimeout: lim.ReadHeader, ReadTimeout: lim.Read,
		WriteTimeout: lim.Write, IdleTimeout: lim.Idle, MaxHeaderBytes: 16 << 10}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("listener stopped", "err", err)
		}
	}()
	return srv, nil
}

// draftLoop publishes approved drafts (at once after an approval, and
// every minute for retries) and sends reminders, until ctx ends.
func (a *app) draftLoop(ctx context.Context, approved <-chan struct{}) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if err := a.drafts.Publish(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("publishing replies", "err", err)
		}
		if err := a.drafts.Remind(ctx, time.Duration(a.cfg.Rules.RemindAfter)); err != nil && ctx.Err() == nil {
			a.log.Error("draft reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-approved:
		case <-tick.C:
		}
	}
}

// slackInteractions wires the draft buttons: POST /slack/interactions when
// a signing secret is set, Socket Mode when an app token is.
func (a *app) slackInteractions(ctx context.Context, mux *http.ServeMux) error {
	sl, ok := a.notifier.(*notify.Slack)
	if !ok || (a.cfg.Slack.SigningSecret == "" && a.cfg.Slack.AppToken == "") {
		return nil
	}
	in, err := notify.NewInteractions(a.cfg.Slack, a.drafts, sl.API(), a.disp.Kick, a.log, time.Now)
	if err != nil {
		return usageError{fmt.Errorf("slack: %w", err)}
	}
	a.interactions = in
	if a.cfg.Slack.SigningSecret != "" {
		mux.Handle("POST /slack/interactions", in)
	}
	if a.cfg.Slack.AppToken != "" {
		go func() {
			if err := in.RunSocketMode(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("slack socket mode stopped", "err", err)
			}
		}()
	}
	return nil
}
