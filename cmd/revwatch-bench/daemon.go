package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// daemonSweeps is how many times every listing is polled before measuring.
const daemonSweeps = 3

// runDaemon runs the real daemon (`revwatch run`, the built binary) over
// b.sweepListings schemaorg listings of the loopback site and samples its
// memory from /proc until the site has served every listing three times:
// the start-up poll of everything, then two scheduled rounds. Pages carry
// no ETag, so every sweep downloads, parses and diffs every page (the
// costly case; a site with validators costs a 304). The limit beside RSS
// is the store's size on disk.
func runDaemon(ctx context.Context, b *bench) ([]result, error) {
	figRSS := fmt.Sprintf("daemon RSS after %d sweeps of %d listings", daemonSweeps, b.sweepListings)
	const figGrowth = "daemon RSS growth, sweep 2 -> 3 (peaks)"
	bin, err := b.revwatchBinary(ctx)
	if err != nil {
		return nil, err
	}
	s, err := newSite(b.sweepListings)
	if err != nil {
		return nil, err
	}
	defer s.close()

	// Each listing polls on "@every <interval>", spread over the interval
	// by the scheduler's jitter; the interval (twice the in-process sweep's
	// time) leaves the daemon idle half the time, as a sized deployment
	// would be.
	interval := 15 * time.Second
	if b.sweepTime > 0 {
		interval = min(max(interval, 2*b.sweepTime), 60*time.Second).Round(time.Second)
	}
	dbPath := filepath.Join(b.dir, "daemon.db")
	os.Remove(dbPath)
	cfg := filepath.Join(b.dir, "daemon.yaml")
	var y strings.Builder
	fmt.Fprintf(&y, "store: %s\nlisten: \"off\"\nhttp:\n  host_interval: 1us  # one loopback host stands for %d sites\n", dbPath, s.n)
	fmt.Fprintf(&y, "businesses:\n  - id: bench\n    name: Bench\n    listings:\n")
	for i := range s.n {
		fmt.Fprintf(&y, "      - {id: l%05d, source: schemaorg, url: %q, schedule: \"@every %s\"}\n", i, s.url(i), interval)
	}
	if err := os.WriteFile(cfg, []byte(y.String()), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(b.dir, "daemon.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", cfg, "--parallel", fmt.Sprint(b.parallel))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 60 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		}
	}()
	mem := sampleMem(cmd.Process.Pid, 50*time.Millisecond)
	defer mem.close()
	b.logf("daemon: %d listings on @every %s, --parallel %d", s.n, interval, b.parallel)

	type sweep struct {
		at       time.Duration
		end      procMem // at the end of the sweep
		peakRSS  int64
		peakAnon int64
	}
	var sweeps []sweep
	deadline := time.After(3*interval + 3*time.Minute)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for len(sweeps) < daemonSweeps {
		select {
		case err := <-exited:
			stopped = true
			return nil, fmt.Errorf("revwatch run exited early: %v (see %s)", err, logf.Name())
		case <-deadline:
			return nil, fmt.Errorf("only %d of %d sweeps after %s (served %d pages)", len(sweeps), daemonSweeps, time.Since(start).Round(time.Second), s.requests.Load())
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		k := len(sweeps) + 1
		if s.swept[k].Load() < int64(s.n) {
			continue
		}
		time.Sleep(60 * time.Millisecond) // the last poll's commit, and one more sample
		rss, anon := mem.peaks(true)
		sw := sweep{at: time.Since(start), end: mem.now(), peakRSS: rss, peakAnon: anon}
		sweeps = append(sweeps, sw)
		b.logf("daemon: sweep %d done at %s: RSS %.0f MB (anon %.0f, file %.0f), peak %.0f MB", k, sw.at.Round(time.Second),
			mb(sw.end.RSS), mb(sw.end.Anon), mb(sw.end.File), mb(sw.peakRSS))
	}
	hwm := mem.now().HWM
	mem.close()
	cmd.Process.Signal(syscall.SIGTERM)
	stopAt := time.Now()
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			b.note("daemon: revwatch run exited with %v after SIGTERM", err)
		}
	case <-time.After(70 * time.Second):
		return nil, fmt.Errorf("revwatch run did not stop within 70s of SIGTERM")
	}
	st, err := os.Stat(dbPath)
	if err != nil {
		return nil, err
	}
	var parts []string
	for i, sw := range sweeps {
		parts = append(parts, fmt.Sprintf("sweep %d done at %s: RSS %.0f MB (anon %.0f, file %.0f), peak %.0f MB (anon %.0f)",
			i+1, sw.at.Round(time.Second), mb(sw.end.RSS), mb(sw.end.Anon), mb(sw.end.File), mb(sw.peakRSS), mb(sw.peakAnon)))
	}
	b.note("daemon: %s; VmHWM %.0f MB; store %.0f MB; %d pages served; stopped %.1fs after SIGTERM",
		strings.Join(parts, "; "), mb(hwm), mb(st.Size()), s.requests.Load(), time.Since(stopAt).Seconds())
	last := sweeps[len(sweeps)-1]
	prev := sweeps[len(sweeps)-2]
	growth := mb(last.peakRSS - prev.peakRSS)
	return []result{
		row(figRSS, mb(last.end.RSS), "MB", mb(st.Size()), "<= 80 MB", func(v, _ float64) bool { return v <= 80 }),
		// The parts of RSS (/proc/PID/status RssAnon, RssFile): the file
		// part is the store's mmapped pages, which the kernel can drop.
		row(figRSS+": RssAnon", mb(last.end.Anon), "MB", mb(last.end.RSS), "part of RSS (heap, stacks)", func(float64, float64) bool { return true }),
		row(figRSS+": RssFile", mb(last.end.File), "MB", mb(st.Size()), "part of RSS (mmapped store, binary)", func(float64, float64) bool { return true }),
		row(figGrowth, growth, "MB", mb(prev.peakRSS), "no growth (<= 5% of sweep 2's peak)", func(v, r float64) bool { return r <= 0.05 }),
	}, nil
}
