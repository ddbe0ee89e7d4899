package watcher

import (
	"math"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// displayRule is how a platform rounds the rating it shows.
type displayRule struct {
	units  int  // displayed steps per star: 10 = one decimal, 2 = half stars
	approx bool // the source gives a rounded or weighted score, not the plain mean
}

// displayRules: how each platform shows its rating. Platforms don't
// document their tie-breaking; revwatch assumes half-up on the exact mean.
var displayRules = map[string]displayRule{
	// Google Maps and Search show one decimal ("4.4"); the Business
	// Profile API gives the exact averageRating with totalReviewCount.
	"google_business": {units: 10},
	// The Places API's rating is already rounded to one decimal.
	"google_places": {units: 10, approx: true},
	// Yelp shows half stars; the Fusion API's rating is rounded to the
	// nearest half ("rating ... 1, 1.5, ... 4.5, 5").
	"yelp": {units: 2, approx: true},
	// Tripadvisor shows bubbles in halves; the Content API's rating is the
	// rounded value.
	"tripadvisor": {units: 2, approx: true},
	// The TrustScore shows one decimal and is a time-weighted score, not a
	// plain mean: the arithmetic is an estimate.
	"trustpilot": {units: 10, approx: true},
	// The App Store and Google Play show one decimal ("4.7"); their APIs
	// give the exact mean.
	"appstore":   {units: 10},
	"googleplay": {units: 10},
	// A website's schema.org AggregateRating: one decimal unless known better.
	"schemaorg": {units: 10},
}

func ruleFor(platform string) displayRule {
	if r, ok := displayRules[platform]; ok {
		return r
	}
	return displayRule{units: 10, approx: true}
}

// mean is an average as sum/n. exact: sum is a whole number of stars, so
// rounding is done in integers (4.45 reported as 4.4499998 by a float32
// API is 89/20, and shows as 4.5, not 4.4).
type mean struct {
	sum   float64
	n     int
	exact bool
}

func meanOf(r sources.Rating) mean {
	m := mean{sum: r.Value * float64(r.Count), n: r.Count}
	// A float32 average carries a relative error near 1e-7: recover the
	// whole star sum when the error it allows can't reach another integer.
	if tol := 2e-6 * float64(r.Count); r.Count > 0 && tol < 0.05 {
		if s := math.Round(m.sum); math.Abs(s-m.sum) <= tol+1e-9 {
			m.sum, m.exact = s, true
		}
	}
	return m
}

func (m mean) add(stars float64, k int) mean {
	return mean{sum: m.sum + stars*float64(k), n: m.n + k, exact: m.exact && stars == math.Trunc(stars)}
}

// shownUnits is the displayed rating in steps (45 = 4.5 at one decimal),
// rounded half-up.
func (m mean) shownUnits(units int) int64 {
	if m.n <= 0 {
		return 0
	}
	if m.exact {
		// floor(sum*units/n + 1/2) = floor((2*sum*units + n) / (2n)), in integers.
		s, n, u := int64(m.sum), int64(m.n), int64(units)
		return (2*s*u + n) / (2 * n)
	}
	// The small tolerance keeps 4.45 (4.4499999...) a tie, rounded up.
	return int64(math.Floor(m.sum/float64(m.n)*float64(units) + 0.5 + 1e-6))
}

// recoverTo is how many five-star reviews bring the shown rating to
// target units (0: it is there already; -1: out of reach).
func (m mean) recoverTo(target int64, units int) int {
	if m.n <= 0 || target > int64(5*units) {
		return -1
	}
	if m.shownUnits(units) >= target {
		return 0
	}
	// (sum+5k)/(n+k)*units + 1/2 >= target  <=>  k >= (2*target*n - 2*sum*units - n) / (10*units + 1 - 2*target)
	u, t, n := float64(units), float64(target), float64(m.n)
	k := int(math.Max(0, math.Ceil((2*t*n-2*m.sum*u-n)/(10*u+1-2*t))))
	// Float division can be one off either way: settle on the exact count.
	for k > 0 && m.add(5, k-1).shownUnits(units) >= target {
		k--
	}
	for m.add(5, k).shownUnits(units) < target {
		k++
	}
	return k
}

// forecast is the displayed-rating arithmetic for a listing now at r, shown
// as before (units; 0: unknown). A listing whose count is unknown gets none:
// the arithmetic needs the real count.
func forecast(platform string, before *sources.Rating, r sources.Rating) *store.Display {
	if r.Count <= 0 {
		return nil
	}
	rule := ruleFor(platform)
	u := rule.units
	m := meanOf(r)
	shown := m.shownUnits(u)
	d := &store.Display{Average: r.Value, Count: r.Count, Step: 1 / float64(u), Shown: float64(shown) / float64(u),
		Approx: rule.approx || !m.exact}
	d.OneStar = float64(m.add(1, 1).shownUnits(u)) / float64(u)
	target := shown
	if before != nil {
		b := meanOf(*before)
		bu := b.shownUnits(u)
		if before.Count <= 0 {
			bu = int64(math.Floor(before.Value*float64(u) + 0.5 + 1e-6))
		}
		d.Before = float64(bu) / float64(u)
		if bu > shown {
			target = bu
		}
	}
	switch {
	case target > shown:
		d.Recover = m.recoverTo(target, u)
	case d.OneStar < d.Shown:
		// Not dropped yet: what it would take after the next 1-star.
		d.Recover = m.add(1, 1).recoverTo(shown, u)
	case shown < int64(5*u):
		// Steady: what it takes to show one step more.
		target = shown + 1
		d.Recover = m.recoverTo(target, u)
	}
	d.Target = float64(target) / float64(u)
	return d
}
