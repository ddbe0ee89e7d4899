package sources

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// yelpTestKey is the API key the stand-in expects; no error may show it.
const yelpTestKey = "test-key-0123456789abcdefABCDEF_-"

const (
	yelpBizPath     = "/v3/businesses/gary-danko-san-francisco"
	yelpReviewsPath = yelpBizPath + "/reviews"
)

// yelpAnswer is one canned stand-in answer.
type yelpAnswer struct {
	status int // 0: 200
	body   []byte
	header map[string]string
}

// yelpStandIn is a loopback Yelp Fusion API. route picks the answer for a
// request (ok=false: 404); every request is recorded.
type yelpStandIn struct {
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []string // path?query
	auths []string
	route func(r *http.Request) (yelpAnswer, bool)
}

func newYelpStandIn(t testing.TB, route func(r *http.Request) (yelpAnswer, bool)) *yelpStandIn {
	t.Helper()
	s := &yelpStandIn{route: route}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.URL.RequestURI())
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		route := s.route
		s.mu.Unlock()
		a, ok := route(r)
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		if a.status != 0 {
			w.WriteHeader(a.status)
		}
		w.Write(a.body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *yelpStandIn) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

func (s *yelpStandIn) setRoute(route func(r *http.Request) (yelpAnswer, bool)) {
	s.mu.Lock()
	s.route = route
	s.mu.Unlock()
}

// yelpRoutes answers the business and reviews paths with these answers.
func yelpRoutes(biz, reviews yelpAnswer) func(r *http.Request) (yelpAnswer, bool) {
	return func(r *http.Request) (yelpAnswer, bool) {
		switch r.URL.Path {
		case yelpBizPath:
			return biz, true
		case yelpReviewsPath:
			return reviews, true
		}
		return yelpAnswer{}, false
	}
}

func yelpTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "yelp", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// yelpOK is the stand-in serving the happy-path fixtures.
func yelpOK(t testing.TB) *yelpStandIn {
	return newYelpStandIn(t, yelpRoutes(
		yelpAnswer{body: yelpTestdata(t, "business.json")},
		yelpAnswer{body: yelpTestdata(t, "reviews.json")}))
}

func yelpListing(srv *yelpStandIn) Listing {
	return Listing{ID: "gd-yelp", Source: "yelp", BusinessID: "gary-danko-san-francisco", APIKey: yelpTestKey, Endpoint: srv.srv.URL + "/"}
}

// yelpFmtReview renders a review's fields on one line, for readable diffs.
func yelpFmtReview(r Review) string {
	rating := "nil"
	if r.Rating != nil {
		rating = strconv.FormatFloat(*r.Rating, 'g', -1, 64)
	}
	pub := ""
	if !r.Published.IsZero() {
		pub = r.Published.Format(time.RFC3339)
		if r.Published.Location() != time.UTC {
			pub += " (not UTC)"
		}
	}
	return fmt.Sprintf("%s|%s|%s|%q|%s|%s", r.ID, r.Author, rating, r.Text, pub, r.URL)
}

func yelpFmtReviews(rs []Review) []string {
	var out []string
	for _, r := range rs {
		out = append(out, yelpFmtReview(r))
	}
	return out
}

var yelpWantReviews = []string{
	`xAG4O7l-t1ubbwVAlPnDKg|Ella A.|5|"Went back again to this place since the last time i visited the bay area 5 months ago, and nothing has changed. Still the sketchy Mission, Still the cashier..."|2016-08-29T07:41:13Z|https://www.yelp.com/biz/gary-danko-san-francisco?adjust_creative=example&hrid=xAG4O7l-t1ubbwVAlPnDKg&utm_campaign=yelp_api_v3&utm_medium=api_v3_business_reviews&utm_source=example`,
	`1JNmYjJgjsbPGGIhI9a1jQ|Bo K.|2|"  Service was slow  \nand the soup cold..."|2016-01-15T18:00:00Z|https://www.yelp.com/biz/gary-danko-san-francisco?hrid=1JNmYjJgjsbPGGIhI9a1jQ`,
	`SIoiwwVRH6R2s2ipFfs4Ww|Chloé D.|4|"Le meilleur dîner de notre voyage. Réservez tôt..."|2015-11-02T09:30:00Z|https://www.yelp.com/biz/gary-danko-san-francisco?hrid=SIoiwwVRH6R2s2ipFfs4Ww`,
}

var yelpWantDetails = &Details{
	Name:    "Gary Danko",
	Address: "800 N Point St, San Francisco, CA 94109",
	Phone:   "(415) 749-2060",
	Hours: []string{
		"Mon 17:30-22:00", "Tue 17:30-22:00", "Wed 17:30-22:00", "Thu 17:30-22:00",
		"Fri 11:30-14:30, 17:30-01:00", "Sat 17:30-22:00", "Sun closed",
	},
}

const yelpWantURL = "https://www.yelp.com/biz/gary-danko-san-francisco?adjust_creative=example&utm_campaign=yelp_api_v3&utm_medium=api_v3_business_lookup&utm_source=example"

func TestYelpFetch(t *testing.T) {
	tests := []struct {
		name        string
		listing     func(l Listing) Listing
		wantReviews string // the reviews request, path and query
	}{
		{"defaults", func(l Listing) Listing { return l }, yelpReviewsPath + "?limit=3&sort_by=newest"},
		{"language", func(l Listing) Listing { l.Language = "fr_FR"; return l }, yelpReviewsPath + "?limit=3&sort_by=newest&locale=fr_FR"},
		{"language-loosely-written", func(l Listing) Listing { l.Language = "en-us"; return l }, yelpReviewsPath + "?limit=3&sort_by=newest&locale=en_US"},
		{"endpoint-without-slash", func(l Listing) Listing { l.Endpoint = strings.TrimSuffix(l.Endpoint, "/"); return l }, yelpReviewsPath + "?limit=3&sort_by=newest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := yelpOK(t)
			l := tc.listing(yelpListing(srv))
			obs, err := newYelp(testEnv()).Fetch(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.requests(); !cmp.Equal(got, []string{yelpBizPath, tc.wantReviews}) {
				t.Errorf("requests = %q, want [%s %s]", got, yelpBizPath, tc.wantReviews)
			}
			for _, a := range srv.auths {
				if a != "Bearer "+yelpTestKey {
					t.Errorf("Authorization = %q, want the bearer key", a)
				}
			}
			if obs.Listing != "gd-yelp" || obs.Platform != "yelp" || obs.Name != "Gary Danko" || obs.URL != yelpWantURL {
				t.Errorf("Listing/Platform/Name/URL = %q/%q/%q/%q", obs.Listing, obs.Platform, obs.Name, obs.URL)
			}
			if want := testEnv().Now(); !obs.At.Equal(want) || obs.At.Location() != time.UTC {
				t.Errorf("At = %v, want %v UTC", obs.At, want)
			}
			if diff := cmp.Diff(&Rating{Value: 4.5, Count: 5296}, obs.Rating); diff != "" {
				t.Errorf("Rating (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(yelpWantDetails, obs.Details); diff != "" {
				t.Errorf("Details (-want +got):\n%s", diff)
			}
			if obs.Complete || !obs.Since.IsZero() {
				t.Errorf("Complete/Since = %v/%v: 3 excerpts are never the full set", obs.Complete, obs.Since)
			}
			if diff := cmp.Diff(yelpWantReviews, yelpFmtReviews(obs.Reviews)); diff != "" {
				t.Errorf("reviews (-want +got):\n%s", diff)
			}
		})
	}
}

func TestYelpReviewWithoutURLLinksTheBusiness(t *testing.T) {
	srv := newYelpStandIn(t, yelpRoutes(
		yelpAnswer{body: yelpTestdata(t, "business.json")},
		yelpAnswer{body: []byte(`{"reviews":[{"id":"a","text":"t","rating":3,"user":{"name":"N"}},{"id":"b","url":"https://www.yelp.com/x?hrid=b"}]}`)}))
	obs, err := newYelp(testEnv()).Fetch(context.Background(), yelpListing(srv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Reviews) != 2 || obs.Reviews[0].URL != yelpWantURL || obs.Reviews[1].URL != "https://www.yelp.com/x?hrid=b" {
		t.Errorf("reviews = %q", yelpFmtReviews(obs.Reviews))
	}
}

// TestYelpPollCost: a poll costs the platform's minimum, two calls, whatever
// Options say: nothing pages, so neither Known nor Backfill adds calls.
func TestYelpPollCost(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"steady-state-all-known", Options{Known: knownIDs("xAG4O7l-t1ubbwVAlPnDKg", "1JNmYjJgjsbPGGIhI9a1jQ", "SIoiwwVRH6R2s2ipFfs4Ww")}},
		{"nothing-known", Options{Known: knownIDs()}},
		{"backfill", Options{Backfill: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := yelpOK(t)
			src := newYelp(testEnv())
			for poll := 1; poll <= 2; poll++ {
				if _, err := src.Fetch(context.Background(), yelpListing(srv), tc.o); err != nil {
					t.Fatal(err)
				}
				if n := len(srv.requests()); n != 2*poll {
					t.Fatalf("after poll %d: %d requests, want %d (2 a poll)", poll, n, 2*poll)
				}
			}
		})
	}
	if _, ok := newYelp(testEnv()).(Backfiller); ok {
		t.Error("yelp is a Backfiller; the API has no history to page through")
	}
}

func yelpErrBody(code, desc, field string) []byte {
	f := ""
	if field != "" {
		f = fmt.Sprintf(`,"field":%q`, field)
	}
	return fmt.Appendf(nil, `{"error":{"code":%q,"description":%q%s}}`, code, desc, f)
}

func TestYelpFetchErrors(t *testing.T) {
	ok := func(name string) yelpAnswer { return yelpAnswer{body: yelpTestdata(t, name)} }
	tests := []struct {
		name         string
		biz, reviews yelpAnswer
		listing      func(l Listing) Listing
		class        error  // errors.Is target
		kind         string // FailureKind
		contains     []string
		requests     int
		retryAfter   time.Duration
	}{
		{
			name: "401-token-invalid", biz: yelpAnswer{status: 401, body: yelpTestdata(t, "error-token-invalid.json")},
			class: ErrAuth, kind: "auth", contains: []string{"yelp: HTTP 401", "TOKEN_INVALID", "check api_key"}, requests: 1,
		},
		{
			name: "400-token-missing", biz: yelpAnswer{status: 400, body: yelpErrBody("TOKEN_MISSING", "An access token must be supplied in order to use this endpoint.", "")},
			class: ErrAuth, kind: "auth", contains: []string{"HTTP 400", "TOKEN_MISSING", "check api_key"}, requests: 1,
		},
		{
			name: "400-validation-on-authorization", biz: yelpAnswer{status: 400, body: yelpErrBody("VALIDATION_ERROR", "'Bearer "+yelpTestKey+"' does not match '(?i)^Bearer [A-Za-z0-9\\-\\_]{128}$'", "Authorization")},
			class: ErrAuth, kind: "auth", contains: []string{"HTTP 400", "does not match", "Bearer [A-Za-z0-9", "check api_key"}, requests: 1,
		},
		{
			name: "echoed-token-variant-redacted", biz: yelpAnswer{status: 401, body: yelpErrBody("TOKEN_INVALID", "Bearer test-key-0123 was revoked", "")},
			class: ErrAuth, kind: "auth", contains: []string{"Bearer REDACTED was revoked"}, requests: 1,
		},
		{
			name: "403-unauthorized-access-token", biz: yelpAnswer{status: 403, body: yelpErrBody("UNAUTHORIZED_ACCESS_TOKEN", "The access token provided is not currently able to query this endpoint.", "")},
			class: ErrAuth, kind: "auth", contains: []string{"check api_key"}, requests: 1,
		},
		{
			name: "404-business-not-found", biz: yelpAnswer{status: 404, body: yelpTestdata(t, "error-business-not-found.json")},
			class: ErrConfig, kind: "config", contains: []string{"business_id", `"gary-danko-san-francisco" not found`, "HTTP 404"}, requests: 1,
		},
		{
			name: "403-access-limit", biz: yelpAnswer{status: 403, body: yelpTestdata(t, "error-access-limit.json")},
			class: ErrQuota, kind: "quota", contains: []string{"ACCESS_LIMIT_REACHED", "quota or rate limit exhausted"}, requests: 1,
		},
		{
			name: "429-qps-retry-after", biz: yelpAnswer{status: 429, body: yelpTestdata(t, "error-qps.json"), header: map[string]string{"Retry-After": "7"}},
			class: ErrQuota, kind: "quota", contains: []string{"TOO_MANY_REQUESTS_PER_SECOND", "retry after 7s"}, requests: 1, retryAfter: 7 * time.Second,
		},
		{
			name: "400-locale-refused", biz: yelpAnswer{status: 400, body: yelpTestdata(t, "error-validation-locale.json")},
			listing: func(l Listing) Listing { l.Language = "xx_YY"; return l },
			class:   ErrConfig, kind: "config", contains: []string{"language", "xx_YY"}, requests: 1,
		},
		{
			name: "400-other-validation", biz: yelpAnswer{status: 400, body: yelpErrBody("VALIDATION_ERROR", "bad limit", "limit")},
			kind: "http_4xx", contains: []string{"HTTP 400", "VALIDATION_ERROR: bad limit (field limit)"}, requests: 1,
		},
		{
			name: "500", biz: yelpAnswer{status: 500, body: yelpErrBody("INTERNAL_ERROR", "Something went wrong internally, please try your request again", "")},
			kind: "http_5xx", contains: []string{"HTTP 500", "INTERNAL_ERROR"}, requests: 1,
		},
		{
			name: "502-html", biz: yelpAnswer{status: 502, body: []byte("<html><body>Bad Gateway</body></html>"), header: map[string]string{"Content-Type": "text/html"}},
			kind: "http_5xx", contains: []string{"HTTP 502"}, requests: 1,
		},
		{
			name: "200-html", biz: yelpAnswer{body: []byte("<!DOCTYPE html><html>Yelp</html>"), header: map[string]string{"Content-Type": "text/html"}},
			class: ErrLayout, kind: "layout", requests: 1,
		},
		{
			name: "200-empty-object", biz: yelpAnswer{body: []byte(`{}`)},
			class: ErrLayout, kind: "layout", requests: 1,
		},
		{
			name: "200-error-body", biz: yelpAnswer{body: yelpTestdata(t, "error-token-invalid.json")},
			class: ErrLayout, kind: "layout", contains: []string{"TOKEN_INVALID"}, requests: 1,
		},
		{
			name: "reviews-500-no-partial", biz: ok("business.json"), reviews: yelpAnswer{status: 500},
			kind: "http_5xx", requests: 2,
		},
		{
			name: "reviews-401", biz: ok("business.json"), reviews: yelpAnswer{status: 401, body: yelpTestdata(t, "error-token-invalid.json")},
			class: ErrAuth, kind: "auth", requests: 2,
		},
		{
			name: "reviews-without-list", biz: ok("business.json"), reviews: yelpAnswer{body: []byte(`{"total": 3}`)},
			class: ErrLayout, kind: "layout", contains: []string{`no "reviews" list`}, requests: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newYelpStandIn(t, yelpRoutes(tc.biz, tc.reviews))
			l := yelpListing(srv)
			if tc.listing != nil {
				l = tc.listing(l)
			}
			obs, err := newYelp(testEnv()).Fetch(context.Background(), l, Options{})
			if err == nil {
				t.Fatalf("no error; got %+v", obs)
			}
			yelpCheckErr(t, err)
			if tc.class != nil && !errors.Is(err, tc.class) {
				t.Errorf("err = %v, want %v", err, tc.class)
			}
			if k := FailureKind(err); k != tc.kind {
				t.Errorf("FailureKind = %q, want %q (err %v)", k, tc.kind, err)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("err = %q, want it to contain %q", err, s)
				}
			}
			var ae *APIError
			if errors.As(err, &ae) && ae.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", ae.RetryAfter, tc.retryAfter)
			}
			if errors.Is(err, ErrAuth) && (ae == nil || ae.Key != "api_key") {
				t.Errorf("auth error %v does not name api_key", err)
			}
			if n := len(srv.requests()); n != tc.requests {
				t.Errorf("requests = %d, want %d", n, tc.requests)
			}
			if obs.Reviews != nil || obs.Rating != nil || obs.Details != nil {
				t.Errorf("a failed fetch returned a partial observation: %+v", obs)
			}
		})
	}
}

// yelpCheckErr holds for every error the source returns.
func yelpCheckErr(t *testing.T, err error) {
	t.Helper()
	if !strings.HasPrefix(err.Error(), "yelp: ") {
		t.Errorf("err = %q, want the yelp: prefix", err)
	}
	for _, secret := range []string{yelpTestKey, "test-key-0123"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("err = %q leaks the API key", err)
		}
	}
}

func TestYelpTransport(t *testing.T) {
	t.Run("slow-answer-times-out", func(t *testing.T) {
		release := make(chan struct{})
		srv := newYelpStandIn(t, func(r *http.Request) (yelpAnswer, bool) {
			select { // hold the answer until the client gives up
			case <-r.Context().Done():
			case <-release:
			}
			return yelpAnswer{body: []byte(`{}`)}, true
		})
		defer close(release)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := newYelp(testEnv()).Fetch(ctx, yelpListing(srv), Options{})
		if !errors.Is(err, context.DeadlineExceeded) || FailureKind(err) != "timeout" {
			t.Fatalf("err = %v (kind %q), want a timeout", err, FailureKind(err))
		}
		yelpCheckErr(t, err)
	})
	t.Run("truncated-body", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write(yelpTestdata(t, "business.json")[:200])
		}))
		defer srv.Close()
		l := Listing{ID: "t", BusinessID: "gary-danko-san-francisco", APIKey: yelpTestKey, Endpoint: srv.URL + "/"}
		obs, err := newYelp(testEnv()).Fetch(context.Background(), l, Options{})
		if err == nil {
			t.Fatalf("no error for a truncated body; got %+v", obs)
		}
		if errors.Is(err, ErrLayout) {
			t.Errorf("err = %v: a cut connection is a network failure, not a layout change", err)
		}
		yelpCheckErr(t, err)
	})
	t.Run("oversized-body", func(t *testing.T) {
		srv := yelpOK(t)
		env := testEnv()
		env.MaxBody = 64
		_, err := newYelp(env).Fetch(context.Background(), yelpListing(srv), Options{})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
		yelpCheckErr(t, err)
		if n := len(srv.requests()); n != 1 {
			t.Errorf("requests = %d, want 1", n)
		}
	})
}

// yelpCapHeaders are the RateLimit-* headers of an answer.
func yelpCapHeaders(remaining int, reset time.Time) map[string]string {
	h := map[string]string{"RateLimit-DailyLimit": "500", "RateLimit-Remaining": strconv.Itoa(remaining)}
	if !reset.IsZero() {
		h["RateLimit-ResetTime"] = reset.Format("2006-01-02T15:04:05-07:00")
	}
	return h
}

// yelpCapRoutes serves the happy path, each answer with these headers.
func yelpCapRoutes(t testing.TB, h map[string]string) func(r *http.Request) (yelpAnswer, bool) {
	return yelpRoutes(
		yelpAnswer{body: yelpTestdata(t, "business.json"), header: h},
		yelpAnswer{body: yelpTestdata(t, "reviews.json"), header: h})
}

func TestYelpDailyCap(t *testing.T) {
	start := testEnv().Now()
	midnight := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

	// clockEnv is testEnv with a clock the test moves.
	clockEnv := func() (*Env, *time.Time) {
		now := start
		env := testEnv()
		env.Now = func() time.Time { return now }
		return env, &now
	}

	t.Run("refuses-without-calling-then-resumes-after-reset", func(t *testing.T) {
		srv := newYelpStandIn(t, yelpCapRoutes(t, yelpCapHeaders(1, midnight)))
		env, now := clockEnv()
		src := newYelp(env)
		l := yelpListing(srv)
		if _, err := src.Fetch(context.Background(), l, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{start, start.Add(6 * time.Hour), midnight.Add(-time.Second)} {
			*now = at
			_, err := src.Fetch(context.Background(), l, Options{})
			if !errors.Is(err, ErrQuota) || FailureKind(err) != "quota" {
				t.Fatalf("at %v: err = %v, want ErrQuota", at, err)
			}
			yelpCheckErr(t, err)
			if want := "daily cap reached: 1 left until 2026-11-24T00:00:00Z (500 a day)"; !strings.Contains(err.Error(), want) {
				t.Errorf("err = %q, want it to say %q", err, want)
			}
			if n := len(srv.requests()); n != 2 {
				t.Fatalf("at %v: requests = %d, want 2: a refused poll must not call", at, n)
			}
		}
		// Past the reset the budget is Yelp's to state again.
		*now = midnight.Add(time.Second)
		srv.setRoute(yelpCapRoutes(t, yelpCapHeaders(499, midnight.Add(24*time.Hour))))
		if _, err := src.Fetch(context.Background(), l, Options{}); err != nil {
			t.Fatalf("after the reset: %v", err)
		}
		if n := len(srv.requests()); n != 4 {
			t.Errorf("requests = %d, want 4: calls resume after the reset", n)
		}
		if _, err := src.Fetch(context.Background(), l, Options{}); err != nil {
			t.Errorf("with 499 left: %v", err)
		}
	})

	tests := []struct {
		name    string
		headers map[string]string
		// blocked: the next poll is refused without calling
		blocked bool
	}{
		{"two-left-is-enough", yelpCapHeaders(2, midnight), false},
		{"one-left-is-not", yelpCapHeaders(1, midnight), true},
		{"zero-left", yelpCapHeaders(0, midnight), true},
		{"zero-left-reset-already-past", yelpCapHeaders(0, start.Add(-time.Minute)), false},
		{"zero-left-reset-unknown", yelpCapHeaders(0, time.Time{}), false},
		{"zero-left-reset-unparsable", map[string]string{"RateLimit-Remaining": "0", "RateLimit-ResetTime": "tomorrow"}, false},
		{"remaining-unparsable", map[string]string{"RateLimit-Remaining": "few", "RateLimit-ResetTime": midnight.Format(time.RFC3339)}, false},
		{"no-headers", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newYelpStandIn(t, yelpCapRoutes(t, tc.headers))
			env, _ := clockEnv()
			src := newYelp(env)
			if _, err := src.Fetch(context.Background(), yelpListing(srv), Options{}); err != nil {
				t.Fatal(err)
			}
			_, err := src.Fetch(context.Background(), yelpListing(srv), Options{})
			n := len(srv.requests())
			if tc.blocked {
				if !errors.Is(err, ErrQuota) || n != 2 {
					t.Errorf("err = %v, requests = %d; want ErrQuota and no new request", err, n)
				}
				return
			}
			if err != nil || n != 4 {
				t.Errorf("err = %v, requests = %d; want a normal poll (4 requests in all)", err, n)
			}
		})
	}

	t.Run("per-api-key", func(t *testing.T) {
		srv := newYelpStandIn(t, yelpCapRoutes(t, yelpCapHeaders(1, midnight)))
		env, _ := clockEnv()
		src := newYelp(env)
		a := yelpListing(srv)
		if _, err := src.Fetch(context.Background(), a, Options{}); err != nil {
			t.Fatal(err)
		}
		b := a
		b.APIKey = "another-key"
		srv.setRoute(yelpCapRoutes(t, nil))
		if _, err := src.Fetch(context.Background(), b, Options{}); err != nil {
			t.Errorf("another key was refused: %v", err)
		}
		if _, err := src.Fetch(context.Background(), a, Options{}); !errors.Is(err, ErrQuota) {
			t.Errorf("the spent key: err = %v, want ErrQuota", err)
		}
		if n := len(srv.requests()); n != 4 {
			t.Errorf("requests = %d, want 4", n)
		}
	})

	t.Run("refusal-headers-count-too", func(t *testing.T) {
		h := yelpCapHeaders(0, midnight)
		srv := newYelpStandIn(t, yelpRoutes(yelpAnswer{status: 429, body: yelpTestdata(t, "error-access-limit.json"), header: h}, yelpAnswer{}))
		env, _ := clockEnv()
		src := newYelp(env)
		for i, wantRequests := range []int{1, 1} {
			_, err := src.Fetch(context.Background(), yelpListing(srv), Options{})
			if !errors.Is(err, ErrQuota) {
				t.Fatalf("poll %d: err = %v, want ErrQuota", i+1, err)
			}
			if n := len(srv.requests()); n != wantRequests {
				t.Fatalf("poll %d: requests = %d, want %d", i+1, n, wantRequests)
			}
		}
	})

	t.Run("answer-without-headers-keeps-last-budget", func(t *testing.T) {
		srv := newYelpStandIn(t, yelpRoutes(
			yelpAnswer{body: yelpTestdata(t, "business.json"), header: yelpCapHeaders(1, midnight)},
			yelpAnswer{body: yelpTestdata(t, "reviews.json")}))
		env, _ := clockEnv()
		src := newYelp(env)
		if _, err := src.Fetch(context.Background(), yelpListing(srv), Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := src.Fetch(context.Background(), yelpListing(srv), Options{}); !errors.Is(err, ErrQuota) {
			t.Errorf("err = %v, want ErrQuota from the business answer's headers", err)
		}
	})

	t.Run("concurrent-polls", func(t *testing.T) {
		// For -race: the budget map is shared by every listing of the source.
		srv := newYelpStandIn(t, yelpCapRoutes(t, yelpCapHeaders(400, midnight)))
		src := newYelp(testEnv())
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				l := yelpListing(srv)
				l.APIKey = Secret(fmt.Sprintf("key-%d", i%2))
				if _, err := src.Fetch(context.Background(), l, Options{}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	})
}

func TestYelpRealFixtures(t *testing.T) {
	t.Run("v2-business-yelp-san-francisco-2015", func(t *testing.T) {
		body := realFixture(t, "yelp/v2-business-yelp-san-francisco-2015.json")
		b, err := parseYelpBusiness(body)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&Rating{Value: 2.5, Count: 7534}, b.Rating); diff != "" {
			t.Errorf("Rating (-want +got):\n%s", diff)
		}
		want := &Details{Name: "Yelp", Address: "140 New Montgomery St, Financial District, San Francisco, CA 94105", Phone: "+1-415-908-3801"}
		if diff := cmp.Diff(want, b.Details); diff != "" {
			t.Errorf("Details (-want +got):\n%s", diff)
		}
		if b.Name != "Yelp" || b.URL != "http://www.yelp.com/biz/yelp-san-francisco" {
			t.Errorf("Name/URL = %q/%q", b.Name, b.URL)
		}
		// v2 carried its one excerpt inside the business body.
		p, err := parseYelpReviews(body)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Reviews) != 1 {
			t.Fatalf("reviews = %d, want 1", len(p.Reviews))
		}
		r := p.Reviews[0]
		if r.ID != "AIL0eKK3vFNsR_n9BaJI5Q" || r.Author != "Britt Z." || r.Rating == nil || *r.Rating != 5 ||
			!r.Published.Equal(time.Date(2015, 10, 21, 13, 30, 41, 0, time.UTC)) || r.Published.Location() != time.UTC ||
			!strings.HasPrefix(r.Text, "My 200th review! For this milestone I ha") || !strings.HasSuffix(r.Text, "would turn...") {
			t.Errorf("review = %s", yelpFmtReview(r))
		}
	})
	t.Run("v3-error-validation-bad-bearer", func(t *testing.T) {
		body := realFixture(t, "yelp/v3-error-validation-bad-bearer.json")
		if e := parseYelpError(body); e.Code != "VALIDATION_ERROR" || e.Field != "Authorization" {
			t.Errorf("parsed %+v, want VALIDATION_ERROR on Authorization", e)
		}
		if _, err := parseYelpBusiness(body); !errors.Is(err, ErrLayout) {
			t.Errorf("as a business: err = %v, want ErrLayout (no business data)", err)
		}
		srv := newYelpStandIn(t, yelpRoutes(yelpAnswer{status: 400, body: body}, yelpAnswer{}))
		l := yelpListing(srv)
		// The key this body echoes, as whoever recorded it had configured it.
		l.APIKey = "la-v-vietnamese-fusion-st-petersburg"
		_, err := newYelp(testEnv()).Fetch(context.Background(), l, Options{})
		var ae *APIError
		if !errors.Is(err, ErrAuth) || !errors.As(err, &ae) || ae.Key != "api_key" || ae.Status != 400 {
			t.Fatalf("err = %v, want a 400 ErrAuth naming api_key", err)
		}
		yelpCheckErr(t, err)
		for _, s := range []string{"check api_key", "VALIDATION_ERROR", "'Bearer REDACTED' does not match", "(field Authorization)"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("err = %q, want it to contain %q", err, s)
			}
		}
		if strings.Contains(err.Error(), "vietnamese") {
			t.Errorf("err = %q echoes the configured key", err)
		}
	})
}

func TestValidateYelp(t *testing.T) {
	valid := Listing{ID: "x", Source: "yelp", BusinessID: "gary-danko-san-francisco", APIKey: "k"}
	with := func(f func(l *Listing)) Listing { l := valid; f(&l); return l }
	tests := []struct {
		name     string
		l        Listing
		wantKeys []string // keys named, in order; nil = valid
	}{
		{"minimal", valid, nil},
		{"business-id", with(func(l *Listing) { l.BusinessID = "WavvLdfdP6g8aZTtbBQHTw" }), nil},
		{"unicode-alias", with(func(l *Listing) { l.BusinessID = "galpão-gaucho-brazilian-steakhouse-cupertino-3" }), nil},
		{"all-keys", with(func(l *Listing) {
			l.Endpoint, l.Language, l.Schedule, l.Name = "http://127.0.0.1:9/yelp", "fil_PH", "@every 6h", "Gary Danko"
		}), nil},
		{"nothing", Listing{ID: "x", Source: "yelp"}, []string{"business_id", "api_key"}},
		{"business-id-url", with(func(l *Listing) { l.BusinessID = "https://www.yelp.com/biz/gary-danko-san-francisco" }), []string{"business_id"}},
		{"business-id-path", with(func(l *Listing) { l.BusinessID = "biz/gary-danko" }), []string{"business_id"}},
		{"business-id-space", with(func(l *Listing) { l.BusinessID = "gary danko" }), []string{"business_id"}},
		{"business-id-query", with(func(l *Listing) { l.BusinessID = "gary?x=1" }), []string{"business_id"}},
		{"api-key-bearer", with(func(l *Listing) { l.APIKey = "Bearer abc" }), []string{"api_key"}},
		{"api-key-newline", with(func(l *Listing) { l.APIKey = "secretpart\n" }), []string{"api_key"}},
		{"endpoint-ftp", with(func(l *Listing) { l.Endpoint = "ftp://api.yelp.com/" }), []string{"endpoint"}},
		{"endpoint-relative", with(func(l *Listing) { l.Endpoint = "api.yelp.com" }), []string{"endpoint"}},
		{"endpoint-query", with(func(l *Listing) { l.Endpoint = "https://api.yelp.com/?x=1" }), []string{"endpoint"}},
		{"language-name", with(func(l *Listing) { l.Language = "english" }), []string{"language"}},
		{"language-without-country", with(func(l *Listing) { l.Language = "en" }), []string{"language"}},
		{"other-platforms-keys", with(func(l *Listing) { l.PlaceID, l.URL = "p", "https://example.com/" }), []string{"url", "place_id"}},
		{"everything-wrong", with(func(l *Listing) { l.BusinessID, l.APIKey, l.Language = "", "", "x" }), []string{"business_id", "api_key", "language"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateYelp(tc.l)
			if tc.wantKeys == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			var keys []string
			for _, e := range unjoinYelp(err) {
				msg := strings.TrimPrefix(e.Error(), ErrConfig.Error()+": ")
				key, _, _ := strings.Cut(msg, ":")
				keys = append(keys, key)
			}
			if !cmp.Equal(keys, tc.wantKeys) {
				t.Errorf("keys named = %q, want %q (err %v)", keys, tc.wantKeys, err)
			}
			if k := tc.l.APIKey.Reveal(); len(k) > 3 && strings.Contains(err.Error(), strings.TrimSpace(strings.TrimPrefix(k, "Bearer "))) {
				t.Errorf("err = %q echoes the API key", err)
			}
			// Fetch refuses the same listing, without a request.
			env := testEnv()
			env.HTTP = &http.Client{Transport: yelpRoundTrip(func(*http.Request) (*http.Response, error) {
				t.Error("request made for an invalid listing")
				return nil, errors.New("no")
			})}
			_, ferr := newYelp(env).Fetch(context.Background(), tc.l, Options{})
			if !errors.Is(ferr, ErrConfig) || !strings.HasPrefix(ferr.Error(), "yelp: ") {
				t.Errorf("Fetch err = %v, want ErrConfig with the yelp: prefix", ferr)
			}
		})
	}
}

type yelpRoundTrip func(*http.Request) (*http.Response, error)

func (f yelpRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func unjoinYelp(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestYelpParseBusiness(t *testing.T) {
	tests := []struct {
		name       string
		body       []byte
		wantName   string
		wantURL    string
		wantRating *Rating
		wantDet    *Details
		wantErr    error
	}{
		{
			name: "full", body: yelpTestdata(t, "business.json"), wantName: "Gary Danko", wantURL: yelpWantURL,
			wantRating: &Rating{Value: 4.5, Count: 5296}, wantDet: yelpWantDetails,
		},
		{
			name: "permanently-closed", body: yelpTestdata(t, "business-closed.json"), wantName: "Old Diner", wantURL: "https://www.yelp.com/biz/old-diner-oakland",
			wantRating: &Rating{Value: 3, Count: 12},
			wantDet:    &Details{Name: "Old Diner", Address: "1 Main St, Oakland, CA 94607", Phone: "+15105550100", Hours: []string{"permanently closed (Yelp)"}},
		},
		{
			name: "no-reviews-yet", body: yelpTestdata(t, "business-no-reviews.json"), wantName: "Nouveau Lieu", wantURL: "https://www.yelp.fr/biz/new-place-paris",
			wantDet: &Details{Name: "Nouveau Lieu", Address: "12 Rue de Rivoli, 75004 Paris, France"},
		},
		{
			name: "odd-types", body: yelpTestdata(t, "business-odd-types.json"), wantName: "Odd Types Café",
			wantRating: &Rating{Value: 4, Count: 17},
			wantDet: &Details{Name: "Odd Types Café", Address: "one string, not a list", Phone: "+33100000000",
				Hours: []string{"Mon 00:00-00:00", "Tue closed", "Wed closed", "Thu closed", "Fri closed", "Sat closed", "Sun 9am-5pm"}},
		},
		{
			name: "id-only", body: []byte(`{"id":"x"}`), wantDet: &Details{},
		},
		{
			name: "rating-out-of-scale", body: []byte(`{"name":"N","rating":7,"review_count":3}`), wantName: "N", wantDet: &Details{Name: "N"},
		},
		{name: "empty-object", body: []byte(`{}`), wantErr: ErrLayout},
		{name: "null", body: []byte(`null`), wantErr: ErrLayout},
		{name: "array", body: []byte(`[{"name":"x"}]`), wantErr: ErrLayout},
		{name: "string", body: []byte(`"x"`), wantErr: ErrLayout},
		{name: "not-json", body: []byte(`nope`), wantErr: ErrLayout},
		{name: "empty", body: nil, wantErr: ErrLayout},
		{name: "error-body", body: yelpTestdata(t, "error-business-not-found.json"), wantErr: ErrLayout},
		{name: "reviews-body", body: yelpTestdata(t, "reviews.json"), wantErr: ErrLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := parseYelpBusiness(tc.body)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Name != tc.wantName || b.URL != tc.wantURL {
				t.Errorf("Name/URL = %q/%q, want %q/%q", b.Name, b.URL, tc.wantName, tc.wantURL)
			}
			if diff := cmp.Diff(tc.wantRating, b.Rating); diff != "" {
				t.Errorf("Rating (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantDet, b.Details); diff != "" {
				t.Errorf("Details (-want +got):\n%s", diff)
			}
		})
	}
}

func TestYelpParseReviews(t *testing.T) {
	tests := []struct {
		name      string
		body      []byte
		want      []string // yelpFmtReview of each
		wantTotal int
		wantErr   error
	}{
		{name: "three", body: yelpTestdata(t, "reviews.json"), want: yelpWantReviews, wantTotal: 5296},
		{name: "empty", body: yelpTestdata(t, "reviews-empty.json")},
		{
			name: "edge-cases", body: yelpTestdata(t, "reviews-edge.json"), wantTotal: 8,
			want: []string{
				`r-zero|Zed|nil|"rating zero"|2024-07-04T19:00:00Z|`,
				`r-six|Six|nil|"rating six"||`,
				`r-string||3|"rating as a string"|2024-03-10T17:00:00Z|`,
				ContentID("Anon", "no id here", "2024-12-01T16:00:00Z") + `|Anon|1|"no id here"|2024-12-01T16:00:00Z|`,
				`r-v2|Old API|4|"v2 excerpt"|2015-10-21T13:30:41Z|`,
				`r-empty-text|Stars Only|5|""||`,
			},
		},
		{name: "no-list", body: []byte(`{"total":3}`), wantErr: ErrLayout},
		{name: "list-null", body: []byte(`{"reviews":null}`), wantErr: ErrLayout},
		{name: "list-string", body: []byte(`{"reviews":"x"}`), wantErr: ErrLayout},
		{name: "item-not-object", body: []byte(`{"reviews":[1]}`), wantErr: ErrLayout},
		{name: "error-body", body: yelpTestdata(t, "error-qps.json"), wantErr: ErrLayout},
		{name: "not-json", body: []byte(`<html>`), wantErr: ErrLayout},
		{name: "array", body: []byte(`[]`), wantErr: ErrLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseYelpReviews(tc.body)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, yelpFmtReviews(p.Reviews)); diff != "" {
				t.Errorf("reviews (-want +got):\n%s", diff)
			}
			if p.Total != tc.wantTotal {
				t.Errorf("Total = %d, want %d", p.Total, tc.wantTotal)
			}
		})
	}
}

// TestYelpReviewZone pins the reading of time_created as Pacific time,
// daylight saving included (see yelpReviewZone).
func TestYelpReviewZone(t *testing.T) {
	if yelpReviewZone.String() != "America/Los_Angeles" {
		t.Skipf("no tz database here (zone %s): the fixed-PST fallback is in use", yelpReviewZone)
	}
	for _, tc := range []struct{ in, want string }{
		{"2016-08-29 00:41:13", "2016-08-29T07:41:13Z"}, // PDT
		{"2016-01-15 10:00:00", "2016-01-15T18:00:00Z"}, // PST
		{"2024-12-31 23:30:00", "2025-01-01T07:30:00Z"}, // across the year
	} {
		var y yelpTime
		if err := y.UnmarshalJSON([]byte(strconv.Quote(tc.in))); err != nil {
			t.Fatal(err)
		}
		if got := y.t.Format(time.RFC3339); got != tc.want {
			t.Errorf("%s -> %s, want %s", tc.in, got, tc.want)
		}
	}
}

func yelpSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "yelp", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/yelp: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{``, `{}`, `null`, `{"reviews":[{}]}`, `{"hours":[{"open":[{"day":-1}]}],"name":"x"}`, `{"reviews":[{"time_created":-5}]}`} {
		f.Add([]byte(s))
	}
}

func FuzzYelpBusiness(f *testing.F) {
	yelpSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := parseYelpBusiness(body)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		if b.Details == nil {
			t.Fatal("no Details on success")
		}
		if b.Rating != nil && (!(b.Rating.Value >= 1 && b.Rating.Value <= 5) || b.Rating.Count < 0) {
			t.Fatalf("rating %+v outside [1,5] or negative count", *b.Rating)
		}
		if n := len(b.Details.Hours); n != 0 && n != 1 && n != 7 {
			t.Fatalf("%d hours lines, want 0, 1 or 7", n)
		}
	})
}

func FuzzYelpReviews(f *testing.F) {
	yelpSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseYelpReviews(body)
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
		if p.Total < 0 {
			t.Fatalf("Total %d", p.Total)
		}
	})
}

func BenchmarkYelpParse(b *testing.B) {
	for _, bc := range []struct {
		name  string
		parse func([]byte) error
		body  func(b *testing.B) []byte
	}{
		{"business", func(x []byte) error { _, err := parseYelpBusiness(x); return err }, func(b *testing.B) []byte { return yelpTestdata(b, "business.json") }},
		{"reviews", func(x []byte) error { _, err := parseYelpReviews(x); return err }, func(b *testing.B) []byte { return yelpTestdata(b, "reviews.json") }},
		{"real-v2-business", func(x []byte) error { _, err := parseYelpBusiness(x); return err }, func(b *testing.B) []byte {
			return realFixture(b, "yelp/v2-business-yelp-san-francisco-2015.json")
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := bc.body(b)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if err := bc.parse(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
