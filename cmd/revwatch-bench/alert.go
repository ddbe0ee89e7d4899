package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
	"github.com/revwatch/revwatch/watcher"
)

// alertPolls is how many alerting polls the latency figure times.
const alertPolls = 300

// runAlert times, for polls that each bring one new 1-star review, the
// gap between the poll's commit (watcher.OnCommit, the end of the poll)
// and the moment the loopback Slack receives chat.postMessage, through
// notify.Dispatcher.Run and notify.Slack as the daemon wires them.
func runAlert(ctx context.Context, b *bench) ([]result, error) {
	const fig, budget = "alert latency p99 (poll end -> Slack request)", "p99 < 50 ms"
	arrivals := make(chan time.Time, 64)
	slackSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C0BENCH","ts":"`+strconv.FormatInt(at.UnixMicro(), 10)+`.000100"}`)
		if r.URL.Path == "/chat.postMessage" {
			arrivals <- at
		}
	}))
	defer slackSrv.Close()

	// The listing: a page whose newest review changes with every poll.
	var iter atomic.Int64
	g := newTextGen(9)
	pageSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/reviews" {
			http.NotFound(w, r)
			return
		}
		k := int(iter.Load())
		rs := genLDReviews(newTextGen(11), 1, 8, "https://luna.example/reviews")
		var fresh []ldReview
		for j := max(1, k-4); j <= k; j++ {
			fresh = append([]ldReview{{id: "https://luna.example/reviews#new-" + strconv.Itoa(j), author: "Guest " + strconv.Itoa(j),
				title: "Cold food, long wait", text: "We waited an hour and the pasta came cold. The waiter was rude when we asked. " + g.text(80, false),
				stars: 1, published: time.Now().UTC().Add(-time.Duration(k-j) * time.Second)}}, fresh...)
		}
		page := appendLD(pageHead("Trattoria Luna"), "Trattoria Luna", 4.4, 212, append(fresh, rs...))
		w.Header().Set("Content-Type", ctypeHTML)
		w.Write(append(page, pageFoot...))
	}))
	defer pageSrv.Close()

	db, err := store.Open(filepath.Join(b.dir, "alert.db"), store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	set, err := templates.Load("")
	if err != nil {
		return nil, err
	}
	w := watcher.New(db, watcher.DefaultRules(), set, nil)
	slack, err := notify.NewSlack(notify.SlackConfig{Token: "xoxb-bench-token", Channel: "#reviews", APIURL: slackSrv.URL + "/"}, nil)
	if err != nil {
		return nil, err
	}
	d := notify.NewDispatcher(db, slack, nil, time.Now)
	var committed atomic.Int64
	w.OnCommit = func() {
		committed.Store(time.Now().UnixNano())
		d.Kick()
	}
	dctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(dctx) }()
	defer func() { stop(); <-done }()

	env := sources.NewEnv(nil)
	env.HostInterval = 0
	p, err := sources.Default().Lookup("schemaorg")
	if err != nil {
		return nil, err
	}
	l := sources.Listing{ID: "luna-site", Source: "schemaorg", URL: pageSrv.URL + "/reviews", Business: "luna"}
	t := watcher.Target{Listing: &l, Source: p.New(env),
		Info:     store.ListingInfo{ID: l.ID, Business: "luna", BusinessName: "Trattoria Luna", Platform: p.Name, PlatformLabel: p.Label, URL: l.URL},
		Business: templates.Business{Name: "Trattoria Luna", Signature: "Marco, Trattoria Luna", Contact: "hello@luna.example", Language: "en"}}
	if res, err := w.Poll(ctx, t, watcher.Live); err != nil || res.Err != nil {
		return nil, fmt.Errorf("baseline poll: %v %v", err, res.Err)
	}
	lat := make([]time.Duration, 0, alertPolls)
	for k := 1; k <= alertPolls; k++ {
		iter.Store(int64(k))
		res, err := w.Poll(ctx, t, watcher.Live)
		if err != nil {
			return nil, err
		}
		// Insight rules may add alerts (a trend of the same complaint):
		// the figure is the first Slack request after the commit.
		if res.Err != nil || res.New != 1 || len(res.Alerts) == 0 {
			return nil, fmt.Errorf("poll %d: %d new reviews, %d alerts, err %v", k, res.New, len(res.Alerts), res.Err)
		}
		select {
		case at := <-arrivals:
			lat = append(lat, at.Sub(time.Unix(0, committed.Load())))
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("poll %d: no Slack request within 10s", k)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The next poll starts once this poll's alerts are all out.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			if n, err := db.Pending(ctx); err != nil || n == 0 || time.Now().After(deadline) {
				break
			}
		}
		for len(arrivals) > 0 {
			<-arrivals
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.note("alert: %d alerts: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", len(lat),
		ms(pct(0.5)), ms(pct(0.9)), ms(pct(0.99)), ms(lat[len(lat)-1]))
	r := row(fig, ms(pct(0.99)), "ms", nanLimit, budget, func(v, _ float64) bool { return v < 50 })
	return []result{r}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
