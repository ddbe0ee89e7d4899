package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// appStoreRecorder counts the requests an Env makes, on the client side, so it
// works with the shared serve helper.
type appStoreRecorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	paths []string
}

func (r *appStoreRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.paths = append(r.paths, req.URL.Path)
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
		e.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	return e, rec
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
	if obs.Rating != nil {
		t.Errorf("Rating = %+v, want nil: the feed has no aggregate", *obs.Rating)
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
		if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5) {
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
			srv := serve(t, "application/json", map[string][]byte{appStorePath(tc.country, tc.appID, 1): body})
			env, rec := appStoreEnv(srv, nil)
			l := Listing{ID: "app-" + tc.appID, Source: "appstore", AppID: tc.appID, Country: tc.country, Endpoint: srv.URL + "/"}
			publicURL := "https://apps.apple.com/" + tc.country + "/app/id" + tc.appID

			obs, err := newAppStore(env).Fetch(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkAppStoreInvariants(t, obs, l, publicURL)
			if got := len(rec.requests()); got != 1 {
				t.Errorf("requests = %d, want 1 (no Known: page 1 only)", got)
			}
			if obs.Name != "" {
				t.Errorf("Name = %q, want \"\": this feed format carries no app name", obs.Name)
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
			want := []string{appStorePath(country, appID, 1), appStorePath(country, appID, 2)}
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

// appStoreServer answers page n of app 123 (us) from pages; a page with a
// status answers that status.
type appStoreFakePage struct {
	status int
	body   []byte
}

func appStoreServer(t *testing.T, pages func(n int) (appStoreFakePage, bool)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/us/rss/customerreviews/page=%d/id=123/sortby=mostrecent/json", &n); err != nil ||
			r.URL.Path != appStorePath("us", "123", n) {
			http.NotFound(w, r)
			return
		}
		p, ok := pages(n)
		if !ok {
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
			if len(reqs) != tc.requests {
				t.Errorf("requests = %d (%v), want %d", len(reqs), reqs, tc.requests)
			}
			for i, p := range reqs {
				if want := appStorePath("us", "123", i+1); p != want {
					t.Errorf("request %d = %s, want %s", i, p, want)
				}
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
			if n := len(rec.requests()); n != 1 {
				t.Errorf("requests = %d, want 1: a failed page 1 ends the fetch", n)
			}
		})
	}
}

func TestAppStoreEndpointAndCountry(t *testing.T) {
	tests := []struct {
		name       string
		l          func(srvURL string) Listing
		path       string
		publicURL  string
		wantResult int
	}{
		{
			name:      "no-trailing-slash",
			l:         func(u string) Listing { return Listing{ID: "x", AppID: "42", Endpoint: u} },
			path:      appStorePath("us", "42", 1),
			publicURL: "https://apps.apple.com/us/app/id42",
		},
		{
			name:      "path-prefix-without-slash",
			l:         func(u string) Listing { return Listing{ID: "x", AppID: "42", Endpoint: u + "/proxy"} },
			path:      "/proxy" + appStorePath("us", "42", 1),
			publicURL: "https://apps.apple.com/us/app/id42",
		},
		{
			name:      "upper-case-country",
			l:         func(u string) Listing { return Listing{ID: "x", AppID: "42", Country: "GB", Endpoint: u + "/"} },
			path:      appStorePath("gb", "42", 1),
			publicURL: "https://apps.apple.com/gb/app/id42",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, "application/json", map[string][]byte{tc.path: appStoreTestdata(t, "single-entry.json")})
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
			if got := rec.requests(); len(got) != 1 || got[0] != tc.path {
				t.Errorf("requests = %v, want [%s]", got, tc.path)
			}
		})
	}
}

func TestValidateAppStore(t *testing.T) {
	tests := []struct {
		name    string
		l       Listing
		wantKey string // "" = valid
	}{
		{"defaults", Listing{AppID: "389801252"}, ""},
		{"country-upper", Listing{AppID: "1", Country: "FR"}, ""},
		{"endpoint-no-slash", Listing{AppID: "1", Endpoint: "http://127.0.0.1:8080"}, ""},
		{"endpoint-path", Listing{AppID: "1", Endpoint: "https://proxy.example/apple/"}, ""},
		{"missing-app-id", Listing{Country: "us"}, "app_id"},
		{"app-id-letters", Listing{AppID: "id389801252"}, "app_id"},
		{"app-id-space", Listing{AppID: " 389801252"}, "app_id"},
		{"app-id-negative", Listing{AppID: "-1"}, "app_id"},
		{"app-id-unicode-digits", Listing{AppID: "١٢٣"}, "app_id"},
		{"country-three-letters", Listing{AppID: "1", Country: "usa"}, "country"},
		{"country-one-letter", Listing{AppID: "1", Country: "u"}, "country"},
		{"country-digit", Listing{AppID: "1", Country: "u1"}, "country"},
		{"endpoint-no-scheme", Listing{AppID: "1", Endpoint: "itunes.apple.com/"}, "endpoint"},
		{"endpoint-ftp", Listing{AppID: "1", Endpoint: "ftp://itunes.apple.com/"}, "endpoint"},
		{"endpoint-no-host", Listing{AppID: "1", Endpoint: "https:///x/"}, "endpoint"},
		{"endpoint-query", Listing{AppID: "1", Endpoint: "https://itunes.apple.com/?cc=us"}, "endpoint"},
		{"endpoint-unparsable", Listing{AppID: "1", Endpoint: "http://[::1"}, "endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateAppStore(tc.l)
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrConfig) || !strings.HasPrefix(err.Error(), "appstore: ") || !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("err = %q, want ErrConfig prefixed appstore: naming %s", err, tc.wantKey)
			}
			// Fetch refuses the same listing without a request.
			env := testEnv()
			env.HTTP = &http.Client{Transport: appStoreRoundTrip(func(*http.Request) (*http.Response, error) {
				t.Error("request made for an invalid listing")
				return nil, errors.New("no")
			})}
			if _, err := newAppStore(env).Fetch(context.Background(), tc.l, Options{}); !errors.Is(err, ErrConfig) {
				t.Errorf("Fetch err = %v, want ErrConfig", err)
			}
		})
	}
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
			if r.Rating != nil && (*r.Rating < 1 || *r.Rating > 5) {
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
