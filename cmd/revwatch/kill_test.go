package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildBinary compiles revwatch once per test run, for tests that kill it.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "revwatch")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBackfillSurvivesSIGKILL kills a backfill (SIGKILL) while it waits for
// page 3 of a Business Profile history, runs it again, and checks the
// resume contract: the second run starts at or before the first page the
// first one did not store (pages are committed in batches), asks for
// every page after that once, and every review is stored exactly once.
func TestBackfillSurvivesSIGKILL(t *testing.T) {
	bin := buildBinary(t)
	var mu sync.Mutex
	var asked []string
	block := make(chan struct{})
	page3 := make(chan struct{}, 1)
	blocking := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("pageToken")
		mu.Lock()
		asked = append(asked, tok)
		b := blocking
		mu.Unlock()
		next := map[string]string{"": "p2", "p2": "p3", "p3": ""}[tok]
		if tok == "p3" && b {
			page3 <- struct{}{}
			<-block // hang until the test is done: the process is killed meanwhile
			return
		}
		n := map[string]int{"": 1, "p2": 2, "p3": 3}[tok]
		var rs []string
		for i := 1; i <= 50; i++ {
			id := fmt.Sprintf("p%dr%02d", n, i)
			rs = append(rs, fmt.Sprintf(`{"reviewId":%q,"reviewer":{"displayName":"R"},"starRating":"FIVE","comment":"ok","createTime":"2026-01-01T00:00:00Z","updateTime":"2026-0%d-%02dT00:00:00Z"}`, id, 9-n, 29-i/2))
		}
		fmt.Fprintf(w, `{"reviews":[%s],"averageRating":4.9,"totalReviewCount":150,"nextPageToken":%q}`, strings.Join(rs, ","), next)
	}))
	defer srv.Close()
	defer close(block)

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./r.db
http: {host_interval: 1ms}
businesses:
  - id: b
    listings:
      - {id: g, source: google_business, location: accounts/1/locations/2, access_token: t, endpoint: "%s/"}
`, srv.URL)), 0o600)

	cmd := exec.Command(bin, "backfill", "--config", cfgPath, "--listing", "g")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-page3:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("backfill never asked for page 3")
	}
	cmd.Process.Kill() // SIGKILL: no cleanup, no deferred close
	cmd.Wait()

	// The first page with a review missing after the kill: the resume
	// may start there or earlier, never later.
	stored := storedReviews(t, bin, cfgPath)
	firstUnstored := 3
	for p := 2; p >= 1; p-- {
		for i := 1; i <= 50; i++ {
			if !stored[fmt.Sprintf("p%dr%02d", p, i)] {
				firstUnstored = p
			}
		}
	}

	mu.Lock()
	blocking, asked = false, nil
	mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, bin, "backfill", "--config", cfgPath, "--listing", "g").CombinedOutput(); err != nil {
		t.Fatalf("second backfill: %v\n%s", err, out)
	}
	mu.Lock()
	pageOf := map[string]int{"": 1, "p2": 2, "p3": 3}
	var want []string
	if len(asked) > 0 {
		for p := pageOf[asked[0]]; p <= 3; p++ {
			want = append(want, []string{"", "p2", "p3"}[p-1])
		}
	}
	if len(asked) == 0 || pageOf[asked[0]] > firstUnstored || fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("after the kill (first page not stored: %d) the backfill should resume at or before it and read on to page 3 once; it asked for %q", firstUnstored, asked)
	}
	mu.Unlock()
	out, err := exec.Command(bin, "reviews", "--config", cfgPath, "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var reviews []map[string]any
	if err := json.Unmarshal(out, &reviews); err != nil {
		t.Fatal(err)
	}
	seen := map[any]bool{}
	for _, r := range reviews {
		if seen[r["id"]] {
			t.Errorf("review %v stored twice", r["id"])
		}
		seen[r["id"]] = true
	}
	if len(reviews) != 150 {
		t.Errorf("stored %d reviews, want 150", len(reviews))
	}
}

// storedReviews lists the review ids the store holds, by the CLI.
func storedReviews(t *testing.T, bin, cfgPath string) map[string]bool {
	t.Helper()
	out, err := exec.Command(bin, "reviews", "--config", cfgPath, "--format", "json").Output()
	if err != nil {
		t.Fatalf("reviews: %v", err)
	}
	var reviews []map[string]any
	if err := json.Unmarshal(out, &reviews); err != nil {
		t.Fatalf("reviews: %v\n%s", err, out)
	}
	ids := map[string]bool{}
	for _, r := range reviews {
		if id, ok := r["id"].(string); ok {
			ids[id] = true
		}
	}
	return ids
}
