package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"syscall"
	"time"

	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/watcher"
)

// storeAlarm tells staff when the store stops taking writes (disk full,
// read-only file system) and when it takes them again. It can't use the
// outbox (that is the store that fails), so it calls the notifier
// directly, once per outage; polls keep running on their schedule and
// are the retries.
type storeAlarm struct {
	n    notify.Notifier
	log  *slog.Logger
	path string

	mu     sync.Mutex
	raised bool
	since  time.Time
}

// failed is the scheduler's OnError hook: a poll whose result could not be
// committed.
func (s *storeAlarm) failed(ctx context.Context, t watcher.Target, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return // a poll cut short (shutdown, poll timeout), not the store
	}
	s.mu.Lock()
	first := !s.raised
	if first {
		s.raised, s.since = true, time.Now().UTC()
	}
	s.mu.Unlock()
	if !first {
		return
	}
	cause := storeCause(err)
	s.log.Error("store not writable: "+cause, "store", s.path, "listing", t.Info.ID, "err", err)
	s.send(ctx, store.Alert{Kind: store.KindStoreUnwritable, Key: "store-unwritable",
		Failure: &store.Failure{Since: s.since, Cause: cause}})
}

// ok is called after a poll was committed: the store takes writes.
func (s *storeAlarm) ok(ctx context.Context) {
	s.mu.Lock()
	was := s.raised
	s.raised = false
	s.mu.Unlock()
	if !was {
		return
	}
	s.log.Info("store writable again", "store", s.path)
	s.send(ctx, store.Alert{Kind: store.KindStoreWritable, Key: "store-writable"})
}

func (s *storeAlarm) send(ctx context.Context, a store.Alert) {
	a.Created = time.Now().UTC()
	a.Listing = store.ListingRef{ID: "store", Name: s.path}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := s.n.Deliver(ctx, a); err != nil {
		s.log.Error("could not send the store alarm", "kind", a.Kind, "err", err)
	}
}

// storeCause is the short reason for the alarm: the OS error when there is
// one ("no space left on device", "read-only file system"), else the error.
func storeCause(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}
