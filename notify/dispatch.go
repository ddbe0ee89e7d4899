package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/revwatch/revwatch/store"
)

// Dispatcher timing.
const (
	// flushInterval is how often Run flushes without a Kick.
	flushInterval = 30 * time.Second
	// backoffBase and backoffMax bound the delay after a retryable failure:
	// 30s, 1m, 2m, … up to 30m, by Delivery.Attempts.
	backoffBase = 30 * time.Second
	backoffMax  = 30 * time.Minute
	// minRetryAfter keeps a "Retry-After: 0" from spinning.
	minRetryAfter = time.Second
	// batchSize is how many rows one Due call fetches.
	batchSize = 50
)

// Dispatcher drains the outbox into one Notifier, in alert order.
type Dispatcher struct {
	o   Outbox
	n   Notifier
	log *slog.Logger
	now func() time.Time

	kick chan struct{}

	mu        sync.Mutex // one Flush at a time
	nextRetry time.Time  // when the alert that stopped the last pass is due; zero if none

	// Timing overrides the defaults below (zero fields keep them): tests of
	// a long outage run it in seconds this way. The real defaults stay:
	// flush every 30s, retry after 30s doubling to 30m.
	FlushEvery, RetryBase, RetryMax time.Duration

	// Observe, when set, sees every delivery attempt: how long the
	// notifier took and its error (nil on success). For metrics.
	Observe func(a store.Alert, took time.Duration, err error)
}

// NewDispatcher returns a dispatcher delivering o's alerts through n.
// now is the clock (time.Now when nil); log gets one line per failure.
func NewDispatcher(o Outbox, n Notifier, log *slog.Logger, now func() time.Time) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Dispatcher{o: o, n: n, log: log, now: now, kick: make(chan struct{}, 1)}
}

// Kick wakes Run for a flush, without blocking; call it after a commit that
// added alerts. Kicks while a flush is running coalesce into one more flush.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Flush makes one pass over the alerts due now, delivering them in order.
//
// A permanent failure marks the alert failed and the pass moves on. A
// retryable failure schedules the alert's retry (backoff, or the
// notifier's RetryAfter) and ends the pass; until that retry is due, later
// flushes of this dispatcher deliver nothing, so later alerts never
// overtake it (the notifier is most likely down or rate limited anyway).
// Neither is an error of Flush: it returns an error only when the outbox
// fails (or ctx ends). A Delivered error means the message went out but
// wasn't recorded, so it may be sent again later (delivery is at least
// once).
func (d *Dispatcher) Flush(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.nextRetry.IsZero() && d.now().Before(d.nextRetry) {
		return nil // holding the line behind a retry
	}
	d.nextRetry = time.Time{}
	var (
		last uint64 // highest ID handled in this pass
		seen bool   // whether last is set
	)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, err := d.o.Due(ctx, d.now(), batchSize)
		if err != nil {
			return fmt.Errorf("notify: read outbox: %w", err)
		}
		progressed := false
		for _, a := range rows {
			if seen && a.ID <= last {
				continue // already handled in this pass
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			last, seen, progressed = a.ID, true, true
			if done, err := d.resume(ctx, a); err != nil || done {
				if err != nil {
					return err
				}
				continue
			}
			// An attempt, once started, runs to its end (the notifier bounds
			// it) and is recorded even when ctx ends meanwhile: a request cut
			// off half-way may still have reached Slack, and posting it again
			// at the next start would post it twice.
			actx := context.WithoutCancel(ctx)
			start := time.Now()
			r, err := d.n.Deliver(actx, a)
			if d.Observe != nil {
				d.Observe(a, time.Since(start), err)
			}
			if err == nil {
				if err := d.o.Delivered(actx, a.ID, r); err != nil {
					return fmt.Errorf("notify: record delivery of alert %d: %w", a.ID, err)
				}
				d.log.Info("notify: alert delivered", "alert_id", a.ID, "listing", a.Listing.ID, "attempt", a.Delivery.Attempts+1)
				continue
			}
			if ctx.Err() != nil {
				// Shutting down: the failure says nothing about the alert,
				// which stays pending as it was.
				return ctx.Err()
			}
			attempt := a.Delivery.Attempts + 1
			if errors.Is(err, ErrPermanent) {
				d.log.Error("notify: delivery failed for good", "alert_id", a.ID, "listing", a.Listing.ID, "attempt", attempt, "err", err)
				if err := d.o.Fail(ctx, a.ID, err.Error()); err != nil {
					return fmt.Errorf("notify: mark alert %d failed: %w", a.ID, err)
				}
				continue
			}
			wait := backoffFrom(a.Delivery.Attempts, cmp.Or(d.RetryBase, backoffBase), cmp.Or(d.RetryMax, backoffMax))
			if ra, ok := RetryAfter(err); ok {
				wait = max(ra, minRetryAfter)
			}
			next := d.now().Add(wait)
			d.log.Warn("notify: delivery failed, will retry", "alert_id", a.ID, "listing", a.Listing.ID, "attempt", attempt, "err", err, "duration", wait)
			retry := d.o.Retry
			if uo, ok := d.o.(UnsureOutbox); ok && !surelyNotSent(err) {
				retry = uo.RetryUnsure
			}
			if err := retry(ctx, a.ID, next, err.Error()); err != nil {
				return fmt.Errorf("notify: schedule retry of alert %d: %w", a.ID, err)
			}
			d.nextRetry = next
			return nil
		}
		if len(rows) < batchSize || !progressed {
			return nil
		}
	}
}

// resume handles the crash window: before an attempt it records that the
// attempt starts; for a row a crash left "sending" it first asks the
// notifier whether the message went out, and records it if so (done).
func (d *Dispatcher) resume(ctx context.Context, a store.Alert) (done bool, err error) {
	so, ok := d.o.(SendingOutbox)
	if !ok {
		return false, nil
	}
	if a.Delivery.State == store.DeliverySending {
		if f, ok := d.n.(Finder); ok {
			r, found, err := f.Find(ctx, a)
			if err != nil {
				d.log.Warn("notify: could not check whether an interrupted delivery went out; posting again", "alert_id", a.ID, "err", err)
			} else if found {
				d.log.Info("notify: interrupted delivery had gone out; recorded", "alert_id", a.ID)
				if err := d.o.Delivered(ctx, a.ID, r); err != nil {
					return false, fmt.Errorf("notify: record delivery of alert %d: %w", a.ID, err)
				}
				return true, nil
			}
		}
		return false, nil
	}
	if err := so.Sending(ctx, a.ID); err != nil {
		return false, fmt.Errorf("notify: mark alert %d sending: %w", a.ID, err)
	}
	return false, nil
}

// backoff is the delay after a retryable failure of an alert that had
// already failed attempts times: 30s doubling up to 30m.
func backoff(attempts int) time.Duration { return backoffFrom(attempts, backoffBase, backoffMax) }

// backoffFrom is base doubling per attempt, up to top.
func backoffFrom(attempts int, base, top time.Duration) time.Duration {
	if attempts < 0 {
		attempts = 0
	}
	if attempts >= 16 {
		return top
	}
	return min(base<<attempts, top)
}

// Run flushes until ctx is done: at once, then on Kick, every 30s, and when
// the alert that stopped the last pass is due for its retry. Outbox errors
// are logged and retried at the next wake-up. Run returns nil when ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if err := d.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			d.log.Error("notify: flush failed", "err", err)
		}
		timer.Reset(d.wait())
		select {
		case <-ctx.Done():
			return nil
		case <-d.kick:
		case <-timer.C:
		}
	}
}

// wait is how long Run sleeps before the next unprompted flush.
func (d *Dispatcher) wait() time.Duration {
	d.mu.Lock()
	next := d.nextRetry
	d.mu.Unlock()
	every := cmp.Or(d.FlushEvery, flushInterval)
	if next.IsZero() {
		return every
	}
	return min(every, max(next.Sub(d.now()), 0))
}
