package watcher

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// gateSource blocks every Fetch until the test releases it, counting the
// fetches running at once.
type gateSource struct {
	release         chan struct{}
	running, maxRun atomic.Int64
	mu              sync.Mutex
	fetched         map[string]int
}

func (g *gateSource) Fetch(ctx context.Context, l sources.Listing, _ sources.Options) (sources.Observation, error) {
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for {
		m := g.maxRun.Load()
		if n <= m || g.maxRun.CompareAndSwap(m, n) {
			break
		}
	}
	select {
	case <-g.release:
	case <-ctx.Done():
		return sources.Observation{}, ctx.Err()
	}
	g.mu.Lock()
	g.fetched[l.ID]++
	g.mu.Unlock()
	return sources.Observation{At: t0, Rating: &sources.Rating{Value: 4.5, Count: 10}, Reviews: []sources.Review{}}, nil
}

// TestSchedulerQueue: due polls wait in a queue, not in goroutines (a
// daemon with thousands of listings held one blocked goroutine each);
// at most parallel run at once; a listing already queued or running is not
// queued twice; every queued poll runs once.
func TestSchedulerQueue(t *testing.T) {
	const listings, parallel = 120, 3
	db, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := &gateSource{release: make(chan struct{}), fetched: map[string]int{}}
	targets := make([]Target, listings)
	for i := range targets {
		id := fmt.Sprintf("l%03d", i)
		targets[i] = Target{Listing: &sources.Listing{ID: id}, Info: store.ListingInfo{ID: id, Business: "b", Platform: "schemaorg"}, Source: src}
	}
	s := NewScheduler(New(db, DefaultRules(), nil, nil), nil, parallel)
	var failed atomic.Int64
	s.OnError = func(t Target, err error) { failed.Add(1) }
	ctx := context.Background()
	before := runtime.NumGoroutine()
	s.PollAll(ctx, targets)
	s.PollAll(ctx, targets) // all still queued or running: nothing added
	deadline := time.Now().Add(10 * time.Second)
	for src.running.Load() < parallel && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if g := runtime.NumGoroutine() - before; g > parallel+2 {
		t.Errorf("%d goroutines for %d queued polls, want about %d", g, listings, parallel)
	}
	s.mu.Lock()
	queued := len(s.queue)
	s.mu.Unlock()
	if queued != listings-parallel {
		t.Errorf("%d polls queued, want %d (the second PollAll must add none)", queued, listings-parallel)
	}
	close(src.release)
	<-s.Stop()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d polls not recorded", n)
	}
	if m := src.maxRun.Load(); m > parallel {
		t.Errorf("%d polls ran at once, want at most %d", m, parallel)
	}
	for _, tg := range targets {
		if n := src.fetched[tg.Info.ID]; n != 1 {
			t.Errorf("%s fetched %d times, want 1", tg.Info.ID, n)
		}
	}
	// Drained: the same listings may be queued again.
	s.PollAll(ctx, targets[:1])
	<-s.Stop()
	if n := src.fetched[targets[0].Info.ID]; n != 2 {
		t.Errorf("after the queue drained, a new PollAll polled %d times, want 2", n)
	}
}

type panicSource struct{}

func (panicSource) Fetch(context.Context, sources.Listing, sources.Options) (sources.Observation, error) {
	panic("a parser bug")
}

// TestSchedulerPollPanics: a poll that panics is logged and costs that
// poll only; the queue goes on and the listing can be queued again.
func TestSchedulerPollPanics(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ok := &gateSource{release: make(chan struct{}), fetched: map[string]int{}}
	close(ok.release)
	targets := []Target{
		{Listing: &sources.Listing{ID: "bad"}, Info: store.ListingInfo{ID: "bad", Business: "b"}, Source: panicSource{}},
		{Listing: &sources.Listing{ID: "good"}, Info: store.ListingInfo{ID: "good", Business: "b"}, Source: ok},
	}
	s := NewScheduler(New(db, DefaultRules(), nil, nil), nil, 1)
	s.PollAll(context.Background(), targets)
	<-s.Stop()
	s.PollAll(context.Background(), targets)
	<-s.Stop()
	if n := ok.fetched["good"]; n != 2 {
		t.Errorf("the listing after the panicking one was polled %d times, want 2", n)
	}
}
