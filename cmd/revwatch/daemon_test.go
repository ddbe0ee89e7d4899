package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
    listings: [{id: l, source: schemaorg, url: "%s/reviews", schedule: "@every 1h"}]
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
	// While the daemon holds the store, read commands say so plainly.
	code, _, errOut := cli(t, "reviews", "--config", cfgPath)
	if code != 1 || !strings.Contains(errOut, "in use") {
		t.Errorf("reviews beside the daemon: exit %d, %q; want exit 1 and \"in use\"", code, errOut)
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
	if n, _ := db.CountReviews(context.Background(), "l"); n != 1 {
		t.Errorf("stored %d reviews after the daemon's poll, want 1", n)
	}
}
