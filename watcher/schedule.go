package watcher

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// parser accepts 5-field specs, 6-field specs with seconds, descriptors
// ("@every 30m", "@hourly") and CRON_TZ= prefixes.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule checks a cron spec at config load.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("bad schedule %q: %v (examples: \"@every 30m\", \"*/15 * * * *\", \"@hourly\")", spec, err)
	}
	return s, nil
}

// Scheduler runs each target's poll on its cron schedule.
type Scheduler struct {
	cron  *cron.Cron
	chain cron.Chain // for AddFunc's jobs
	w     *Watcher
	log   *slog.Logger
	sem   chan struct{}
	wg    sync.WaitGroup // queue workers and Go's functions: Stop waits for them
	// PollTimeout bounds one poll (fetch and commit).
	PollTimeout time.Duration
	// OnError, when set, sees every poll that could not be recorded (a
	// store failure, such as a full disk), so the daemon can raise an alarm.
	OnError func(t Target, err error)

	// Polls that are due wait in a queue, not in a goroutine each: with
	// 10,000 listings firing faster than they can be polled, blocked
	// goroutines (and their stacks) were most of the daemon's memory.
	mu      sync.Mutex
	queue   []queuedPoll
	waiting map[queueKey]bool // queued or running: the same job again is skipped
	workers int               // goroutines draining the queue, at most cap(sem)
}

type queuedPoll struct {
	ctx context.Context
	t   *Target
	key queueKey
}

// queueKey is one job: a listing's schedule (or full_sync), the start-up
// poll, a push. As with cron's SkipIfStillRunning, a job is skipped while
// its previous run waits or runs; different jobs of a listing are not
// merged, so a slot that comes while the start-up poll still waits is
// polled too.
type queueKey struct {
	listing string
	mode    Mode
	origin  string // "schedule", "start", "push"
}

// NewScheduler builds a scheduler; at most parallel polls run at once.
func NewScheduler(w *Watcher, log *slog.Logger, parallel int) *Scheduler {
	if parallel < 1 {
		parallel = 4
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cl := cronLogger{log}
	// Poll jobs only queue (enqueue never blocks, and skips a job whose
	// last run still waits or runs); the recover and skip-if-running chain wraps the
	// other jobs (AddFunc) alone: per listing it cost a closure and a
	// channel, megabytes with 10,000 listings.
	return &Scheduler{
		cron:  cron.New(cron.WithParser(parser), cron.WithLogger(cl)),
		chain: cron.NewChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)),
		w:     w, log: log, sem: make(chan struct{}, parallel), PollTimeout: 2 * time.Minute,
		waiting: map[queueKey]bool{},
	}
}

// Add schedules a target (and its full_sync, if any), each run shifted by
// a small offset derived from the listing id, so fifty listings on
// "@every 30m" don't all fire at the same second. ctx is the daemon's,
// cancelled on shutdown. The scheduler keeps t, not a copy: a daemon with
// 10,000 listings holds each target once.
func (s *Scheduler) Add(ctx context.Context, t *Target) error {
	for _, job := range []struct {
		spec, key string
		mode      Mode
	}{{t.Listing.Schedule, "schedule", Live}, {t.Listing.FullSync, "full_sync", FullSync}} {
		if job.spec == "" {
			continue
		}
		sched, err := ParseSchedule(job.spec)
		if err != nil {
			return fmt.Errorf("schedule %s: %s: %w", t.Info.ID, job.key, err)
		}
		mode := job.mode
		s.cron.Schedule(Jitter(sched, t.Info.ID+"/"+job.key), cron.FuncJob(func() { s.enqueue(ctx, t, mode, "schedule") }))
	}
	return nil
}

// Jitter spreads runs by a stable offset derived from key. "@every D" runs
// on a grid of D with an offset anywhere in [0, D) (so they spread over the
// whole interval and keep their slot across restarts); cron specs shift by
// an offset in [0, min(5m, a quarter of the gap between runs)).
func Jitter(sched cron.Schedule, key string) cron.Schedule {
	h := fnv.New64a()
	h.Write([]byte(key))
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok && cd.Delay > 0 {
		return grid{delay: cd.Delay, offset: time.Duration(h.Sum64() % uint64(cd.Delay))}
	}
	ref := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	first := sched.Next(ref)
	gap := sched.Next(first).Sub(first)
	span := min(5*time.Minute, gap/4)
	if span <= 0 {
		return sched
	}
	return jittered{inner: sched, offset: time.Duration(h.Sum64() % uint64(span))}
}

// grid runs every delay at a fixed offset from the Unix epoch's grid.
type grid struct{ delay, offset time.Duration }

func (g grid) Next(t time.Time) time.Time {
	n := t.Truncate(g.delay).Add(g.offset)
	for !n.After(t) {
		n = n.Add(g.delay)
	}
	return n
}

type jittered struct {
	inner  cron.Schedule
	offset time.Duration
}

func (j jittered) Next(t time.Time) time.Time { return j.inner.Next(t.Add(-j.offset)).Add(j.offset) }

// PollNow polls one target under the concurrency limit and a timeout.
func (s *Scheduler) PollNow(ctx context.Context, t Target, mode Mode) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-s.sem }()
	pctx, cancel := context.WithTimeoutCause(ctx, s.PollTimeout, fmt.Errorf("poll of %s took over %s", t.Info.ID, s.PollTimeout))
	defer cancel()
	if _, err := s.w.Poll(pctx, t, mode); err != nil && ctx.Err() == nil {
		s.log.Error("poll not recorded", "listing", t.Info.ID, "err", err)
		if s.OnError != nil {
			s.OnError(t, err)
		}
	}
}

// PollAll queues one poll of every target now; Stop waits for them too.
func (s *Scheduler) PollAll(ctx context.Context, targets []Target) {
	for i := range targets {
		s.enqueue(ctx, &targets[i], Live, "start")
	}
}

// enqueue queues a poll unless the same job (queueKey) is already queued
// or running (a slow poll is not stacked up behind itself), and starts a
// worker if fewer than parallel drain the queue. It never blocks.
func (s *Scheduler) enqueue(ctx context.Context, t *Target, mode Mode, origin string) {
	k := queueKey{t.Info.ID, mode, origin}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waiting[k] {
		s.log.Debug("poll still queued or running; this run skipped", "listing", t.Info.ID)
		return
	}
	s.waiting[k] = true
	s.queue = append(s.queue, queuedPoll{ctx: ctx, t: t, key: k})
	if s.workers < cap(s.sem) {
		s.workers++
		s.wg.Add(1)
		go s.drain()
	}
}

// pollRecovered runs a queued poll; a panic in it is logged, as cron's
// Recover did when polls ran as cron jobs, and the daemon goes on.
func (s *Scheduler) pollRecovered(q queuedPoll) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("poll panicked", "listing", q.t.Info.ID, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	s.PollNow(q.ctx, *q.t, q.key.mode)
}

// drain polls queued targets, oldest first, until the queue is empty.
func (s *Scheduler) drain() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.workers--
			s.queue = nil // let the drained backing array go
			s.mu.Unlock()
			return
		}
		q := s.queue[0]
		s.queue[0] = queuedPoll{}
		s.queue = s.queue[1:]
		s.mu.Unlock()
		if q.ctx.Err() == nil {
			s.pollRecovered(q)
		}
		s.mu.Lock()
		delete(s.waiting, q.key)
		s.mu.Unlock()
	}
}

// Start starts the cron loop.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling and returns a channel closed when running polls end.
func (s *Scheduler) Stop() <-chan struct{} {
	done := make(chan struct{})
	cronDone := s.cron.Stop()
	go func() {
		<-cronDone.Done()
		s.wg.Wait()
		close(done)
	}()
	return done
}

// cronLogger adapts slog to cron's logger; cron's Info chatter goes to Debug.
type cronLogger struct{ log *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.log.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, append(kv, "err", err)...)
}
