package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/revwatch/revwatch/digest"
	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
	"github.com/revwatch/revwatch/watcher"
)

// digests sends each business's weekly digest from the daemon, on the
// business's digest.schedule, so that restarts neither miss nor double a
// week: the store records the last period sent per business
// (store.DigestRecord). At start, a digest whose scheduled time passed
// while the daemon was stopped is sent at once (the latest one only); a
// business seen for the first time gets a silent baseline record, like a
// listing's first poll. A crash between posting and recording sends that
// digest again at the next start (at least once, like alerts).
type digests struct {
	a      *app
	set    *templates.Set
	sender notify.DigestSender
	log    *slog.Logger
	now    func() time.Time
	// waits are the pauses between attempts of a failed send.
	waits []time.Duration
	mu    sync.Mutex // one send at a time: the cron tick and a catch-up can meet
}

// startDigests schedules every business's digest on sched and starts the
// catch-up of digests missed while stopped.
func (a *app) startDigests(ctx context.Context, sched *watcher.Scheduler) error {
	sender, ok := a.notifier.(notify.DigestSender)
	if !ok {
		a.log.Warn("the notifier can't send digests", "notifier", a.notifier.Name())
		return nil
	}
	d := &digests{a: a, set: a.set, sender: sender, log: a.log, now: time.Now,
		waits: []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute}}
	for _, b := range a.cfg.Businesses {
		spec, on := b.digestSpec()
		if !on {
			continue
		}
		cs, err := watcher.ParseSchedule(spec)
		if err != nil {
			return usageError{fmt.Errorf("businesses %s: digest.schedule: %w", b.ID, err)}
		}
		if err := sched.AddFunc(spec, func() { d.due(ctx, b, cs) }); err != nil {
			return usageError{err}
		}
		sched.Go(func() { d.catchUp(ctx, b, cs) })
		a.log.Info("digest scheduled", "business", b.ID, "schedule", spec, "next", cs.Next(d.now()).Format(time.RFC3339))
	}
	return nil
}

// due runs at a scheduled time: it sends the period that just closed.
func (d *digests) due(ctx context.Context, b Business, cs cron.Schedule) {
	if end, ok := watcher.PrevFire(cs, d.now()); ok {
		d.send(ctx, b, cs, end)
	}
}

// catchUp runs at start: it sends the latest period when its digest was
// missed (or interrupted) while the daemon was stopped.
func (d *digests) catchUp(ctx context.Context, b Business, cs cron.Schedule) {
	end, ok := watcher.PrevFire(cs, d.now())
	if !ok {
		return
	}
	rec, found, err := d.a.db.LastDigest(ctx, b.ID)
	switch {
	case err != nil:
		d.log.Error("digest record", "business", b.ID, "err", err)
	case !found:
		// Nothing was ever owed before this first start.
		err = d.a.db.RecordDigest(ctx, store.DigestRecord{Business: b.ID, PeriodEnd: end, State: "baseline", At: d.now().UTC()})
		if err != nil {
			d.log.Error("digest record", "business", b.ID, "err", err)
		}
	case rec.PeriodEnd.Before(end), rec.PeriodEnd.Equal(end) && rec.State == store.DigestSending:
		d.log.Info("sending a digest missed while stopped", "business", b.ID, "period_end", end.Format(time.RFC3339))
		d.send(ctx, b, cs, end)
	}
}

// send computes and delivers the digest of the period ending at end,
// unless it was sent already, retrying failures that may pass.
func (d *digests) send(ctx context.Context, b Business, cs cron.Schedule, end time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	log := d.log.With("business", b.ID, "period_end", end.Format(time.RFC3339))
	rec, found, err := d.a.db.LastDigest(ctx, b.ID)
	if err != nil {
		log.Error("digest record", "err", err)
		return
	}
	if found && rec.State != store.DigestSending && !rec.PeriodEnd.Before(end) {
		log.Debug("digest already sent")
		return
	}
	// The period is the schedule's own: from the previous scheduled time
	// (a week for the default) to this one.
	start, ok := watcher.PrevFire(cs, end.Add(-time.Second))
	if !ok || start.Before(end.AddDate(0, 0, -31)) {
		start = end.AddDate(0, 0, -7)
	}
	dg, err := computeDigest(ctx, d.a.db, d.a.cfg, d.a.reg, d.set, b, start, end)
	if err != nil {
		log.Error("digest not computed", "err", err)
		return
	}
	var chart bytes.Buffer
	title := fmt.Sprintf("Rating history, %d days - %s", digest.HistoryDays, digest.Renderable(b.Name, b.ID))
	if err := digest.Chart(&chart, title, dg.History, dg.HistoryFrom, dg.To); err != nil {
		if !errors.Is(err, digest.ErrNoHistory) {
			log.Warn("digest chart not drawn", "err", err)
		}
		chart.Reset()
	}
	if err := d.a.db.RecordDigest(ctx, store.DigestRecord{Business: b.ID, PeriodEnd: end, State: store.DigestSending, At: d.now().UTC()}); err != nil {
		log.Error("digest record", "err", err)
		return
	}
	for attempt := 0; ; attempt++ {
		r, err := d.sender.SendDigest(ctx, dg, b.Digest.Channel, chart.Bytes())
		if ce, ok := errors.AsType[*notify.ChartError](err); ok {
			log.Warn("digest posted without its chart (does the Slack app have files:write?)", "err", ce.Err)
			err = nil
		}
		if err == nil {
			rec := store.DigestRecord{Business: b.ID, PeriodEnd: end, State: store.DigestSent, At: d.now().UTC(), Receipt: &r}
			if err := d.a.db.RecordDigest(context.WithoutCancel(ctx), rec); err != nil {
				log.Error("digest sent but not recorded", "err", err)
			}
			log.Info("digest sent", "reviews", dg.NewReviews, "chart_bytes", chart.Len())
			return
		}
		if errors.Is(err, notify.ErrPermanent) || attempt >= len(d.waits) || ctx.Err() != nil {
			// Left "sending": the next start tries again unless it was permanent.
			if errors.Is(err, notify.ErrPermanent) {
				rec := store.DigestRecord{Business: b.ID, PeriodEnd: end, State: "failed", At: d.now().UTC()}
				d.a.db.RecordDigest(context.WithoutCancel(ctx), rec)
			}
			log.Error("digest not sent", "attempt", attempt+1, "err", err)
			return
		}
		wait := d.waits[attempt]
		if after, ok := notify.RetryAfter(err); ok {
			wait = max(wait, after)
		}
		log.Warn("digest send failed; retrying", "attempt", attempt+1, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
