package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// outageSlack is a Slack stand-in that can be broken in the ways a real
// outage looks: 5xx, answers that never come, 429 with Retry-After. A
// closed listener (connection refused) is the test's doing.
type outageSlack struct {
	inner *crashSlack
	mu    sync.Mutex
	mode  string         // "", "5xx", "hang", "429"
	tries map[string]int // postMessage attempts by mode
}

func (s *outageSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	mode := s.mode
	if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		s.tries[mode]++
	}
	s.mu.Unlock()
	switch mode {
	case "5xx":
		http.Error(w, "upstream connect error", http.StatusBadGateway)
	case "hang":
		// Never answers within the notifier's timeout, and the message is
		// not posted (the request never got through).
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	case "429":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"ok":false,"error":"ratelimited"}`)
	default:
		s.inner.ServeHTTP(w, r)
	}
}

func (s *outageSlack) set(mode string) { s.mu.Lock(); s.mode = mode; s.mu.Unlock() }

// TestSlackOutage runs the daemon while Slack fails in every way in turn
// (5xx, timeouts, connection refused, 429 with Retry-After) and then
// recovers: every alert arrives exactly once, in the order it was queued,
// and polling goes on throughout.
//
// The outage is "minutes" compressed into seconds: the dispatcher's retry
// timing (real defaults: flush every 30s, backoff 30s doubling to 30m) and
// the Slack call timeout (real default 15s) are shortened through their
// test fields; the code paths are the real ones.
func TestSlackOutage(t *testing.T) {
	site := &crashSite{}
	siteSrv := httptest.NewServer(site)
	defer siteSrv.Close()
	slack := &outageSlack{inner: &crashSlack{posts: map[float64]int{}}, tries: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	slackAddr := ln.Addr().String()
	slackSrv := &http.Server{Handler: slack}
	go slackSrv.Serve(ln)
	defer func() { slackSrv.Close() }()

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: s.db
listen: 127.0.0.1:0
http: {host_interval: 1ms}
slack: {token: xoxb-outage, channel: C123, api_url: "http://%s/"}
businesses:
  - id: shop
    contact: "help@shop.example"
    listings: [{id: site, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, slackAddr, siteSrv.URL)), 0o600)
	cfg, err := LoadConfig(cfgPath, sources.Default())
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	a, err := openApp(cfg, sources.Default(), slog.New(slog.NewTextHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	a.disp.FlushEvery, a.disp.RetryBase, a.disp.RetryMax = 200*time.Millisecond, 100*time.Millisecond, 400*time.Millisecond
	a.notifier.(*notify.Slack).Timeout = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.daemon(ctx, 1) }()

	var addr string
	for addr == "" {
		raw, _ := os.ReadFile(apiTokenPath(filepath.Join(dir, "s.db")))
		addr, _, _ = strings.Cut(string(raw), "\n")
		time.Sleep(10 * time.Millisecond)
	}
	polls := func() int {
		m := scrapeMetrics(t, addr)
		return int(m[`revwatch_polls_total{platform="schemaorg",result="ok"}`])
	}
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s never happened\nlogs:\n%s", what, logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	posted := func() int {
		slack.inner.mu.Lock()
		defer slack.inner.mu.Unlock()
		return len(slack.inner.msgs)
	}
	wait("a first alert posted", func() bool { return posted() > 0 })

	// The outage: each failure mode for a while, with polls going on.
	pollsBefore := polls()
	for _, mode := range []string{"5xx", "hang", "refused", "429"} {
		p := polls()
		if mode == "refused" {
			slackSrv.Close()
		} else {
			slack.set(mode)
		}
		wait("two polls during "+mode, func() bool { return polls() >= p+2 })
		if mode == "refused" {
			ln, err := net.Listen("tcp", slackAddr)
			if err != nil {
				t.Fatalf("reopen the Slack stand-in on %s: %v", slackAddr, err)
			}
			slackSrv = &http.Server{Handler: slack}
			go slackSrv.Serve(ln)
		}
	}
	slack.set("")
	t.Logf("polls during the outage: %d", polls()-pollsBefore)
	if polls()-pollsBefore < 8 {
		t.Errorf("only %d polls during the outage: polling stalled", polls()-pollsBefore)
	}
	slack.mu.Lock()
	for _, mode := range []string{"5xx", "hang", "429"} {
		if slack.tries[mode] == 0 {
			t.Errorf("no delivery was attempted while Slack answered %s", mode)
		}
	}
	t.Logf("attempts by failure: %v", slack.tries)
	slack.mu.Unlock()
	if !strings.Contains(logs.String(), "connection refused") {
		t.Error("no delivery was attempted while Slack refused connections")
	}

	// Recovery: the site stops growing; everything queued arrives.
	site.mu.Lock()
	site.revealed = 500
	site.mu.Unlock()
	wait("the outbox drained", func() bool {
		n, err := a.db.Pending(context.Background())
		return err == nil && n == 0 && polls() > pollsBefore+12
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("daemon: %v", err)
	}

	slack.inner.mu.Lock()
	defer slack.inner.mu.Unlock()
	var order []uint64
	for _, m := range slack.inner.msgs {
		b, _ := json.Marshal(m["metadata"])
		var md struct {
			Payload struct {
				ID uint64 `json:"alert_id"`
			} `json:"event_payload"`
		}
		json.Unmarshal(b, &md)
		order = append(order, md.Payload.ID)
	}
	for i := 1; i < len(order); i++ {
		if order[i] <= order[i-1] {
			t.Errorf("Slack got alert %d after alert %d: order not kept (%v)", order[i], order[i-1], order)
			break
		}
	}
	alerts := 0
	a.db.Alerts(context.Background(), func(al store.Alert) error {
		alerts++
		if al.Delivery.State != store.DeliverySent {
			t.Errorf("alert %d (%s) is %s after the outage", al.ID, al.Kind, al.Delivery.State)
		}
		if n := slack.inner.posts[float64(al.ID)]; n != 1 {
			t.Errorf("alert %d posted %d times, want once", al.ID, n)
		}
		return nil
	})
	if alerts < 5 || len(order) != alerts {
		t.Errorf("%d alerts queued, %d messages in Slack", alerts, len(order))
	}
	t.Logf("%d alerts, each posted once, in order", alerts)
	a.close()
}

// scrapeMetrics reads /metrics into series -> value.
func scrapeMetrics(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	var buf strings.Builder
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[i+1:], &v); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}
