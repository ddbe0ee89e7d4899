package watcher

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
)

func TestDisplayMath(t *testing.T) {
	f32 := func(v float64) float64 { return float64(float32(v)) }
	cases := []struct {
		name              string
		platform          string
		before            *sources.Rating
		now               sources.Rating
		shown, oneStar    float64
		recover           int
		target            float64
		approx            bool
		wantNil           bool
		checkShownOnlyNow bool
	}{
		{name: "4.45 exactly is a tie: half-up shows 4.5", platform: "google_business", now: sources.Rating{Value: 4.45, Count: 20},
			shown: 4.5, oneStar: 4.3, recover: 7, target: 4.5},
		{name: "4.45 from a float32 API (4.4499998) is still 89/20: 4.5", platform: "google_business", now: sources.Rating{Value: f32(4.45), Count: 20},
			shown: 4.5, oneStar: 4.3, recover: 7, target: 4.5},
		{name: "4.35 (4.3499999 in float64) shows 4.4, not 4.3", platform: "appstore", now: sources.Rating{Value: 4.35, Count: 20},
			shown: 4.4, oneStar: 4.2, recover: 6, target: 4.4},
		{name: "a listing at 4.45 (4.448) shows 4.4; one 1-star takes it to 4.3", platform: "google_business", now: sources.Rating{Value: 129.0 / 29, Count: 29},
			shown: 4.4, oneStar: 4.3, recover: 1, target: 4.4},
		{name: "dropped from 4.5 to 4.4: two five-star reviews bring it back", platform: "google_business",
			before: &sources.Rating{Value: 4.45, Count: 19}, now: sources.Rating{Value: 4.4, Count: 20},
			shown: 4.4, oneStar: 4.2, recover: 2, target: 4.5},
		{name: "all five stars: 5.0, a 1-star takes it to 4.6", platform: "googleplay", now: sources.Rating{Value: 5, Count: 10},
			shown: 5, oneStar: 4.6, recover: 69, target: 5},
		{name: "Yelp half stars: 4.25 rounds up to 4.5", platform: "yelp", now: sources.Rating{Value: 4.25, Count: 4},
			shown: 4.5, oneStar: 3.5, recover: 5, target: 4.5, approx: true},
		{name: "Yelp half stars: 4.24 shows 4.0", platform: "yelp", now: sources.Rating{Value: 4.24, Count: 100},
			shown: 4, oneStar: 4, recover: 2, target: 4.5, approx: true},
		{name: "a steady listing: recovery math aims one step up", platform: "google_business", now: sources.Rating{Value: 4.2, Count: 1000},
			shown: 4.2, oneStar: 4.2, recover: 67, target: 4.3, approx: true},
		{name: "no count: no arithmetic", platform: "google_business", now: sources.Rating{Value: 4.4}, wantNil: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := forecast(c.platform, c.before, c.now)
			if c.wantNil {
				if d != nil {
					t.Fatalf("forecast = %+v, want none", d)
				}
				return
			}
			if d == nil {
				t.Fatal("no forecast")
			}
			if d.Shown != c.shown || d.OneStar != c.oneStar || d.Recover != c.recover || d.Target != c.target || d.Approx != c.approx {
				t.Errorf("forecast = %+v, want shown %v one-star %v recover %d to %v approx %v", *d, c.shown, c.oneStar, c.recover, c.target, c.approx)
			}
			// The recovery count is the smallest that works: check by brute force.
			if d.Recover > 0 && !d.Approx {
				m := meanOf(c.now)
				if d.OneStar < d.Shown && d.Before <= d.Shown {
					m = m.add(1, 1)
				}
				u := int(math.Round(1 / d.Step))
				tu := int64(math.Round(d.Target * float64(u)))
				if m.add(5, d.Recover).shownUnits(u) < tu || m.add(5, d.Recover-1).shownUnits(u) >= tu {
					t.Errorf("recover %d is not the least count reaching %v", d.Recover, d.Target)
				}
			}
		})
	}
}

// fakeHistory is an in-memory store.History.
type fakeHistory struct {
	listings []store.ListingInfo
	reviews  map[string][]store.StoredReview
	drafts   []store.Draft
	marks    map[string]store.Mark
}

func (h *fakeHistory) BusinessListings(b string) ([]store.ListingInfo, error) {
	var out []store.ListingInfo
	for _, l := range h.listings {
		if l.Business == b {
			out = append(out, l)
		}
	}
	return out, nil
}

func (h *fakeHistory) ListingReviews(l string, since time.Time) ([]store.StoredReview, error) {
	var out []store.StoredReview
	for _, r := range h.reviews[l] {
		t := r.Published
		if t.IsZero() {
			t = r.FirstSeen
		}
		if !t.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (h *fakeHistory) ListingDrafts(l string) ([]store.Draft, error) { return h.drafts, nil }

func (h *fakeHistory) Mark(k string) (store.Mark, bool, error) {
	m, ok := h.marks[k]
	return m, ok, nil
}

// add stores reviews as a commit would (first seen at their publication).
func (h *fakeHistory) add(listing string, rs ...sources.Review) {
	if h.reviews == nil {
		h.reviews = map[string][]store.StoredReview{}
	}
	for _, r := range rs {
		h.reviews[listing] = append(h.reviews[listing], store.StoredReview{Review: r, Listing: listing, FirstSeen: r.Published})
	}
}

// remember keeps the marks of queued alerts, as store.Commit does.
func (h *fakeHistory) remember(as []store.Alert) {
	for _, a := range as {
		if a.Insight != nil && a.Insight.Mark != nil {
			if h.marks == nil {
				h.marks = map[string]store.Mark{}
			}
			h.marks[a.Insight.Mark.Key] = *a.Insight.Mark
		}
	}
}

var google = store.ListingInfo{ID: "luna-google", Business: "luna", BusinessName: "Trattoria Luna", Platform: "google_business", PlatformLabel: "Google"}

func rv(id, author string, stars float64, at time.Time, text string) sources.Review {
	return sources.Review{ID: id, Author: author, Rating: sources.Stars(stars), Text: text, Published: at}
}

func kinds(as []store.Alert) []store.AlertKind {
	var out []store.AlertKind
	for _, a := range as {
		out = append(out, a.Kind)
	}
	return out
}

// evaluate runs Evaluate then Insights as the watcher's commit does, with
// the new reviews already in the history.
func evaluate(t *testing.T, h *fakeHistory, l store.ListingInfo, prev store.State, obs sources.Observation, news []sources.Review, edits []store.Edited, mode Mode) []store.Alert {
	t.Helper()
	set, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	h.add(l.ID, news...)
	obs.Listing, obs.Platform = l.ID, l.Platform
	ch := store.Change{Listing: l, Prev: prev, Obs: obs, New: news, Edited: edits, History: h}
	r := DefaultRules()
	help := Helpers{
		Topics: func(rev sources.Review) []string { return set.ReviewTopics(rev, "en") },
		Redraft: func(rev sources.Review, repeat bool) Suggestion {
			return Suggestion{Draft: &store.Draft{Listing: l.ID, ReviewID: rev.ID, Text: "redrafted", Language: strconv.FormatBool(repeat)}}
		},
	}
	// Reviews whose text threatens get an urgent suggestion (E1), as the
	// templates would.
	draft := func(rev sources.Review) Suggestion {
		if strings.Contains(rev.Text, "threat") {
			return Suggestion{Urgent: true, Guidance: "E1"}
		}
		return Suggestion{}
	}
	as, err := r.Insights(ch, mode, r.Evaluate(ch, mode, draft), help)
	if err != nil {
		t.Fatal(err)
	}
	h.remember(as)
	return as
}

// loadTemplates loads the built-in templates once for all cases.
var loadTemplates = sync.OnceValues(func() (*templates.Set, error) { return templates.Load("") })

func TestInsightRules(t *testing.T) {
	day := 24 * time.Hour
	polled := func(v float64, n int) store.State {
		return store.State{Baseline: true, LastSuccess: t0.Add(-time.Hour), Rating: rating(v, n)}
	}
	type step struct {
		at    time.Time
		l     store.ListingInfo
		prev  store.State
		rate  *sources.Rating
		news  []sources.Review
		edits []store.Edited
		mode  Mode
		want  []store.AlertKind
		check func(t *testing.T, as []store.Alert)
	}
	cases := []struct {
		name    string
		history func(h *fakeHistory)
		steps   []step
	}{
		{
			name: "three complaints about waiting within a week on two platforms: one trend alert, again only when it grows",
			history: func(h *fakeHistory) {
				h.listings = []store.ListingInfo{info, google}
				h.add(info.ID, rv("s1", "Ana", 2, t0.Add(-5*day), "We had a long wait for our food."))
				h.add(google.ID, rv("g0", "Old", 1, t0.Add(-30*day), "Waited an hour for a table.")) // outside the window
				h.add(google.ID, rv("g5", "Happy", 5, t0.Add(-2*day), "No wait at all, lovely."))    // praise is no complaint
			},
			steps: []step{
				{at: t0.Add(-3 * day), l: google, prev: polled(4.6, 100), news: []sources.Review{rv("g1", "Ben", 3, t0.Add(-3*day), "Service was so slow, it took forever.")}},
				{at: t0, l: google, prev: polled(4.6, 100), news: []sources.Review{rv("g2", "Cleo", 1, t0, "Waited 45 minutes for a pizza!")},
					want: []store.AlertKind{store.KindNegativeReview, store.KindComplaintTrend},
					check: func(t *testing.T, as []store.Alert) {
						in := as[1].Insight
						if in.Topic != "wait" || in.Count != 3 || !slices.Equal(in.Platforms, []string{"Website", "Google"}) || len(in.Reviews) != 3 {
							t.Errorf("trend = %+v", in)
						}
						if !strings.Contains(in.Reason, "3 negative or mixed reviews mention waiting") {
							t.Errorf("reason = %q", in.Reason)
						}
					}},
				// A 4-star complaint about something else: no new trend alert.
				{at: t0.Add(time.Hour), l: google, prev: polled(4.6, 100), news: []sources.Review{rv("g3", "Dan", 4, t0.Add(time.Hour), "Nice, but the waiter was rude.")}},
				// A fourth wait complaint: the count grew.
				{at: t0.Add(2 * time.Hour), l: info, prev: polled(4.6, 100), news: []sources.Review{rv("s2", "Eve", 4, t0.Add(2*time.Hour), "Good food but the wait was too long.")},
					want: []store.AlertKind{store.KindComplaintTrend},
					check: func(t *testing.T, as []store.Alert) {
						if as[0].Insight.Count != 4 {
							t.Errorf("count = %d", as[0].Insight.Count)
						}
					}},
			},
		},
		{
			name: "a competitor's listing (not among the business's own) gets no insight",
			history: func(h *fakeHistory) {
				h.listings = []store.ListingInfo{info}
				h.add(info.ID, rv("s1", "Ana", 2, t0.Add(-day), "long wait"), rv("s2", "Bo", 2, t0.Add(-day), "long wait"))
			},
			// The store writes the committed listing as it is, so "not
			// among the business's own" is its Competitor flag.
			steps: []step{{at: t0, l: func() store.ListingInfo { c := google; c.Competitor = true; return c }(), prev: polled(4.6, 100), news: []sources.Review{
				rv("b1", "X1", 1, t0.Add(-50*time.Minute), "long wait"), rv("b2", "X2", 1, t0.Add(-40*time.Minute), "long wait"),
				rv("b3", "X3", 1, t0.Add(-30*time.Minute), "long wait"), rv("b4", "X4", 1, t0.Add(-20*time.Minute), "long wait"),
				rv("b5", "X5", 1, t0.Add(-10*time.Minute), "long wait")},
				// Evaluate's own alerts pass through untouched (the watcher
				// keeps competitors quiet before the rules run).
				want: []store.AlertKind{store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview},
				check: func(t *testing.T, as []store.Alert) {
					for _, a := range as {
						if a.Insight != nil {
							t.Errorf("insight on a competitor: %+v", a.Insight)
						}
					}
				}}},
		},
		{
			name:    "a backfill of many complaints never trends",
			history: func(h *fakeHistory) { h.listings = []store.ListingInfo{info} },
			steps: []step{{at: t0, l: info, prev: polled(4.6, 100), mode: Backfill, news: []sources.Review{
				rv("a", "A", 1, t0, "long wait"), rv("b", "B", 1, t0, "long wait"), rv("c", "C", 1, t0, "long wait")}}},
		},
		{
			name: "five 1-star reviews in an hour against a norm of 2 a week: one urgent bombing alert instead of five",
			history: func(h *fakeHistory) {
				h.listings = []store.ListingInfo{google}
				for i := range 8 { // two a week for four weeks, one of them negative a week
					h.add(google.ID, rv("n"+string(rune('a'+i)), "Regular", float64(1+4*(i%2)), t0.Add(-time.Duration(i+1)*84*time.Hour), "ok"))
				}
			},
			steps: []step{{at: t0, l: google, prev: polled(4.5, 200), rate: rating(4.4, 205), news: []sources.Review{
				rv("b1", "X1", 1, t0.Add(-50*time.Minute), "Scam"), rv("b2", "X2", 1, t0.Add(-40*time.Minute), "Avoid"),
				rv("b3", "X3", 1, t0.Add(-30*time.Minute), "Scam!!"), rv("b4", "X4", 1, t0.Add(-20*time.Minute), "Worst"),
				rv("b5", "X5", 1, t0.Add(-10*time.Minute), "Avoid <b>")},
				want: []store.AlertKind{store.KindReviewBombing},
				check: func(t *testing.T, as []store.Alert) {
					a := as[0]
					if !a.Urgent || a.Insight.Count != 5 || len(a.Insight.Reviews) != 5 || a.Rating == nil || a.Insight.Display == nil {
						t.Errorf("bomb = %+v insight %+v", a, a.Insight)
					}
					if !strings.Contains(a.Guidance, "one by one") || !strings.Contains(a.Guidance, "Report review") || !strings.Contains(a.Insight.ReportRoute, "Google Business Profile") {
						t.Errorf("guidance = %q route %q", a.Guidance, a.Insight.ReportRoute)
					}
				}},
				// A sixth in the same hour: the alert repeats with all six, still no single-review alert.
				{at: t0.Add(5 * time.Minute), l: google, prev: polled(4.4, 205), news: []sources.Review{rv("b6", "X6", 1, t0.Add(2*time.Minute), "Scam")},
					want: []store.AlertKind{store.KindReviewBombing},
					check: func(t *testing.T, as []store.Alert) {
						if as[0].Insight.Count != 6 {
							t.Errorf("count = %d", as[0].Insight.Count)
						}
					}},
			},
		},
		{
			name:    "a threat inside a burst keeps its own urgent alert (E1)",
			history: func(h *fakeHistory) { h.listings = []store.ListingInfo{google} },
			steps: []step{{at: t0, l: google, prev: polled(4.5, 200), news: []sources.Review{
				rv("b1", "X1", 1, t0.Add(-50*time.Minute), "a"), rv("b2", "X2", 1, t0.Add(-40*time.Minute), "b"),
				rv("b3", "X3", 1, t0.Add(-30*time.Minute), "a threat"), rv("b4", "X4", 1, t0.Add(-20*time.Minute), "d"),
				rv("b5", "X5", 1, t0.Add(-10*time.Minute), "e")},
				want: []store.AlertKind{store.KindNegativeReview, store.KindReviewBombing},
				check: func(t *testing.T, as []store.Alert) {
					if as[0].Review.ID != "b3" || !as[0].Urgent || as[1].Insight.Count != 5 {
						t.Errorf("alerts = %+v", as)
					}
				}}},
		},
		{
			name:    "a full sync is history, not a burst",
			history: func(h *fakeHistory) { h.listings = []store.ListingInfo{google} },
			steps: []step{{at: t0, l: google, prev: polled(4.5, 200), mode: FullSync, news: []sources.Review{
				rv("b1", "X1", 1, t0.Add(-50*time.Minute), "a"), rv("b2", "X2", 1, t0.Add(-40*time.Minute), "b"),
				rv("b3", "X3", 1, t0.Add(-30*time.Minute), "c"), rv("b4", "X4", 1, t0.Add(-20*time.Minute), "d"),
				rv("b5", "X5", 1, t0.Add(-10*time.Minute), "e")},
				want: []store.AlertKind{store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview}}},
		},
		{
			name: "a busy listing's usual rate is no burst",
			history: func(h *fakeHistory) {
				h.listings = []store.ListingInfo{google}
				for i := range 400 { // a negative review every 100 minutes
					h.add(google.ID, rv("n"+strings.Repeat("x", i), "R", 1, t0.Add(-time.Duration(i+1)*100*time.Minute-time.Hour), "meh"))
				}
			},
			steps: []step{{at: t0, l: google, prev: polled(3.5, 2000), news: []sources.Review{
				rv("b1", "X1", 1, t0.Add(-50*time.Minute), "a"), rv("b2", "X2", 1, t0.Add(-40*time.Minute), "b"),
				rv("b3", "X3", 1, t0.Add(-30*time.Minute), "c"), rv("b4", "X4", 1, t0.Add(-20*time.Minute), "d"),
				rv("b5", "X5", 1, t0.Add(-10*time.Minute), "e")},
				want: []store.AlertKind{store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview, store.KindNegativeReview}}},
		},
		{
			name: "a repeat reviewer's alert quotes their earlier review; anonymous names are not one person",
			history: func(h *fakeHistory) {
				h.listings = []store.ListingInfo{google}
				h.add(google.ID, rv("old", "Amir K.", 2, t0.Add(-40*day), "Cold soup."), rv("anon0", "A Google user", 1, t0.Add(-9*day), "bad"))
			},
			steps: []step{{at: t0, l: google, prev: polled(4.5, 200), news: []sources.Review{
				rv("new", "amir  k.", 1, t0, "Cold soup again."), rv("anon1", "A Google user", 1, t0, "bad again")},
				want: []store.AlertKind{store.KindNegativeReview, store.KindNegativeReview},
				check: func(t *testing.T, as []store.Alert) {
					in := as[0].Insight
					if in == nil || in.Earlier == nil || in.Earlier.ID != "old" || !strings.Contains(in.Reason, "Repeat reviewer") || !strings.Contains(in.Reason, "2★") {
						t.Errorf("insight = %+v", in)
					}
					if as[1].Insight != nil {
						t.Errorf("anonymous insight = %+v", as[1].Insight)
					}
					if d := as[0].Draft; d == nil || d.Text != "redrafted" || d.Language != "true" {
						t.Errorf("the repeat reviewer's draft was not redrafted with Repeat (T3): %+v", d)
					}
				}}},
		},
		{
			name: "follow-up: stars rise after a posted draft, text edited after a reply seen; nothing without a reply",
			history: func(h *fakeHistory) {
				h.listings = []store.ListingInfo{google}
				h.drafts = []store.Draft{{ID: 1, Listing: google.ID, ReviewID: "r1", Status: store.DraftPosted}}
			},
			steps: []step{{at: t0, l: google, prev: polled(4.5, 200), edits: []store.Edited{
				{Before: rv("r1", "Amir", 1, t0.Add(-day), "Cold"), After: rv("r1", "Amir", 4, t0.Add(-day), "Cold, but they made it right")},
				{Before: withReply(rv("r2", "Bea", 2, t0.Add(-day), "Slow")), After: withReply(rv("r2", "Bea", 2, t0.Add(-day), "Slow. Update: the manager called me."))},
				{Before: rv("r3", "Cy", 2, t0.Add(-day), "Meh"), After: rv("r3", "Cy", 3, t0.Add(-day), "Meh.")},
				{Before: rv("r4", "Di", 2, t0.Add(-day), "Noisy"), After: withReply(rv("r4", "Di", 2, t0.Add(-day), "Noisy"))},
			},
				want: []store.AlertKind{store.KindReviewImproved, store.KindReviewFollowUp},
				check: func(t *testing.T, as []store.Alert) {
					if !strings.Contains(as[0].Insight.Reason, "Amir changed 1 to 4 stars after your reply") {
						t.Errorf("reason = %q", as[0].Insight.Reason)
					}
					if as[1].Edit.BeforeText != "Slow" || !strings.Contains(as[1].Insight.Reason, "Bea edited their review after your reply") {
						t.Errorf("follow-up = %+v %+v", as[1].Edit, as[1].Insight)
					}
				}}},
		},
		{
			name:    "displayed rating: a warning when one 1-star away, once; a drop of the shown value alerts with recovery math",
			history: func(h *fakeHistory) { h.listings = []store.ListingInfo{google} },
			steps: []step{
				// A 2-star review: the warning rides on its alert.
				{at: t0, l: google, prev: store.State{Baseline: true, Rating: rating(4.5, 100)}, rate: rating(452.0/101, 101), news: []sources.Review{rv("p", "P", 2, t0, "meh")},
					want: []store.AlertKind{store.KindNegativeReview},
					check: func(t *testing.T, as []store.Alert) {
						in := as[0].Insight
						if in == nil || !strings.Contains(in.Reason, "one more 1-star review takes Google from 4.5 to 4.4") || in.Display.Recover != 2 || in.Display.Target != 4.5 || as[0].Rating == nil {
							t.Errorf("alert = %+v insight %+v", as[0], in)
						}
					}},
				// Still one 1-star away, still shown 4.5: warned already.
				{at: t0.Add(time.Hour), l: google, prev: store.State{Baseline: true, Rating: rating(452.0/101, 101)}, rate: rating(457.0/102, 102), news: []sources.Review{rv("q", "Q", 5, t0.Add(time.Hour), "great")}},
				// A 4-star moves it off the edge; a 3-star brings it back: a warning of its own.
				{at: t0.Add(2 * time.Hour), l: google, prev: store.State{Baseline: true, Rating: rating(457.0/102, 102)}, rate: rating(467.0/104, 104)},
				{at: t0.Add(3 * time.Hour), l: google, prev: store.State{Baseline: true, Rating: rating(467.0/104, 104)}, rate: rating(470.0/105, 105),
					want: []store.AlertKind{store.KindRatingDisplay},
					check: func(t *testing.T, as []store.Alert) {
						if !strings.Contains(as[0].Insight.Reason, "Early warning: one more 1-star review takes Google from 4.5 to 4.4") {
							t.Errorf("insight = %+v", as[0].Insight)
						}
					}},
				// The shown rating drops with no review alert (a 3-star): an alert of its own, with the way back.
				{at: t0.Add(4 * time.Hour), l: google, prev: store.State{Baseline: true, Rating: rating(457.0/102, 102)}, rate: rating(458.0/103, 103), news: []sources.Review{rv("r", "R", 3, t0.Add(2*time.Hour), "so-so")},
					want: []store.AlertKind{store.KindRatingDisplay},
					check: func(t *testing.T, as []store.Alert) {
						d := as[0].Insight.Display
						if d.Before != 4.5 || d.Shown != 4.4 || d.Target != 4.5 || d.Recover != 1 || !strings.Contains(as[0].Insight.Reason, "now shows 4.4, down from 4.5") {
							t.Errorf("display = %+v reason %q", d, as[0].Insight.Reason)
						}
					}},
			},
		},
		{
			name:    "a rating drop alert carries the display math instead of a second alert",
			history: func(h *fakeHistory) { h.listings = []store.ListingInfo{google} },
			steps: []step{{at: t0, l: google, prev: polled(4.5, 20), rate: rating(4.3, 21), news: []sources.Review{rv("x", "X", 1, t0, "bad")},
				want: []store.AlertKind{store.KindNegativeReview},
				check: func(t *testing.T, as []store.Alert) {
					if as[0].Rating == nil || as[0].Insight == nil || as[0].Insight.Display == nil || as[0].Insight.Display.Recover < 1 {
						t.Errorf("alert = %+v", as[0])
					}
				}}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &fakeHistory{}
			c.history(h)
			for i, s := range c.steps {
				obs := sources.Observation{At: s.at, Rating: s.rate}
				if obs.Rating == nil {
					obs.Rating = s.prev.Rating
				}
				as := evaluate(t, h, s.l, s.prev, obs, s.news, s.edits, s.mode)
				if got := kinds(as); !slices.Equal(got, s.want) {
					t.Fatalf("step %d: kinds = %v, want %v", i, got, s.want)
				}
				if s.check != nil {
					s.check(t, as)
				}
			}
		})
	}
}

func withReply(r sources.Review) sources.Review {
	r.Reply = &sources.Reply{Text: "Thank you"}
	return r
}

func TestRulesValidateInsightKeys(t *testing.T) {
	r := DefaultRules()
	r.TrendMin, r.BombMin = 1, -1
	err := r.Validate()
	if err == nil || !strings.Contains(err.Error(), "rules.trend_min") || !strings.Contains(err.Error(), "rules.bomb_min") {
		t.Errorf("Validate = %v", err)
	}
}
