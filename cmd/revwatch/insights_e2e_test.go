package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// gbpSite is a loopback Business Profile API: one location's reviews with
// the exact averageRating and totalReviewCount.
type gbpSite struct {
	mu      sync.Mutex
	avg     float64
	count   int
	reviews []map[string]any
}

func (g *gbpSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.URL.Path != "/v4/accounts/1/locations/2/reviews" {
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"reviews": g.reviews, "averageRating": g.avg, "totalReviewCount": g.count})
}

func (g *gbpSite) add(id, author, stars, text string, at time.Time, avg float64, count int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ts := at.UTC().Format(time.RFC3339)
	g.reviews = append([]map[string]any{{"name": "accounts/1/locations/2/reviews/" + id, "reviewId": id,
		"reviewer": map[string]any{"displayName": author}, "starRating": stars, "comment": text, "createTime": ts, "updateTime": ts}}, g.reviews...)
	g.avg, g.count = avg, count
}

// insightConfig writes a config with one business and the given listings.
func insightConfig(t *testing.T, slackURL, listings string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "revwatch.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`store: ./revwatch.db
http: {host_interval: 1ms}
slack:
  token: ${E2E_SLACK_TOKEN}
  channel: "#reviews"
  api_url: %q
businesses:
  - id: luna
    name: Trattoria Luna
    signature: "Maria, owner"
    listings:
%s
`, slackURL, listings)), 0o600)
	t.Setenv("E2E_SLACK_TOKEN", "xoxb-test-token")
	return cfg
}

type insightStep struct {
	name     string
	change   func()
	wantNew  int
	contains []string // in the new posts together
	lacks    []string
}

func runInsightSteps(t *testing.T, cfg string, slack *fakeSlack, steps []insightStep) {
	t.Helper()
	seen := 0
	for _, s := range steps {
		if s.change != nil {
			s.change()
		}
		if code, _, stderr := cli(t, "poll", "--config", cfg, "--log-level", "error"); code != 0 {
			t.Fatalf("%s: poll exit %d\n%s", s.name, code, stderr)
		}
		posts := slack.all()
		got := strings.Join(posts[seen:], "\n---\n")
		if n := len(posts) - seen; n != s.wantNew {
			t.Fatalf("%s: %d new Slack posts, want %d:\n%s", s.name, n, s.wantNew, got)
		}
		seen = len(posts)
		for _, w := range s.contains {
			if !strings.Contains(got, w) {
				t.Errorf("%s: posts lack %q:\n%s", s.name, w, got)
			}
		}
		for _, w := range s.lacks {
			if strings.Contains(got, w) {
				t.Errorf("%s: posts contain %q:\n%s", s.name, w, got)
			}
		}
	}
}

// Done when: three reviews mentioning a long wait within a week give one
// trend alert (and it doesn't repeat).
func TestInsightComplaintTrend(t *testing.T) {
	slack := newFakeSlack(t)
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	site := &reviewSite{rating: "4.6", count: 120, reviews: []string{jsonReview("Giulia", at(300*time.Hour), "Best carbonara in town.", 5)}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	cfg := insightConfig(t, slack.srv.URL+"/", fmt.Sprintf("      - {id: luna-site, source: schemaorg, url: %s/reviews}", srv.URL))
	add := func(r string) func() {
		return func() { site.set(func(s *reviewSite) { s.reviews = append([]string{r}, s.reviews...) }) }
	}
	runInsightSteps(t, cfg, slack, []insightStep{
		{name: "baseline", wantNew: 0},
		{name: "first wait complaint: a review alert", change: add(jsonReview("Ana", at(72*time.Hour), "We had a long wait for our food & <b>nobody</b> came.", 2)), wantNew: 1,
			lacks: []string{"Complaint trend"}},
		{name: "second, 3 stars: no alert", change: add(jsonReview("Ben", at(24*time.Hour), "Service was so slow, it took forever.", 3)), wantNew: 0},
		{name: "third: the review alert and one trend alert", change: add(jsonReview("Cleo", at(time.Minute), "Waited an hour for a pizza.", 1)), wantNew: 2,
			contains: []string{"Complaint trend at Trattoria Luna: wait in 3 reviews", "3 negative or mixed reviews mention waiting", "Website",
				"long wait for our food &amp; nobody came", "took forever", "Waited an hour"},
		},
		{name: "unchanged: nothing", wantNew: 0},
	})
}

// Done when: five 1-star reviews in an hour give one bombing alert instead
// of five.
func TestInsightReviewBombing(t *testing.T) {
	slack := newFakeSlack(t)
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	site := &reviewSite{rating: "4.6", count: 120, reviews: []string{
		jsonReview("Giulia", at(200*time.Hour), "Best carbonara in town.", 5),
		jsonReview("Tom", at(100*time.Hour), "Lovely terrace.", 4),
	}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	cfg := insightConfig(t, slack.srv.URL+"/", fmt.Sprintf("      - {id: luna-site, source: schemaorg, url: %s/reviews}", srv.URL))
	runInsightSteps(t, cfg, slack, []insightStep{
		{name: "baseline", wantNew: 0},
		{name: "five 1-star reviews in an hour: one bombing alert", change: func() {
			site.set(func(s *reviewSite) {
				for i := range 5 {
					s.reviews = append([]string{jsonReview(fmt.Sprintf("Bot%d", i), at(time.Duration(50-10*i)*time.Minute), "Scam, avoid!", 1)}, s.reviews...)
				}
				s.rating, s.count = "4.4", 125
			})
		}, wantNew: 1,
			contains: []string{"Possible review bombing of Trattoria Luna on Website: 5 negative reviews within an hour", "one by one",
				"Bot0", "Bot1", "Bot2", "Bot3", "Bot4", "Report", "What to do"},
			lacks: []string{"Suggested reply"}},
		{name: "unchanged: nothing", wantNew: 0},
	})
}

// Done when: a listing at 4.45 shown as 4.4 on Google warns before the
// next 1-star, and every rating alert carries the recovery math.
func TestInsightDisplayedRating(t *testing.T) {
	slack := newFakeSlack(t)
	now := time.Now().UTC()
	g := &gbpSite{}
	for i := range 4 {
		g.add(fmt.Sprintf("old%d", i), "Guest "+string(rune('A'+i)), "FIVE", "Great", now.Add(-time.Duration(100+i)*time.Hour), 128.0/28, 28)
	}
	srv := httptest.NewServer(g)
	defer srv.Close()
	cfg := insightConfig(t, slack.srv.URL+"/", fmt.Sprintf(
		"      - {id: luna-google, source: google_business, location: accounts/1/locations/2, endpoint: %q, access_token: test-token}", srv.URL+"/"))
	runInsightSteps(t, cfg, slack, []insightStep{
		{name: "baseline at 4.57 (shown 4.6)", wantNew: 0},
		{name: "a 1-star takes it to 4.45 (129/29 = 4.448), shown 4.4: the review alert warns about the next 1-star", change: func() {
			g.add("r1", "Amir", "ONE", "Cold food.", now.Add(-time.Minute), 129.0/29, 29)
		}, wantNew: 1, contains: []string{"Google shows 4.4 (average 4.448 of 29 reviews", "It showed 4.6 before",
			"One more 1-star review takes Google from 4.4 to 4.3", "five-star reviews bring it back to 4.6"}},
		{name: "a 5-star takes it to 4.47, shown 4.5, one 1-star from 4.4: an early warning", change: func() {
			g.add("r2", "Bea", "FIVE", "Lovely.", now, 134.0/30, 30)
		}, wantNew: 1, contains: []string{"Early warning: one more 1-star review takes Google from 4.5 to 4.4",
			"After that 1-star, 6 five-star reviews bring it back to 4.5"}},
		{name: "unchanged: nothing", wantNew: 0},
	})
}

// A reviewer who changes their stars after the business's reply is good
// news (P3); the same reviewer coming back is named, with the earlier
// review (T3).
func TestInsightFollowUpAndRepeatReviewer(t *testing.T) {
	slack := newFakeSlack(t)
	now := time.Now().UTC()
	g := &gbpSite{}
	g.add("old", "Guest", "FIVE", "Great", now.Add(-300*time.Hour), 180.0/40, 40)
	srv := httptest.NewServer(g)
	defer srv.Close()
	cfg := insightConfig(t, slack.srv.URL+"/", fmt.Sprintf(
		"      - {id: luna-google, source: google_business, location: accounts/1/locations/2, endpoint: %q, access_token: test-token}", srv.URL+"/"))
	edit := func(id string, f func(r map[string]any)) {
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, r := range g.reviews {
			if r["reviewId"] == id {
				f(r)
			}
		}
	}
	runInsightSteps(t, cfg, slack, []insightStep{
		{name: "baseline", wantNew: 0},
		{name: "Amir's 1-star", change: func() { g.add("a1", "Amir", "ONE", "Cold food, rude waiter.", now.Add(-48*time.Hour), 181.0/41, 41) }, wantNew: 1,
			contains: []string{"Google now shows 4.4, down from 4.5", "Rating 4.5 → 4.41 (40 → 41 reviews)", "3 five-star reviews bring it back to 4.5"},
			lacks:    []string{"Repeat reviewer"}},
		{name: "the business replies: no alert", change: func() {
			edit("a1", func(r map[string]any) {
				r["reviewReply"] = map[string]any{"comment": "Sorry Amir, please call us.", "updateTime": now.Add(-24 * time.Hour).Format(time.RFC3339)}
			})
		}, wantNew: 0},
		{name: "Amir changes 1 to 4 stars after the reply", change: func() {
			edit("a1", func(r map[string]any) {
				r["starRating"], r["comment"], r["updateTime"] = "FOUR", "Cold food, but the manager called and made it right.", now.Add(-time.Hour).Format(time.RFC3339)
			})
			g.mu.Lock()
			g.avg = 184.0 / 41
			g.mu.Unlock()
		}, wantNew: 1, contains: []string{"Good news: Amir changed 1★ to 4★ on Google after your reply", "Follow-up: Amir changed 1 to 4 stars after your reply"}},
		{name: "Amir comes back with a 2-star: the alert quotes his earlier review", change: func() {
			g.add("a2", "Amir", "TWO", "Slow service this time.", now, 186.0/42, 42)
		}, wantNew: 1, contains: []string{"Repeat reviewer: Amir reviewed this listing before", "4★", "Their earlier review", "the manager called and made it right"}},
	})
}
