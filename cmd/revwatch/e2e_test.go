package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeSlack records chat.postMessage calls.
type fakeSlack struct {
	mu    sync.Mutex
	posts []string // channel + text + blocks of each chat.postMessage
	calls []string // every other method called, with its channel and text
	srv   *httptest.Server
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer xoxb-test-token" {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		if method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]; method != "chat.postMessage" {
			r.ParseForm()
			f.mu.Lock()
			f.calls = append(f.calls, method+" "+r.Form.Get("channel")+" "+r.Form.Get("ts")+" "+r.Form.Get("text")+" "+r.Form.Get("blocks"))
			f.mu.Unlock()
			fmt.Fprint(w, `{"ok":true,"channel":"C123","ts":"1700000001.000001"}`)
			return
		}
		r.ParseForm()
		// Re-encode the blocks without Go's HTML escaping (\u003c) so tests
		// read what Slack would render.
		var blocks any
		json.Unmarshal([]byte(r.Form.Get("blocks")), &blocks)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(blocks)
		f.mu.Lock()
		f.posts = append(f.posts, r.Form.Get("channel")+"\n"+r.Form.Get("text")+"\n"+buf.String())
		n := len(f.posts)
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"channel":"C123","ts":"1700000000.%06d"}`, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) others() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeSlack) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.posts...)
}

// reviewSite is a business page whose reviews and status the test sets.
type reviewSite struct {
	mu      sync.Mutex
	status  int
	rating  string
	count   int
	reviews []string // JSON objects
}

func (s *reviewSite) set(f func(s *reviewSite)) { s.mu.Lock(); f(s); s.mu.Unlock() }

func (s *reviewSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path != "/reviews" {
		http.NotFound(w, r)
		return
	}
	if s.status != 0 && s.status != 200 {
		http.Error(w, "upstream trouble", s.status)
		return
	}
	fmt.Fprintf(w, `<html lang="en"><head><script type="application/ld+json">
{"@context":"https://schema.org","@type":"Restaurant","name":"Trattoria Luna",
 "aggregateRating":{"@type":"AggregateRating","ratingValue":%q,"reviewCount":%d},
 "review":[%s]}</script></head><body></body></html>`, s.rating, s.count, strings.Join(s.reviews, ","))
}

func jsonReview(author, date, body string, stars int) string {
	b, _ := json.Marshal(map[string]any{"@type": "Review", "author": map[string]string{"name": author},
		"datePublished": date, "reviewBody": body, "reviewRating": map[string]any{"ratingValue": stars}})
	return string(b)
}

// cli runs one revwatch command line and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestEndToEndPollAlertsOnce(t *testing.T) {
	slack := newFakeSlack(t)
	site := &reviewSite{rating: "4.6", count: 120, reviews: []string{
		jsonReview("Giulia", "2026-11-01", "Best carbonara in town.", 5),
		jsonReview("Tom", "2026-11-05", "Lovely terrace.", 4),
	}}
	srv := httptest.NewServer(site)
	defer srv.Close()

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./revwatch.db
http: {host_interval: 1ms}
slack:
  token: ${E2E_SLACK_TOKEN}
  channel: "#reviews"
  api_url: %q
businesses:
  - id: luna
    name: Trattoria Luna
    signature: "Maria, owner"
    contact: "maria@trattorialuna.example"
    listings:
      - id: luna-site
        source: schemaorg
        url: %s/reviews
        schedule: "@every 30m"
rules:
  negative_at_or_below: 2
  rating_drop: 0.1
  failures_before_alert: 3
`, slack.srv.URL+"/", srv.URL)), 0o600)
	t.Setenv("E2E_SLACK_TOKEN", "xoxb-test-token")
	poll := func() (int, string) {
		code, _, stderr := cli(t, "poll", "--config", cfgPath, "--log-level", "error")
		return code, stderr
	}

	steps := []struct {
		name     string
		change   func(s *reviewSite)
		wantCode int
		wantNew  int      // new Slack posts after this step
		contains []string // in the newest post
	}{
		{name: "baseline is silent", wantNew: 0},
		{name: "unchanged re-poll is silent", wantNew: 0},
		{
			name: "a 1-star review and a rating drop alert once",
			change: func(s *reviewSite) {
				s.rating, s.count = "4.5", 121
				s.reviews = append([]string{jsonReview("Daniel <@U999>", "2026-11-22T20:15:00Z",
					"We waited 50 minutes & the pasta arrived cold. <!channel> the waiter was rude.", 1)}, s.reviews...)
			},
			wantNew: 1,
			contains: []string{"&amp; the pasta arrived cold", "&lt;!channel&gt;", "&lt;@U999&gt;",
				"4.6", "4.5", "maria@trattorialuna.example", "Maria, owner", "#reviews"},
		},
		{name: "unchanged page never re-alerts", wantNew: 0},
		{name: "first failure", change: func(s *reviewSite) { s.status = 503 }, wantCode: 1, wantNew: 0},
		{name: "second failure", wantCode: 1, wantNew: 0},
		{name: "third failure: one source-broken alert", wantCode: 1, wantNew: 1, contains: []string{"503"}},
		{name: "fourth failure: nothing more", wantCode: 1, wantNew: 0},
		{name: "recovery note", change: func(s *reviewSite) { s.status = 200 }, wantNew: 1},
	}
	seen := 0
	for _, s := range steps {
		if s.change != nil {
			site.set(s.change)
		}
		code, stderr := poll()
		if code != s.wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s", s.name, code, s.wantCode, stderr)
		}
		posts := slack.all()
		if got := len(posts) - seen; got != s.wantNew {
			t.Fatalf("%s: %d new Slack posts, want %d:\n%s", s.name, got, s.wantNew, strings.Join(posts[seen:], "\n---\n"))
		}
		seen = len(posts)
		if len(s.contains) > 0 {
			last := posts[len(posts)-1]
			for _, w := range s.contains {
				if !strings.Contains(last, w) {
					t.Errorf("%s: post lacks %q:\n%s", s.name, w, last)
				}
			}
			for _, bad := range []string{"<!channel>", "<@U999>"} {
				if strings.Contains(last, bad) {
					t.Errorf("%s: post contains unescaped %q", s.name, bad)
				}
			}
		}
	}
	// The draft is an apology with the contact (G4, G7).
	alert := slack.all()[0]
	if !strings.Contains(strings.ToLower(alert), "sorry") && !strings.Contains(strings.ToLower(alert), "apolog") {
		t.Errorf("draft lacks an apology:\n%s", alert)
	}

	// Every review survived the failures.
	code, out, stderr := cli(t, "reviews", "--config", cfgPath, "--format", "json")
	if code != 0 {
		t.Fatalf("reviews: exit %d: %s", code, stderr)
	}
	var reviews []map[string]any
	if err := json.Unmarshal([]byte(out), &reviews); err != nil {
		t.Fatalf("reviews --format json is not one JSON array: %v\n%s", err, out)
	}
	if len(reviews) != 3 {
		t.Fatalf("stored %d reviews, want 3", len(reviews))
	}
	for _, k := range []string{"listing", "platform", "id", "author", "rating", "title", "text", "language", "published", "url"} {
		if _, ok := reviews[0][k]; !ok {
			t.Errorf("reviews JSON lacks %q: %v", k, reviews[0])
		}
	}
	if reviews[0]["rating"] != 1.0 || reviews[0]["listing"] != "luna-site" || reviews[0]["published"] != "2026-11-22T20:15:00Z" {
		t.Errorf("newest review = %v", reviews[0])
	}

	code, out, _ = cli(t, "ratings", "--config", cfgPath, "--format", "json")
	var ratings []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &ratings) != nil || len(ratings) != 2 {
		t.Fatalf("ratings: exit %d, %s", code, out)
	}
	if ratings[0]["rating"] != 4.6 || ratings[1]["rating"] != 4.5 || ratings[1]["count"] != 121.0 {
		t.Errorf("ratings = %v", ratings)
	}

	code, out, _ = cli(t, "drafts", "--config", cfgPath, "--format", "json")
	var drafts []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &drafts) != nil || len(drafts) != 1 {
		t.Fatalf("drafts: exit %d, %s", code, out)
	}
	if drafts[0]["status"] != "pending" || drafts[0]["listing"] != "luna-site" || drafts[0]["review_id"] == "" {
		t.Errorf("draft = %v", drafts[0])
	}
	for _, format := range []string{"table", "csv"} {
		if code, out, _ := cli(t, "reviews", "--config", cfgPath, "--format", format); code != 0 || !strings.Contains(out, "Daniel") {
			t.Errorf("reviews --format %s: exit %d\n%s", format, code, out)
		}
	}
}

func TestConsoleWhenNoToken(t *testing.T) {
	site := &reviewSite{rating: "4.0", count: 3, reviews: []string{jsonReview("A", "2026-11-01", "Fine.", 4)}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: s.db
http: {host_interval: 1ms}
slack: {token: "${E2E_UNSET_TOKEN}", channel: "#r"}
businesses:
  - id: b
    contact: "hello@b.example"
    listings: [{id: l, source: schemaorg, url: "%s/reviews"}]
`, srv.URL)), 0o600)
	if code, _, stderr := cli(t, "poll", "--config", cfgPath); code != 0 {
		t.Fatalf("baseline: %s", stderr)
	}
	site.set(func(s *reviewSite) {
		s.reviews = append(s.reviews, jsonReview("B", "2026-11-22", "The room was dirty.", 1))
	})
	code, out, stderr := cli(t, "poll", "--config", cfgPath)
	if code != 0 {
		t.Fatalf("poll: %s", stderr)
	}
	for _, w := range []string{"The room was dirty.", "hello@b.example"} {
		if !strings.Contains(out, w) {
			t.Errorf("console alert lacks %q:\n%s", w, out)
		}
	}
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing config", []string{"poll", "--config", filepath.Join(dir, "nope.yaml")}, 2, "revwatch init"},
		{"init writes a sample", []string{"init", "--config", cfgPath}, 0, ""},
		{"init refuses to overwrite", []string{"init", "--config", cfgPath}, 2, "--force"},
		{"unknown listing", []string{"poll", "--config", cfgPath, "--listing", "nope"}, 2, "luna-site"},
		{"backfill needs a listing", []string{"backfill", "--config", cfgPath}, 2, "--listing"},
		{"bad format", []string{"reviews", "--config", cfgPath, "--format", "xml"}, 2, "table, json or csv"},
		{"reviews before any poll", []string{"reviews", "--config", cfgPath}, 1, "run `revwatch poll`"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := cli(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, c.code, c.want)
			}
		})
	}
}

// TestEditedReviewAndChallenge: an edited 3-to-1-star review alerts once;
// a Cloudflare challenge never changes the stored rating.
func TestEditedReviewAndChallenge(t *testing.T) {
	slack := newFakeSlack(t)
	withID := func(id string, stars int, body string) string {
		b, _ := json.Marshal(map[string]any{"@type": "Review", "@id": "https://luna.example/r/" + id, "author": map[string]string{"name": "Amir"},
			"datePublished": "2026-11-20", "reviewBody": body, "reviewRating": map[string]any{"ratingValue": stars}})
		return string(b)
	}
	site := &reviewSite{rating: "4.4", count: 50, reviews: []string{withID("1", 3, "Slow service."), withID("2", 5, "Great.")}}
	challenge := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if challenge && r.URL.Path == "/reviews" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>`)
			return
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfgPath := filepath.Join(t.TempDir(), "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./r.db
http: {host_interval: 1ms}
slack: {token: xoxb-test-token, channel: "#reviews", api_url: %q}
businesses:
  - id: luna
    contact: "hi@luna.example"
    listings: [{id: site, source: schemaorg, url: "%s/reviews"}]
`, slack.srv.URL+"/", srv.URL)), 0o600)
	poll := func() int { code, _, _ := cli(t, "poll", "--config", cfgPath, "--log-level", "error"); return code }

	if poll() != 0 || len(slack.all()) != 0 {
		t.Fatalf("baseline must be silent: %v", slack.all())
	}
	site.set(func(s *reviewSite) {
		s.reviews[0] = withID("1", 1, "Slow service, and then they were rude when I complained.")
	})
	poll()
	poll()
	posts := slack.all()
	if len(posts) != 1 || !strings.Contains(posts[0], "Amir changed 3★ to 1★") {
		t.Fatalf("want one edit alert, got %d:\n%s", len(posts), strings.Join(posts, "\n---\n"))
	}
	for i := 0; i < 3; i++ {
		challenge = true
		if code := poll(); code != 1 {
			t.Fatalf("challenge poll exit %d, want 1", code)
		}
	}
	_, out, _ := cli(t, "ratings", "--config", cfgPath, "--format", "json")
	var ratings []map[string]any
	json.Unmarshal([]byte(out), &ratings)
	if len(ratings) != 1 || ratings[0]["rating"] != 4.4 {
		t.Fatalf("a challenge changed the stored rating: %v", ratings)
	}
	if last := slack.all()[len(slack.all())-1]; !strings.Contains(last, "Source broken") || !strings.Contains(last, "challenge") {
		t.Errorf("third challenge should report a broken source naming the challenge:\n%s", last)
	}
}

// TestBackfillResumes: a 3-page Business Profile history is stored once,
// also when the first backfill dies on page 3 and is run again.
func TestBackfillResumes(t *testing.T) {
	page := func(n int, next string) string {
		var rs []string
		for i := 1; i <= 2; i++ {
			id := fmt.Sprintf("r%d%d", n, i)
			rs = append(rs, fmt.Sprintf(`{"name":"accounts/1/locations/2/reviews/%s","reviewId":%q,"reviewer":{"displayName":"R %s"},"starRating":"FOUR","comment":"Nice %s","createTime":"2026-0%d-01T10:00:00Z","updateTime":"2026-0%d-01T10:00:00Z"}`, id, id, id, id, 9-n, 9-n))
		}
		body := `{"reviews":[` + strings.Join(rs, ",") + `],"averageRating":4.2,"totalReviewCount":6`
		if next != "" {
			body += `,"nextPageToken":"` + next + `"`
		}
		return body + "}"
	}
	var mu sync.Mutex
	var requests []string
	failPage3 := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		tok := r.URL.Query().Get("pageToken")
		requests = append(requests, tok)
		if r.Header.Get("Authorization") != "Bearer ya29.test" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`)
			return
		}
		switch tok {
		case "":
			fmt.Fprint(w, page(1, "p2"))
		case "p2":
			fmt.Fprint(w, page(2, "p3"))
		case "p3":
			if failPage3 {
				http.Error(w, `{"error":{"code":503,"message":"backend error"}}`, 503)
				return
			}
			fmt.Fprint(w, page(3, ""))
		}
	}))
	defer srv.Close()
	cfgPath := filepath.Join(t.TempDir(), "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./r.db
http: {host_interval: 1ms}
businesses:
  - id: luna
    listings:
      - id: luna-google
        source: google_business
        location: accounts/1/locations/2
        access_token: ya29.test
        endpoint: %s/
`, srv.URL)), 0o600)

	code, _, stderr := cli(t, "backfill", "--config", cfgPath, "--listing", "luna-google")
	if code != 1 || !strings.Contains(stderr, "run the same command again") {
		t.Fatalf("first backfill: exit %d, want 1 with a hint to resume:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "every review of the location") {
		t.Errorf("backfill should state the source's limit first:\n%s", stderr)
	}
	mu.Lock()
	failPage3, requests = false, nil
	mu.Unlock()
	code, _, stderr = cli(t, "backfill", "--config", cfgPath, "--listing", "luna-google")
	if code != 0 {
		t.Fatalf("second backfill: exit %d\n%s", code, stderr)
	}
	mu.Lock()
	if len(requests) != 1 || requests[0] != "p3" {
		t.Errorf("the second backfill should resume at page 3, requested %q", requests)
	}
	mu.Unlock()
	_, out, _ := cli(t, "reviews", "--config", cfgPath, "--format", "json")
	var reviews []map[string]any
	if err := json.Unmarshal([]byte(out), &reviews); err != nil {
		t.Fatal(err)
	}
	ids := map[any]int{}
	for _, r := range reviews {
		ids[r["id"]]++
	}
	if len(reviews) != 6 || len(ids) != 6 {
		t.Fatalf("stored %d reviews (%d distinct), want 6 once each", len(reviews), len(ids))
	}

	// A 401 never changes the stored rating.
	os.WriteFile(cfgPath, []byte(strings.Replace(mustRead(t, cfgPath), "ya29.test", "ya29.revoked", 1)), 0o600)
	code, _, stderr = cli(t, "poll", "--config", cfgPath)
	if code != 1 || !strings.Contains(stderr, "access_token") {
		t.Fatalf("poll with a revoked token: exit %d, want 1 naming access_token:\n%s", code, stderr)
	}
	_, out, _ = cli(t, "ratings", "--config", cfgPath, "--format", "json")
	var ratings []map[string]any
	json.Unmarshal([]byte(out), &ratings)
	if len(ratings) != 1 || ratings[0]["rating"] != 4.2 {
		t.Fatalf("a 401 changed the stored rating: %v", ratings)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
