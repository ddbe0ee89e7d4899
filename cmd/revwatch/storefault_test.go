package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// TestDaemonStoreUnwritable runs the daemon while its store refuses writes
// (the store's fault seam: the commit fails with ENOSPC or EROFS after the
// transaction's writes, as bbolt's own write would): the daemon alerts
// once, on the console, "store not writable: <cause>", keeps polling (the
// polls are the retries), stores nothing half-written, and when writes
// succeed again it records the news, says so, and delivers the alert.
func TestDaemonStoreUnwritable(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EROFS} {
		t.Run(errno.Error(), func(t *testing.T) {
			t.Parallel()
			testStoreUnwritable(t, errno)
		})
	}
}

func testStoreUnwritable(t *testing.T, errno syscall.Errno) {
	site := &reviewSite{rating: "4.5", count: 2, reviews: []string{
		jsonReview("A", "2026-11-01", "Lovely.", 5), jsonReview("B", "2026-11-02", "Fine.", 4)}}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/reviews" {
			hits.Add(1)
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: s.db
listen: 127.0.0.1:0
http: {host_interval: 1ms}
businesses:
  - id: b
    listings: [{id: l, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, srv.URL)), 0o600)
	cfg, err := LoadConfig(cfgPath, sources.Default())
	if err != nil {
		t.Fatal(err)
	}
	var console, logs syncBuffer
	a, err := openApp(cfg, sources.Default(), slog.New(slog.NewTextHandler(&logs, nil)), &console)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.daemon(ctx, 2) }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s never happened\nconsole:\n%s\nlogs:\n%s", what, console.String(), logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	bg := context.Background()
	waitFor("the first poll stored", func() bool { n, _ := a.db.CountReviews(bg, "l"); return n == 2 })
	before := dumpListing(t, a.db, "l")

	var refused atomic.Int64
	a.db.SetCommitFault(func() error {
		refused.Add(1)
		return fmt.Errorf("write /data/s.db: %w", errno)
	})
	site.set(func(s *reviewSite) {
		s.count, s.reviews = 3, append(s.reviews, jsonReview("C", "2026-11-22", "Cold soup, rude waiter.", 1))
	})
	want := "store not writable: " + errno.Error()
	waitFor("the alarm", func() bool { return strings.Contains(console.String(), want) })
	h := hits.Load()
	waitFor("two more polls while the store refuses writes", func() bool { return hits.Load() >= h+2 && refused.Load() >= 3 })
	if n := strings.Count(console.String(), "Store not writable"); n != 1 {
		t.Errorf("the alarm was sent %d times during one outage, want once", n)
	}
	if !strings.Contains(logs.String(), want) {
		t.Errorf("the log does not say %q:\n%s", want, logs.String())
	}
	raw, _ := os.ReadFile(apiTokenPath(filepath.Join(dir, "s.db")))
	addr, _, _ := strings.Cut(string(raw), "\n")
	if n := scrapeMetrics(t, addr)["revwatch_store_write_errors_total"]; n < 2 {
		t.Errorf("/metrics counts %v store write errors, want at least 2", n)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/healthz while the store refuses writes: %d, want 503", resp.StatusCode)
	}
	if got := dumpListing(t, a.db, "l"); got != before {
		t.Errorf("the store changed while it refused writes:\nbefore %s\nafter  %s", before, got)
	}

	a.db.SetCommitFault(nil)
	waitFor("the new review stored", func() bool { n, _ := a.db.CountReviews(bg, "l"); return n == 3 })
	waitFor("the recovery notice and the held-back alert", func() bool {
		c := console.String()
		return strings.Contains(c, "Store writable again") && strings.Contains(c, "Cold soup")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("daemon: %v", err)
	}
	a.close()
	db, err := store.Open(filepath.Join(dir, "s.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the store does not open after the outage: %v", err)
	}
	defer db.Close()
	if n, _ := db.CountReviews(bg, "l"); n != 3 {
		t.Errorf("%d reviews stored after recovery, want 3", n)
	}
}

// TestRealDiskFull fills a real (tiny) tmpfs under the store: polls fail
// with ENOSPC, the daemon alerts, and after the file system grows again
// everything is recorded. It needs root and mount(8); otherwise it skips.
func TestRealDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs; the fault-seam test (TestDaemonStoreUnwritable) covers the daemon's behaviour")
	}
	if _, err := exec.LookPath("mount"); err != nil {
		t.Skip("no mount(8)")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestDaemonStoreUnwritable covers the behaviour", err, out)
	}
	defer exec.Command("umount", mnt).Run()

	// A site whose reviews are long enough to fill 256 KB in a few polls.
	var next atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(next.Add(4))
		var rs []string
		for i := 1; i <= n; i++ {
			rs = append(rs, jsonReview(fmt.Sprintf("R%d", i), "2026-11-01", strings.Repeat(fmt.Sprintf("Review %d. ", i), 300), 5))
		}
		fmt.Fprintf(w, `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"S","aggregateRating":{"ratingValue":"4.5","reviewCount":%d},"review":[%s]}</script></head></html>`, n, strings.Join(rs, ","))
	}))
	defer srv.Close()
	cfgPath := filepath.Join(t.TempDir(), "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: %s/s.db
listen: "off"
http: {host_interval: 1ms}
businesses:
  - id: b
    listings: [{id: l, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, mnt, srv.URL)), 0o600)
	cfg, err := LoadConfig(cfgPath, sources.Default())
	if err != nil {
		t.Fatal(err)
	}
	var console, logs syncBuffer
	a, err := openApp(cfg, sources.Default(), slog.New(slog.NewTextHandler(&logs, nil)), &console)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.daemon(ctx, 1) }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(console.String(), "store not writable: no space left on device") {
		if time.Now().After(deadline) {
			t.Fatalf("no disk-full alarm\nconsole:\n%s\nlogs:\n%s", console.String(), logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	full, _ := a.db.CountReviews(context.Background(), "l")
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "store not writable") {
			t.Logf("disk full after %d reviews stored; the daemon logged: %s", full, line)
			break
		}
	}
	if out, err := exec.Command("mount", "-o", "remount,size=8m", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v %s", err, out)
	}
	for !strings.Contains(console.String(), "Store writable again") {
		if time.Now().After(deadline) {
			t.Fatalf("no recovery\nconsole:\n%s\nlogs:\n%s", console.String(), logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("daemon: %v", err)
	}
	a.close()
	db, err := store.Open(filepath.Join(mnt, "s.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the store does not open after the disk was full: %v", err)
	}
	defer db.Close()
	n, _ := db.CountReviews(context.Background(), "l")
	if n <= full {
		t.Errorf("%d reviews after recovery, %d when the disk filled: nothing recorded after recovery", n, full)
	}
	db.Close()
	checkBolt(t, filepath.Join(mnt, "s.db"))
	t.Logf("after recovery: %d reviews; the file opens and checks clean", n)
}

// checkBolt runs bbolt's consistency check over a store file.
func checkBolt(t *testing.T, path string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("bbolt open %s: %v", path, err)
	}
	defer b.Close()
	b.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check of %s: %v", path, err)
		}
		return nil
	})
}
