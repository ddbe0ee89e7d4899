package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/revwatch/revwatch/sources"
)

// sweepChangeEvery: between the two source sweeps, one listing in this
// many gains a review (2%: a sweep every hour or so, a review every few
// days); the rest serve the very same bytes again.
const sweepChangeEvery = 50

// runSweep fetches every listing of the loopback site through the real
// path (sources.Env + the schemaorg source: robots.txt cache, colly, the
// JSON-LD parse, the "same page as last time" check) and with a bare
// concurrent net/http client making the same GETs with the same
// concurrency.
//
// The source sweeps twice: first with nothing known (every page parsed: a
// new install, once in a listing's life), then the steady sweep a daemon
// repeats forever, after 2% of the pages gained a review. Each observation
// is acknowledged as stored (Observation.Stored), as the watcher does
// after its commit. The steady sweep is the figure; the first is a note
// (BENCHMARKS.md: why a parse of every page cannot be 1.3x a client that
// only reads bytes). The bare client runs before the first sweep and after
// the second; its limit is the mean of both, so drift on a noisy box
// cancels out.
func runSweep(ctx context.Context, b *bench) ([]result, error) {
	const budget = "<= 1.3x the bare client's time"
	fig := fmt.Sprintf("sweep of %d listings, steady (2%% of 50-200 KB schemaorg pages changed)", b.sweepListings)
	s, err := newSite(b.sweepListings)
	if err != nil {
		return nil, err
	}
	defer s.close()
	urls := make([]string, s.n)
	var total int64
	for i := range urls {
		urls[i] = s.url(i)
		total += int64(s.pageSize(i))
	}
	b.logf("sweep: %d pages, %.0f MB, %d at a time", s.n, float64(total)/1e6, b.parallel)

	bare1, err := sweepBare(ctx, urls, b.parallel)
	if err != nil {
		return nil, err
	}
	env := sources.NewEnv(nil)
	env.HostInterval = 0 // one loopback host stands for many sites
	p, err := sources.Default().Lookup("schemaorg")
	if err != nil {
		return nil, err
	}
	src := p.New(env)
	poll := func(changed func(i int) bool) (time.Duration, error) {
		reqBefore := s.requests.Load()
		dur, err := sweepEach(ctx, len(urls), b.parallel, func(i int) error {
			l := sources.Listing{ID: "l" + strconv.Itoa(i), Source: "schemaorg", URL: urls[i]}
			obs, err := src.Fetch(ctx, l, sources.Options{})
			if !changed(i) {
				if !errors.Is(err, sources.ErrNotModified) {
					return fmt.Errorf("listing %d: unchanged page: %v, want ErrNotModified", i, err)
				}
				return nil
			}
			if err != nil {
				return err
			}
			if len(obs.Reviews) != s.reviews[i] || obs.Rating == nil {
				return fmt.Errorf("listing %d: parsed %d reviews (rating %v), want %d", i, len(obs.Reviews), obs.Rating, s.reviews[i])
			}
			obs.Stored() // as the watcher does once the commit is done
			return nil
		})
		if err == nil {
			if got := s.requests.Load() - reqBefore; got != int64(len(urls)) {
				b.note("sweep: the source sweep made %d page requests for %d listings", got, len(urls))
			}
		}
		return dur, err
	}
	first, err := poll(func(int) bool { return true })
	if err != nil {
		return nil, err
	}
	for i := 0; i < s.n; i += sweepChangeEvery {
		s.setReviews(i, s.reviews[i]+1)
	}
	steady, err := poll(func(i int) bool { return i%sweepChangeEvery == 0 })
	if err != nil {
		return nil, err
	}
	bare2, err := sweepBare(ctx, urls, b.parallel)
	if err != nil {
		return nil, err
	}
	bare := (bare1 + bare2) / 2
	b.sweepTime = first
	perListing := func(d time.Duration) float64 {
		return float64(d.Microseconds()) / 1000 / float64(len(urls)) * float64(b.parallel)
	}
	b.note("sweep: bare client %.2fs and %.2fs (%.0f MB/s); steady sweep %.2fs (%.0f MB/s, %.2f ms a listing)",
		bare1.Seconds(), bare2.Seconds(), float64(total)/1e6/bare.Seconds(), steady.Seconds(), float64(total)/1e6/steady.Seconds(), perListing(steady))
	b.note("sweep: the first sweep (every page new, all parsed) %.2fs: %.2fx the bare client (%.0f MB/s, %.2f ms a listing); no budget, see BENCHMARKS.md",
		first.Seconds(), first.Seconds()/bare.Seconds(), float64(total)/1e6/first.Seconds(), perListing(first))
	return []result{row(fig, steady.Seconds(), "s", bare.Seconds(), budget, func(_, r float64) bool { return r <= 1.3 })}, nil
}

// sweepBare GETs every URL with a plain client (a clone of the default
// transport, as sources.NewEnv's client uses) and reads each body whole.
func sweepBare(ctx context.Context, urls []string, parallel int) (time.Duration, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer client.CloseIdleConnections()
	return sweepEach(ctx, len(urls), parallel, func(i int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, urls[i], nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", sources.DefaultUserAgent)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", urls[i], resp.Status)
		}
		return nil
	})
}

// sweepEach runs fn(0..n-1) on parallel workers and times the lot; the
// first error stops it.
func sweepEach(ctx context.Context, n, parallel int, fn func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return time.Since(start), first
}
