package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// appStorePath is the feed path the source must request for page n.
func appStorePath(country, appID string, n int) string {
	return fmt.Sprintf("/%s/rss/customerreviews/page=%d/id=%s/sortby=mostrecent/json", country, n, appID)
}

// appStoreLookupPath is what the source requests for the aggregate.
func appStoreLookupPath(country, appID string) string {
	return "/lookup?id=" + appID + "&country=" + country
}

// appStoreLookupBody is a Lookup API answer for one app.
func appStoreLookupBody(name string, avg float64, count int) []byte {
	return fmt.Appendf(nil, `{"resultCount":1,"results":[{"wrapperType":"software","kind":"software","trackName":%q,`+
		`"averageUserRating":%v,"userRatingCount":%d,"sellerUrl":"https://seller.example/"}]}`, name, avg, count)
}

// appStoreRecorder counts the requests an Env makes (path and query), on the
// client side, so it works with the shared serve helper.
type appStoreRecorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	paths []string
}

func (r *appStoreRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	p := req.URL.Path
	if req.URL.RawQuery != "" {
		p += "?" + req.URL.RawQuery
	}
	r.paths = append(r.paths, p)
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *appStoreRecorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.paths...)
}

// appStoreEnv is testEnv talking to srv through a appStoreRecorder, logging into log.
func appStoreEnv(srv *httptest.Server, log *bytes.Buffer) (*Env, *appStoreRecorder) {
	e := testEnv()
	rec := &appStoreRecorder{next: srv.Client().Transport}
	e.HTTP = &http.Client{Transport: rec, Timeout: 10 * time.Second}
	if log != nil {
		e.Log = appStoreLogger(log)
	}
	return e, rec
}

// appStoreLogger logs text into log, for asserting warnings.
func appStoreLogger(log *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(log, nil))
}

// appStoreFeedPage builds a modern-format feed page holding the given review ids.
func appStoreFeedPage(ids ...string) []byte {
	var b strings.Builder
	b.WriteString(`{"feed":{"author":{"name":{"label":"iTunes Store"}},"entry":[`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"author":{"name":{"label":"user %s"},"label":""},"updated":{"label":"2025-09-28T11:55:46-07:00"},`+
			`"im:rating":{"label":"%d"},"id":{"label":"%s"},"title":{"label":"title %s"},`+
			`"content":{"label":"text %s","attributes":{"type":"text"}}}`, id, 1+i%5, id, id, id)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

func appStoreTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "appstore", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func appStoreIDs(rs []Review) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// checkAppStoreInvariants holds for every observation the source returns.
func checkAppStoreInvariants(t *testing.T, obs Observation, l Listing, publicURL string) {
	t.Helper()
	if obs.Rating != nil && (!(obs.Rating.Value >= 1 && obs.Rating.Value <= 5) || obs.Rating.Count < 0) {
		t.Errorf("Rating = %+v, want 1-5 and a count >= 0", *obs.Rating)
	}
	if obs.Platform != "appstore" || obs.Listing != l.ID || obs.URL != publicURL {
		t.Errorf("Platform/Listing/URL = %q/%q/%q, want appstore/%q/%q", obs.Platform, obs.Listing, obs.URL, l.ID, publicURL)
	}
	if want := testEnv().Now(); !obs.At.Equal(want) || obs.At.Location() != time.UTC {
		t.Errorf("At = %v, want %v UTC", obs.At, want)
	}
	if obs.Reviews == nil {
		t.Error("Reviews is nil, want a (possibly empty) slice")
	}
	seen := map[string]bool{}
	for _, r := range obs.Reviews {
		if r.ID == "" || seen[r.ID] {
			t.Errorf("review id %q empty or duplicated", r.ID)
		}
		seen[r.ID] = true
		if r.Rating != nil && !(*r.Rating >= 1 && *r.Rating <= 5) {
			t.Errorf("review %s rating %v outside [1,5]", r.ID, *r.Rating)
		}
		if !r.Published.IsZero() && r.Published.Location() != time.UTC {
			t.Errorf("review %s Published %v not UTC", r.ID, r.Published)
		}
		if r.URL != publicURL {
			t.Errorf("review %s URL = %q, want %q", r.ID, r.URL, publicURL)
		}
	}
}

func TestAppStoreRealFeeds(t *testing.T) {
	type first struct {
		id, author, title string
		rating            float64
		published         time.Time // zero: the 2021 format has no date
	}
	tests := []struct {
		name, file, appID, country string
		count                      int
		hist                       map[int]int
		first                      first
	}{
		{
			name: "instagram-us-2025", file: "app-store/rss-389801252-us-page1-2025.json", appID: "389801252", country: "us",
			count: 50, hist: map[int]int{1: 30, 2: 4, 3: 6, 4: 5, 5: 5},
			first: first{"13197352979", "Maximum_es", "Irritating", 3, time.Date(2025, 9, 28, 18, 55, 46, 0, time.UTC)},
		},
		{
			name: "travel-us-2025", file: "app-store/rss-415458524-us-page1-2025.json", appID: "415458524", country: "us",
			count: 50, hist: map[int]int{1: 20, 2: 5, 3: 3, 4: 3, 5: 19},
			first: first{"13189124033", "Skyscanner Nemesis", "Help! I’m stranded!", 1, time.Date(2025, 9, 26, 22, 24, 14, 0, time.UTC)},
		},
		{
			name: "xcode-fr-2021", file: "app-store/rss-497799835-xcode-fr-page1-2021.json", appID: "497799835", country: "fr",
			count: 50, hist: map[int]int{1: 32, 2: 6, 3: 4, 4: 4, 5: 4},
			first: first{"6918761820", "Fouinneur@", "Superbe application...", 4, time.Time{}},
		},
		{
			name: "small-gb-2021", file: "app-store/rss-1510826067-gb-page1-2021.json", appID: "1510826067", country: "gb",
			count: 4, hist: map[int]int{5: 4},
			first: first{"6504352127", "immeallme", "Amazing photos integration", 5, time.Time{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := realFixture(t, tc.file)
			srv := serve(t, "application/json", map[string][]byte{
				appStorePath(tc.country, tc.appID, 1): body,
				"/lookup":                             appStoreLookupBody("App "+tc.appID, 3.5, 1000),
			})
			env, rec := appStoreEnv(srv, nil)
			l := Listing{ID: "app-" + tc.appID, Source: "appstore", AppID: tc.appID, Country: tc.country, Endpoint: srv.URL + "/"}
			publicURL := "https://apps.apple.com/" + tc.country + "/app/id" + tc.appID

			obs, err := newAppStore(env).Fetch(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkAppStoreInvariants(t, obs, l, publicURL)
			want := []string{appStoreLookupPath(tc.country, tc.appID), appStorePath(tc.country, tc.appID, 1)}
			if got := rec.requests(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("requests = %v, want %v (one lookup; no Known: page 1 only)", got, want)
			}
			// The feed carries no name or aggregate; both come from the lookup.
			if obs.Name != "App "+tc.appID || obs.Rating == nil || *obs.Rating != (Rating{3.5, 1000}) {
				t.Errorf("Name/Rating = %q/%v, want the lookup's", obs.Name, obs.Rating)
			}
			if len(obs.Reviews) != tc.count {
				t.Fatalf("reviews = %d, want %d", len(obs.Reviews), tc.count)
			}
			hist := map[int]int{}
			for _, r := range obs.Reviews {
				if r.Rating == nil {
					t.Fatalf("review %s has no rating", r.ID)
				}
				hist[int(*r.Rating)]++
				if r.Published.IsZero() != tc.first.published.IsZero() {
					t.Errorf("review %s Published = %v, want zero=%v", r.ID, r.Published, tc.first.published.IsZero())
				}
				if r.Text == "" || r.Author == "" {
					t.Errorf("review %s lacks text or author", r.ID)
				}
			}
			if fmt.Sprint(hist) != fmt.Sprint(tc.hist) {
				t.Errorf("histogram = %v, want %v", hist, tc.hist)
			}
			r := obs.Reviews[0]
			if r.ID != tc.first.id || r.Author != tc.first.author || r.Title != tc.first.title || *r.Rating != tc.first.rating || !r.Published.Equal(tc.first.published) {
				t.Errorf("first review = %s/%s/%q/%v/%v, want %+v", r.ID, r.Author, r.Title, *r.Rating, r.Published, tc.first)
			}

			// Stable ids: a re-poll of the same page yields the same ids.
			again, err := newAppStore(env).Fetch(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(appStoreIDs(again.Reviews)) != fmt.Sprint(appStoreIDs(obs.Reviews)) {
				t.Error("review ids differ between two fetches of the same feed")
			}
		})
	}
}

func TestAppStoreRealEmptyPage2(t *testing.T) {
	const appID, country = "1510826067", "gb"
	page1 := realFixture(t, "app-store/rss-1510826067-gb-page1-2021.json")
	page2 := realFixture(t, "app-store/rss-1510826067-gb-page2-empty-2021.json")
	srv := serve(t, "application/json", map[string][]byte{
		appStorePath(country, appID, 1): page1,
		appStorePath(country, appID, 2): page2,
		"/lookup":                       appStoreLookupBody("Small", 5, 4),
	})
	l := Listing{ID: "small", AppID: appID, Country: country, Endpoint: srv.URL + "/"}
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"backfill", Options{Backfill: true}},
		{"known-none", Options{Known: func(string) bool { return false }}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := appStoreEnv(srv, nil)
			obs, err := newAppStore(env).Fetch(context.Background(), l, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			checkAppStoreInvariants(t, obs, l, "https://apps.apple.com/gb/app/id1510826067")
			if len(obs.Reviews) != 4 {
				t.Errorf("reviews = %d, want 4", len(obs.Reviews))
			}
			want := []string{appStoreLookupPath(country, appID), appStorePath(country, appID, 1), appStorePath(country, appID, 2)}
			if got := rec.requests(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("requests = %v, want %v (stop at the empty page 2)", got, want)
			}
		})
	}

	t.Run("parse-empty", func(t *testing.T) {
		p, err := parseAppStoreFeed(page2)
		if err != nil || len(p.Reviews) != 0 {
			t.Errorf("parse empty page = %d reviews, %v; want 0, nil", len(p.Reviews), err)
		}
	})
}

// appStoreFakePage is one answer of a stand-in: a status (0: 200) and a body.
type appStoreFakePage struct {
	status int
	body   []byte
}

// appStoreServer answers page n of app 123 (us) from pages, and the
// lookup with a rated app.
func appStoreServer(t *testing.T, pages func(n int) (appStoreFakePage, bool)) *httptest.Server {
	t.Helper()
	return appStoreFakeServer(t, nil, func(cc string, n int) (appStoreFakePage, bool) {
		if cc != "us" {
			return appStoreFakePage{}, false
		}
		return pages(n)
	})
}

// appStoreFakeServer is a stand-in for itunes.apple.com serving app 123:
// lookup answers /lookup?id=123&country=cc (nil: a rated app everywhere),
// pages answers the feed's page n of storefront cc. ok=false is a 404.
func appStoreFakeServer(t *testing.T, lookup func(cc string) appStoreFakePage, pages func(cc string, n int) (appStoreFakePage, bool)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p appStoreFakePage
		var n int
		var cc string
		switch {
		case r.URL.Path == "/lookup" && r.URL.Query().Get("id") == "123":
			cc = r.URL.Query().Get("country")
			p = appStoreFakePage{body: appStoreLookupBody("Fake App", 4.5, 10)}
			if lookup != nil {
				p = lookup(cc)
			}
		case len(r.URL.Path) > 4:
			cc = r.URL.Path[1:3]
			_, err := fmt.Sscanf(r.URL.Path[3:], "/rss/customerreviews/page=%d/id=123/sortby=mostrecent/json", &n)
			var ok bool
			if err == nil && r.URL.Path == appStorePath(cc, "123", n) {
				p, ok = pages(cc, n)
			}
			if !ok {
				http.NotFound(w, r)
				return
			}
		default:
			http.NotFound(w, r)
			return
		}
		if p.status != 0 {
			w.WriteHeader(p.status)
		}
		w.Write(p.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// appStorePageIDs names the k reviews of page n: n01..n0k, unique across pages.
func appStorePageIDs(n, k int) []string {
	ids := make([]string, k)
	for i := range ids {
		ids[i] = strconv.Itoa(n) + "0" + strconv.Itoa(i+1)
	}
	return ids
}

func TestAppStorePaging(t *testing.T) {
	// Read up front: the handlers run on server goroutines, where t.Fatal is not allowed.
	empty := appStoreTestdata(t, "empty.json")
	noFeed := appStoreTestdata(t, "no-feed.json")
	// Four full pages of three reviews, then empty pages.
	fourPages := func(n int) (appStoreFakePage, bool) {
		if n <= 4 {
			return appStoreFakePage{body: appStoreFeedPage(appStorePageIDs(n, 3)...)}, true
		}
		return appStoreFakePage{body: empty}, true
	}
	// Every page, forever, is full: the 10-page cap must stop us.
	endless := func(n int) (appStoreFakePage, bool) {
		return appStoreFakePage{body: appStoreFeedPage(appStorePageIDs(n, 2)...)}, true
	}
	tests := []struct {
		name     string
		pages    func(n int) (appStoreFakePage, bool)
		o        Options
		requests int
		reviews  int
		warn     bool
	}{
		{name: "known-nil-page-1-only", pages: fourPages, o: Options{}, requests: 1, reviews: 3},
		{
			name: "empty-page-1-is-no-reviews-not-an-error", o: Options{Backfill: true}, requests: 1, reviews: 0,
			pages: func(int) (appStoreFakePage, bool) { return appStoreFakePage{body: empty}, true },
		},
		// The steady state: nothing new costs the lookup and page 1.
		{name: "steady-state-known-on-page-1", pages: fourPages, o: Options{Known: knownIDs("101")}, requests: 1, reviews: 3},
		{name: "known-on-page-1", pages: fourPages, o: Options{Known: knownIDs("103")}, requests: 1, reviews: 3},
		{name: "known-on-page-3", pages: fourPages, o: Options{Known: knownIDs("302")}, requests: 3, reviews: 9},
		{name: "none-known-stops-at-empty", pages: fourPages, o: Options{Known: knownIDs()}, requests: 5, reviews: 12},
		{name: "none-known-capped-at-10", pages: endless, o: Options{Known: knownIDs()}, requests: 10, reviews: 20},
		{name: "backfill-stops-at-empty", pages: fourPages, o: Options{Backfill: true}, requests: 5, reviews: 12},
		{name: "backfill-capped-at-10", pages: endless, o: Options{Backfill: true}, requests: 10, reviews: 20},
		{name: "backfill-ignores-known", pages: fourPages, o: Options{Backfill: true, Known: knownIDs("101")}, requests: 5, reviews: 12},
		{
			name: "page-2-500-keeps-page-1", o: Options{Backfill: true}, requests: 2, reviews: 3, warn: true,
			pages: func(n int) (appStoreFakePage, bool) {
				if n == 2 {
					return appStoreFakePage{status: http.StatusInternalServerError, body: []byte("oops")}, true
				}
				return fourPages(n)
			},
		},
		{
			name: "page-2-not-a-feed-keeps-page-1", o: Options{Known: knownIDs()}, requests: 2, reviews: 3, warn: true,
			pages: func(n int) (appStoreFakePage, bool) {
				if n == 2 {
					return appStoreFakePage{body: noFeed}, true
				}
				return fourPages(n)
			},
		},
		{
			name: "dedupe-across-pages", o: Options{Backfill: true}, requests: 3, reviews: 4,
			pages: func(n int) (appStoreFakePage, bool) {
				switch n {
				case 1:
					return appStoreFakePage{body: appStoreFeedPage("a", "b", "c")}, true
				case 2: // "c" slid down a page as a new review arrived
					return appStoreFakePage{body: appStoreFeedPage("c", "d")}, true
				}
				return appStoreFakePage{body: empty}, true
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := appStoreServer(t, tc.pages)
			var log bytes.Buffer
			env, rec := appStoreEnv(srv, &log)
			l := Listing{ID: "paged", AppID: "123", Endpoint: srv.URL + "/"}
			obs, err := newAppStore(env).Fetch(context.Background(), l, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			checkAppStoreInvariants(t, obs, l, "https://apps.apple.com/us/app/id123")
			reqs := rec.requests()
			if len(reqs) != tc.requests+1 || reqs[0] != appStoreLookupPath("us", "123") {
				t.Fatalf("requests = %d (%v), want the lookup + %d pages", len(reqs), reqs, tc.requests)
			}
			for i, p := range reqs[1:] {
				if want := appStorePath("us", "123", i+1); p != want {
					t.Errorf("request %d = %s, want %s", i+1, p, want)
				}
			}
			if obs.Rating == nil || *obs.Rating != (Rating{4.5, 10}) {
				t.Errorf("Rating = %v, want the lookup's 4.5/10", obs.Rating)
			}
			if len(obs.Reviews) != tc.reviews {
				t.Errorf("reviews = %d (%v), want %d", len(obs.Reviews), appStoreIDs(obs.Reviews), tc.reviews)
			}
			warned := strings.Contains(log.String(), "level=WARN") && strings.Contains(log.String(), "page=2")
			if warned != tc.warn {
				t.Errorf("warned = %v, want %v; log:\n%s", warned, tc.warn, log.String())
			}
		})
	}
}

func TestAppStoreFetchErrors(t *testing.T) {
	tests := []struct {
		name  string
		page1 appStoreFakePage
		check func(t *testing.T, err error)
	}{
		{
			name:  "html-instead-of-json",
			page1: appStoreFakePage{body: []byte("<!DOCTYPE html><html><body>Apple</body></html>")},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name:  "json-without-feed",
			page1: appStoreFakePage{body: []byte(`{"errors":[]}`)},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name:  "404",
			page1: appStoreFakePage{status: http.StatusNotFound, body: []byte("not found")},
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != http.StatusNotFound {
					t.Errorf("err = %v, want *StatusError 404", err)
				}
			},
		},
		{
			name:  "503-is-temporary",
			page1: appStoreFakePage{status: http.StatusServiceUnavailable},
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || !se.Temporary() {
					t.Errorf("err = %v, want a temporary *StatusError", err)
				}
			},
		},
		{
			name:  "403-is-blocked",
			page1: appStoreFakePage{status: http.StatusForbidden},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrBlocked) {
					t.Errorf("err = %v, want ErrBlocked", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := appStoreServer(t, func(n int) (appStoreFakePage, bool) { return tc.page1, n == 1 })
			env, rec := appStoreEnv(srv, nil)
			l := Listing{ID: "broken", AppID: "123", Endpoint: srv.URL + "/"}
			obs, err := newAppStore(env).Fetch(context.Background(), l, Options{Backfill: true})
			if err == nil {
				t.Fatalf("no error; got %d reviews", len(obs.Reviews))
			}
			if !strings.HasPrefix(err.Error(), "appstore: app 123 (us): ") {
				t.Errorf("err = %q, want the appstore: app 123 (us): prefix", err)
			}
			tc.check(t, err)
			if n := len(rec.requests()); n != 2 {
				t.Errorf("requests = %d, want 2 (lookup, page 1): a failed page 1 ends the fetch", n)
			}
		})
	}
}

func TestAppStoreEndpointAndCountry(t *testing.T) {
	tests := []struct {
		name      string
		l         func(srvURL string) Listing
		prefix    string // the endpoint's path
		path      string
		lookup    string
		publicURL string
	}{
		{
			name:      "no-trailing-slash",
			l:         func(u string) Listing { return Listing{ID: "x", AppID: "42", Endpoint: u} },
			path:      appStorePath("us", "42", 1),
			lookup:    appStoreLookupPath("us", "42"),
			publicURL: "https://apps.apple.com/us/app/id42",
		},
		{
			name:      "path-prefix-without-slash",
			l:         func(u string) Listing { return Listing{ID: "x", AppID: "42", Endpoint: u + "/proxy"} },
			prefix:    "/proxy",
			path:      "/proxy" + appStorePath("us", "42", 1),
			lookup:    "/proxy" + appStoreLookupPath("us", "42"),
			publicURL: "https://apps.apple.com/us/app/id42",
		},
		{
			name:      "upper-case-country",
			l:         func(u string) Listing { return Listing{ID: "x", AppID: "42", Country: "GB", Endpoint: u + "/"} },
			path:      appStorePath("gb", "42", 1),
			lookup:    appStoreLookupPath("gb", "42"),
			publicURL: "https://apps.apple.com/gb/app/id42",
		},
		{
			name: "countries-upper-case",
			l: func(u string) Listing {
				return Listing{ID: "x", AppID: "42", Countries: []string{"FR"}, Endpoint: u + "/"}
			},
			path:      appStorePath("fr", "42", 1),
			lookup:    appStoreLookupPath("fr", "42"),
			publicURL: "https://apps.apple.com/fr/app/id42",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, "application/json", map[string][]byte{
				tc.path:               appStoreTestdata(t, "single-entry.json"),
				tc.prefix + "/lookup": appStoreLookupBody("Forty-two", 2, 3),
			})
			env, rec := appStoreEnv(srv, nil)
			l := tc.l(srv.URL)
			obs, err := newAppStore(env).Fetch(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkAppStoreInvariants(t, obs, l, tc.publicURL)
			if len(obs.Reviews) != 1 {
				t.Errorf("reviews = %d, want 1", len(obs.Reviews))
			}
			if got, want := rec.requests(), []string{tc.lookup, tc.path}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("requests = %v, want %v", got, want)
			}
		})
	}
}

func TestValidateAppStore(t *testing.T) {
	_, keyPEM := ascTestKey(t)
	keyFile := filepath.Join(t.TempDir(), "AuthKey_ABC123DEFG.p8")
	if err := os.WriteFile(keyFile, []byte(keyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	asc := func(l Listing) Listing {
		l.KeyID, l.IssuerID = "ABC123DEFG", "57246542-96fe-1a63-e053-0824d011072a"
		if l.PrivateKey == "" && l.PrivateKeyFile == "" {
			l.PrivateKey = Secret(keyPEM)
		}
		return l
	}
	// The base64 body of each key handed in, which no error may quote.
	secretOf := func(l Listing) string {
		lines := strings.Split(strings.TrimSpace(l.PrivateKey.Reveal()), "\n")
		if len(lines) < 3 {
			return l.PrivateKey.Reveal()
		}
		return lines[1]
	}
	tests := []struct {
		name     string
		l        Listing
		wantKeys []string // keys the errors name, in order; none = valid
	}{
		{"defaults", Listing{AppID: "389801252"}, nil},
		{"country-upper", Listing{AppID: "1", Country: "FR"}, nil},
		{"countries", Listing{AppID: "1", Countries: []string{"us", "GB", "fr", "us"}}, nil},
		{"kosovo", Listing{AppID: "1", Country: "xk"}, nil},
		{"endpoint-no-slash", Listing{AppID: "1", Endpoint: "http://127.0.0.1:8080"}, nil},
		{"endpoint-path", Listing{AppID: "1", Endpoint: "https://proxy.example/apple/"}, nil},
		{"asc-pem", asc(Listing{AppID: "1"}), nil},
		{"asc-pem-with-escaped-newlines", asc(Listing{AppID: "1", PrivateKey: Secret(strings.ReplaceAll(strings.TrimSpace(keyPEM), "\n", `\n`))}), nil},
		{"asc-bare-base64", asc(Listing{AppID: "1", PrivateKey: Secret(strings.Join(strings.Split(keyPEM, "\n")[1:4], "\n"))}), nil},
		{"asc-file", asc(Listing{AppID: "1", PrivateKeyFile: keyFile}), nil},
		{"asc-countries", asc(Listing{AppID: "1", Countries: []string{"us", "de"}, Endpoint: "http://127.0.0.1:1/"}), nil},
		{"missing-app-id", Listing{Country: "us"}, []string{"app_id"}},
		{"app-id-letters", Listing{AppID: "id389801252"}, []string{"app_id"}},
		{"app-id-space", Listing{AppID: " 389801252"}, []string{"app_id"}},
		{"app-id-negative", Listing{AppID: "-1"}, []string{"app_id"}},
		{"app-id-unicode-digits", Listing{AppID: "١٢٣"}, []string{"app_id"}},
		{"country-three-letters", Listing{AppID: "1", Country: "usa"}, []string{"country"}},
		{"country-one-letter", Listing{AppID: "1", Country: "u"}, []string{"country"}},
		{"country-digit", Listing{AppID: "1", Country: "u1"}, []string{"country"}},
		{"country-not-iso", Listing{AppID: "1", Country: "zz"}, []string{"country"}},
		{"countries-uk", Listing{AppID: "1", Countries: []string{"us", "uk"}}, []string{"countries"}},
		{"countries-two-bad", Listing{AppID: "1", Countries: []string{"usa", "", "gb"}}, []string{"countries", "countries"}},
		{"country-and-countries", Listing{AppID: "1", Country: "us", Countries: []string{"gb"}}, []string{"countries"}},
		{"endpoint-no-scheme", Listing{AppID: "1", Endpoint: "itunes.apple.com/"}, []string{"endpoint"}},
		{"endpoint-ftp", Listing{AppID: "1", Endpoint: "ftp://itunes.apple.com/"}, []string{"endpoint"}},
		{"endpoint-no-host", Listing{AppID: "1", Endpoint: "https:///x/"}, []string{"endpoint"}},
		{"endpoint-query", Listing{AppID: "1", Endpoint: "https://itunes.apple.com/?cc=us"}, []string{"endpoint"}},
		{"endpoint-unparsable", Listing{AppID: "1", Endpoint: "http://[::1"}, []string{"endpoint"}},
		{"other-platform-keys", Listing{AppID: "1", PlaceID: "p", Language: "en"}, []string{"language", "place_id"}},
		{"everything-wrong-at-once", Listing{Country: "uk", Endpoint: "x"}, []string{"app_id", "country", "endpoint"}},
		{"key-id-alone", Listing{AppID: "1", KeyID: "ABC123DEFG"}, []string{"issuer_id", "private_key"}},
		{"issuer-id-alone", Listing{AppID: "1", IssuerID: "i"}, []string{"key_id", "private_key"}},
		{"private-key-alone", Listing{AppID: "1", PrivateKey: Secret(keyPEM)}, []string{"key_id", "issuer_id"}},
		{"private-key-file-alone", Listing{AppID: "1", PrivateKeyFile: keyFile}, []string{"key_id", "issuer_id"}},
		{"key-and-key-file", asc(Listing{AppID: "1", PrivateKey: Secret(keyPEM), PrivateKeyFile: keyFile}), []string{"private_key"}},
		{"key-garbage", asc(Listing{AppID: "1", PrivateKey: "not-a-key-s3cr3t"}), []string{"private_key"}},
		{"key-truncated", asc(Listing{AppID: "1", PrivateKey: Secret(keyPEM[:len(keyPEM)/2])}), []string{"private_key"}},
		{"key-rsa", asc(Listing{AppID: "1", PrivateKey: Secret(ascTestOtherKey(t, "rsa"))}), []string{"private_key"}},
		{"key-p384", asc(Listing{AppID: "1", PrivateKey: Secret(ascTestOtherKey(t, "p384"))}), []string{"private_key"}},
		{"key-sec1-not-pkcs8", asc(Listing{AppID: "1", PrivateKey: Secret(ascTestOtherKey(t, "sec1"))}), []string{"private_key"}},
		{"key-file-missing", asc(Listing{AppID: "1", PrivateKeyFile: filepath.Join(t.TempDir(), "nope.p8")}), []string{"private_key_file"}},
		{"key-file-not-a-key", asc(Listing{AppID: "1", PrivateKeyFile: filepath.Join("testdata", "appstore", "empty.json")}), []string{"private_key_file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateAppStore(tc.l)
			if len(tc.wantKeys) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			// Each error names its key first, as the config loader expects.
			var keys []string
			for _, e := range appStoreUnjoin(err) {
				msg, ok := strings.CutPrefix(e.Error(), ErrConfig.Error()+": ")
				key, _, _ := strings.Cut(msg, ":")
				if !errors.Is(e, ErrConfig) || !ok {
					t.Errorf("error %q does not wrap ErrConfig, key first", e)
				}
				keys = append(keys, key)
			}
			if fmt.Sprint(keys) != fmt.Sprint(tc.wantKeys) {
				t.Errorf("keys named = %v, want %v; err:\n%v", keys, tc.wantKeys, err)
			}
			if secret := secretOf(tc.l); secret != "" && strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the private key: %v", err)
			}
			// Fetch and Backfill refuse the same listing without a request.
			env := testEnv()
			env.HTTP = &http.Client{Transport: appStoreRoundTrip(func(*http.Request) (*http.Response, error) {
				t.Error("request made for an invalid listing")
				return nil, errors.New("no")
			})}
			_, err = newAppStore(env).Fetch(context.Background(), tc.l, Options{})
			if !errors.Is(err, ErrConfig) || !strings.HasPrefix(err.Error(), "appstore: ") {
				t.Errorf("Fetch err = %v, want ErrConfig prefixed appstore:", err)
			}
			err = newAppStore(env).(Backfiller).Backfill(context.Background(), tc.l, time.Time{}, "", func(Observation, string) error {
				t.Error("page called for an invalid listing")
				return nil
			})
			if !errors.Is(err, ErrConfig) {
				t.Errorf("Backfill err = %v, want ErrConfig", err)
			}
		})
	}
}

// appStoreUnjoin flattens errors.Join trees.
func appStoreUnjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, appStoreUnjoin(e)...)
		}
		return out
	}
	return []error{err}
}

type appStoreRoundTrip func(*http.Request) (*http.Response, error)

func (f appStoreRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// appStoreFmtReview renders the fields the parser sets, for readable comparisons.
func appStoreFmtReview(r Review) string {
	rating := "nil"
	if r.Rating != nil {
		rating = strconv.FormatFloat(*r.Rating, 'g', -1, 64)
	}
	pub := ""
	if !r.Published.IsZero() {
		pub = r.Published.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s", r.ID, r.Author, rating, r.Title, r.Text, pub)
}

func TestParseAppStoreFeed(t *testing.T) {
	tests := []struct {
		name     string
		body     []byte
		wantName string
		want     []string // appStoreFmtReview of each review
		wantErr  error
	}{
		{
			name: "single-object-entry", body: appStoreTestdata(t, "single-entry.json"),
			want: []string{"90000000001|Solo Reviewer|2|Crashes on launch|Opens, then closes.\nEvery time.|2025-10-01T16:30:00Z"},
		},
		{
			name: "old-format-app-entry-and-content-variants", body: appStoreTestdata(t, "old-format.json"), wantName: "Example App",
			want: []string{
				"1001|Alice|5|Love it|Love it & more|2013-05-06T14:08:09Z",
				"1002|Bob|1|Only html|Broken <again>|",
			},
		},
		{
			name: "edge-cases", body: appStoreTestdata(t, "edge-cases.json"),
			want: []string{
				"2001|zero|nil|t|rating zero|",
				"2002|six|nil||rating six|",
				"2003|empty|nil||rating empty|",
				"2004|number|4||rating as a JSON number|",
				ContentID("no id", "Missing id", "hash me") + "|no id|3|Missing id|hash me|",
				"2006|stars only|5|||",
				"2007|text only|nil||no stars given|",
				"2008||2||padded|",
				"2009|offset|nil||not a number|2025-01-01T21:34:05Z",
			},
		},
		{name: "empty-page", body: appStoreTestdata(t, "empty.json")},
		{name: "entry-null", body: []byte(`{"feed":{"entry":null}}`)},
		{name: "entry-empty-list", body: []byte(`{"feed":{"entry":[]}}`)},
		{name: "only-app-entry", body: []byte(`{"feed":{"entry":{"im:name":{"label":"Lonely"},"id":{"label":"https://x"}}}}`), wantName: "Lonely"},
		{name: "no-feed", body: appStoreTestdata(t, "no-feed.json"), wantErr: ErrLayout},
		{name: "feed-null", body: []byte(`{"feed":null}`), wantErr: ErrLayout},
		{name: "feed-string", body: []byte(`{"feed":"x"}`), wantErr: ErrLayout},
		{name: "entry-string", body: []byte(`{"feed":{"entry":"x"}}`), wantErr: ErrLayout},
		{name: "entry-item-not-object", body: []byte(`{"feed":{"entry":[1]}}`), wantErr: ErrLayout},
		{name: "top-level-array", body: []byte(`[]`), wantErr: ErrLayout},
		{name: "not-json", body: []byte(`nope`), wantErr: ErrLayout},
		{name: "empty-body", body: nil, wantErr: ErrLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseAppStoreFeed(tc.body)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tc.wantName {
				t.Errorf("Name = %q, want %q", p.Name, tc.wantName)
			}
			var got []string
			for _, r := range p.Reviews {
				got = append(got, appStoreFmtReview(r))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("reviews:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func FuzzParseAppStoreFeed(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "appstore", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/appstore: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{``, `{}`, `null`, `{"feed":{}}`, `{"feed":{"entry":{}}}`, `{"feed":{"entry":[{"content":[{"label":"<b>x"}]}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseAppStoreFeed(body)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		for _, r := range p.Reviews {
			if r.ID == "" {
				t.Fatal("review without id")
			}
			if r.Rating != nil && !(*r.Rating >= 1 && *r.Rating <= 5) {
				t.Fatalf("rating %v outside [1,5]", *r.Rating)
			}
			if !r.Published.IsZero() && r.Published.Location() != time.UTC {
				t.Fatalf("Published %v not UTC", r.Published)
			}
		}
	})
}

func BenchmarkParseAppStoreFeed(b *testing.B) {
	b.Run("own-old-format", func(b *testing.B) {
		body := appStoreTestdata(b, "old-format.json")
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseAppStoreFeed(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("real-50-reviews", func(b *testing.B) {
		body := realFixture(b, "app-store/rss-389801252-us-page1-2025.json")
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseAppStoreFeed(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestAppStoreLaterPageEdgeCases(t *testing.T) {
	t.Run("cancelled-mid-fetch-fails", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv := appStoreServer(t, func(n int) (appStoreFakePage, bool) {
			if n == 2 {
				cancel() // the caller gives up while page 2 is in flight
				return appStoreFakePage{status: http.StatusServiceUnavailable}, true
			}
			return appStoreFakePage{body: appStoreFeedPage(appStorePageIDs(n, 2)...)}, true
		})
		env, _ := appStoreEnv(srv, nil)
		l := Listing{ID: "c", AppID: "123", Endpoint: srv.URL}
		if _, err := newAppStore(env).Fetch(ctx, l, Options{Backfill: true}); err == nil || !strings.HasPrefix(err.Error(), "appstore: app 123 (us): ") {
			t.Errorf("err = %v, want a wrapped error: a cancelled fetch is not a partial success", err)
		}
	})
	t.Run("nil-log-warns-safely", func(t *testing.T) {
		srv := appStoreServer(t, func(n int) (appStoreFakePage, bool) {
			if n == 2 {
				return appStoreFakePage{status: http.StatusBadGateway}, true
			}
			return appStoreFakePage{body: appStoreFeedPage(appStorePageIDs(n, 2)...)}, true
		})
		env, _ := appStoreEnv(srv, nil)
		env.Log = nil
		obs, err := newAppStore(env).Fetch(context.Background(), Listing{ID: "n", AppID: "123", Endpoint: srv.URL}, Options{Backfill: true})
		if err != nil || len(obs.Reviews) != 2 {
			t.Errorf("got %d reviews, %v; want page 1's 2 reviews, nil", len(obs.Reviews), err)
		}
	})
}

func TestAppStoreRealLookup(t *testing.T) {
	body := realFixture(t, "app-store/itunes-lookup-1107711722-hubspot-2017.json")
	const name = "HubSpot (Marketing, CRM & Sales)"
	t.Run("parse", func(t *testing.T) {
		info, err := parseAppStoreLookup(body)
		if err != nil {
			t.Fatal(err)
		}
		// PROVENANCE.md: avg 4.0, 124 ratings.
		if !info.Found || info.Name != name || info.Rating == nil || *info.Rating != (Rating{4.0, 124}) || info.Website != "http://hubspot.com" {
			t.Errorf("lookup = %+v (rating %v), want %s 4.0/124", info, info.Rating, name)
		}
	})
	t.Run("fetch", func(t *testing.T) {
		const appID = "1107711722"
		srv := serve(t, "application/json", map[string][]byte{
			appStoreLookupPath("us", appID): body,
			appStorePath("us", appID, 1):    appStoreTestdata(t, "empty.json"),
		})
		env, rec := appStoreEnv(srv, nil)
		l := Listing{ID: "hubspot", AppID: appID, Endpoint: srv.URL + "/"}
		obs, err := newAppStore(env).Fetch(context.Background(), l, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkAppStoreInvariants(t, obs, l, "https://apps.apple.com/us/app/id"+appID)
		if obs.Name != name || obs.Rating == nil || *obs.Rating != (Rating{4, 124}) || len(obs.Reviews) != 0 {
			t.Errorf("obs = %q %v %d reviews, want %s 4/124, no reviews", obs.Name, obs.Rating, len(obs.Reviews), name)
		}
		if d := obs.Details; d == nil || d.Name != name || d.Website != "http://hubspot.com" || d.Address != "" || d.Phone != "" || d.Hours != nil {
			t.Errorf("Details = %+v", obs.Details)
		}
		if n := len(rec.requests()); n != 2 {
			t.Errorf("requests = %d, want 2 (lookup, page 1)", n)
		}
	})
}

func TestParseAppStoreLookup(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		want    string // found|name|rating
		wantErr error
	}{
		{name: "rated", body: appStoreLookupBody("App", 4.5, 10), want: "true|App|4.5/10"},
		{name: "no-ratings-yet", body: appStoreTestdata(t, "lookup-no-ratings.json"), want: "true|Brand New App|nil"},
		{name: "not-found", body: appStoreTestdata(t, "lookup-not-found.json"), want: "false||nil"},
		{name: "count-says-1-but-empty", body: []byte(`{"resultCount":1,"results":[]}`), want: "false||nil"},
		{name: "results-null", body: []byte(`{"resultCount":0,"results":null}`), want: "false||nil"},
		{name: "a-song-not-an-app", body: []byte(`{"resultCount":1,"results":[{"wrapperType":"track","kind":"song","trackName":"Song","averageUserRating":5,"userRatingCount":3}]}`), want: "false||nil"},
		{name: "mac-app", body: []byte(`{"results":[{"kind":"mac-software","trackName":"Mac","averageUserRating":3,"userRatingCount":2}]}`), want: "true|Mac|3/2"},
		{name: "no-count", body: []byte(`{"results":[{"trackName":"X","averageUserRating":3.25}]}`), want: "true|X|3.25/0"},
		{name: "numbers-as-strings", body: []byte(`{"results":[{"trackName":"X","averageUserRating":"4.1","userRatingCount":"9"}]}`), want: "true|X|4.1/9"},
		{name: "rating-out-of-range", body: []byte(`{"results":[{"trackName":"X","averageUserRating":6,"userRatingCount":9}]}`), want: "true|X|nil"},
		{name: "count-zero", body: []byte(`{"results":[{"trackName":"X","averageUserRating":4,"userRatingCount":0}]}`), want: "true|X|nil"},
		{name: "count-fractional", body: []byte(`{"results":[{"trackName":"X","averageUserRating":4,"userRatingCount":1.5}]}`), want: "true|X|nil"},
		{name: "count-huge", body: []byte(`{"results":[{"trackName":"X","averageUserRating":4,"userRatingCount":1e300}]}`), want: "true|X|nil"},
		{name: "no-results-key", body: []byte(`{"resultCount":0}`), wantErr: ErrLayout},
		{name: "results-object", body: []byte(`{"results":{}}`), wantErr: ErrLayout},
		{name: "result-not-object", body: []byte(`{"results":[7]}`), wantErr: ErrLayout},
		{name: "feed-instead", body: appStoreTestdata(t, "single-entry.json"), wantErr: ErrLayout},
		{name: "not-json", body: []byte(`<html>`), wantErr: ErrLayout},
		{name: "empty", wantErr: ErrLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := parseAppStoreLookup(tc.body)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rating := "nil"
			if info.Rating != nil {
				rating = fmt.Sprintf("%v/%d", info.Rating.Value, info.Rating.Count)
			}
			if got := fmt.Sprintf("%v|%s|%s", info.Found, info.Name, rating); got != tc.want {
				t.Errorf("lookup = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAppStoreCombine(t *testing.T) {
	tests := []struct {
		name string
		in   []*Rating
		want *Rating
	}{
		{"none", nil, nil},
		{"all-unrated", []*Rating{nil, nil}, nil},
		{"one-kept-exactly", []*Rating{{4.67891, 3}}, &Rating{4.67891, 3}},
		{"one-rated-one-not", []*Rating{nil, {3.5, 7}}, &Rating{3.5, 7}},
		{"weighted", []*Rating{{4, 100}, {3, 50}, nil}, &Rating{(400 + 150) / 150.0, 150}},
		{"unknown-count-left-out-of-weights", []*Rating{{5, 0}, {2, 10}}, &Rating{2, 10}},
		{"no-counts-plain-mean", []*Rating{{5, 0}, {2, 0}}, &Rating{3.5, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := appStoreCombine(tc.in)
			if (got == nil) != (tc.want == nil) || (got != nil && (math.Abs(got.Value-tc.want.Value) > 1e-12 || got.Count != tc.want.Count)) {
				t.Errorf("combine = %v, want %v", got, tc.want)
			}
		})
	}
}

// appStoreMulti serves app 123 in us, gb and fr: us 4.0/100 with reviews
// a,b; gb 3.0/50 with b (also in us),c; fr unrated with d. Page 2 is empty.
func appStoreMulti(t *testing.T) *httptest.Server {
	t.Helper()
	empty := appStoreTestdata(t, "empty.json")
	unrated := appStoreTestdata(t, "lookup-no-ratings.json")
	return appStoreFakeServer(t,
		func(cc string) appStoreFakePage {
			switch cc {
			case "us":
				return appStoreFakePage{body: appStoreLookupBody("Multi", 4, 100)}
			case "gb":
				return appStoreFakePage{body: appStoreLookupBody("Multi UK", 3, 50)}
			}
			return appStoreFakePage{body: unrated}
		},
		func(cc string, n int) (appStoreFakePage, bool) {
			if n > 1 {
				return appStoreFakePage{body: empty}, true
			}
			ids := map[string][]string{"us": {"a", "b"}, "gb": {"b", "c"}, "fr": {"d"}}[cc]
			return appStoreFakePage{body: appStoreFeedPage(ids...)}, ids != nil
		})
}

func TestAppStoreCountries(t *testing.T) {
	lookups := []string{appStoreLookupPath("us", "123"), appStoreLookupPath("gb", "123"), appStoreLookupPath("fr", "123")}
	tests := []struct {
		name  string
		o     Options
		pages []string // feed pages read, "cc:n"
	}{
		{name: "no-known-page-1-each", pages: []string{"us:1", "gb:1", "fr:1"}},
		// The steady state: one lookup and one page per storefront.
		{name: "steady-state", o: Options{Known: knownIDs("a", "c", "d")}, pages: []string{"us:1", "gb:1", "fr:1"}},
		{name: "none-known", o: Options{Known: knownIDs()}, pages: []string{"us:1", "us:2", "gb:1", "gb:2", "fr:1", "fr:2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := appStoreMulti(t)
			env, rec := appStoreEnv(srv, nil)
			l := Listing{ID: "multi", AppID: "123", Countries: []string{"us", "gb", "fr"}, Endpoint: srv.URL}
			obs, err := newAppStore(env).Fetch(context.Background(), l, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string(nil), lookups...)
			for _, p := range tc.pages {
				cc, n, _ := strings.Cut(p, ":")
				k, _ := strconv.Atoi(n)
				want = append(want, appStorePath(cc, "123", k))
			}
			if got := rec.requests(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("requests:\n%v\nwant:\n%v", got, want)
			}
			var got []string
			for _, r := range obs.Reviews {
				got = append(got, r.ID+"@"+strings.TrimPrefix(r.URL, "https://apps.apple.com/"))
			}
			// b shows in us and gb: kept once, from us.
			if w := "a@us/app/id123 b@us/app/id123 c@gb/app/id123 d@fr/app/id123"; strings.Join(got, " ") != w {
				t.Errorf("reviews = %v, want %s", got, w)
			}
			if obs.Rating == nil || obs.Rating.Count != 150 || fmt.Sprintf("%.4f", obs.Rating.Value) != "3.6667" {
				t.Errorf("Rating = %v, want (4*100+3*50)/150 = 3.6667 over 150", obs.Rating)
			}
			if obs.Name != "Multi" || obs.URL != "https://apps.apple.com/us/app/id123" || obs.Complete {
				t.Errorf("Name/URL/Complete = %q/%q/%v, want the first storefront's, not complete", obs.Name, obs.URL, obs.Complete)
			}
		})
	}
}

func TestAppStoreLookupFailures(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name    string
		lookup  func(w http.ResponseWriter, r *http.Request)
		maxBody int64
		timeout time.Duration
		check   func(t *testing.T, err error)
	}{
		{
			name: "unknown-app-in-gb",
			lookup: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("country") == "gb" {
					w.Write(appStoreFixedBody("lookup-not-found.json"))
					return
				}
				w.Write(appStoreLookupBody("X", 4, 1))
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "app_id: 123: no such app in the gb store") {
					t.Errorf("err = %v, want ErrConfig naming app_id and the gb store", err)
				}
			},
		},
		{
			name:   "500-fails-the-poll",
			lookup: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 500 {
					t.Errorf("err = %v, want *StatusError 500", err)
				}
			},
		},
		{
			name:   "403-blocked",
			lookup: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrBlocked) {
					t.Errorf("err = %v, want ErrBlocked", err)
				}
			},
		},
		{
			name:   "html",
			lookup: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>busy</html>")) },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name: "no-results",
			lookup: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"errorMessage":"Invalid value(s) for key(s): [country]"}`))
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name: "truncated",
			lookup: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "4000")
				w.Write([]byte(`{"resultCount":1,"results":[{"trackName":"X"`))
			},
			check: func(t *testing.T, err error) {
				if err == nil || errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want a read error", err)
				}
			},
		},
		{
			name:    "oversized",
			maxBody: 64,
			lookup: func(w http.ResponseWriter, r *http.Request) {
				w.Write(appStoreLookupBody(strings.Repeat("x", 100), 4, 1))
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrTooLarge) {
					t.Errorf("err = %v, want ErrTooLarge", err)
				}
			},
		},
		{
			name:    "slow",
			timeout: 50 * time.Millisecond,
			lookup: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want a deadline error", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/lookup" {
					tc.lookup(w, r)
					return
				}
				w.Write(appStoreFeedPage("a"))
			}))
			t.Cleanup(srv.Close)
			env, rec := appStoreEnv(srv, nil)
			if tc.maxBody > 0 {
				env.MaxBody = tc.maxBody
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			l := Listing{ID: "l", AppID: "123", Countries: []string{"us", "gb"}, Endpoint: srv.URL}
			obs, err := newAppStore(env).Fetch(ctx, l, Options{})
			if err == nil {
				t.Fatalf("no error; got rating %v and %d reviews", obs.Rating, len(obs.Reviews))
			}
			if !strings.HasPrefix(err.Error(), "appstore: ") {
				t.Errorf("err = %q, want the appstore: prefix", err)
			}
			tc.check(t, err)
			for _, p := range rec.requests() {
				if !strings.HasPrefix(p, "/lookup?") {
					t.Errorf("requested %s: a failed lookup reads no reviews", p)
				}
			}
			// Backfill checks the app the same way before any page.
			err = newAppStore(env).(Backfiller).Backfill(ctx, l, time.Time{}, "", func(Observation, string) error {
				t.Error("page called after a failed lookup")
				return nil
			})
			if err == nil {
				t.Error("Backfill: no error")
			}
		})
	}
}

func TestAppStoreFeedBackfill(t *testing.T) {
	empty := appStoreTestdata(t, "empty.json")
	// us: 2 pages then empty; gb: full to the 10-page cap.
	pages := func(cc string, n int) (appStoreFakePage, bool) {
		switch {
		case cc == "us" && n <= 2, cc == "gb":
			return appStoreFakePage{body: appStoreFeedPage(cc+strconv.Itoa(n)+"a", cc+strconv.Itoa(n)+"b")}, true
		}
		return appStoreFakePage{body: empty}, true
	}
	gbAll := func(from int) []string {
		var out []string
		for n := from; n <= 10; n++ {
			next := fmt.Sprintf("gb:%d", n+1)
			if n == 10 {
				next = ""
			}
			out = append(out, fmt.Sprintf("gb%da,gb%db>%s", n, n, next))
		}
		return out
	}
	stop := errors.New("stop")
	tests := []struct {
		name      string
		countries []string
		cursor    string
		since     time.Time
		stopAt    int
		want      []string // "ids>next" per page call
		wantPages int      // feed requests
		wantErr   error
		warn      bool
	}{
		{
			name: "from-the-start", countries: []string{"us", "gb"},
			want:      append([]string{"us1a,us1b>us:2", "us2a,us2b>us:3"}, gbAll(1)...),
			wantPages: 3 + 10,
		},
		{name: "resume-gb-3", countries: []string{"us", "gb"}, cursor: "gb:3", want: gbAll(3), wantPages: 8},
		{name: "resume-at-an-empty-page", countries: []string{"us", "gb"}, cursor: "us:3", want: gbAll(1), wantPages: 11},
		{
			name: "last-page-empty-ends-with-an-empty-call", countries: []string{"us"},
			want: []string{"us1a,us1b>us:2", "us2a,us2b>us:3", ">"}, wantPages: 3,
		},
		{
			name: "unknown-cursor-restarts", countries: []string{"us"}, cursor: "de:2", warn: true,
			want: []string{"us1a,us1b>us:2", "us2a,us2b>us:3", ">"}, wantPages: 3,
		},
		{
			name: "cursor-page-out-of-range-restarts", countries: []string{"us"}, cursor: "us:11", warn: true,
			want: []string{"us1a,us1b>us:2", "us2a,us2b>us:3", ">"}, wantPages: 3,
		},
		{
			// Every fake review is from 2025-09-28: since after that ends
			// each storefront at its page 1.
			name: "since-moves-to-the-next-storefront", countries: []string{"us", "gb"}, since: time.Date(2025, 9, 29, 0, 0, 0, 0, time.UTC),
			want: []string{">gb:1", ">"}, wantPages: 2,
		},
		{
			name: "since-before-everything", countries: []string{"us"}, since: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			want: []string{"us1a,us1b>us:2", "us2a,us2b>us:3", ">"}, wantPages: 3,
		},
		{
			name: "page-error-returned-as-is", countries: []string{"us", "gb"}, stopAt: 2, wantErr: stop,
			want: []string{"us1a,us1b>us:2", "us2a,us2b>us:3"}, wantPages: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := appStoreFakeServer(t, nil, pages)
			var log bytes.Buffer
			env, rec := appStoreEnv(srv, &log)
			l := Listing{ID: "bf", AppID: "123", Countries: tc.countries, Endpoint: srv.URL}
			var got []string
			err := newAppStore(env).(Backfiller).Backfill(context.Background(), l, tc.since, tc.cursor, func(obs Observation, next string) error {
				got = append(got, strings.Join(appStoreIDs(obs.Reviews), ",")+">"+next)
				if obs.Rating == nil || obs.Reviews == nil || obs.Complete || obs.Listing != "bf" {
					t.Errorf("page obs = %+v, want the aggregate, a non-nil slice, not complete", obs)
				}
				for _, r := range obs.Reviews {
					if cc := r.ID[:2]; r.URL != "https://apps.apple.com/"+cc+"/app/id123" {
						t.Errorf("review %s URL = %s", r.ID, r.URL)
					}
				}
				if len(got) == tc.stopAt {
					return stop
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			reqs := rec.requests()
			if len(reqs) != len(tc.countries)+tc.wantPages {
				t.Errorf("requests = %d (%v), want %d lookups + %d pages", len(reqs), reqs, len(tc.countries), tc.wantPages)
			}
			if warned := strings.Contains(log.String(), "level=WARN"); warned != tc.warn {
				t.Errorf("warned = %v, want %v; log:\n%s", warned, tc.warn, log.String())
			}
		})
	}

	t.Run("failed-page-is-an-error", func(t *testing.T) {
		srv := appStoreFakeServer(t, nil, func(cc string, n int) (appStoreFakePage, bool) {
			if n == 2 {
				return appStoreFakePage{status: http.StatusServiceUnavailable}, true
			}
			return pages(cc, n)
		})
		env, _ := appStoreEnv(srv, nil)
		var nexts []string
		err := newAppStore(env).(Backfiller).Backfill(context.Background(), Listing{AppID: "123", Endpoint: srv.URL}, time.Time{}, "", func(_ Observation, next string) error {
			nexts = append(nexts, next)
			return nil
		})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 503 || fmt.Sprint(nexts) != "[us:2]" || !strings.HasPrefix(err.Error(), "appstore: app 123 (us): backfill page 2: ") {
			t.Errorf("err = %v, cursors %v; want a 503 on page 2 after handing out us:2", err, nexts)
		}
	})
}

func FuzzParseAppStoreLookup(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "appstore", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/appstore: %v", err)
	}
	if _, err := os.Stat(realDir); err == nil {
		files = append(files, filepath.Join(realDir, "app-store", "itunes-lookup-1107711722-hubspot-2017.json"))
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{``, `{}`, `null`, `{"results":[]}`, `{"results":[{}]}`, `{"results":[{"averageUserRating":"NaN","userRatingCount":-1}]}`, `{"results":[{"kind":7}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := parseAppStoreLookup(body)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		if r := info.Rating; r != nil && (!info.Found || !(r.Value >= 1 && r.Value <= 5) || r.Count < 0) {
			t.Fatalf("rating %+v (found %v) outside [1,5] or negative count", *r, info.Found)
		}
		if !info.Found && (info.Name != "" || info.Rating != nil) {
			t.Fatalf("not found, yet %+v", info)
		}
	})
}

func BenchmarkParseAppStoreLookup(b *testing.B) {
	b.Run("own", func(b *testing.B) {
		body := appStoreLookupBody("App", 4.5, 10)
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseAppStoreLookup(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("real-hubspot", func(b *testing.B) {
		body := realFixture(b, "app-store/itunes-lookup-1107711722-hubspot-2017.json")
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseAppStoreLookup(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
