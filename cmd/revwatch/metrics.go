package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/watcher"
)

// metrics counts what the daemon does and serves it in the Prometheus text
// format at /metrics. Hand-rolled: a dozen series don't justify a
// dependency (client_golang adds 19 modules).
type metrics struct {
	db      *store.DB
	targets []watcher.Target

	mu        sync.Mutex
	polls     map[[2]string]uint64 // platform, result
	failures  map[[2]string]uint64 // platform, kind
	pollSecs  map[string]float64   // platform: total seconds
	delivered map[[2]string]uint64 // notifier result: ok, retry, failed; kind
	latency   histogram            // notifier call seconds
	storeErrs uint64               // polls whose result the store refused
}

// storeError counts a poll that could not be committed (the scheduler's OnError).
func (m *metrics) storeError() {
	m.mu.Lock()
	m.storeErrs++
	m.mu.Unlock()
}

type histogram struct {
	bounds []float64
	counts []uint64
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(h.bounds))
	}
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
		}
	}
	h.sum += v
	h.n++
}

func newMetrics(db *store.DB, targets []watcher.Target) *metrics {
	return &metrics{db: db, targets: targets,
		polls: map[[2]string]uint64{}, failures: map[[2]string]uint64{}, pollSecs: map[string]float64{},
		delivered: map[[2]string]uint64{},
		latency:   histogram{bounds: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}}}
}

// poll is the watcher's OnPoll hook.
func (m *metrics) poll(t watcher.Target, res watcher.Result, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := t.Info.Platform
	result := "ok"
	if res.Err != nil {
		result = "failed"
		m.failures[[2]string{p, sources.FailureKind(res.Err)}]++
	}
	m.polls[[2]string{p, result}]++
	m.pollSecs[p] += took.Seconds()
}

// deliver is the dispatcher's Observe hook.
func (m *metrics) deliver(a store.Alert, took time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.delivered[[2]string{result, string(a.Kind)}]++
	m.latency.observe(took.Seconds())
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.write(r.Context(), w)
}

func (m *metrics) write(ctx context.Context, w io.Writer) {
	m.mu.Lock()
	counter := func(name, help string, labels []string, vals map[[2]string]uint64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
		keys := make([][2]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
		for _, k := range keys {
			fmt.Fprintf(w, "%s{%s=%q,%s=%q} %d\n", name, labels[0], k[0], labels[1], k[1], vals[k])
		}
	}
	counter("revwatch_polls_total", "Polls by platform and result.", []string{"platform", "result"}, m.polls)
	counter("revwatch_poll_failures_total", "Failed polls by platform and kind (auth, quota, blocked, layout, http_5xx, network, ...).", []string{"platform", "kind"}, m.failures)
	counter("revwatch_notifications_total", "Notifier calls by result and alert kind.", []string{"result", "kind"}, m.delivered)
	fmt.Fprintf(w, "# HELP revwatch_poll_seconds_total Time spent polling, by platform.\n# TYPE revwatch_poll_seconds_total counter\n")
	plats := make([]string, 0, len(m.pollSecs))
	for p := range m.pollSecs {
		plats = append(plats, p)
	}
	sort.Strings(plats)
	for _, p := range plats {
		fmt.Fprintf(w, "revwatch_poll_seconds_total{platform=%q} %g\n", p, m.pollSecs[p])
	}
	fmt.Fprintf(w, "# HELP revwatch_store_write_errors_total Polls whose result the store could not record (disk full, read-only).\n# TYPE revwatch_store_write_errors_total counter\nrevwatch_store_write_errors_total %d\n", m.storeErrs)
	h := m.latency
	fmt.Fprintf(w, "# HELP revwatch_slack_request_seconds Notifier call latency.\n# TYPE revwatch_slack_request_seconds histogram\n")
	for i, b := range h.bounds {
		c := uint64(0)
		if h.counts != nil {
			c = h.counts[i]
		}
		fmt.Fprintf(w, "revwatch_slack_request_seconds_bucket{le=\"%g\"} %d\n", b, c)
	}
	fmt.Fprintf(w, "revwatch_slack_request_seconds_bucket{le=\"+Inf\"} %d\nrevwatch_slack_request_seconds_sum %g\nrevwatch_slack_request_seconds_count %d\n", h.n, h.sum, h.n)
	m.mu.Unlock()

	// The process itself, so a slow leak shows on a dashboard (and in the soak test).
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# HELP go_goroutines Goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_alloc_bytes Heap bytes allocated and in use.\n# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes %d\n", ms.HeapAlloc)

	// Gauges read from the store at scrape time.
	pending, _ := m.db.Pending(ctx)
	fmt.Fprintf(w, "# HELP revwatch_outbox_pending Alerts waiting for delivery.\n# TYPE revwatch_outbox_pending gauge\nrevwatch_outbox_pending %d\n", pending)
	fmt.Fprintf(w, "# HELP revwatch_reviews_stored Reviews stored per listing.\n# TYPE revwatch_reviews_stored gauge\n")
	for _, t := range m.targets {
		n, _ := m.db.CountReviews(ctx, t.Info.ID)
		fmt.Fprintf(w, "revwatch_reviews_stored{listing=%q,platform=%q} %d\n", t.Info.ID, t.Info.Platform, n)
	}
	fmt.Fprintf(w, "# HELP revwatch_last_success_timestamp_seconds Last successful poll per listing.\n# TYPE revwatch_last_success_timestamp_seconds gauge\n")
	for _, t := range m.targets {
		st, _ := m.db.State(ctx, t.Info.ID)
		ts := 0.0
		if !st.LastSuccess.IsZero() {
			ts = float64(st.LastSuccess.Unix())
		}
		fmt.Fprintf(w, "revwatch_last_success_timestamp_seconds{listing=%q} %g\n", t.Info.ID, ts)
	}
}

// health answers /healthz: 200 when the store takes writes and every
// listing polled successfully within three times its schedule's interval
// (or is still new), 503 with the reasons otherwise.
func (a *app) health(started time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var problems []string
		if err := a.db.Ping(r.Context()); err != nil {
			problems = append(problems, "store: "+err.Error())
		}
		now := time.Now()
		for _, t := range a.targets {
			sched, err := watcher.ParseSchedule(t.Listing.Schedule)
			if err != nil {
				continue
			}
			first := sched.Next(now)
			interval := sched.Next(first).Sub(first)
			st, err := a.db.State(r.Context(), t.Info.ID)
			if err != nil {
				problems = append(problems, t.Info.ID+": "+err.Error())
				continue
			}
			last := st.LastSuccess
			if last.IsZero() {
				last = started // a new listing gets the same grace
			}
			if now.Sub(last) > 3*interval {
				problems = append(problems, fmt.Sprintf("%s: no successful poll for %s (schedule %s)", t.Info.ID, now.Sub(last).Round(time.Second), t.Listing.Schedule))
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, strings.Join(problems, "\n")+"\n")
			return
		}
		io.WriteString(w, "ok\n")
	}
}
