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

// mean is an average as sum/n. exact: sum is the whole number of stars
// behind the average, so rounding is done in integers (sources.Normalise
// keeps two decimals: a stored 4.45 of 29 reviews is 129/29 = 4.448 and
// shows 4.4, while 4.45 of 20 is 89/20 and shows 4.5).
type mean struct {
	sum   float64
	n     int
	exact bool
}

// meanOf recovers the star sum behind a rating rounded to two decimals
// (or carrying float32 noise): the whole numbers S with S/n within 0.005
// of the value. One such S: exact. Several (large counts): the nearest,
// not exact. None (a weighted score): the value as it is.
func meanOf(r sources.Rating) mean {
	m := mean{sum: r.Value * float64(r.Count), n: r.Count}
	if r.Count <= 0 {
		return m
	}
	n := float64(r.Count)
	lo := math.Max(math.Ceil((r.Value-0.005)*n-1e-9), n)
	hi := math.Min(math.Floor((r.Value+0.005)*n+1e-9), 5*n)
	switch {
	case lo == hi:
		m.sum, m.exact = lo, true
	case lo < hi:
		m.sum = math.Round(m.sum)
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
	avg := r.Value
	if m.exact {
		avg = m.sum / float64(m.n)
	}
	d := &store.Display{Average: avg, Count: r.Count, Step: 1 / float64(u), Shown: float64(shown) / float64(u),
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
