package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// Each insight kind renders its reason and evidence; hostile review text
// in quotes and names stays inert in Slack and plain on the console.
func TestRenderInsights(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	hostile := store.ReviewRef{Listing: "luna-google", Platform: "Google", ID: "r1", Author: "Eve <@U123>", Rating: sources.Stars(1),
		Text: "Waited an hour <!channel> & left", Published: at, URL: "https://g.example/r1"}
	place := store.ListingRef{ID: "luna-google", Name: "Trattoria Luna", Platform: "google_business", PlatformLabel: "Google"}
	biz := store.Ref{ID: "luna", Name: "Trattoria Luna"}
	disp := &store.Display{Average: 4.448, Count: 29, Step: 0.1, Shown: 4.4, Before: 4.6, OneStar: 4.3, Recover: 7, Target: 4.6}
	cases := []struct {
		name  string
		alert store.Alert
		want  []string // in the console text
		slack []string // in the Slack texts
	}{
		{
			name: "complaint trend",
			alert: store.Alert{ID: 1, Kind: store.KindComplaintTrend, Business: biz, Listing: place, Insight: &store.Insight{
				Reason: "Complaint trend: 3 negative or mixed reviews mention waiting (wait) within 14 days, on Website, Google.",
				Topic:  "wait", Count: 3, Window: 14 * 24 * time.Hour, Platforms: []string{"Website", "Google"}, Reviews: []store.ReviewRef{hostile}}},
			want:  []string{"Complaint trend at Trattoria Luna: wait in 3 reviews", "3 within 14 days", "Website, Google", "“Waited an hour <!channel> & left” - Eve <@U123>, 1★, Google, 2026-11-23"},
			slack: []string{"Waited an hour &lt;!channel&gt; &amp; left", "Eve &lt;@U123&gt;"},
		},
		{
			name: "review bombing",
			alert: store.Alert{ID: 2, Kind: store.KindReviewBombing, Urgent: true, Business: biz, Listing: place,
				Guidance: "Don't reply to these reviews one by one.",
				Rating:   &store.RatingChange{Before: sources.Rating{Value: 4.6, Count: 28}, After: sources.Rating{Value: 4.45, Count: 33}},
				Insight: &store.Insight{Reason: "Possible review bombing: 5 negative reviews within an hour.", Count: 5, Window: time.Hour,
					Reviews: []store.ReviewRef{hostile}, ReportRoute: `"Report review" on the review in your Google Business Profile`, Display: disp}},
			want: []string{"Urgent: Possible review bombing of Trattoria Luna on Google: 5 negative reviews within an hour", "The reviews (the record, P2)",
				"2026-11-23 09:30 UTC, https://g.example/r1", "Report them", "What to do", "one by one", "Rating 4.6 → 4.45", "7 five-star reviews bring it back to 4.6"},
			slack: []string{"Eve &lt;@U123&gt;"},
		},
		{
			name: "displayed rating warning",
			alert: store.Alert{ID: 3, Kind: store.KindRatingDisplay, Business: biz, Listing: place,
				Rating: &store.RatingChange{Before: sources.Rating{Value: 4.45, Count: 29}, After: sources.Rating{Value: 4.47, Count: 30}},
				Insight: &store.Insight{Reason: "Early warning: one more 1-star review takes Google from 4.5 to 4.4.",
					Display: &store.Display{Average: 4.467, Count: 30, Step: 0.1, Shown: 4.5, Before: 4.4, OneStar: 4.4, Recover: 6, Target: 4.5}}},
			want: []string{"Early warning: one more 1-star review takes Google from 4.5 to 4.4 (Trattoria Luna)", "Google shows 4.5 (average 4.467 of 30 reviews, shown in one decimal)",
				"After that 1-star, 6 five-star reviews bring it back to 4.5"},
		},
		{
			name: "displayed rating drop, Yelp half stars, an estimate",
			alert: store.Alert{ID: 4, Kind: store.KindRatingDisplay, Business: biz, Listing: store.ListingRef{ID: "y", Name: "Luna", Platform: "yelp", PlatformLabel: "Yelp"},
				Insight: &store.Insight{Reason: "Yelp now shows 4.0, down from 4.5.",
					Display: &store.Display{Average: 4.2, Count: 80, Step: 0.5, Shown: 4, Before: 4.5, OneStar: 4, Recover: 1, Target: 4.5, Approx: true}}},
			want: []string{"Yelp now shows 4.0 for Luna (was 4.5)", "shown in half stars", "1 five-star review brings it back to 4.5", "An estimate"},
		},
		{
			name: "repeat reviewer on a review alert",
			alert: store.Alert{ID: 5, Kind: store.KindNegativeReview, Business: biz, Listing: place,
				Review:  &sources.Review{ID: "r9", Author: "Amir", Rating: sources.Stars(1), Text: "Again cold."},
				Insight: &store.Insight{Reason: "Repeat reviewer: Amir reviewed this listing before on 2026-10-01 (2★).", Earlier: &store.ReviewRef{Author: "Amir", Rating: sources.Stars(2), Text: "Cold <b>soup</b>", Published: at}}},
			want:  []string{"Why this matters", "Repeat reviewer: Amir reviewed this listing before", "Their earlier review (Amir, 2★, 2026-11-23)", "Cold <b>soup</b>"},
			slack: []string{"Cold &lt;b&gt;soup&lt;/b&gt;"},
		},
		{
			name: "follow-up after a reply",
			alert: store.Alert{ID: 6, Kind: store.KindReviewFollowUp, Business: biz, Listing: place,
				Review:  &sources.Review{ID: "r2", Author: "Bea", Rating: sources.Stars(2), Text: "Slow. Update: the manager called."},
				Edit:    &store.ReviewEdit{Before: sources.Stars(2), After: sources.Stars(2), BeforeText: "Slow.", Replied: true},
				Insight: &store.Insight{Reason: "Follow-up: Bea edited their review after your reply."}},
			want: []string{"Follow-up: Bea edited their review on Google after your reply", "Before the edit", "Slow."},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := render(c.alert)
			text := consoleText(m)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("console lacks %q:\n%s", w, text)
				}
			}
			texts := slackTexts(t, slackBlocks(m))
			texts = append(texts, slackFallback(m))
			checkInert(t, texts)
			all := strings.Join(texts, "\n")
			for _, w := range c.slack {
				if !strings.Contains(all, w) {
					t.Errorf("Slack lacks %q:\n%s", w, all)
				}
			}
		})
	}
}
