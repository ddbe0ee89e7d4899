package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revwatch/revwatch/store"
)

// TestDaemonRunsAndStopsGracefully starts `revwatch run`, waits for its first
// poll, cancels it as SIGTERM would, and checks it exits 0 with the poll stored.
func TestDaemonRunsAndStopsGracefully(t *testing.T) {
	site := &reviewSite{rating: "4.2", count: 10, reviews: []string{jsonReview("A", "2026-11-01", "Nice.", 4)}}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/reviews" {
			hits.Add(1)
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfgPath := filepath.Join(t.TempDir(), "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: d.db
listen: 127.0.0.1:0
http: {host_interval: 1ms}
businesses:
  - id: b
    listings: [{id: l, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, srv.URL)), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run", "--config", cfgPath}, &bytes.Buffer{}, &stderr) }()

	deadline := time.After(20 * time.Second)
	for hits.Load() == 0 {
		select {
		case <-deadline:
			t.Fatal("the daemon never polled")
		case <-time.After(10 * time.Millisecond):
		}
	}
	// While the daemon holds the store, the CLI works through its local API.
	var code int
	var out, errOut string
	for !strings.Contains(out, `"listing":"l"`) { // the first poll's commit may still be running
		code, out, errOut = cli(t, "reviews", "--config", cfgPath, "--format", "json")
		if code != 0 {
			t.Fatalf("reviews beside the daemon: exit %d, %q %q", code, out, errOut)
		}
		select {
		case <-deadline:
			t.Fatalf("reviews beside the daemon never showed the review: %q", out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	// A 1-star review arrives; the daemon's next poll drafts a reply, and
	// `drafts approve` approves it through the daemon.
	site.set(func(s *reviewSite) {
		s.reviews = append(s.reviews, jsonReview("B", "2026-11-22", "Cold soup and a rude waiter.", 1))
	})
	var drafts []map[string]any
	for len(drafts) == 0 {
		select {
		case <-deadline:
			t.Fatal("no draft appeared")
		case <-time.After(50 * time.Millisecond):
		}
		_, out, _ = cli(t, "drafts", "--config", cfgPath, "--format", "json")
		json.Unmarshal([]byte(out), &drafts)
	}
	id := fmt.Sprint(drafts[0]["id"])
	code, out, errOut = cli(t, "drafts", "approve", id, "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "post it manually") {
		t.Fatalf("drafts approve beside the daemon: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut = cli(t, "drafts", "approve", id, "--config", cfgPath); code != 1 || !strings.Contains(errOut, "current state") {
		t.Errorf("approving twice: exit %d %q, want a conflict", code, errOut)
	}
	// Health and metrics answer.
	raw, _ := os.ReadFile(apiTokenPath(filepath.Join(filepath.Dir(cfgPath), "d.db")))
	addr, _, _ := strings.Cut(string(raw), "\n")
	for path, want := range map[string]string{"/healthz": "ok", "/metrics": `revwatch_polls_total{platform="schemaorg",result="ok"}`} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %q, want %q", path, resp.StatusCode, body, want)
		}
	}
	// A hot backup while the daemon polls every second.
	backup := filepath.Join(t.TempDir(), "backup.db")
	if code, _, errOut = cli(t, "backup", "--config", cfgPath, "--out", backup); code != 0 {
		t.Fatalf("backup beside the daemon: exit %d %q", code, errOut)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("daemon exit %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("daemon did not stop")
	}
	// The daemon logs JSON lines.
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("daemon log line is not JSON: %q", line)
		}
	}
	db, err := store.Open(filepath.Join(filepath.Dir(cfgPath), "d.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.CountReviews(context.Background(), "l"); n != 2 {
		t.Errorf("stored %d reviews after the daemon's polls, want 2", n)
	}
	bdb, err := store.Open(backup, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	if n, _ := bdb.CountReviews(context.Background(), "l"); n != 2 {
		t.Errorf("backup holds %d reviews, want 2", n)
	}
	bdb.Close()
	d, err := db.Draft(context.Background(), 1)
	if err != nil || d.Status != store.DraftApproved || !d.Manual || d.UpdatedBy == "" {
		t.Errorf("draft after approval: %+v %v", d, err)
	}
}
