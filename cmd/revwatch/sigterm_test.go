package main

import (
	"bytes"
	"context"
	"fmt"
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

// TestSIGTERMGraceful sends SIGTERM to the real binary while a poll is in
// flight (the site has sent half its page and stalls) and alerts are still
// waiting for a slow Slack: the poll is abandoned without writing anything
// (and is not counted as a source failure), the outbox is flushed before
// exit, the exit code is 0 and the store checks clean.
func TestSIGTERMGraceful(t *testing.T) {
	bin := buildBinary(t)
	var mu sync.Mutex
	requests := 0
	stalled := make(chan struct{}, 1)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/reviews" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		requests++
		n := requests
		mu.Unlock()
		reviews := map[int]int{1: 10, 2: 40}[n]
		if n >= 3 {
			reviews = 60
		}
		var rs []string
		for i := reviews; i >= 1; i-- {
			stars := 5
			if i > 10 && i%3 == 0 {
				stars = 1
			}
			rs = append(rs, fmt.Sprintf(`{"@type":"Review","@id":"https://shop.example/r/%d","author":{"name":"R%d"},"datePublished":"2026-11-%02dT10:00:00Z","reviewBody":"Review number %d.","reviewRating":{"ratingValue":%d}}`, i, i, 1+i%20, i, stars))
		}
		page := fmt.Sprintf(`<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"Shop","aggregateRating":{"ratingValue":"4.40","reviewCount":%d},"review":[%s]}</script></head></html>`, reviews, strings.Join(rs, ","))
		if n < 3 {
			fmt.Fprint(w, page)
			return
		}
		// The third poll: half the page, then nothing until the client leaves.
		w.Header().Set("Content-Length", fmt.Sprint(len(page)))
		w.Write([]byte(page[:len(page)/2]))
		w.(http.Flusher).Flush()
		select {
		case stalled <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer site.Close()
	slack := &crashSlack{posts: map[float64]int{}}
	slackSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			time.Sleep(300 * time.Millisecond) // a slow Slack: alerts queue up
		}
		slack.ServeHTTP(w, r)
	}))
	defer slackSrv.Close()

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./r.db
listen: "off"
http: {host_interval: 1ms}
slack: {token: xoxb-term, channel: C123, api_url: "%s/"}
businesses:
  - id: shop
    contact: "help@shop.example"
    listings: [{id: site, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, slackSrv.URL, site.URL)), 0o600)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "run", "--config", cfgPath)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	select {
	case <-stalled:
	case <-time.After(30 * time.Second):
		t.Fatalf("the third poll never started\n%s", stderr.String())
	}
	slack.mu.Lock()
	postedAtTerm := len(slack.msgs)
	slack.mu.Unlock()
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v (want code 0)\n%s", err, stderr.String())
		}
	case <-time.After(40 * time.Second): // the stop deadlines are 30s for polls and 10s for the outbox
		t.Fatalf("the daemon did not stop after SIGTERM\n%s", stderr.String())
	}

	db, err := store.Open(filepath.Join(dir, "r.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the store does not open after SIGTERM: %v", err)
	}
	ctx := context.Background()
	if n, _ := db.CountReviews(ctx, "site"); n != 40 {
		t.Errorf("%d reviews stored, want the 40 of the second poll (the abandoned third wrote nothing)", n)
	}
	if st, _ := db.State(ctx, "site"); st.Failures != 0 || st.LastError != "" {
		t.Errorf("the abandoned poll was counted as a source failure: %+v", st)
	}
	slack.mu.Lock()
	alerts := 0
	db.Alerts(ctx, func(a store.Alert) error {
		alerts++
		if a.Delivery.State != store.DeliverySent {
			t.Errorf("alert %d is %s after the graceful stop, want sent", a.ID, a.Delivery.State)
		}
		if n := slack.posts[float64(a.ID)]; n != 1 {
			t.Errorf("alert %d posted %d times", a.ID, n)
		}
		return nil
	})
	t.Logf("at SIGTERM %d of %d alerts were in Slack; all %d after the stop", postedAtTerm, alerts, len(slack.msgs))
	if postedAtTerm >= alerts {
		t.Errorf("every alert was already delivered at SIGTERM (%d): the flush was not exercised", alerts)
	}
	slack.mu.Unlock()
	db.Close()
	checkBolt(t, filepath.Join(dir, "r.db"))
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no orderly stop in the log:\n%s", stderr.String())
	}
}
