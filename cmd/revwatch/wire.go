package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
	"github.com/revwatch/revwatch/watcher"
)

// app is the wired graph one command works with.
type app struct {
	cfg      *Config
	log      *slog.Logger
	db       *store.DB
	reg      sources.Registry
	env      *sources.Env
	watcher  *watcher.Watcher
	targets  []watcher.Target
	notifier notify.Notifier
	disp     *notify.Dispatcher
	drafts   *watcher.Drafts
	// interactions handles Slack buttons (nil without a signing secret or app token).
	interactions *notify.Interactions
	// limits override the listener's timeouts and body cap (tests); zero: defaults.
	limits listenerLimits
	// set is the reply templates (drafts; the digest's topic detection).
	set *templates.Set
}

// loadConfig reads the config named by --config; errors are usage errors.
func (g *globals) loadConfig() (*Config, sources.Registry, error) {
	reg := sources.Default()
	cfg, err := LoadConfig(g.config, reg)
	if err != nil {
		return nil, nil, usageError{err}
	}
	return cfg, reg, nil
}

// openApp wires everything a polling command needs around an open store.
func openApp(cfg *Config, reg sources.Registry, log *slog.Logger, console io.Writer) (*app, error) {
	db, err := store.Open(cfg.Store, store.Options{})
	if err != nil {
		return nil, err
	}
	a, err := wire(cfg, reg, db, log, console)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func wire(cfg *Config, reg sources.Registry, db *store.DB, log *slog.Logger, console io.Writer) (*app, error) {
	set, err := templates.Load(cfg.Templates)
	if err != nil {
		return nil, usageError{fmt.Errorf("templates: %w", err)}
	}
	env := sources.NewEnv(log)
	if cfg.HTTP.UserAgent != "" {
		env.UserAgent = cfg.HTTP.UserAgent
	}
	if cfg.HTTP.Timeout > 0 {
		env.HTTP = &http.Client{Timeout: time.Duration(cfg.HTTP.Timeout)}
	}
	if cfg.HTTP.HostInterval > 0 {
		env.HostInterval = time.Duration(cfg.HTTP.HostInterval)
	}
	if cfg.HTTP.MaxBodyMB > 0 {
		env.MaxBody = int64(cfg.HTTP.MaxBodyMB) << 20
	}
	a := &app{cfg: cfg, log: log, db: db, reg: reg, env: env, set: set}
	a.watcher = watcher.New(db, cfg.Rules, set, log)
	n := 0
	for _, b := range cfg.Businesses {
		n += len(b.Listings)
	}
	a.targets = make([]watcher.Target, 0, n)
	for _, b := range cfg.Businesses {
		for i := range b.Listings {
			l := &b.Listings[i] // the config's own: the target keeps no copy
			p, err := reg.Lookup(l.Source)
			if err != nil {
				return nil, usageError{err}
			}
			src := p.New(env)
			rp, canReply := src.(sources.Replier)
			canReply = canReply && rp.CanReply(*l)
			a.targets = append(a.targets, watcher.Target{
				Listing: l,
				Source:  src,
				Info: store.ListingInfo{ID: l.ID, Business: b.ID, BusinessName: b.Name, Platform: p.Name,
					PlatformLabel: p.Label, Name: l.Name, URL: l.URL, CanReply: canReply, Competitor: l.Competitor},
				Business:  b.drafting(),
				Retention: retention(p.Retention, time.Duration(l.Retention)),
				Limit:     p.Limit,
			})
		}
	}
	if cfg.Slack.Token != "" {
		s, err := notify.NewSlack(cfg.Slack, log)
		if err != nil {
			return nil, usageError{fmt.Errorf("slack: %w", err)}
		}
		// Where earlier messages went, so an interrupted delivery can be
		// found after a restart instead of posted twice.
		if rs, err := db.RecentReceipts(context.Background(), 200); err == nil {
			s.Learn(rs)
		}
		a.notifier = s
	} else {
		a.notifier = notify.NewConsole(console)
	}
	a.disp = notify.NewDispatcher(db, a.notifier, log, time.Now)
	a.watcher.OnCommit = a.disp.Kick
	a.drafts = a.watcher.NewDrafts(a.targets)
	a.drafts.Kick = a.disp.Kick
	a.watcher.OnReplies = a.drafts.SeenReplies
	return a, nil
}

// target returns the wired target of a listing id.
func (a *app) target(id string) (watcher.Target, error) {
	for _, t := range a.targets {
		if t.Info.ID == id {
			return t, nil
		}
	}
	return watcher.Target{}, usageError{fmt.Errorf("--listing %q: no such listing in %s (have: %v)", id, a.cfg.path, a.cfg.listingIDs())}
}

// flush delivers what the outbox holds, within a deadline; what can't be
// delivered stays for the next run.
func (a *app) flush(ctx context.Context, deadline time.Duration) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deadline)
	defer cancel()
	if err := a.disp.Flush(fctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if n, err := a.db.Pending(ctx); err == nil && n > 0 {
		a.log.Warn("alerts left in the outbox for the next run", "pending", n)
	}
	return nil
}

func (a *app) close() error { return a.db.Close() }

// retention is the shorter of the platform's limit and the listing's own.
func retention(platform, listing time.Duration) time.Duration {
	switch {
	case listing <= 0:
		return platform
	case platform <= 0:
		return listing
	default:
		return min(platform, listing)
	}
}
