package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

const (
	tpTestKey  = "tp-test-key-9f8e7d6c"
	tpTestUnit = "5f0c0ffee0ddba11ca7e0001"
	tpUnitPath = "/v1/business-units/" + tpTestUnit
	tpRevPath  = tpUnitPath + "/reviews"
)

// tpAPIReq is the stand-in's key for reviews page n, as the source must ask.
func tpAPIReq(n int) string {
	if n <= 1 {
		return tpRevPath + "?perPage=100&orderBy=createdat.desc"
	}
	return tpRevPath + "?perPage=100&orderBy=createdat.desc&page=" + strconv.Itoa(n)
}

// tpAPIStandIn is a loopback Business API. It records each request as
// path?query and the apikey header it carried, refuses other keys with 401,
// and answers the rest with handle(key, page).
type tpAPIStandIn struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
	keys []string
}

// tpAPIAnswer is one stand-in answer; a nil body is an empty one.
type tpAPIAnswer struct {
	code int
	hdr  map[string]string
	body []byte
}

func newTPAPIServer(t testing.TB, handle func(key string, page int) tpAPIAnswer) *tpAPIStandIn {
	t.Helper()
	s := &tpAPIStandIn{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		s.mu.Lock()
		s.hits = append(s.hits, key)
		s.keys = append(s.keys, r.Header.Get("apikey"))
		s.mu.Unlock()
		if r.Header.Get("apikey") != tpTestKey {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"fault":{"faultstring":"Invalid ApiKey","detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}`))
			return
		}
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			page, _ = strconv.Atoi(p)
		}
		a := handle(key, page)
		w.Header().Set("Content-Type", "application/json")
		for k, v := range a.hdr {
			w.Header().Set(k, v)
		}
		if a.code == 0 {
			a.code = http.StatusOK
		}
		w.WriteHeader(a.code)
		w.Write(a.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *tpAPIStandIn) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}

// checkKeys asserts every request carried the key in the header, never in the URL.
func (s *tpAPIStandIn) checkKeys(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range s.keys {
		if k != tpTestKey {
			t.Errorf("request %s sent apikey %q", s.hits[i], k)
		}
		if strings.Contains(s.hits[i], tpTestKey) {
			t.Errorf("request %s carries the key in the URL", s.hits[i])
		}
	}
}

// tpAPIBook serves a unit and total synthetic review pages (two reviews
// each, newest first), answering a page past the last with an empty list
// as the API does; fail gives some requests an error status.
func tpAPIBook(t testing.TB, total int, fail map[string]int) func(string, int) tpAPIAnswer {
	unit := tpFixture(t, "api-unit.json")
	return func(key string, page int) tpAPIAnswer {
		if code, ok := fail[key]; ok {
			return tpAPIAnswer{code: code, body: []byte(`{"message":"failed on purpose"}`)}
		}
		switch {
		case key == tpUnitPath:
			return tpAPIAnswer{body: unit}
		case strings.HasPrefix(key, tpRevPath+"?"):
			q, _ := url.ParseQuery(strings.TrimPrefix(key, tpRevPath+"?"))
			if q.Get("perPage") != "100" || q.Get("orderBy") != "createdat.desc" {
				return tpAPIAnswer{code: http.StatusBadRequest, body: []byte(`{"message":"bad query"}`)}
			}
			return tpAPIAnswer{body: tpAPIPageBody(page, total)}
		}
		return tpAPIAnswer{code: http.StatusNotFound, body: []byte(`{"message":"Not found"}`)}
	}
}

// tpAPIDate is when synthetic review i (1, 2) of page n was written: two a
// day, newest first.
func tpAPIDate(n, i int) time.Time {
	return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC).Add(-time.Duration((n-1)*2+i-1) * 12 * time.Hour)
}

func tpAPIID(n, i int) string { return fmt.Sprintf("api%03d-%d", n, i) }

func tpAPIPageBody(n, total int) []byte {
	reviews := []map[string]any{}
	if n >= 1 && n <= total {
		for i := 1; i <= 2; i++ {
			reviews = append(reviews, map[string]any{
				"id": tpAPIID(n, i), "stars": 1 + (n+i)%5, "title": "t", "text": "x", "language": "en",
				"createdAt": tpAPIDate(n, i).Format(time.RFC3339), "updatedAt": tpAPIDate(n, i).Format(time.RFC3339),
				"consumer": map[string]any{"displayName": "c"},
			})
		}
	}
	links := []map[string]any{}
	if n < total {
		links = append(links, map[string]any{"rel": "next-page", "method": "GET", "href": fmt.Sprintf("https://api.trustpilot.com%s?page=%d", tpRevPath, n+1)})
	}
	b, _ := json.Marshal(map[string]any{"reviews": reviews, "links": links})
	return b
}

// tpAPIListing is a Business API listing on the stand-in.
func tpAPIListing(srv *httptest.Server) Listing {
	return Listing{ID: "tp-api", Source: "trustpilot", APIKey: tpTestKey, BusinessUnitID: tpTestUnit, Endpoint: srv.URL + "/"}
}

// tpAPIPages is the ids of synthetic pages from..to.
func tpAPIPages(from, to int) []string {
	var ids []string
	for n := from; n <= to; n++ {
		ids = append(ids, tpAPIID(n, 1), tpAPIID(n, 2))
	}
	return ids
}

func TestParseTrustpilotAPIUnit(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want tpAPIUnit
	}{
		{"fixture", tpFixture(t, "api-unit.json"), tpAPIUnit{
			Name: "Example Ltd", Identifying: "example.com", Rating: &Rating{Value: 3.9, Count: 42},
			Details: &Details{Name: "Example Ltd", Website: "https://www.example.com"}}},
		{"stars when trustScore is missing, bare count", []byte(`{"displayName":"Half","score":{"stars":4.5},"numberOfReviews":7}`),
			tpAPIUnit{Name: "Half", Rating: &Rating{Value: 4.5, Count: 7}, Details: &Details{Name: "Half"}}},
		{"no reviews yet: score 0 is no rating", []byte(`{"displayName":"New Co","score":{"trustScore":0,"stars":0},"numberOfReviews":{"total":0}}`),
			tpAPIUnit{Name: "New Co", Details: &Details{Name: "New Co"}}},
		{"identifying name only, odd types", []byte(`{"displayName":7,"name":{"identifying":"odd.example"},"score":"high","websiteUrl":[]}`),
			tpAPIUnit{Name: "odd.example", Identifying: "odd.example", Details: &Details{Name: "odd.example"}}},
		{"score as string", []byte(`{"displayName":"S","score":{"trustScore":"4.2"},"numberOfReviews":{"total":"12"}}`),
			tpAPIUnit{Name: "S", Rating: &Rating{Value: 4.2, Count: 12}, Details: &Details{Name: "S"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTrustpilotAPIUnit(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("unit (-want +got):\n%s", diff)
			}
		})
	}
	for _, body := range []string{"", "{}", "[]", `{"reviews":[]}`, "<html><body>Just a moment...</body></html>", `{"displayName":`, "null"} {
		t.Run("layout "+body, func(t *testing.T) {
			if _, err := parseTrustpilotAPIUnit([]byte(body)); !errors.Is(err, ErrLayout) {
				t.Errorf("err = %v, want ErrLayout", err)
			}
		})
	}
}

func TestParseTrustpilotAPIReviews(t *testing.T) {
	const base = "https://uk.trustpilot.com"
	link := func(id string) string { return base + "/reviews/" + id }
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		name string
		body []byte
		want tpAPIPage
	}{
		{"page 1", tpFixture(t, "api-reviews-p1.json"), tpAPIPage{HasNext: true, Reviews: []Review{
			{ID: "dddd00000000000000000001", Author: "Alice Martin", Rating: Stars(1), Title: "Parcel lost, refund took weeks",
				Text: "My parcel never arrived\nand the refund took three weeks.", Language: "en",
				Published: ts("2026-11-20T09:15:00Z"), Updated: ts("2026-11-20T15:00:00Z"), URL: link("dddd00000000000000000001"),
				Reply: &Reply{Text: "Hi Alice, we are sorry. Our team has contacted you.", Published: ts("2026-11-21T10:00:00Z")}},
			{ID: "dddd00000000000000000002", Author: "Bruno", Rating: Stars(5), Title: "Fast and friendly",
				Text: "Ordered on Monday, arrived Tuesday.", Language: "en",
				Published: ts("2026-11-18T17:40:12Z"), URL: link("dddd00000000000000000002")},
			{ID: "dddd00000000000000000003", Author: "Chloé", Rating: Stars(3), Title: "Correct",
				Text: "Livraison correcte, emballage abîmé.", Language: "fr",
				Published: ts("2026-11-02T08:00:00Z"), URL: link("dddd00000000000000000003")},
		}}},
		{"last page", tpFixture(t, "api-reviews-p2.json"), tpAPIPage{Reviews: []Review{
			{ID: "dddd00000000000000000004", Author: "Dana", Rating: Stars(4), Title: "Fixed quickly",
				Text: "Second order was wrong, support fixed it.", Language: "en",
				Published: ts("2026-10-12T12:00:00Z"), URL: link("dddd00000000000000000004")},
			{ID: "dddd00000000000000000005", Author: "Eve", Rating: Stars(2), Title: "Slow", Text: "Never again.", Language: "en",
				Published: ts("2026-09-01T06:30:00Z"), URL: link("dddd00000000000000000005"),
				Reply: &Reply{Text: "Sorry to hear that, Eve.", Published: ts("2026-09-02T07:00:00Z")}},
		}}},
		// Off-scale stars are nil, never 0; odd entries cost themselves only.
		{"odd", tpFixture(t, "api-reviews-odd.json"), tpAPIPage{HasNext: true, Reviews: []Review{
			{ID: "gggg00000000000000000001", Author: "Zed", Title: "zero", Text: "Zero is not a rating.",
				Published: ts("2026-11-20T09:15:00Z"), URL: link("gggg00000000000000000001")},
			{ID: "gggg00000000000000000002", Author: "Sia", Title: "six", Text: "Six is off the scale.",
				Published: ts("2026-11-19T07:15:00Z"), URL: link("gggg00000000000000000002")},
			{ID: "gggg00000000000000000003", Rating: Stars(4), Title: "string stars", Text: "Stars as a string.",
				URL: link("gggg00000000000000000003")},
			{ID: ContentID("trustpilot", "Anon", "2026-11-16T09:15:00Z", "no id", "A review without an id gets a content id."),
				Author: "Anon", Rating: Stars(5), Title: "no id", Text: "A review without an id gets a content id.",
				Published: ts("2026-11-16T09:15:00Z")},
			{ID: "gggg00000000000000000004", Author: "Rep", Rating: Stars(2), Title: "empty reply", Text: "Reply has no text.",
				Published: ts("2026-11-15T09:15:00Z"), URL: link("gggg00000000000000000004")},
			{ID: "gggg00000000000000000005", Author: "Upd", Rating: Stars(1), Title: "reply without createdAt", Text: "Edited later.",
				Published: ts("2026-11-14T09:15:00Z"), URL: link("gggg00000000000000000005"),
				Reply: &Reply{Text: "Thanks.", Published: ts("2026-11-15T10:00:00Z")}},
		}}},
		{"empty list: a page, not an error", []byte(`{"reviews":[],"links":[]}`), tpAPIPage{Reviews: []Review{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTrustpilotAPIReviews(tc.body, base)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			checkTrustpilotInvariants(t, "uk.trustpilot.com", got.Reviews)
		})
	}
	for _, body := range []string{"", "{}", `{"reviews":null}`, `{"reviews":{}}`, `{"reviews":"none"}`, `{"reviews":[1,`, "[]", "<html></html>"} {
		t.Run("layout "+body, func(t *testing.T) {
			if _, err := parseTrustpilotAPIReviews([]byte(body), base); !errors.Is(err, ErrLayout) {
				t.Errorf("err = %v, want ErrLayout", err)
			}
		})
	}
}

func TestTrustpilotAPIFetch(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		fail         map[string]int
		wantPages    int // reviews pages requested after the unit
		wantIDs      []string
		wantComplete bool
		wantWarn     bool
	}{
		{name: "known nil: unit and page 1", opts: Options{}, wantPages: 1, wantIDs: tpAPIPages(1, 1)},
		{name: "steady state: known review on page 1 costs 2 requests", opts: Options{Known: knownIDs(tpAPIID(1, 2))},
			wantPages: 1, wantIDs: tpAPIPages(1, 1)},
		{name: "nothing known: every page", opts: Options{Known: knownIDs()}, wantPages: 3, wantIDs: tpAPIPages(1, 3), wantComplete: true},
		{name: "known review on page 2", opts: Options{Known: knownIDs(tpAPIID(2, 1))}, wantPages: 2, wantIDs: tpAPIPages(1, 2)},
		{name: "backfill ignores known", opts: Options{Backfill: true, Known: knownIDs(tpAPIID(1, 1))}, wantPages: 3,
			wantIDs: tpAPIPages(1, 3), wantComplete: true},
		{name: "page 2 fails: page 1 kept", opts: Options{Known: knownIDs()}, fail: map[string]int{tpAPIReq(2): 500},
			wantPages: 2, wantIDs: tpAPIPages(1, 1), wantWarn: true},
		{name: "page 2 quota: page 1 kept", opts: Options{Backfill: true}, fail: map[string]int{tpAPIReq(2): 429},
			wantPages: 2, wantIDs: tpAPIPages(1, 1), wantWarn: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTPAPIServer(t, tpAPIBook(t, 3, tc.fail))
			var logs bytes.Buffer
			l := tpAPIListing(srv.Server)
			obs, err := tpFetch(t, tpEnv(&logs), l, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{tpUnitPath}
			for n := 1; n <= tc.wantPages; n++ {
				want = append(want, tpAPIReq(n))
			}
			if diff := cmp.Diff(want, srv.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			srv.checkKeys(t)
			if diff := cmp.Diff(tc.wantIDs, tpIDs(obs.Reviews)); diff != "" {
				t.Errorf("review ids (-want +got):\n%s", diff)
			}
			if obs.Complete != tc.wantComplete {
				t.Errorf("Complete = %v, want %v", obs.Complete, tc.wantComplete)
			}
			head := Observation{Listing: l.ID, Platform: "trustpilot", At: testEnv().now(), Name: "Example Ltd",
				URL: "https://www.trustpilot.com/review/example.com", Rating: &Rating{Value: 3.9, Count: 42},
				Details: &Details{Name: "Example Ltd", Website: "https://www.example.com"}}
			got := obs
			got.Reviews, got.Complete = nil, false
			if diff := cmp.Diff(head, got); diff != "" {
				t.Errorf("observation header (-want +got):\n%s", diff)
			}
			if warned := strings.Contains(logs.String(), "level=WARN"); warned != tc.wantWarn {
				t.Errorf("warned = %v, want %v; log:\n%s", warned, tc.wantWarn, logs.String())
			}
			checkTrustpilotInvariants(t, "www.trustpilot.com", obs.Reviews)
		})
	}
	t.Run("fixtures, url for links", func(t *testing.T) {
		srv := newTPAPIServer(t, func(key string, page int) tpAPIAnswer {
			switch {
			case key == tpUnitPath:
				return tpAPIAnswer{body: tpFixture(t, "api-unit.json")}
			case page == 1:
				return tpAPIAnswer{body: tpFixture(t, "api-reviews-p1.json")}
			case page == 2:
				return tpAPIAnswer{body: tpFixture(t, "api-reviews-p2.json")}
			}
			return tpAPIAnswer{code: 404}
		})
		l := tpAPIListing(srv.Server)
		l.URL = "https://uk.trustpilot.com/review/example.com"
		obs, err := tpFetch(t, tpEnv(nil), l, Options{Known: knownIDs("dddd00000000000000000005")})
		if err != nil {
			t.Fatal(err)
		}
		if obs.URL != l.URL || len(obs.Reviews) != 5 || !obs.Complete {
			t.Errorf("url %q, %d reviews, complete %v; want %q, 5, true", obs.URL, len(obs.Reviews), obs.Complete, l.URL)
		}
		checkTrustpilotInvariants(t, "uk.trustpilot.com", obs.Reviews)
		if r := obs.Reviews[0]; r.Reply == nil || r.Updated.IsZero() || r.URL != "https://uk.trustpilot.com/reviews/dddd00000000000000000001" {
			t.Errorf("first review = %+v", r)
		}
	})
	t.Run("registered as a backfiller", func(t *testing.T) {
		p, err := Default().Lookup("trustpilot")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.New(testEnv()).(Backfiller); !ok {
			t.Error("trustpilot does not implement Backfiller")
		}
	})
}

func TestTrustpilotAPIErrors(t *testing.T) {
	ra := map[string]string{"Retry-After": "120"}
	tests := []struct {
		name      string
		at        string // the failing request
		ans       tpAPIAnswer
		key       Secret // default tpTestKey
		want      error
		kind      string
		mention   string
		retry     time.Duration
		wantCalls int
	}{
		{name: "401 wrong key", at: "-", key: "wrong-key", want: ErrAuth, kind: "auth", mention: "api_key", wantCalls: 1},
		{name: "403 refused", at: tpUnitPath, ans: tpAPIAnswer{code: 403, body: []byte(`{"message":"Forbidden: this key has no access to the business unit"}`)},
			want: ErrAuth, kind: "auth", mention: "api_key", wantCalls: 1},
		{name: "403 about quota", at: tpUnitPath, ans: tpAPIAnswer{code: 403, body: []byte(`{"fault":{"faultstring":"Rate limit quota violation. Quota limit exceeded."}}`)},
			want: ErrQuota, kind: "quota", wantCalls: 1},
		{name: "404 unknown unit", at: tpUnitPath, ans: tpAPIAnswer{code: 404, body: []byte(`{"message":"Business unit not found"}`)},
			want: ErrConfig, kind: "config", mention: "business_unit_id", wantCalls: 1},
		{name: "429 with Retry-After", at: tpAPIReq(1), ans: tpAPIAnswer{code: 429, hdr: ra, body: []byte(`{"message":"Too many requests"}`)},
			want: ErrQuota, kind: "quota", retry: 2 * time.Minute, wantCalls: 2},
		{name: "500", at: tpAPIReq(1), ans: tpAPIAnswer{code: 500, body: []byte(`<html>oops</html>`)},
			kind: "http_5xx", wantCalls: 2},
		{name: "200 HTML", at: tpUnitPath, ans: tpAPIAnswer{body: []byte(`<!doctype html><title>Just a moment...</title>`)},
			want: ErrLayout, kind: "layout", wantCalls: 1},
		{name: "200 without reviews", at: tpAPIReq(1), ans: tpAPIAnswer{body: []byte(`{"message":"ok"}`)},
			want: ErrLayout, kind: "layout", wantCalls: 2},
		{name: "401 quoting the key", at: tpUnitPath, ans: tpAPIAnswer{code: 401, body: []byte(`{"message":"Invalid ApiKey ` + tpTestKey + `"}`)},
			want: ErrAuth, kind: "auth", mention: "REDACTED", wantCalls: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			book := tpAPIBook(t, 3, nil)
			srv := newTPAPIServer(t, func(key string, page int) tpAPIAnswer {
				if key == tc.at {
					return tc.ans
				}
				return book(key, page)
			})
			l := tpAPIListing(srv.Server)
			if tc.key != "" {
				l.APIKey = tc.key
			}
			obs, err := tpFetch(t, tpEnv(nil), l, Options{Known: knownIDs()})
			if err == nil {
				t.Fatalf("no error; observation %+v", obs)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "trustpilot: ") {
				t.Errorf("error %q lacks the trustpilot: prefix", msg)
			}
			if strings.Contains(msg, tpTestKey) || strings.Contains(msg, string(l.APIKey)) {
				t.Errorf("error %q leaks the key", msg)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if k := FailureKind(err); k != tc.kind {
				t.Errorf("FailureKind = %q, want %q (%v)", k, tc.kind, err)
			}
			if tc.mention != "" && !strings.Contains(msg, tc.mention) {
				t.Errorf("error %q does not mention %s", msg, tc.mention)
			}
			var ae *APIError
			if tc.retry != 0 && (!errors.As(err, &ae) || ae.RetryAfter != tc.retry) {
				t.Errorf("err = %#v, want RetryAfter %v", err, tc.retry)
			}
			if n := len(srv.requests()); n != tc.wantCalls {
				t.Errorf("%d requests, want %d: %v", n, tc.wantCalls, srv.requests())
			}
			if obs.Reviews != nil || obs.Rating != nil {
				t.Errorf("observation alongside the error: %+v", obs)
			}
		})
	}
}

// TestTrustpilotAPITransport: a slow answer, a truncated body and an
// oversized one are errors, never a partial observation.
func TestTrustpilotAPITransport(t *testing.T) {
	t.Run("slow", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) }) // runs first: frees the handler so Close returns
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		obs, err := newTrustpilot(tpEnv(nil)).Fetch(ctx, tpAPIListing(srv), Options{})
		if !errors.Is(err, context.DeadlineExceeded) || FailureKind(err) != "timeout" {
			t.Errorf("err = %v (%s), want a timeout; obs %+v", err, FailureKind(err), obs)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "trustpilot: ") {
			t.Errorf("error %q lacks the prefix", err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		book := tpAPIBook(t, 3, nil)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == tpRevPath {
				body := tpAPIPageBody(1, 3)
				w.Header().Set("Content-Length", strconv.Itoa(len(body)+500))
				w.Write(body)
				return
			}
			w.Write(book(r.URL.Path, 0).body)
		}))
		t.Cleanup(srv.Close)
		obs, err := tpFetch(t, tpEnv(nil), tpAPIListing(srv), Options{})
		if err == nil || !strings.HasPrefix(err.Error(), "trustpilot: ") {
			t.Fatalf("err = %v; observation %+v", err, obs)
		}
		if obs.Reviews != nil {
			t.Errorf("partial observation: %+v", obs)
		}
	})
	t.Run("oversized", func(t *testing.T) {
		srv := newTPAPIServer(t, tpAPIBook(t, 3, nil))
		env := tpEnv(nil)
		env.MaxBody = 64
		_, err := tpFetch(t, env, tpAPIListing(srv.Server), Options{})
		if !errors.Is(err, ErrTooLarge) || FailureKind(err) != "too_large" {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	})
}

// tpCollected is what a Backfill handed to its page callback.
type tpCollected struct {
	ids   [][]string
	nexts []string
	obs   []Observation
}

func (c *tpCollected) page(obs Observation, next string) error {
	c.ids = append(c.ids, tpIDs(obs.Reviews))
	c.nexts = append(c.nexts, next)
	c.obs = append(c.obs, obs)
	return nil
}

func tpBackfill(t *testing.T, l Listing, since time.Time, cursor string, page func(Observation, string) error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return newTrustpilot(tpEnv(nil)).(Backfiller).Backfill(ctx, l, since, cursor, page)
}

func TestTrustpilotAPIBackfill(t *testing.T) {
	errStop := errors.New("stop here")
	tests := []struct {
		name      string
		cursor    string
		since     time.Time
		fail      map[string]int
		repeat    bool // the server ignores page=
		stopAt    int  // the callback fails on this call (1-based)
		wantPages []int
		wantIDs   [][]string
		wantNexts []string
		wantErr   error
		wantKind  string
	}{
		{name: "from the start", wantPages: []int{1, 2, 3},
			wantIDs: [][]string{tpAPIPages(1, 1), tpAPIPages(2, 2), tpAPIPages(3, 3)}, wantNexts: []string{"2", "3", ""}},
		{name: "resume from cursor 2", cursor: "2", wantPages: []int{2, 3},
			wantIDs: [][]string{tpAPIPages(2, 2), tpAPIPages(3, 3)}, wantNexts: []string{"3", ""}},
		{name: "since cuts page 2", since: tpAPIDate(2, 1), wantPages: []int{1, 2},
			wantIDs: [][]string{tpAPIPages(1, 1), {tpAPIID(2, 1)}}, wantNexts: []string{"2", ""}},
		{name: "since before everything", since: tpAPIDate(9, 1), wantPages: []int{1, 2, 3},
			wantIDs: [][]string{tpAPIPages(1, 1), tpAPIPages(2, 2), tpAPIPages(3, 3)}, wantNexts: []string{"2", "3", ""}},
		{name: "cursor past the last page", cursor: "7", wantPages: []int{7}, wantIDs: [][]string{{}}, wantNexts: []string{""}},
		{name: "callback error stops", stopAt: 2, wantPages: []int{1, 2},
			wantIDs: [][]string{tpAPIPages(1, 1), tpAPIPages(2, 2)}, wantNexts: []string{"2", "3"}, wantErr: errStop},
		{name: "page 3 fails: error after pages 1-2", fail: map[string]int{tpAPIReq(3): 503}, wantPages: []int{1, 2, 3},
			wantIDs: [][]string{tpAPIPages(1, 1), tpAPIPages(2, 2)}, wantNexts: []string{"2", "3"}, wantKind: "http_5xx"},
		{name: "quota mid-way", cursor: "2", fail: map[string]int{tpAPIReq(2): 429}, wantPages: []int{2}, wantErr: ErrQuota},
		{name: "server ignores page=", repeat: true, wantPages: []int{1, 2},
			wantIDs: [][]string{tpAPIPages(1, 1)}, wantNexts: []string{"2"}, wantErr: ErrLayout},
		{name: "bad cursor", cursor: "x", wantErr: ErrConfig},
		{name: "zero cursor", cursor: "0", wantErr: ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			book := tpAPIBook(t, 3, tc.fail)
			srv := newTPAPIServer(t, func(key string, page int) tpAPIAnswer {
				if tc.repeat && key != tpUnitPath {
					if _, failing := tc.fail[key]; !failing {
						page = 1
					}
				}
				return book(key, page)
			})
			var got tpCollected
			calls := 0
			err := tpBackfill(t, tpAPIListing(srv.Server), tc.since, tc.cursor, func(obs Observation, next string) error {
				calls++
				got.page(obs, next)
				if calls == tc.stopAt {
					return errStop
				}
				return nil
			})
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			case tc.wantKind != "" && FailureKind(err) != tc.wantKind:
				t.Errorf("err = %v, want kind %s", err, tc.wantKind)
			case tc.wantErr == nil && tc.wantKind == "" && err != nil:
				t.Errorf("err = %v", err)
			}
			var want []string
			if len(tc.wantPages) > 0 {
				want = append(want, tpUnitPath)
			}
			for _, n := range tc.wantPages {
				want = append(want, tpAPIReq(n))
			}
			if diff := cmp.Diff(want, srv.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			srv.checkKeys(t)
			if diff := cmp.Diff(tc.wantIDs, got.ids); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantNexts, got.nexts); diff != "" {
				t.Errorf("cursors (-want +got):\n%s", diff)
			}
			for _, o := range got.obs {
				if o.Name != "Example Ltd" || o.Rating == nil || o.Details == nil || o.Platform != "trustpilot" || o.Listing != "tp-api" || o.Complete || o.Reviews == nil {
					t.Errorf("page observation header = %+v", o)
				}
			}
		})
	}
}

// TestTrustpilotPageBackfill: the page door backfills by ?page=, sorted by
// recency, capped at trustpilotMaxBackfill pages, resumable by cursor.
func TestTrustpilotPageBackfill(t *testing.T) {
	pageKey := func(n int, q string) string {
		v, _ := url.ParseQuery(q)
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/review/big.example?" + v.Encode()
	}
	synthIDs := func(from, to int) [][]string {
		var out [][]string
		for n := from; n <= to; n++ {
			out = append(out, []string{fmt.Sprintf("r%03d-1", n), fmt.Sprintf("r%03d-2", n)})
		}
		return out
	}
	nexts := func(from, to int) []string {
		var out []string
		for n := from + 1; n <= to; n++ {
			out = append(out, strconv.Itoa(n))
		}
		return append(out, "")
	}
	// tpSynthPage review i of page n was published n*2+i hours before 2026-01-01.
	synthDate := func(n, i int) time.Time {
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(n*2+i) * time.Hour)
	}
	tests := []struct {
		name      string
		total     int
		query     string // the listing url's query
		cursor    string
		since     time.Time
		override  map[int][]byte
		ignore    bool   // the server ignores page=
		wantName  string // default Big Co
		wantFirst int    // first page requested (0: none)
		wantLast  int
		wantIDs   [][]string
		wantNexts []string
		wantErr   error
	}{
		{name: "from the start", total: 4, wantFirst: 1, wantLast: 4, wantIDs: synthIDs(1, 4), wantNexts: nexts(1, 4)},
		{name: "resume from cursor 2", total: 4, cursor: "2", wantFirst: 2, wantLast: 4, wantIDs: synthIDs(2, 4), wantNexts: nexts(2, 4)},
		{name: "sort kept when set", total: 2, query: "languages=all&sort=recency", wantFirst: 1, wantLast: 2,
			wantIDs: synthIDs(1, 2), wantNexts: nexts(1, 2)},
		{name: "since cuts page 2", total: 4, since: synthDate(2, 1), wantFirst: 1, wantLast: 2,
			wantIDs: [][]string{{"r001-1", "r001-2"}, {"r002-1"}}, wantNexts: []string{"2", ""}},
		{name: "capped at 50 pages", total: 60, wantFirst: 1, wantLast: trustpilotMaxBackfill,
			wantIDs: synthIDs(1, trustpilotMaxBackfill), wantNexts: nexts(1, trustpilotMaxBackfill)},
		{name: "resume at the cap", total: 60, cursor: "50", wantFirst: 50, wantLast: 50, wantIDs: synthIDs(50, 50), wantNexts: []string{""}},
		{name: "cursor past the cap", total: 60, cursor: "51"},
		{name: "cursor past the last page: 404 ends", total: 4, cursor: "9", wantFirst: 9, wantLast: 9},
		{name: "server ignores page=: stops", total: 4, ignore: true, wantFirst: 1, wantLast: 2,
			wantIDs: synthIDs(1, 1), wantNexts: []string{"2"}},
		// Without __NEXT_DATA__ there is no page number to check: a page
		// repeating the last one is the end.
		{name: "jsonld fallback repeating itself: stops", total: 4, ignore: true,
			override: map[int][]byte{1: tpFixture(t, "jsonld-only.html")}, wantName: "Fallback Shop", wantFirst: 1, wantLast: 2,
			wantIDs: [][]string{{"bbbb00000000000000000001", "bbbb00000000000000000002"}}, wantNexts: []string{"2"}},
		{name: "page 2 challenged: error after page 1", total: 4, override: map[int][]byte{2: tpFixture(t, "challenge-cloudflare.html")},
			wantFirst: 1, wantLast: 2, wantIDs: synthIDs(1, 1), wantNexts: []string{"2"}, wantErr: ErrBlocked},
		{name: "page 1 not a business page", total: 4, override: map[int][]byte{1: tpFixture(t, "not-trustpilot.html")},
			wantFirst: 1, wantLast: 1, wantErr: ErrLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTPServer(t, func(key string) (int, []byte) {
				u, _ := url.Parse(key)
				n := 1
				if p := u.Query().Get("page"); p != "" && !tc.ignore {
					n, _ = strconv.Atoi(p)
				}
				if u.Query().Get("sort") != "recency" {
					return http.StatusBadRequest, []byte("not sorted by recency")
				}
				if b, ok := tc.override[n]; ok {
					return http.StatusOK, b
				}
				if n < 1 || n > tc.total {
					return http.StatusNotFound, nil
				}
				return http.StatusOK, tpSynthPage(n, tc.total)
			})
			query := tc.query
			l := Listing{ID: "big", Source: "trustpilot", URL: srv.URL + "/review/big.example"}
			if query != "" {
				l.URL += "?" + query
			} else {
				query = "sort=recency"
			}
			var got tpCollected
			err := tpBackfill(t, l, tc.since, tc.cursor, got.page)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.HasPrefix(err.Error(), "trustpilot: ") {
					t.Errorf("err = %v, want %v", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var want []string
			for n := tc.wantFirst; tc.wantFirst > 0 && n <= tc.wantLast; n++ {
				want = append(want, pageKey(n, query))
			}
			if diff := cmp.Diff(want, srv.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantIDs, got.ids); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantNexts, got.nexts); diff != "" {
				t.Errorf("cursors (-want +got):\n%s", diff)
			}
			name := tc.wantName
			if name == "" {
				name = "Big Co"
			}
			for _, o := range got.obs {
				if o.Name != name || o.URL != l.URL || o.Rating == nil || o.Listing != "big" || o.Complete {
					t.Errorf("page observation header = %+v", o)
				}
				checkTrustpilotInvariants(t, "", o.Reviews)
			}
		})
	}
}

func TestValidateTrustpilotAPI(t *testing.T) {
	good := Listing{ID: "x", Source: "trustpilot", APIKey: tpTestKey, BusinessUnitID: tpTestUnit}
	with := func(f func(l *Listing)) Listing {
		l := good
		f(&l)
		return l
	}
	tests := []struct {
		name    string
		l       Listing
		mention []string // keys the error must name; none: valid
	}{
		{"api keys without url", good, nil},
		{"api keys with url and endpoint", with(func(l *Listing) {
			l.URL = "https://www.trustpilot.com/review/example.com"
			l.Endpoint = "http://127.0.0.1:9999/tp"
			l.Schedule = "@every 2h"
			l.Name = "Example"
		}), nil},
		{"api_key alone", with(func(l *Listing) { l.BusinessUnitID = "" }), []string{"business_unit_id"}},
		{"business_unit_id alone", with(func(l *Listing) { l.APIKey = "" }), []string{"api_key"}},
		{"blank api_key", with(func(l *Listing) { l.APIKey = "   " }), []string{"api_key"}},
		{"unit id is a domain", with(func(l *Listing) { l.BusinessUnitID = "example.com" }), []string{"business_unit_id"}},
		{"unit id with a slash", with(func(l *Listing) { l.BusinessUnitID = "abc/../x" }), []string{"business_unit_id"}},
		{"bad endpoint", with(func(l *Listing) { l.Endpoint = "api.trustpilot.com" }), []string{"endpoint"}},
		{"endpoint with a query", with(func(l *Listing) { l.Endpoint = "https://api.trustpilot.com/?x=1" }), []string{"endpoint"}},
		{"bad url with api keys", with(func(l *Listing) { l.URL = "https://www.trustpilot.com/categories/x" }), []string{"url"}},
		{"other platforms' keys", with(func(l *Listing) {
			l.PlaceID = "ChIJ"
			l.AppID = "123"
			l.OAuth = &OAuth{ClientID: "c"}
		}), []string{"place_id", "app_id", "oauth"}},
		{"several problems at once", Listing{ID: "x", Source: "trustpilot", BusinessUnitID: "a.b", Endpoint: "nope", Country: "gb"},
			[]string{"api_key", "business_unit_id", "endpoint", "country"}},
		{"nothing at all", Listing{ID: "x", Source: "trustpilot"}, []string{"url"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateTrustpilot(tc.l)
			if len(tc.mention) == 0 {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "trustpilot: ") {
					t.Errorf("error line %q lacks the trustpilot: prefix", line)
				}
				if strings.Contains(line, tpTestKey) {
					t.Errorf("error line %q leaks the key", line)
				}
			}
			for _, k := range tc.mention {
				if !strings.Contains(err.Error(), k+":") {
					t.Errorf("error %q does not name %s", err, k)
				}
			}
		})
	}
}

// FuzzParseTrustpilotAPI: no input panics either API parser, failures are
// ErrLayout, and whatever parses keeps the invariants. Run longer with:
// go test ./sources -run '^$' -fuzz FuzzParseTrustpilotAPI -fuzztime 20s -fuzzminimizetime=50x
func FuzzParseTrustpilotAPI(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "trustpilot", "api-*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(tpAPIPageBody(1, 2))
	f.Add([]byte(`{"reviews":[{"id":"a","stars":"1e400","createdAt":"2026-02-30T00:00:00Z","companyReply":{"text":1}}],"links":[{"rel":1}]}`))
	f.Add([]byte(`{"displayName":"","score":{"trustScore":"NaN"},"numberOfReviews":{"total":-1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if u, err := parseTrustpilotAPIUnit(body); err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("unit: error is not ErrLayout: %v", err)
			}
		} else {
			if u.Name == "" && u.Rating == nil {
				t.Fatal("unit parsed to nothing without an error")
			}
			if u.Rating != nil && (!(u.Rating.Value >= 1 && u.Rating.Value <= 5) || u.Rating.Count < 0) {
				t.Fatalf("unit rating %+v outside 1-5", u.Rating)
			}
		}
		p, err := parseTrustpilotAPIReviews(body, "https://www.trustpilot.com")
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("reviews: error is not ErrLayout: %v", err)
			}
			return
		}
		if p.Reviews == nil {
			t.Fatal("nil reviews on success")
		}
		checkTrustpilotInvariants(t, "www.trustpilot.com", p.Reviews)
		for _, r := range p.Reviews {
			if !r.Updated.IsZero() && r.Updated.Location() != time.UTC {
				t.Fatalf("review %s: updated %v not UTC", r.ID, r.Updated)
			}
		}
	})
}

func BenchmarkParseTrustpilotAPI(b *testing.B) {
	// A full 100-review page, the size every poll reads.
	var full bytes.Buffer
	full.WriteString(`{"links":[{"rel":"next-page","href":"x"}],"reviews":[`)
	for i := range tpAPIPerPage {
		if i > 0 {
			full.WriteByte(',')
		}
		fmt.Fprintf(&full, `{"id":"r%021d","stars":%d,"title":"Title %d","text":"%s","language":"en","createdAt":"2026-11-%02dT10:00:00Z",`+
			`"updatedAt":"2026-11-%02dT10:00:00Z","consumer":{"id":"c%d","displayName":"Consumer %d"},"companyReply":{"text":"Thanks","createdAt":"2026-11-28T10:00:00Z"}}`,
			i, 1+i%5, i, strings.Repeat("Lorem ipsum dolor sit amet. ", 20), 1+i%27, 1+i%27, i, i)
	}
	full.WriteString(`]}`)
	bench := []struct {
		name string
		body func(b *testing.B) []byte
	}{
		{"fixture", func(b *testing.B) []byte { return tpFixture(b, "api-reviews-p1.json") }},
		{"full-page", func(b *testing.B) []byte { return full.Bytes() }},
	}
	for _, bc := range bench {
		b.Run(bc.name, func(b *testing.B) {
			body := bc.body(b)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseTrustpilotAPIReviews(body, "https://www.trustpilot.com"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("unit", func(b *testing.B) {
		body := tpFixture(b, "api-unit.json")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseTrustpilotAPIUnit(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
