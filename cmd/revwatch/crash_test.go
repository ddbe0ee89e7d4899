package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/revwatch/revwatch/store"
)

// crashSite reveals ten more reviews of a 500-review history on every
// request, every seventh one a 1-star review.
type crashSite struct {
	mu       sync.Mutex
	revealed int
}

func (s *crashSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/reviews" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.revealed = min(s.revealed+10, 500)
	n := s.revealed
	s.mu.Unlock()
	var rs []string
	for i := n; i >= 1; i-- {
		stars := 5
		if i%7 == 0 {
			stars = 1
		}
		rs = append(rs, fmt.Sprintf(`{"@type":"Review","@id":"https://shop.example/r/%d","author":{"name":"R%d"},"datePublished":"2026-11-%02dT10:00:00Z","reviewBody":"Review number %d.","reviewRating":{"ratingValue":%d}}`,
			i, i, 1+i%20, i, stars))
	}
	fmt.Fprintf(w, `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"Shop","aggregateRating":{"ratingValue":"%.2f","reviewCount":%d},"review":[%s]}</script></head></html>`,
		4.6-float64(n)/2500, n, strings.Join(rs, ","))
}

// crashSlack is a Slack stand-in that keeps every posted message with its
// metadata, so the daemon can find an interrupted delivery.
type crashSlack struct {
	mu    sync.Mutex
	posts map[float64]int // alert id -> times posted
	msgs  []map[string]any
}

func (f *crashSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/chat.postMessage"):
		var md map[string]any
		json.Unmarshal([]byte(r.Form.Get("metadata")), &md)
		payload, _ := md["event_payload"].(map[string]any)
		id, _ := payload["alert_id"].(float64)
		f.posts[id]++
		ts := fmt.Sprintf("1700000000.%06d", len(f.msgs)+1)
		f.msgs = append(f.msgs, map[string]any{"type": "message", "ts": ts, "metadata": md})
		fmt.Fprintf(w, `{"ok":true,"channel":"C123","ts":%q}`, ts)
	case strings.HasSuffix(r.URL.Path, "/conversations.history"), strings.HasSuffix(r.URL.Path, "/conversations.replies"):
		b, _ := json.Marshal(map[string]any{"ok": true, "messages": f.msgs})
		w.Write(b)
	default:
		fmt.Fprint(w, `{"ok":true,"ts":"1700000001.000001","channel":"C123"}`)
	}
}

// TestCrashLoop kills the daemon with SIGKILL at random moments, fifty
// times, while it polls a growing 500-review history and posts alerts to
// Slack, restarting it each time; then lets it finish. Every review must be
// stored exactly once, every alert posted exactly once, and the store must
// open cleanly after every kill.
func TestCrashLoop(t *testing.T) {
	bin := buildBinary(t)
	site := &crashSite{}
	siteSrv := httptest.NewServer(site)
	defer siteSrv.Close()
	slack := &crashSlack{posts: map[float64]int{}}
	slackSrv := httptest.NewServer(slack)
	defer slackSrv.Close()

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "r.db")
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./r.db
listen: off
http: {host_interval: 1ms}
slack: {token: xoxb-crash, channel: C123, api_url: "%s/"}
businesses:
  - id: shop
    contact: "help@shop.example"
    listings: [{id: site, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, slackSrv.URL, siteSrv.URL)), 0o600)

	var daemonLog syncBuffer
	defer func() {
		if t.Failed() {
			t.Logf("the daemons' error log:\n%s", daemonLog.String())
		}
	}()
	rng := rand.New(rand.NewPCG(1, 2))
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "run", "--config", cfgPath, "--log-level", "error")
		cmd.Stdout, cmd.Stderr = &daemonLog, &daemonLog // errors only: shown if the test fails
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	for i := 0; i < 50; i++ {
		cmd := start()
		time.Sleep(time.Duration(30+rng.IntN(600)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		db, err := store.Open(dbPath, store.Options{ReadOnly: true})
		if errors.Is(err, store.ErrNotFound) {
			// Killed before the first transaction: no file yet, or an
			// empty bbolt file, which the next start initialises.
			continue
		}
		if err != nil {
			t.Fatalf("kill %d: the store does not open: %v", i+1, err)
		}
		db.Close()
	}
	// A last run to the end: every review revealed, every alert delivered.
	cmd := start()
	deadline := time.Now().Add(60 * time.Second)
	for {
		site.mu.Lock()
		done := site.revealed == 500
		site.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the site was never fully read")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2500 * time.Millisecond) // one more poll after the last reveal, and its delivery
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if n, _ := db.CountReviews(ctx, "site"); n != 500 {
		t.Errorf("stored %d reviews, want 500", n)
	}
	seen := map[string]bool{}
	db.Reviews(ctx, "site", func(r store.StoredReview) error {
		if seen[r.ID] {
			t.Errorf("review %s stored twice", r.ID)
		}
		seen[r.ID] = true
		return nil
	})
	var alerts, undelivered int
	slack.mu.Lock()
	defer slack.mu.Unlock()
	db.Alerts(ctx, func(a store.Alert) error {
		alerts++
		if a.Delivery.State != store.DeliverySent {
			undelivered++
		}
		if n := slack.posts[float64(a.ID)]; n != 1 {
			t.Errorf("alert %d (%s) posted %d times, want once", a.ID, a.Kind, n)
		}
		return nil
	})
	if alerts == 0 || undelivered > 0 {
		t.Errorf("%d alerts, %d undelivered", alerts, undelivered)
	}
	if len(slack.posts) != alerts {
		t.Errorf("Slack got messages for %d alerts, the outbox has %d", len(slack.posts), alerts)
		for id, n := range slack.posts {
			if _, err := db.Alert(ctx, uint64(id)); err != nil {
				t.Errorf("alert_id %v posted %d times is not in the outbox (%v)", id, n, err)
			}
		}
	}
	t.Logf("50 kills: %d reviews, %d alerts, each posted once", len(seen), alerts)
}
