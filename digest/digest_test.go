package digest

import (
	"bytes"
	"context"
	"image"
	_ "image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
)

// The digest's week ends Monday 23 Nov 2026 09:00 in Rome.
var (
	rome, _ = time.LoadLocation("Europe/Rome")
	weekEnd = time.Date(2026, 11, 23, 9, 0, 0, 0, rome)
	day     = 24 * time.Hour
)

var (
	site   = store.ListingInfo{ID: "luna-site", Business: "luna", Platform: "schemaorg", PlatformLabel: "Website"}
	google = store.ListingInfo{ID: "luna-google", Business: "luna", Platform: "google_business", PlatformLabel: "Google"}
	rival  = store.ListingInfo{ID: "rival-tp", Business: "luna", Platform: "trustpilot", PlatformLabel: "Trustpilot", Competitor: true, Name: "Pizzeria Rivale"}
)

func listingsOf(ls ...store.ListingInfo) []Listing {
	var out []Listing
	for _, l := range ls {
		out = append(out, Listing{ID: l.ID, Name: l.Name, Platform: l.Platform, PlatformLabel: l.PlatformLabel, Competitor: l.Competitor})
	}
	return out
}

func review(id string, stars float64, text string, published time.Time) sources.Review {
	r := sources.Review{ID: id, Author: "Guest " + id, Text: text, Published: published.UTC()}
	if stars > 0 {
		r.Rating = sources.Stars(stars)
	}
	return r
}

func replied(r sources.Review, after time.Duration) sources.Review {
	r.Reply = &sources.Reply{Text: "Thank you", Published: r.Published.Add(after)}
	return r
}

// history builds a store holding a synthetic 100-day history of two own
// listings and a competitor, with every clock injected.
func history(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	commit := func(at time.Time, l store.ListingInfo, rating *sources.Rating, complete bool, rs ...sources.Review) []store.Alert {
		t.Helper()
		db.SetClock(func() time.Time { return at })
		var decide store.Decide
		if l.ID == site.ID {
			// Every new 3-star review gets a draft, so one can be posted.
			decide = func(ch store.Change) []store.Alert {
				var as []store.Alert
				for _, r := range ch.New {
					if r.Rating != nil && *r.Rating == 3 {
						as = append(as, store.Alert{Key: "neg/" + r.ID, Kind: store.KindNegativeReview,
							Draft: &store.Draft{Listing: l.ID, ReviewID: r.ID, Text: "Sorry"}})
					}
				}
				return as
			}
		}
		as, err := db.Commit(ctx, l, sources.Observation{At: at.UTC(), Rating: rating, Reviews: rs, Complete: complete}, decide)
		if err != nil {
			t.Fatal(err)
		}
		return as
	}
	rate := func(v float64, n int) *sources.Rating { return &sources.Rating{Value: v, Count: n} }

	// luna-site: 4.5 a month ago, 4.4 three days ago.
	commit(weekEnd.Add(-200*day), site, nil, false, review("ancient", 1, "Awful, never again", weekEnd.Add(-200*day)))
	commit(weekEnd.Add(-30*day), site, rate(4.5, 100), false, review("old20", 2, "Rude staff", weekEnd.Add(-20*day)))
	commit(weekEnd.Add(-3*day), site, rate(4.4, 104), false,
		review("r1", 1, "We waited an hour for our pizza. The wait was terrible.", weekEnd.Add(-5*day)),
		replied(review("r2", 2, "Long wait and the waiter ignored us.", weekEnd.Add(-4*day)), 6*time.Hour),
		review("r4", 3, "Nice pasta but the room was very noisy.", weekEnd.Add(-3*day)),
	)
	alerts := commit(weekEnd.Add(-2*day), site, rate(4.4, 104), false,
		replied(review("r3", 5, "Lovely evening", weekEnd.Add(-2*day)), 2*time.Hour),
		review("r5", 0, "No stars given", weekEnd.Add(-2*day+time.Hour)),
		review("r6", 1, "Cold food", weekEnd.Add(-12*time.Hour)),
	)
	_ = alerts
	// r4's draft is approved and posted a day before the week's end.
	ds, _ := db.DraftsWhere(ctx, func(d store.Draft) bool { return d.ReviewID == "r4" })
	if len(ds) != 1 {
		t.Fatalf("drafts for r4: %d", len(ds))
	}
	db.SetClock(func() time.Time { return weekEnd.Add(-day) })
	for _, a := range []store.DraftAction{store.ActionApprove, store.ActionPosted} {
		if _, err := db.ApplyDraftEvent(ctx, store.DraftEvent{DraftID: ds[0].ID, Action: a, By: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	// luna-google: a snapshot before the 90-day window, one in it; a
	// complete read that no longer shows "gone".
	commit(weekEnd.Add(-100*day), google, rate(4.7, 40), true, review("g1", 4, "Good", weekEnd.Add(-150*day)))
	commit(weekEnd.Add(-10*day), google, rate(4.6, 50), true, review("g1", 4, "Good", weekEnd.Add(-150*day)),
		review("gone", 1, "Fake review by a competitor", weekEnd.Add(-9*day)))
	commit(weekEnd.Add(-1*day), google, rate(4.6, 50), true, review("g1", 4, "Good", weekEnd.Add(-150*day)))
	// The competitor: its own negative review must stay out of our sections.
	commit(weekEnd.Add(-60*day), rival, rate(4.2, 80), false)
	commit(weekEnd.Add(-2*day), rival, rate(4.3, 82), false, review("x1", 1, "Terrible wait at the rival", weekEnd.Add(-3*day)))
	// After the week: ignored.
	commit(weekEnd.Add(day), site, rate(3.9, 120), false, review("later", 1, "After the week", weekEnd.Add(day)))
	return db
}

func topicsWith(t *testing.T) func(store.StoredReview) []string {
	set, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return func(r store.StoredReview) []string {
		d, err := set.Draft(templates.Request{Business: templates.Business{Name: "Luna", Language: "en"}, Review: r.Review})
		if err != nil {
			t.Fatal(err)
		}
		return d.Topics
	}
}

func TestCompute(t *testing.T) {
	db := history(t)
	d, err := Compute(context.Background(), db, Options{
		Business: "luna", BusinessName: "Trattoria Luna", Listings: listingsOf(rival, site, google),
		From: weekEnd.Add(-7 * day), To: weekEnd, Location: rome, NegativeAtOrBelow: 2, RemindAfter: 24 * time.Hour,
		Topics: topicsWith(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id                 string
		rating, before     string
		count, countBefore int
		newReviews         int
		competitor         bool
	}
	want := []row{
		{"luna-site", "4.4", "4.5", 104, 100, 6, false},
		{"luna-google", "4.6", "4.6", 50, 50, 0, false},
		{"rival-tp", "4.3", "4.2", 82, 80, 1, true},
	}
	if len(d.Listings) != len(want) {
		t.Fatalf("listings = %+v", d.Listings)
	}
	for i, w := range want {
		l := d.Listings[i]
		got := row{l.ID, RatingText(l.Rating), RatingText(l.RatingBefore), l.Count, l.CountBefore, l.NewReviews, l.Competitor}
		if got != w {
			t.Errorf("listing %d = %+v, want %+v", i, got, w)
		}
	}
	if ChangeText(d.Listings[0]) != "-0.1" || ChangeText(d.Listings[1]) != "=" || ChangeText(d.Listings[2]) != "+0.1" {
		t.Errorf("changes: %s %s %s", ChangeText(d.Listings[0]), ChangeText(d.Listings[1]), ChangeText(d.Listings[2]))
	}
	if d.NewReviews != 6 || d.Stars != [5]int{2, 1, 1, 0, 1} || d.Unrated != 1 {
		t.Errorf("new %d stars %v unrated %d, want 6 [2 1 1 0 1] 1", d.NewReviews, d.Stars, d.Unrated)
	}
	// r2 (6h), r3 (2h) and r4 (draft posted after 48h) are answered.
	if r := d.Responses; r.Reviews != 6 || r.Replied != 3 || r.Timed != 3 || r.Median != 6*time.Hour {
		t.Errorf("responses = %+v", r)
	}
	var unanswered, removed []string
	for _, r := range d.Unanswered {
		unanswered = append(unanswered, r.ID)
	}
	for _, r := range d.Removed {
		removed = append(removed, r.ID)
	}
	// ancient is beyond 90 days, r6 is younger than remind_after, x1 is the competitor's.
	if strings.Join(unanswered, ",") != "old20,r1" {
		t.Errorf("unanswered = %v, want old20,r1", unanswered)
	}
	if strings.Join(removed, ",") != "gone" {
		t.Errorf("removed = %v, want gone", removed)
	}
	if len(d.Topics) == 0 || d.Topics[0].Topic != "wait" || d.Topics[0].Count != 2 || d.Topics[0].Quote.ID != "r2" {
		t.Errorf("topics = %+v, want wait x2 quoting r2 first", d.Topics)
	}
	for _, tc := range d.Topics {
		if tc.Quote.Listing == "rival-tp" {
			t.Errorf("a competitor's review is quoted: %+v", tc)
		}
	}
	// History: every listing, google's pre-window snapshot moved to the window's start (then
	// the snapshots at -10d and -1d: the store writes one at least daily).
	if len(d.History) != 3 {
		t.Fatalf("history has %d series", len(d.History))
	}
	for _, s := range d.History {
		if s.Listing.ID == "luna-google" && (len(s.Points) != 3 || !s.Points[0].At.Equal(d.HistoryFrom) || s.Points[0].Rating != 4.7) {
			t.Errorf("google series = %+v", s.Points)
		}
		for _, p := range s.Points {
			if !p.At.Before(weekEnd) {
				t.Errorf("%s: a snapshot after the period: %v", s.Listing.ID, p.At)
			}
		}
	}

	var buf bytes.Buffer
	if err := d.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{"Trattoria Luna: Mon 16 Nov 2026 09:00 to Mon 23 Nov 2026 09:00 CET", "Pizzeria Rivale (competitor)",
		"wait: 2", "3 of 6 reviews answered (50%); median time to reply 6h", "5★ 1 · 4★ 0 · 3★ 1 · 2★ 1 · 1★ 2 · no stars 1",
		"Fake review by a competitor", "We waited an hour"} {
		if !strings.Contains(out, s) {
			t.Errorf("text lacks %q:\n%s", s, out)
		}
	}
}

func TestComputeBadPeriod(t *testing.T) {
	db := history(t)
	if _, err := Compute(context.Background(), db, Options{From: weekEnd, To: weekEnd}); err == nil {
		t.Fatal("an empty period was accepted")
	}
}

func TestChartPNG(t *testing.T) {
	db := history(t)
	d, err := Compute(context.Background(), db, Options{Business: "luna", Listings: listingsOf(site, google, rival),
		From: weekEnd.Add(-7 * day), To: weekEnd})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Chart(&buf, "Rating history - luna", d.History, d.HistoryFrom, d.To); err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if format != "png" || cfg.Width != 1000 || cfg.Height != 500 {
		t.Errorf("chart is %s %dx%d, want png 1000x500", format, cfg.Width, cfg.Height)
	}
	if n := buf.Len(); n < 5_000 || n > 500_000 {
		t.Errorf("chart is %d bytes, want 5 KB to 500 KB", n)
	}
	if err := Chart(&buf, "x", nil, d.HistoryFrom, d.To); err != ErrNoHistory {
		t.Errorf("no series: err = %v, want ErrNoHistory", err)
	}
}

func TestLabelOnlyRenderableText(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Listing
		want string
	}{
		{"latin name", Listing{ID: "luna-site", Name: "Trattoria Luna", Platform: "schemaorg", PlatformLabel: "Website"}, "Trattoria Luna - Website"},
		{"accents", Listing{ID: "cafe", Name: "Café Crème", Platform: "yelp", PlatformLabel: "Yelp"}, "Café Crème - Yelp"},
		{"persian", Listing{ID: "tehran-cafe", Name: "کافه تهران", Platform: "google_places", PlatformLabel: "Google Maps"}, "tehran-cafe - Google Maps"},
		{"hebrew", Listing{ID: "tlv", Name: "קפה תל אביב", Platform: "yelp", PlatformLabel: "Yelp", Competitor: true}, "tlv - Yelp (competitor)"},
		{"chinese", Listing{ID: "bj", Name: "北京饭店", Platform: "trustpilot"}, "bj - trustpilot"},
		{"mixed", Listing{ID: "mix", Name: "Luna 月", Platform: "yelp", PlatformLabel: "Yelp"}, "mix - Yelp"},
		{"bidi override", Listing{ID: "evil", Name: "abc\u202edcba", Platform: "yelp", PlatformLabel: "Yelp"}, "evil - Yelp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Label(tc.l); got != tc.want {
				t.Errorf("Label = %q, want %q", got, tc.want)
			}
		})
	}
}
