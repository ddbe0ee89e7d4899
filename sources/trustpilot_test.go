package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tpFixture reads one of our hand-written fixtures.
func tpFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "trustpilot", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tpServer is a loopback server that records the pages asked of it (robots.txt
// aside), so paging tests can count requests. handle answers path+"?"+query.
type tpServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

func newTPServer(t testing.TB, handle func(key string) (int, []byte)) *tpServer {
	t.Helper()
	s := &tpServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		s.mu.Lock()
		s.hits = append(s.hits, key)
		s.mu.Unlock()
		code, body := handle(key)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// tpPages serves fixed pages; fail gives some of them an error status.
func tpPages(pages map[string][]byte, fail map[string]int) func(string) (int, []byte) {
	return func(key string) (int, []byte) {
		if code, ok := fail[key]; ok {
			return code, []byte("<html><body>error</body></html>")
		}
		if b, ok := pages[key]; ok {
			return http.StatusOK, b
		}
		return http.StatusNotFound, []byte("not found")
	}
}

func (s *tpServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}

// tpEnv is testEnv logging to buf, so tests can see warnings.
func tpEnv(buf *bytes.Buffer) *Env {
	e := testEnv()
	if buf != nil {
		e.Log = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return e
}

func tpFetch(t *testing.T, env *Env, l Listing, o Options) (Observation, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return newTrustpilot(env).Fetch(ctx, l, o)
}

// checkTrustpilotInvariants holds for every observation: unique non-empty
// ids, ratings nil or within 1-5, UTC times, links on the page's host.
func checkTrustpilotInvariants(t testing.TB, host string, reviews []Review) {
	t.Helper()
	seen := map[string]bool{}
	for i, r := range reviews {
		if r.ID == "" {
			t.Errorf("review %d: empty id", i)
		}
		if seen[r.ID] {
			t.Errorf("review %d: duplicate id %s", i, r.ID)
		}
		seen[r.ID] = true
		if r.Rating != nil && !(*r.Rating >= 1 && *r.Rating <= 5) {
			t.Errorf("review %s: rating %v outside 1-5", r.ID, *r.Rating)
		}
		if !r.Published.IsZero() && r.Published.Location() != time.UTC {
			t.Errorf("review %s: published %v not UTC", r.ID, r.Published)
		}
		if r.Reply != nil && !r.Reply.Published.IsZero() && r.Reply.Published.Location() != time.UTC {
			t.Errorf("review %s: reply published %v not UTC", r.ID, r.Reply.Published)
		}
		if host != "" && r.URL != "" && !strings.Contains(r.URL, "://"+host+"/reviews/") {
			t.Errorf("review %s: url %q not on host %s", r.ID, r.URL, host)
		}
	}
}

func tpIDs(rs []Review) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestTrustpilotRealFixtures(t *testing.T) {
	tests := []struct {
		name, file, path string
		rating           float64
		count            int
		reviews          int
		first            Review
		replies          int // reviews carrying a Reply
		hist             map[float64]int
		firstLow         [2]string // id, author of the first review rated <= 2
	}{
		{
			name: "airtransat", file: "trustpilot/airtransat-fr-review-page.html", path: "/review/airtransat.com",
			rating: 1.8, count: 83, reviews: 20,
			first: Review{ID: "6840a0c571f0237422cd27b8", Author: "KNOLL", Rating: Stars(1),
				Published: time.Date(2025, 6, 4, 21, 38, 45, 0, time.UTC), Language: "fr"},
			replies:  0,
			hist:     map[float64]int{1: 18, 2: 1, 3: 0, 4: 0, 5: 1},
			firstLow: [2]string{"6840a0c571f0237422cd27b8", "KNOLL"},
		},
		{
			name: "calo", file: "trustpilot/calo-uk-review-page.html", path: "/review/calo.app/en",
			rating: 4.3, count: 308, reviews: 20,
			first: Review{ID: "698c6d8cc5a00780babd0c29", Author: "Jav", Rating: Stars(5),
				Published: time.Date(2026, 2, 11, 13, 52, 44, 0, time.UTC), Language: "en"},
			replies:  20,
			hist:     map[float64]int{1: 1, 2: 0, 3: 2, 4: 1, 5: 16},
			firstLow: [2]string{"695cfe1e0ae3b9136d5700eb", "RP"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := realFixture(t, tc.file)
			srv := serve(t, "", map[string][]byte{tc.path: body})
			l := Listing{ID: "tp-" + tc.name, Source: "trustpilot", URL: srv.URL + tc.path}
			obs, err := tpFetch(t, tpEnv(nil), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if obs.Platform != "trustpilot" || obs.Listing != l.ID || obs.URL != l.URL || obs.Name == "" {
				t.Errorf("observation header = %q %q %q %q", obs.Platform, obs.Listing, obs.URL, obs.Name)
			}
			if want := testEnv().now(); !obs.At.Equal(want) || obs.At.Location() != time.UTC {
				t.Errorf("At = %v, want %v UTC", obs.At, want)
			}
			if diff := cmp.Diff(&Rating{Value: tc.rating, Count: tc.count}, obs.Rating); diff != "" {
				t.Errorf("rating (-want +got):\n%s", diff)
			}
			if len(obs.Reviews) != tc.reviews {
				t.Fatalf("%d reviews, want %d", len(obs.Reviews), tc.reviews)
			}
			r0 := obs.Reviews[0]
			if r0.ID != tc.first.ID || r0.Author != tc.first.Author || r0.Language != tc.first.Language ||
				r0.Rating == nil || *r0.Rating != *tc.first.Rating || !r0.Published.Equal(tc.first.Published) {
				t.Errorf("first review = %s %q %v %s %q, want %s %q %v %s %q", r0.ID, r0.Author, tpDeref(r0.Rating), r0.Published, r0.Language,
					tc.first.ID, tc.first.Author, *tc.first.Rating, tc.first.Published, tc.first.Language)
			}
			if want := srv.URL + "/reviews/" + tc.first.ID; r0.URL != want {
				t.Errorf("first review url = %q, want %q", r0.URL, want)
			}
			if r0.Text == "" || r0.Title == "" {
				t.Errorf("first review lacks title or text: %+v", r0)
			}
			hist := map[float64]int{1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
			replies := 0
			var low *Review
			for i, r := range obs.Reviews {
				if r.Rating == nil {
					t.Errorf("review %s has no rating", r.ID)
					continue
				}
				hist[*r.Rating]++
				if r.Reply != nil {
					replies++
					if r.Reply.Text == "" || r.Reply.Published.IsZero() {
						t.Errorf("review %s: empty reply %+v", r.ID, r.Reply)
					}
				}
				if low == nil && *r.Rating <= 2 {
					low = &obs.Reviews[i]
				}
			}
			if diff := cmp.Diff(tc.hist, hist); diff != "" {
				t.Errorf("histogram (-want +got):\n%s", diff)
			}
			if replies != tc.replies {
				t.Errorf("%d reviews with a reply, want %d", replies, tc.replies)
			}
			if low == nil || low.ID != tc.firstLow[0] || low.Author != tc.firstLow[1] {
				t.Errorf("first review rated <= 2 = %+v, want %v", low, tc.firstLow)
			}
			u, _ := url.Parse(srv.URL)
			checkTrustpilotInvariants(t, u.Host, obs.Reviews)
		})
	}
}

func tpDeref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestTrustpilotRealFallback drops __NEXT_DATA__ from the real pages (in
// memory) and checks the JSON-LD fallback yields the same ids, authors and
// ratings, so a layout change can't make old reviews look new.
func TestTrustpilotRealFallback(t *testing.T) {
	strip := func(body []byte) []byte {
		i := bytes.Index(body, []byte(`<script id="__NEXT_DATA__"`))
		if i < 0 {
			return body
		}
		j := bytes.Index(body[i:], []byte("</script>"))
		if j < 0 {
			return body
		}
		return append(bytes.Clone(body[:i]), body[i+j+len("</script>"):]...)
	}
	for _, file := range []string{"trustpilot/airtransat-fr-review-page.html", "trustpilot/calo-uk-review-page.html"} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			body := realFixture(t, file)
			const pageURL = "https://www.trustpilot.com/review/x"
			primary, err := parseTrustpilot(body, pageURL)
			if err != nil {
				t.Fatal(err)
			}
			stripped := strip(body)
			if bytes.Equal(stripped, body) {
				t.Fatal("no __NEXT_DATA__ to strip")
			}
			fb, err := parseTrustpilot(stripped, pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if primary.FromJSONLD || !fb.FromJSONLD {
				t.Errorf("FromJSONLD = %v / %v, want false / true", primary.FromJSONLD, fb.FromJSONLD)
			}
			if diff := cmp.Diff(primary.Rating, fb.Rating); diff != "" {
				t.Errorf("rating (-next +jsonld):\n%s", diff)
			}
			if primary.Name != fb.Name {
				t.Errorf("name %q vs %q", primary.Name, fb.Name)
			}
			type key struct {
				ID, Author, Title, Text, Language, URL string
				Rating                                 any
				Published                              time.Time
			}
			keys := func(rs []Review) []key {
				var out []key
				for _, r := range rs {
					// JSON-LD drops the newlines __NEXT_DATA__ keeps: compare text without whitespace.
					text := strings.Join(strings.Fields(r.Text), "")
					out = append(out, key{r.ID, r.Author, r.Title, text, r.Language, r.URL, tpDeref(r.Rating), r.Published})
				}
				return out
			}
			if diff := cmp.Diff(keys(primary.Reviews), keys(fb.Reviews)); diff != "" {
				t.Errorf("reviews (-next +jsonld):\n%s", diff)
			}
		})
	}
}

func TestParseTrustpilot(t *testing.T) {
	const pageURL = "https://uk.trustpilot.com/review/example.com?languages=all"
	link := func(id string) string { return "https://uk.trustpilot.com/reviews/" + id }
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	noID := ContentID("trustpilot", "Anon", "2026-11-16T09:15:00Z", "no id", "A review without an id gets a content id.")
	tests := []struct {
		file string
		want trustpilotPage
	}{
		{
			file: "business-p1.html",
			want: trustpilotPage{
				Name: "Example Ltd", Rating: &Rating{Value: 3.9, Count: 42},
				CurrentPage: 1, TotalPages: 2, HasNextLink: true,
				Reviews: []Review{
					{ID: "aaaa00000000000000000001", Author: "Alice Martin", Rating: Stars(1), Title: "Parcel lost, refund took weeks",
						Text: "My parcel never arrived and the refund took three weeks.", Language: "en",
						Published: ts("2026-11-20T09:15:00Z"), URL: link("aaaa00000000000000000001"),
						Reply: &Reply{Text: "Hi Alice, we are sorry. Our team has contacted you.", Published: ts("2026-11-21T10:00:00Z")}},
					{ID: "aaaa00000000000000000002", Author: "Bruno", Rating: Stars(5), Title: "Fast and friendly",
						Text: "Ordered on Monday, arrived Tuesday. Friendly support.", Language: "en",
						Published: ts("2026-11-18T17:40:12Z"), URL: link("aaaa00000000000000000002")},
					{ID: "aaaa00000000000000000003", Author: "Chloé", Rating: Stars(3), Title: "Correct",
						Text: "Livraison correcte, emballage abîmé.", Language: "fr",
						Published: ts("2026-11-02T08:00:00Z"), URL: link("aaaa00000000000000000003")},
				},
			},
		},
		{
			file: "business-p2.html",
			want: trustpilotPage{
				Name: "Example Ltd", Rating: &Rating{Value: 3.9, Count: 42}, CurrentPage: 2, TotalPages: 2,
				Reviews: []Review{
					{ID: "aaaa00000000000000000004", Author: "Dana", Rating: Stars(4), Title: "Fixed quickly",
						Text: "Second order was wrong, support fixed it.", Language: "en",
						Published: ts("2026-10-12T12:00:00Z"), URL: link("aaaa00000000000000000004")},
					{ID: "aaaa00000000000000000005", Author: "Eve", Rating: Stars(2), Title: "Slow", Text: "Never again.", Language: "en",
						Published: ts("2026-09-01T06:30:00Z"), URL: link("aaaa00000000000000000005"),
						Reply: &Reply{Text: "Sorry to hear that, Eve.", Published: ts("2026-09-02T07:00:00Z")}},
				},
			},
		},
		{
			file: "jsonld-only.html",
			want: trustpilotPage{
				Name: "Fallback Shop", Rating: &Rating{Value: 2.6, Count: 17}, HasNextLink: true, FromJSONLD: true,
				Reviews: []Review{
					{ID: "bbbb00000000000000000001", Author: "Farid", Rating: Stars(1), Title: "Rude on the phone",
						Text: "The agent hung up on me.", Language: "en",
						Published: ts("2026-11-22T22:30:00Z"), URL: link("bbbb00000000000000000001")},
					{ID: "bbbb00000000000000000002", Author: "Greta", Rating: Stars(4), Title: "Good value",
						Text: "Good value for money.", Language: "en",
						Published: ts("2026-11-01T10:00:00Z"), URL: link("bbbb00000000000000000002")},
				},
			},
		},
		{
			// Ratings off the scale are nil, never 0; so is a trustScore of 0.
			file: "bad-ratings.html",
			want: trustpilotPage{
				Name: "Odd Ratings Co", CurrentPage: 1, TotalPages: 1,
				Reviews: []Review{
					{ID: "cccc00000000000000000001", Author: "Zed", Title: "zero", Text: "Zero is not a rating.",
						Published: ts("2026-11-20T09:15:00Z"), URL: link("cccc00000000000000000001")},
					{ID: "cccc00000000000000000002", Author: "Sia", Title: "six", Text: "Six is off the scale.",
						Published: ts("2026-11-19T09:15:00Z"), URL: link("cccc00000000000000000002")},
					{ID: "cccc00000000000000000003", Author: "Nul", Title: "null", Text: "No rating at all.",
						URL: link("cccc00000000000000000003")},
					{ID: "cccc00000000000000000004", Author: "Str", Rating: Stars(4), Title: "string", Text: "Rating as a string.",
						URL: link("cccc00000000000000000004")},
					{ID: "cccc00000000000000000005", Author: "Neg", Title: "negative", Text: "Negative.",
						Published: ts("2026-11-17T07:15:00Z"), URL: link("cccc00000000000000000005")},
					{ID: noID, Author: "Anon", Rating: Stars(5), Title: "no id", Text: "A review without an id gets a content id.",
						Published: ts("2026-11-16T09:15:00Z")},
				},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := parseTrustpilot(tpFixture(t, tc.file), pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parse (-want +got):\n%s", diff)
			}
			checkTrustpilotInvariants(t, "uk.trustpilot.com", got.Reviews)
		})
	}
}

func TestParseTrustpilotErrors(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want error
	}{
		{"blog page", tpFixture(t, "not-trustpilot.html"), ErrLayout},
		{"next.js page without business", tpFixture(t, "nextjs-not-found.html"), ErrLayout},
		{"empty", nil, ErrLayout},
		{"broken next data", []byte(`<script id="__NEXT_DATA__" type="application/json">{"props":</script>`), ErrLayout},
		{"cloudflare challenge", tpFixture(t, "challenge-cloudflare.html"), ErrBlocked},
		{"aws waf challenge", tpFixture(t, "challenge-awswaf.html"), ErrBlocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTrustpilot(tc.body, "https://www.trustpilot.com/review/x")
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestTrustpilotPaging(t *testing.T) {
	const p1, p2 = "/review/example.com", "/review/example.com?page=2"
	pages := map[string][]byte{p1: tpFixture(t, "business-p1.html"), p2: tpFixture(t, "business-p2.html")}
	const a = "aaaa0000000000000000000"
	page1 := []string{a + "1", a + "2", a + "3"}
	all := append(append([]string(nil), page1...), a+"4", a+"5")
	tests := []struct {
		name     string
		opts     Options
		override map[string][]byte
		fail     map[string]int
		wantReqs []string
		wantIDs  []string
		wantWarn bool
	}{
		{name: "known nil: first page only", opts: Options{}, wantReqs: []string{p1}, wantIDs: page1},
		{name: "nothing known: both pages", opts: Options{Known: knownIDs()}, wantReqs: []string{p1, p2}, wantIDs: all},
		{name: "known review on page 1: one request", opts: Options{Known: knownIDs(a + "3")}, wantReqs: []string{p1}, wantIDs: page1},
		{name: "known review on page 2 only", opts: Options{Known: knownIDs(a + "5")}, wantReqs: []string{p1, p2}, wantIDs: all},
		{name: "backfill: all pages", opts: Options{Backfill: true}, wantReqs: []string{p1, p2}, wantIDs: all},
		{name: "backfill ignores known", opts: Options{Backfill: true, Known: knownIDs(a + "1")}, wantReqs: []string{p1, p2}, wantIDs: all},
		{name: "page 2 fails: page 1 kept", opts: Options{Known: knownIDs()}, fail: map[string]int{p2: 500},
			wantReqs: []string{p1, p2}, wantIDs: page1, wantWarn: true},
		{name: "page 2 challenged: page 1 kept", opts: Options{Backfill: true},
			override: map[string][]byte{p2: tpFixture(t, "challenge-cloudflare.html")},
			wantReqs: []string{p1, p2}, wantIDs: page1, wantWarn: true},
		{name: "page 2 is not a business page: page 1 kept", opts: Options{Backfill: true},
			override: map[string][]byte{p2: tpFixture(t, "not-trustpilot.html")},
			wantReqs: []string{p1, p2}, wantIDs: page1, wantWarn: true},
		{name: "server ignores page=: stops", opts: Options{Backfill: true},
			override: map[string][]byte{p2: tpFixture(t, "business-p1.html")},
			wantReqs: []string{p1, p2}, wantIDs: page1, wantWarn: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			served := map[string][]byte{}
			for k, v := range pages {
				served[k] = v
			}
			for k, v := range tc.override {
				served[k] = v
			}
			srv := newTPServer(t, tpPages(served, tc.fail))
			var logs bytes.Buffer
			obs, err := tpFetch(t, tpEnv(&logs), Listing{ID: "ex", URL: srv.URL + p1}, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantReqs, srv.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantIDs, tpIDs(obs.Reviews)); diff != "" {
				t.Errorf("review ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(&Rating{Value: 3.9, Count: 42}, obs.Rating); diff != "" {
				t.Errorf("rating (-want +got):\n%s", diff)
			}
			if warned := strings.Contains(logs.String(), "level=WARN"); warned != tc.wantWarn {
				t.Errorf("warned = %v, want %v; log:\n%s", warned, tc.wantWarn, logs.String())
			}
		})
	}
}

// TestTrustpilotPagingEdges: paging by <link rel="next"> when only JSON-LD
// is left, and a cancelled poll returning an error rather than a partial
// observation.
func TestTrustpilotPagingEdges(t *testing.T) {
	const p1, p2 = "/review/fallback.example", "/review/fallback.example?page=2"
	t.Run("jsonld fallback follows rel=next", func(t *testing.T) {
		srv := newTPServer(t, tpPages(map[string][]byte{p1: tpFixture(t, "jsonld-only.html")}, nil))
		var logs bytes.Buffer
		obs, err := tpFetch(t, tpEnv(&logs), Listing{ID: "fb", URL: srv.URL + p1}, Options{Known: func(string) bool { return false }})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{p1, p2}, srv.requests()); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		if len(obs.Reviews) != 2 || !strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("%d reviews, log %q; want 2 and a warning for the missing page 2", len(obs.Reviews), logs.String())
		}
	})
	t.Run("cancelled during paging", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv := newTPServer(t, func(key string) (int, []byte) {
			if key == p2 {
				cancel()
				return http.StatusServiceUnavailable, nil
			}
			return http.StatusOK, tpSynthPage(1, 3)
		})
		_, err := newTrustpilot(tpEnv(nil)).Fetch(ctx, Listing{ID: "c", URL: srv.URL + p1}, Options{Backfill: true})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

// tpSynthPage renders page n of a business with total pages of two reviews
// each, ids r<page>-<i>, newest first.
func tpSynthPage(n, total int) []byte {
	var reviews []map[string]any
	for i := 1; i <= 2; i++ {
		reviews = append(reviews, map[string]any{
			"id": fmt.Sprintf("r%03d-%d", n, i), "rating": 1 + (n+i)%5, "title": "t", "text": "x",
			"dates":    map[string]any{"publishedDate": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(n*2+i) * time.Hour).Format(time.RFC3339)},
			"consumer": map[string]any{"displayName": "c"},
		})
	}
	nd := map[string]any{"props": map[string]any{"pageProps": map[string]any{
		"businessUnit": map[string]any{"displayName": "Big Co", "numberOfReviews": total * 2, "trustScore": 4.1},
		"reviews":      reviews,
		"filters":      map[string]any{"pagination": map[string]any{"currentPage": n, "totalPages": total}},
	}}}
	b, _ := json.Marshal(nd)
	return []byte(`<html><body><script id="__NEXT_DATA__" type="application/json">` + string(b) + `</script></body></html>`)
}

func TestTrustpilotPagingLimits(t *testing.T) {
	const total = 60
	handle := func(key string) (int, []byte) {
		u, _ := url.Parse(key)
		n := 1
		if p := u.Query().Get("page"); p != "" {
			n, _ = strconv.Atoi(p)
		}
		if u.Query().Get("languages") != "all" || u.Query().Get("sort") != "recency" {
			return http.StatusBadRequest, []byte("query lost")
		}
		if n < 1 || n > total {
			return http.StatusNotFound, nil
		}
		return http.StatusOK, tpSynthPage(n, total)
	}
	tests := []struct {
		name      string
		opts      Options
		wantPages int
	}{
		{"known nil", Options{}, 1},
		{"nothing known: capped at 5", Options{Known: func(string) bool { return false }}, trustpilotMaxPages},
		{"known on page 3", Options{Known: func(id string) bool { return strings.HasPrefix(id, "r003-") }}, 3},
		{"backfill: capped at 50", Options{Backfill: true}, trustpilotMaxBackfill},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTPServer(t, handle)
			l := Listing{ID: "big", URL: srv.URL + "/review/big.example?languages=all&sort=recency"}
			obs, err := tpFetch(t, tpEnv(nil), l, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.requests()
			if len(reqs) != tc.wantPages {
				t.Fatalf("%d requests, want %d: %v", len(reqs), tc.wantPages, reqs)
			}
			if len(reqs) > 1 && reqs[1] != "/review/big.example?languages=all&page=2&sort=recency" {
				t.Errorf("page 2 requested as %q", reqs[1])
			}
			if len(obs.Reviews) != 2*tc.wantPages {
				t.Errorf("%d reviews, want %d", len(obs.Reviews), 2*tc.wantPages)
			}
			checkTrustpilotInvariants(t, "", obs.Reviews)
		})
	}
}

func TestTrustpilotFetchErrors(t *testing.T) {
	const path = "/review/example.com"
	tests := []struct {
		name   string
		code   int
		body   []byte
		want   error
		status int // a *StatusError with this code, when want is nil
	}{
		{name: "not a trustpilot page", code: 200, body: tpFixture(t, "not-trustpilot.html"), want: ErrLayout},
		{name: "next.js page without business", code: 200, body: tpFixture(t, "nextjs-not-found.html"), want: ErrLayout},
		{name: "cloudflare challenge", code: 200, body: tpFixture(t, "challenge-cloudflare.html"), want: ErrBlocked},
		{name: "cloudflare challenge 403", code: 403, body: tpFixture(t, "challenge-cloudflare.html"), want: ErrBlocked},
		{name: "aws waf challenge 202", code: 202, body: tpFixture(t, "challenge-awswaf.html"), want: ErrBlocked},
		{name: "page 1 server error", code: 500, body: []byte("oops"), status: 500},
		{name: "page 1 not found", code: 404, body: []byte("gone"), status: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTPServer(t, func(string) (int, []byte) { return tc.code, tc.body })
			obs, err := tpFetch(t, tpEnv(nil), Listing{ID: "ex", URL: srv.URL + path}, Options{Known: func(string) bool { return false }})
			if err == nil {
				t.Fatalf("no error; observation %+v", obs)
			}
			if !strings.HasPrefix(err.Error(), "trustpilot: ") {
				t.Errorf("error %q lacks the trustpilot: prefix", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			var se *StatusError
			if tc.status != 0 && (!errors.As(err, &se) || se.Code != tc.status) {
				t.Errorf("err = %v, want HTTP %d", err, tc.status)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests after a page-1 failure, want 1", n)
			}
		})
	}
	t.Run("bad config", func(t *testing.T) {
		_, err := tpFetch(t, tpEnv(nil), Listing{ID: "ex"}, Options{})
		if !errors.Is(err, ErrConfig) {
			t.Errorf("err = %v, want ErrConfig", err)
		}
	})
}

// TestTrustpilotStable: two polls of the same page give the same ids, and
// every review keeps the invariants.
func TestTrustpilotStable(t *testing.T) {
	cases := []struct {
		name string
		body func(t *testing.T) []byte
	}{
		{"own", func(t *testing.T) []byte { return tpFixture(t, "business-p1.html") }},
		{"jsonld", func(t *testing.T) []byte { return tpFixture(t, "jsonld-only.html") }},
		{"bad ratings", func(t *testing.T) []byte { return tpFixture(t, "bad-ratings.html") }},
		{"airtransat", func(t *testing.T) []byte { return realFixture(t, "trustpilot/airtransat-fr-review-page.html") }},
		{"calo", func(t *testing.T) []byte { return realFixture(t, "trustpilot/calo-uk-review-page.html") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body(t)
			srv := serve(t, "", map[string][]byte{"/review/x": body})
			l := Listing{ID: "x", URL: srv.URL + "/review/x"}
			// A new Env for each poll (a restart): the same one would answer
			// the unchanged page with ErrNotModified.
			a, err := tpFetch(t, tpEnv(nil), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := tpFetch(t, tpEnv(nil), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tpIDs(a.Reviews), tpIDs(b.Reviews)); diff != "" {
				t.Errorf("ids differ between polls (-first +second):\n%s", diff)
			}
			if len(a.Reviews) == 0 {
				t.Error("no reviews")
			}
			if a.Rating != nil && !(a.Rating.Value >= 1 && a.Rating.Value <= 5) {
				t.Errorf("aggregate %v outside 1-5", a.Rating.Value)
			}
			u, _ := url.Parse(srv.URL)
			checkTrustpilotInvariants(t, u.Host, a.Reviews)
		})
	}
}

func TestValidateTrustpilot(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://www.trustpilot.com/review/example.com", true},
		{"https://www.trustpilot.com/review/calo.app/en?languages=all&sort=recency", true},
		{"https://fr.trustpilot.com/review/airtransat.com", true},
		{"http://127.0.0.1:8080/review/example.com", true},
		{"", false},
		{"   ", false},
		{"www.trustpilot.com/review/example.com", false},
		{"/review/example.com", false},
		{"ftp://www.trustpilot.com/review/example.com", false},
		{"https://www.trustpilot.com/", false},
		{"https://www.trustpilot.com/review/", false},
		{"https://www.trustpilot.com/categories/travel", false},
		{"https://www.trustpilot.com/reviews/6840a0c571f0237422cd27b8", false},
		{"https://%zz/review/x", false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			err := validateTrustpilot(Listing{ID: "x", Source: "trustpilot", URL: tc.url})
			if tc.ok {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "url") || !strings.HasPrefix(err.Error(), "trustpilot: ") {
				t.Errorf("error %q should wrap ErrConfig, name the url key and start with trustpilot:", err)
			}
		})
	}
	t.Run("registered", func(t *testing.T) {
		p, err := Default().Lookup("trustpilot")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.New(testEnv()).(*trustpilot); !ok {
			t.Errorf("registry builds %T, want *trustpilot", p.New(testEnv()))
		}
	})
}

func TestTrustpilotPageURL(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"https://www.trustpilot.com/review/example.com", 2, "https://www.trustpilot.com/review/example.com?page=2"},
		{"https://www.trustpilot.com/review/calo.app%2Fen?languages=all&sort=recency", 3, "https://www.trustpilot.com/review/calo.app%2Fen?languages=all&page=3&sort=recency"},
		{"https://www.trustpilot.com/review/example.com?page=4", 5, "https://www.trustpilot.com/review/example.com?page=5"},
		{"https://www.trustpilot.com/review/example.com?page=4", 1, "https://www.trustpilot.com/review/example.com"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.n, tc.in), func(t *testing.T) {
			if got := trustpilotPageURL(tc.in, tc.n); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzParseTrustpilot: no input panics, and whatever parses keeps the
// invariants. Run longer with: go test ./sources -run '^$' -fuzz FuzzParseTrustpilot -fuzztime 20s
func FuzzParseTrustpilot(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "trustpilot", "*.html"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"businessUnit":{},"reviews":[1,{"id":"a","rating":"1e400"}]}}}</script>`))
	f.Add([]byte(`<script type="application/ld+json">{"@graph":{"@graph":[{"@type":["Review"],"@id":"/","author":[{"name":3}],"reviewRating":{"ratingValue":"5","bestRating":"5","worstRating":"5"}}]}}</script>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseTrustpilot(body, "https://www.trustpilot.com/review/fuzz.example")
		if err != nil {
			if !errors.Is(err, ErrLayout) && !errors.Is(err, ErrBlocked) {
				t.Fatalf("error wraps neither ErrLayout nor ErrBlocked: %v", err)
			}
			return
		}
		if p.Rating != nil && (!(p.Rating.Value >= 1 && p.Rating.Value <= 5) || p.Rating.Count < 0) {
			t.Fatalf("aggregate %+v outside 1-5", p.Rating)
		}
		checkTrustpilotInvariants(t, "www.trustpilot.com", p.Reviews)
	})
}

func BenchmarkParseTrustpilot(b *testing.B) {
	bench := []struct {
		name string
		body func(b *testing.B) []byte
	}{
		{"own", func(b *testing.B) []byte { return tpFixture(b, "business-p1.html") }},
		{"real-calo", func(b *testing.B) []byte { return realFixture(b, "trustpilot/calo-uk-review-page.html") }},
	}
	for _, bc := range bench {
		b.Run(bc.name, func(b *testing.B) {
			body := bc.body(b)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseTrustpilot(body, "https://www.trustpilot.com/review/x"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
