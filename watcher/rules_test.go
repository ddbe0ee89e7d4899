package watcher

import (
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

var (
	t0   = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	info = store.ListingInfo{ID: "luna-site", Business: "luna", BusinessName: "Trattoria Luna", Platform: "schemaorg", PlatformLabel: "Website", URL: "https://x.example/r"}
)

func review(id string, stars *float64, published time.Time) sources.Review {
	return sources.Review{ID: id, Author: "A", Rating: stars, Text: "t", Published: published}
}

func rating(v float64, n int) *sources.Rating { return &sources.Rating{Value: v, Count: n} }

func TestEvaluate(t *testing.T) {
	polled := store.State{Baseline: true, LastSuccess: t0.Add(-time.Hour), Rating: rating(4.6, 100), Reviews: 3}
	cases := []struct {
		name  string
		prev  store.State
		obs   sources.Observation
		new   []sources.Review
		mode  Mode
		kinds []store.AlertKind
		check func(t *testing.T, as []store.Alert)
	}{
		{
			name: "first poll is a silent baseline",
			prev: store.State{}, obs: sources.Observation{Rating: rating(2, 5)},
			new: []sources.Review{review("a", sources.Stars(1), t0)},
		},
		{
			name: "backfill never alerts",
			prev: polled, obs: sources.Observation{Rating: rating(4.0, 100)}, mode: Backfill,
			new: []sources.Review{review("a", sources.Stars(1), t0)},
		},
		{
			name: "new negative review alerts with a draft",
			prev: polled, obs: sources.Observation{Rating: rating(4.6, 101)},
			new:   []sources.Review{review("a", sources.Stars(2), t0), review("b", sources.Stars(3), t0)},
			kinds: []store.AlertKind{store.KindNegativeReview},
			check: func(t *testing.T, as []store.Alert) {
				if as[0].Draft == nil || as[0].Key != "review:luna-site:a" || as[0].Rating != nil {
					t.Errorf("alert = %+v", as[0])
				}
			},
		},
		{
			name: "review without stars never counts as negative",
			prev: polled, obs: sources.Observation{Rating: rating(4.6, 101)},
			new: []sources.Review{review("a", nil, t0)},
		},
		{
			name: "rating drop folds into the review alert",
			prev: polled, obs: sources.Observation{Rating: rating(4.5, 101)},
			new:   []sources.Review{review("a", sources.Stars(1), t0)},
			kinds: []store.AlertKind{store.KindNegativeReview},
			check: func(t *testing.T, as []store.Alert) {
				r := as[0].Rating
				if r == nil || r.Before.Value != 4.6 || r.After.Value != 4.5 || r.After.Count != 101 {
					t.Errorf("rating change = %+v", r)
				}
			},
		},
		{
			name: "rating drop alone",
			prev: polled, obs: sources.Observation{Rating: rating(4.5, 100)},
			kinds: []store.AlertKind{store.KindRatingDrop},
		},
		{
			name: "drop smaller than the threshold is quiet",
			prev: polled, obs: sources.Observation{Rating: rating(4.55, 100)},
		},
		{
			name: "rise is quiet",
			prev: polled, obs: sources.Observation{Rating: rating(4.8, 100)},
		},
		{
			name: "no aggregate on this platform: no rating alert",
			prev: polled, obs: sources.Observation{},
		},
		{
			name: "old review surfacing late is history, not news",
			prev: polled, obs: sources.Observation{Rating: rating(4.6, 100)},
			new: []sources.Review{review("old", sources.Stars(1), t0.AddDate(0, -3, 0))},
		},
		{
			name:  "recovery after a broken alert",
			prev:  store.State{Baseline: true, LastSuccess: t0.Add(-5 * time.Hour), Failures: 3, BrokenAlerted: true, FailingSince: t0.Add(-3 * time.Hour), Rating: rating(4.6, 100)},
			obs:   sources.Observation{Rating: rating(4.6, 100)},
			kinds: []store.AlertKind{store.KindSourceRecovered},
		},
	}
	r := DefaultRules()
	drafter := func(rv sources.Review) Suggestion {
		return Suggestion{Draft: &store.Draft{ReviewID: rv.ID, Text: "draft"}}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.obs.At = t0
			got := r.Evaluate(store.Change{Listing: info, Prev: c.prev, Obs: c.obs, New: c.new}, c.mode, drafter)
			if len(got) != len(c.kinds) {
				t.Fatalf("got %d alerts %+v, want kinds %v", len(got), got, c.kinds)
			}
			for i, a := range got {
				if a.Kind != c.kinds[i] {
					t.Errorf("alert %d kind = %s, want %s", i, a.Kind, c.kinds[i])
				}
				if a.Key == "" || a.Listing.ID != info.ID || a.Business.Name != "Trattoria Luna" {
					t.Errorf("alert %d lacks key or refs: %+v", i, a)
				}
			}
			if c.check != nil {
				c.check(t, got)
			}
		})
	}
}

func TestEvaluateFailure(t *testing.T) {
	r := DefaultRules()
	cases := []struct {
		name string
		st   store.State
		want int
	}{
		{"below the threshold", store.State{Failures: 2, FailingSince: t0}, 0},
		{"at the threshold", store.State{Failures: 3, FailingSince: t0}, 1},
		{"already alerted this streak", store.State{Failures: 4, FailingSince: t0, BrokenAlerted: true}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.EvaluateFailure(info, c.st)
			if len(got) != c.want {
				t.Fatalf("got %d alerts, want %d", len(got), c.want)
			}
			if c.want == 1 && (got[0].Kind != store.KindSourceBroken || got[0].Failure.Count != 3) {
				t.Errorf("alert = %+v", got[0])
			}
		})
	}
}

func TestImplausible(t *testing.T) {
	had := store.State{Baseline: true, Rating: rating(4.2, 10), Reviews: 5}
	cases := []struct {
		name string
		prev store.State
		obs  sources.Observation
		bad  bool
	}{
		{"empty page where there were reviews", had, sources.Observation{}, true},
		{"empty page on a new listing is fine", store.State{}, sources.Observation{}, false},
		{"rating of 0", had, sources.Observation{Rating: rating(0, 10)}, true},
		{"rating of 6", had, sources.Observation{Rating: rating(6, 10)}, true},
		{"reviews only (app store)", had, sources.Observation{Reviews: []sources.Review{review("a", sources.Stars(3), t0)}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := implausible(c.prev, c.obs) != ""; got != c.bad {
				t.Errorf("implausible = %v, want %v", got, c.bad)
			}
		})
	}
}

func TestRulesValidate(t *testing.T) {
	cases := []struct {
		name string
		r    Rules
		ok   bool
	}{
		{"defaults", DefaultRules(), true},
		{"zero stars", Rules{NegativeAtOrBelow: 0, RatingDrop: 0.1, FailuresBeforeAlert: 3}, false},
		{"negative drop", Rules{NegativeAtOrBelow: 2, RatingDrop: -1, FailuresBeforeAlert: 3}, false},
		{"no failures", Rules{NegativeAtOrBelow: 2, RatingDrop: 0.1, FailuresBeforeAlert: 0}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.r.Validate(); (err == nil) != c.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestParseSchedule(t *testing.T) {
	for _, spec := range []string{"@every 30m", "*/15 * * * *", "0 */5 * * * *", "@hourly", "CRON_TZ=Europe/Rome 0 9 * * 1"} {
		if _, err := ParseSchedule(spec); err != nil {
			t.Errorf("ParseSchedule(%q) = %v", spec, err)
		}
	}
	for _, spec := range []string{"", "every 30m", "* * *", "@every banana"} {
		if _, err := ParseSchedule(spec); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", spec)
		}
	}
}

func TestEvaluateEditsAndDetails(t *testing.T) {
	polled := store.State{Baseline: true, LastSuccess: t0.Add(-time.Hour), Rating: rating(4.6, 100), Reviews: 3}
	replied := &sources.Reply{Text: "Thanks, we'll look into it"}
	edit := func(before, after float64, reply *sources.Reply) store.Edited {
		b := review("amir", sources.Stars(before), t0.AddDate(0, 0, -3))
		b.Author, b.Reply = "Amir", reply
		a := b
		a.Rating = sources.Stars(after)
		return store.Edited{Before: b, After: a}
	}
	cases := []struct {
		name    string
		edited  []store.Edited
		details *sources.Details
		kinds   []store.AlertKind
	}{
		{"3 to 1 stars alerts", []store.Edited{edit(3, 1, nil)}, nil, []store.AlertKind{store.KindReviewEdited}},
		{"5 to 4 stars is not news", []store.Edited{edit(5, 4, nil)}, nil, nil},
		{"1 to 4 after a reply is good news (P3)", []store.Edited{edit(1, 4, replied)}, nil, []store.AlertKind{store.KindReviewImproved}},
		{"1 to 4 without a reply is quiet", []store.Edited{edit(1, 4, nil)}, nil, nil},
		{"phone changed", nil, &sources.Details{Name: "Luna", Phone: "+39 2"}, []store.AlertKind{store.KindListingChanged}},
	}
	r := DefaultRules()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := store.Change{Listing: info, Prev: polled, Obs: sources.Observation{At: t0, Rating: rating(4.6, 100), Details: c.details}, Edited: c.edited}
			if c.details != nil {
				ch.DetailsBefore = &sources.Details{Name: "Luna", Phone: "+39 1"}
			}
			got := r.Evaluate(ch, Live, func(rv sources.Review) Suggestion { return Suggestion{Draft: &store.Draft{Text: "d"}} })
			if len(got) != len(c.kinds) {
				t.Fatalf("got %d alerts %+v, want %v", len(got), got, c.kinds)
			}
			for i, a := range got {
				if a.Kind != c.kinds[i] {
					t.Errorf("kind = %s, want %s", a.Kind, c.kinds[i])
				}
				if a.Kind == store.KindReviewEdited && (a.Edit == nil || *a.Edit.Before != 3 || *a.Edit.After != 1 || a.Draft == nil) {
					t.Errorf("edit alert lacks before/after or draft: %+v", a)
				}
			}
		})
	}
}

func TestJitter(t *testing.T) {
	every, _ := ParseSchedule("@every 30m")
	from := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, b := Jitter(every, "luna-site/schedule"), Jitter(every, "luna-yelp/schedule")
	na, nb := a.Next(from), b.Next(from)
	if na == nb {
		t.Errorf("two listings fire at the same moment %v", na)
	}
	for _, n := range []time.Time{na, nb} {
		if d := n.Sub(from); d <= 0 || d > 30*time.Minute {
			t.Errorf("next run %v is %v away, want within the 30m interval", n, d)
		}
	}
	hourly, _ := ParseSchedule("0 * * * *")
	// From 12:00:00 the jittered hourly run is 12:00 plus the offset.
	if d := Jitter(hourly, "x").Next(from).Sub(from); d <= 0 || d >= 5*time.Minute {
		t.Errorf("cron spec shifted by %v, want within 5m after the hour", d)
	}
	if a.Next(from) != na {
		t.Errorf("jitter is not stable")
	}
	if got := a.Next(na).Sub(na); got != 30*time.Minute {
		t.Errorf("interval between jittered runs = %v, want 30m", got)
	}
}
