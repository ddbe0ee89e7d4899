package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// site is the loopback website of the sweep and daemon figures: listing i
// is /l/i, a 50-200 KB page (template markup, cards, inline scripts) with
// one JSON-LD block holding the business's rating and reviewsPerPage
// reviews. Pages are assembled per request from shared blocks, so the
// server costs both clients the same and the site fits in memory.
type site struct {
	n      int
	head   []byte
	blocks [][]byte
	counts []int32 // filler blocks of listing i
	ld     [][]byte

	gen     *textGen
	reviews []int // reviews on listing i's page

	hits     []atomic.Int32
	swept    [4]atomic.Int64 // [k]: listings fetched at least k times
	requests atomic.Int64
	served   atomic.Int64 // body bytes
	pool     sync.Pool

	ln   net.Listener
	srv  *http.Server
	base string
}

const reviewsPerPage = 10

func newSite(n int) (*site, error) {
	s := &site{n: n, head: pageHead("Trattoria — reviews"), blocks: fillerBlocks(512),
		counts: make([]int32, n), ld: make([][]byte, n), hits: make([]atomic.Int32, n)}
	s.pool.New = func() any { b := make([]byte, 0, 256<<10); return &b }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln, s.base = ln, "http://"+ln.Addr().String()
	s.gen, s.reviews = newTextGen(77), make([]int, n)
	for i := range n {
		s.setReviews(i, reviewsPerPage)
		target := 50_000 + (i*7919)%150_001
		size := len(s.head) + len(s.ld[i]) + len(pageFoot)
		k := 0
		for size < target {
			size += len(s.blocks[s.block(i, k)])
			k++
		}
		s.counts[i] = int32(k)
	}
	s.srv = &http.Server{Handler: s}
	go s.srv.Serve(ln)
	return s, nil
}

// setReviews rebuilds listing i's JSON-LD with n reviews. Not while serving.
func (s *site) setReviews(i, n int) {
	s.reviews[i] = n
	s.ld[i] = appendLD(s.ld[i][:0], "Trattoria "+strconv.Itoa(i), 3.5+float64(i%15)/10, 40+i%500+n-reviewsPerPage,
		genLDReviews(s.gen, i, n, s.url(i)))
}

func (s *site) block(i, k int) int { return (i*131 + k*29) % len(s.blocks) }

func (s *site) url(i int) string { return s.base + "/l/" + strconv.Itoa(i) }

// page appends listing i's page to b: half the filler, the JSON-LD, the rest.
func (s *site) page(b []byte, i int) []byte {
	b = append(b, s.head...)
	n := int(s.counts[i])
	for k := 0; k < n; k++ {
		if k == n/2 {
			b = append(b, s.ld[i]...)
		}
		b = append(b, s.blocks[s.block(i, k)]...)
	}
	if n == 0 {
		b = append(b, s.ld[i]...)
	}
	return append(b, pageFoot...)
}

// pageSize is the body size of listing i's page.
func (s *site) pageSize(i int) int {
	bp := s.pool.Get().(*[]byte)
	n := len(s.page((*bp)[:0], i))
	s.pool.Put(bp)
	return n
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/l/")
	i, err := strconv.Atoi(rest)
	if !ok || err != nil || i < 0 || i >= s.n {
		http.NotFound(w, r) // robots.txt too: no rules
		return
	}
	s.requests.Add(1)
	if h := s.hits[i].Add(1); h < int32(len(s.swept)) {
		s.swept[h].Add(1)
	}
	bp := s.pool.Get().(*[]byte)
	b := s.page((*bp)[:0], i)
	w.Header().Set("Content-Type", ctypeHTML)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	n, _ := w.Write(b)
	s.served.Add(int64(n))
	*bp = b
	s.pool.Put(bp)
}

func (s *site) close() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		s.srv.Close()
	}
	s.srv.Close()
}
