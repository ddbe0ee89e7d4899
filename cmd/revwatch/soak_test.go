//go:build soak

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/revwatch/revwatch/watcher"
)

// TestSoak runs the real daemon (a built binary) with 2,000 listings on one
// loopback site for 10 minutes and checks that no schedule is missed and
// that memory and goroutines stay flat. It is behind the `soak` build tag so
// `go test ./...` skips it:
//
//	go test -tags soak -run TestSoak -v -timeout 30m ./cmd/revwatch
//
// REVWATCH_SOAK_DURATION (e.g. 2m) shortens the run, REVWATCH_SOAK_LISTINGS
// and REVWATCH_SOAK_INTERVAL (default 30s, the listings' "@every") change
// the load. Figures are printed with -v.
func TestSoak(t *testing.T) {
	duration := envDuration(t, "REVWATCH_SOAK_DURATION", 10*time.Minute)
	interval := envDuration(t, "REVWATCH_SOAK_INTERVAL", 30*time.Second)
	listings := 2000
	if v := os.Getenv("REVWATCH_SOAK_LISTINGS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("REVWATCH_SOAK_LISTINGS=%q: want a positive number", v)
		}
		listings = n
	}
	bin := buildBinary(t)

	// The site: one schema.org page per listing, with a few reviews; every
	// request is timed per listing.
	var mu sync.Mutex
	hits := make([][]time.Time, listings)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/l/%d", &i); err != nil || i < 0 || i >= listings {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		hits[i] = append(hits[i], time.Now())
		mu.Unlock()
		fmt.Fprintf(w, `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"Shop %d","aggregateRating":{"ratingValue":"4.5","reviewCount":3},"review":[%s,%s,%s]}</script></head></html>`,
			i, jsonReview("A", "2026-11-01", "Lovely.", 5), jsonReview("B", "2026-11-02", "Fine.", 4), jsonReview("C", "2026-11-03", "Good coffee.", 5))
	}))
	defer site.Close()

	dir := t.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "store: ./soak.db\nlisten: 127.0.0.1:0\nhttp: {host_interval: 1ms, timeout: 20s}\nbusinesses:\n  - id: chain\n    listings:\n")
	for i := range listings {
		fmt.Fprintf(&cfg, "      - {id: l%04d, source: schemaorg, url: \"%s/l/%d\", schedule: \"@every %s\"}\n", i, site.URL, i, interval)
	}
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "run", "--config", cfgPath, "--log-level", "warn")
	cmd.Stderr, cmd.Stdout = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	start := time.Now()

	var addr string
	for addr == "" {
		raw, _ := os.ReadFile(apiTokenPath(filepath.Join(dir, "soak.db")))
		addr, _, _ = strings.Cut(string(raw), "\n")
		if time.Since(start) > time.Minute {
			t.Fatal("the daemon never wrote its API address")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Sample heap, RSS and goroutines every interval. The first interval
	// (the start-up PollAll and first cron round, a burst of 2,000
	// goroutines) is warm-up; the rest must stay flat.
	type sample struct {
		at                time.Duration
		heap, rss, gorout float64
		polls             float64
	}
	var samples []sample
	step := min(interval, duration/10)
	for time.Since(start) < duration {
		time.Sleep(step)
		m := scrapeMetrics(t, addr)
		samples = append(samples, sample{at: time.Since(start).Round(time.Second), heap: m["go_memstats_heap_alloc_bytes"],
			rss: rssBytes(t, cmd.Process.Pid), gorout: m["go_goroutines"], polls: m[`revwatch_polls_total{platform="schemaorg",result="ok"}`]})
		s := samples[len(samples)-1]
		t.Logf("t=%v heap=%.1fMB rss=%.1fMB goroutines=%.0f polls=%.0f", s.at, s.heap/1e6, s.rss/1e6, s.gorout, s.polls)
	}
	end := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		log, _ := os.ReadFile(logf.Name())
		t.Fatalf("daemon stop: %v\n%s", err, tail(string(log), 40))
	}

	// Schedule: every listing's slots are known (the scheduler's Jitter
	// grid for its id), so "no missed schedule" is exact: each listing got
	// its start-up poll plus one poll per slot between start-up and the
	// end (the last half interval left out for lateness). How late polls
	// ran (behind their slot) is reported; a poll a whole interval late
	// is as good as missed.
	sched, err := watcher.ParseSchedule("@every " + interval.String())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var late []time.Duration
	missed, fewest := 0, 1<<30
	for i, hs := range hits {
		grid := watcher.Jitter(sched, fmt.Sprintf("l%04d/schedule", i))
		want := 1
		for s := grid.Next(start.Add(5 * time.Second)); !s.After(end.Add(-interval / 2)); s = grid.Next(s) {
			want++
		}
		got := 0
		for j, h := range hs {
			if h.After(end) {
				break
			}
			got++
			if j > 0 {
				late = append(late, h.Sub(grid.Next(h.Add(-interval))))
			}
		}
		fewest = min(fewest, got)
		if got < want {
			missed++
			if missed <= 5 {
				t.Errorf("listing l%04d polled %d times, want %d (start-up + every slot)", i, got, want)
			}
		}
	}
	slices.Sort(late)
	if len(late) == 0 {
		t.Fatal("no listing was polled twice")
	}
	maxLate := late[len(late)-1]
	t.Logf("schedule: %d listings every %v for %v: %d polls; fewest polls of a listing %d; listings that missed a slot: %d; lateness behind the slot p50 %v p99 %v max %v",
		listings, interval, end.Sub(start).Round(time.Second), len(late)+listings, fewest, missed,
		late[len(late)/2].Round(time.Millisecond), late[len(late)*99/100].Round(time.Millisecond), maxLate.Round(time.Millisecond))
	if maxLate >= interval {
		t.Errorf("a poll ran %v behind its slot (schedule every %v): as good as missed", maxLate, interval)
	}

	// Flat: after warm-up, the last third's figures stay within tolerance of
	// the first steady samples. Heap is noisy (GC timing): 50% and 8 MB of
	// slack; RSS 30% and 16 MB; goroutines ±10 (HTTP keep-alives come and go).
	var steady []sample
	for _, s := range samples {
		if s.at > interval+10*time.Second {
			steady = append(steady, s)
		}
	}
	if len(steady) < 3 {
		t.Logf("run too short for the flatness checks (%d steady samples)", len(steady))
		return
	}
	base := steady[:max(1, len(steady)/3)]
	last := steady[len(steady)*2/3:]
	avg := func(ss []sample, f func(sample) float64) float64 {
		sum := 0.0
		for _, s := range ss {
			sum += f(s)
		}
		return sum / float64(len(ss))
	}
	for _, c := range []struct {
		name        string
		f           func(sample) float64
		ratio, abso float64
	}{
		{"heap bytes", func(s sample) float64 { return s.heap }, 1.5, 8e6},
		{"RSS bytes", func(s sample) float64 { return s.rss }, 1.3, 16e6},
		{"goroutines", func(s sample) float64 { return s.gorout }, 1, 10},
	} {
		b, l := avg(base, c.f), avg(last, c.f)
		t.Logf("%s: first third %.0f, last third %.0f", c.name, b, l)
		if l > b*c.ratio+c.abso {
			t.Errorf("%s grew from %.0f to %.0f: not flat", c.name, b, l)
		}
	}
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a duration like 2m", name, v)
	}
	return d
}

// rssBytes is the process's resident set (Linux /proc; 0 elsewhere).
func rssBytes(t *testing.T, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024
		}
	}
	return 0
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
