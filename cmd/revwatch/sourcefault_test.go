package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// faultCase is one way a platform can fail, served on one listing.
type faultCase struct {
	id     string // listing id
	json   bool   // a Business Profile (JSON API) listing; else a schema.org page
	kind   string // the failure kind /metrics must count
	serve  func(w http.ResponseWriter, r *http.Request)
	dead   bool // never served anything (DNS failure): nothing stored before either
	rawURL string
}

// TestSourceFaultMatrix runs the daemon against listings that first answer
// well, then fail in every way a platform fails: no answer, a body that
// trickles, stops half-way or never ends, garbage bytes, HTML where JSON was
// expected, a redirect to a login page, a consent wall, a name that does not
// resolve. For each: what is stored stays as it was (reviews, rating,
// alerts), no rating event and no "reviews removed" are made up, /metrics
// counts the failure by kind, and after failures_before_alert (3) failed
// polls a source-broken alert is queued. Sources' own tests cover the same
// errors at the fetch level (sources/fetch_test.go); this is the poll path.
func TestSourceFaultMatrix(t *testing.T) {
	var faulty atomic.Bool
	page := func(n int) string {
		return fmt.Sprintf(`<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"Shop","aggregateRating":{"ratingValue":"4.60","reviewCount":%d},"review":[%s,%s]}</script></head></html>`,
			n, jsonReview("A", "2026-11-01", "Lovely.", 5), jsonReview("B", "2026-11-02", "Fine.", 4))
	}
	apiBody := `{"reviews":[{"reviewId":"r1","reviewer":{"displayName":"A"},"starRating":"FIVE","comment":"Great.","createTime":"2026-11-01T00:00:00Z","updateTime":"2026-11-01T00:00:00Z"}],"averageRating":4.8,"totalReviewCount":1}`
	stall := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	garbage := []byte{0xff, 0xfe, 0xfd, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc}
	cases := []faultCase{
		{id: "timeout", kind: "timeout", serve: func(w http.ResponseWriter, r *http.Request) { stall(r) }},
		{id: "slow-body", kind: "timeout", serve: func(w http.ResponseWriter, r *http.Request) {
			p := page(2)
			w.Header().Set("Content-Length", fmt.Sprint(len(p)))
			for i := 0; i < len(p); i++ { // a byte every 50 ms: the whole page would take minutes
				if _, err := w.Write([]byte{p[i]}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}},
		{id: "truncated", kind: "network", serve: func(w http.ResponseWriter, r *http.Request) {
			p := page(2)
			w.Header().Set("Content-Length", fmt.Sprint(len(p)))
			w.Write([]byte(p[:len(p)/2])) // then the handler returns: the connection closes short
		}},
		{id: "oversized", kind: "too_large", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(page(2)[:40]))
			w.Write([]byte(strings.Repeat("<p>padding</p>", 2<<20/14+1))) // 2 MiB against max_body_mb: 1
		}},
		{id: "invalid-utf8", kind: "layout", serve: func(w http.ResponseWriter, r *http.Request) { w.Write(garbage) }},
		{id: "redirected-away", kind: "blocked", serve: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/account/login?next="+r.URL.Path, http.StatusFound)
		}},
		{id: "consent-wall", kind: "blocked", serve: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html><body><form action="https://consent.google.com/save">Before you continue</form></body></html>`)
		}},
		{id: "http-503", kind: "http_5xx", serve: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "unavailable", 503) }},
		{id: "api-html", json: true, kind: "layout", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!doctype html><html><body>Sign in to continue</body></html>")
		}},
		{id: "api-invalid-utf8", json: true, kind: "layout", serve: func(w http.ResponseWriter, r *http.Request) { w.Write(garbage) }},
		{id: "api-truncated", json: true, kind: "layout", serve: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(apiBody[:len(apiBody)/2])) // well-delivered, but half a JSON document
		}},
		{id: "dns", kind: "network", dead: true, rawURL: "http://nonexistent.invalid/reviews"},
	}
	byID := map[string]faultCase{}
	for _, c := range cases {
		byID[c.id] = c
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/account/login") {
			fmt.Fprint(w, "<html><body>Log in</body></html>")
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/h/")
		if strings.Contains(r.URL.Path, "/locations/") {
			id = strings.Split(strings.SplitN(r.URL.Path, "/locations/", 2)[1], "/")[0]
		}
		c, ok := byID[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if faulty.Load() {
			c.serve(w, r)
			return
		}
		if c.json {
			fmt.Fprint(w, apiBody)
			return
		}
		fmt.Fprint(w, page(2))
	}))
	defer srv.Close()

	var listings strings.Builder
	for _, c := range cases {
		switch {
		case c.json:
			fmt.Fprintf(&listings, "      - {id: %s, source: google_business, location: accounts/1/locations/%s, access_token: t, endpoint: \"%s/\", schedule: \"@every 1s\"}\n", c.id, c.id, srv.URL)
		case c.rawURL != "":
			fmt.Fprintf(&listings, "      - {id: %s, source: schemaorg, url: \"%s\", schedule: \"@every 1s\"}\n", c.id, c.rawURL)
		default:
			fmt.Fprintf(&listings, "      - {id: %s, source: schemaorg, url: \"%s/h/%s\", schedule: \"@every 1s\"}\n", c.id, srv.URL, c.id)
		}
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: s.db
listen: 127.0.0.1:0
http: {host_interval: 1ms, timeout: 600ms, max_body_mb: 1}
businesses:
  - id: b
    listings:
%s`, listings.String())), 0o600)
	cfg, err := LoadConfig(cfgPath, sources.Default())
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	a, err := openApp(cfg, sources.Default(), slog.New(slog.NewTextHandler(&logs, nil)), &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.daemon(ctx, len(cases)) }()
	bg := context.Background()
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s never happened\nlogs:\n%s", what, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	wait("a good first poll of every listing", func() bool {
		for _, c := range cases {
			st, _ := a.db.State(bg, c.id)
			if !c.dead && st.LastSuccess.IsZero() {
				return false
			}
		}
		return true
	})
	before := map[string]string{}
	for _, c := range cases {
		before[c.id] = dumpListing(t, a.db, c.id)
	}
	faulty.Store(true)
	wait("failures_before_alert failures of every listing", func() bool {
		for _, c := range cases {
			if st, _ := a.db.State(bg, c.id); st.Failures < 3 || !st.BrokenAlerted {
				return false
			}
		}
		return true
	})
	raw, _ := os.ReadFile(apiTokenPath(filepath.Join(dir, "s.db")))
	addr, _, _ := strings.Cut(string(raw), "\n")
	m := scrapeMetrics(t, addr)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("daemon: %v", err)
	}
	defer a.close()

	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			if got := dumpListing(t, a.db, c.id); got != before[c.id] {
				t.Errorf("stored data changed by failed polls:\nbefore %s\nafter  %s", before[c.id], got)
			}
			st, _ := a.db.State(bg, c.id)
			if st.LastErrorKind != c.kind {
				t.Errorf("failure kind %q (%s), want %q", st.LastErrorKind, st.LastError, c.kind)
			}
			if !utf8.ValidString(st.LastError) {
				t.Errorf("the recorded error is not valid UTF-8: %q", st.LastError)
			}
			platform := "schemaorg"
			if c.json {
				platform = "google_business"
			}
			if n := m[fmt.Sprintf(`revwatch_poll_failures_total{platform=%q,kind=%q}`, platform, c.kind)]; n < 3 {
				t.Errorf("/metrics counts %v %s failures of %s, want at least 3", n, c.kind, platform)
			}
			var broken int
			a.db.Alerts(bg, func(al store.Alert) error {
				if al.Listing.ID != c.id {
					return nil
				}
				switch al.Kind {
				case store.KindSourceBroken:
					broken++
					if al.Failure == nil || al.Failure.Kind != c.kind || al.Failure.Count < 3 {
						t.Errorf("source-broken alert: %+v, want kind %s after 3 failures", al.Failure, c.kind)
					}
				default:
					t.Errorf("a failed poll made a %s alert", al.Kind)
				}
				return nil
			})
			if broken != 1 {
				t.Errorf("%d source-broken alerts, want 1", broken)
			}
		})
	}
}

// dumpListing is what one listing has stored: reviews (with removals),
// rating, review count and alerts other than source health.
func dumpListing(t *testing.T, db *store.DB, listing string) string {
	t.Helper()
	var b strings.Builder
	ctx := context.Background()
	if err := db.Reviews(ctx, listing, func(r store.StoredReview) error {
		stars := -1.0
		if r.Rating != nil {
			stars = *r.Rating
		}
		fmt.Fprintf(&b, "review %s %v %q removed=%v|", r.ID, stars, r.Text, r.Removed)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Ratings(ctx, listing, func(s store.Snapshot) error {
		fmt.Fprintf(&b, "snapshot %v %v %d|", s.At.UnixNano(), s.Rating, s.Count)
		return nil
	})
	db.Alerts(ctx, func(a store.Alert) error {
		if a.Listing.ID == listing && a.Kind != store.KindSourceBroken && a.Kind != store.KindSourceRecovered {
			fmt.Fprintf(&b, "alert %d %s|", a.ID, a.Kind)
		}
		return nil
	})
	st, _ := db.State(ctx, listing)
	if st.Rating != nil {
		fmt.Fprintf(&b, "rating %+v ", *st.Rating)
	}
	fmt.Fprintf(&b, "reviews %d", st.Reviews)
	return b.String()
}

// TestInvalidUTF8InReviewText: a page that is fine except for invalid
// UTF-8 bytes inside one review is data, not a failure: the review is
// stored with the bad bytes replaced (U+FFFD), never as invalid UTF-8.
func TestInvalidUTF8InReviewText(t *testing.T) {
	for _, c := range []struct{ name, source, body string }{
		{"schema.org page", "schemaorg", `<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"Shop","aggregateRating":{"ratingValue":"4.5","reviewCount":1},"review":[{"@type":"Review","author":{"name":"A{FF}"},"datePublished":"2026-11-01","reviewBody":"Caf{E9} au lait, tr{E8}s bon","reviewRating":{"ratingValue":5}}]}</script></head></html>`},
		{"Business Profile API", "google_business", "{\"reviews\":[{\"reviewId\":\"r1\",\"reviewer\":{\"displayName\":\"A\xff\"},\"starRating\":\"FIVE\",\"comment\":\"Caf\xe9 au lait, tr\xe8s bon\",\"createTime\":\"2026-11-01T00:00:00Z\",\"updateTime\":\"2026-11-01T00:00:00Z\"}],\"averageRating\":4.5,\"totalReviewCount\":1}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				// Raw bytes, not escapes: {FF} in a backquoted string is text.
				fmt.Fprint(w, strings.NewReplacer("{FF}", "\xff", "{E9}", "\xe9", "{E8}", "\xe8").Replace(c.body))
			}))
			defer srv.Close()
			dir := t.TempDir()
			listing := fmt.Sprintf(`{id: l, source: schemaorg, url: "%s/page"}`, srv.URL)
			if c.source == "google_business" {
				listing = fmt.Sprintf(`{id: l, source: google_business, location: accounts/1/locations/2, access_token: t, endpoint: "%s/"}`, srv.URL)
			}
			cfgPath := filepath.Join(dir, "revwatch.yaml")
			os.WriteFile(cfgPath, []byte(fmt.Sprintf("store: s.db\nhttp: {host_interval: 1ms}\nbusinesses:\n  - id: b\n    listings: [%s]\n", listing)), 0o600)
			if code, out, errOut := cli(t, "poll", "--config", cfgPath); code != 0 {
				t.Fatalf("poll: exit %d %s %s", code, out, errOut)
			}
			db, err := store.Open(filepath.Join(dir, "s.db"), store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			n := 0
			db.Reviews(context.Background(), "l", func(r store.StoredReview) error {
				n++
				if !utf8.ValidString(r.Text) || !utf8.ValidString(r.Author) {
					t.Errorf("stored invalid UTF-8: author %q text %q", r.Author, r.Text)
				}
				t.Logf("stored author %q text %q", r.Author, r.Text)
				return nil
			})
			if n != 1 {
				t.Errorf("%d reviews stored, want 1", n)
			}
		})
	}
}
