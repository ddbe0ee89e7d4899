package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// revwatchBinary returns the revwatch binary the process figures run:
// -revwatch, or one built from this checkout (once per run).
func (b *bench) revwatchBinary(ctx context.Context) (string, error) {
	if b.binary != "" {
		return b.binary, nil
	}
	out := filepath.Join(b.dir, "revwatch")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/revwatch")
	cmd.Dir = b.root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/revwatch: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	b.logf("built %s in %s", out, time.Since(start).Round(time.Millisecond))
	b.binary = out
	return out, nil
}

// procMem is a process's memory as /proc/<pid>/status reports it.
type procMem struct {
	RSS, Anon, File, HWM int64 // bytes
}

func readProcMem(pid int) (procMem, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return procMem{}, err
	}
	defer f.Close()
	var m procMem
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		var dst *int64
		switch {
		case bytes.HasPrefix(line, []byte("VmRSS:")):
			dst = &m.RSS
		case bytes.HasPrefix(line, []byte("RssAnon:")):
			dst = &m.Anon
		case bytes.HasPrefix(line, []byte("RssFile:")):
			dst = &m.File
		case bytes.HasPrefix(line, []byte("VmHWM:")):
			dst = &m.HWM
		default:
			continue
		}
		fields := bytes.Fields(line)
		if len(fields) >= 2 {
			kb, _ := strconv.ParseInt(string(fields[1]), 10, 64)
			*dst = kb << 10
		}
	}
	return m, sc.Err()
}

// memSampler polls a process's memory until stopped, keeping the peaks.
type memSampler struct {
	mu       sync.Mutex
	last     procMem
	peakRSS  int64
	peakAnon int64
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

func sampleMem(pid int, every time.Duration) *memSampler {
	s := &memSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if m, err := readProcMem(pid); err == nil && m.RSS > 0 {
				s.mu.Lock()
				s.last = m
				s.peakRSS = max(s.peakRSS, m.RSS)
				s.peakAnon = max(s.peakAnon, m.Anon)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// now returns the last sample; reset clears the peaks (a new phase starts).
func (s *memSampler) now() procMem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *memSampler) peaks(reset bool) (rss, anon int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rss, anon = s.peakRSS, s.peakAnon
	if reset {
		s.peakRSS, s.peakAnon = s.last.RSS, s.last.Anon
	}
	return rss, anon
}

func (s *memSampler) close() {
	s.once.Do(func() { close(s.stop) })
	<-s.done
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }
