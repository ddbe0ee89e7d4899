package watcher

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// Rules are the alerting thresholds (config section `rules:`).
type Rules struct {
	// NegativeAtOrBelow: a new review with this many stars or fewer alerts.
	NegativeAtOrBelow float64 `yaml:"negative_at_or_below" json:"negative_at_or_below"`
	// RatingDrop: a fall of the aggregate rating by at least this much alerts.
	RatingDrop float64 `yaml:"rating_drop" json:"rating_drop"`
	// FailuresBeforeAlert: consecutive failed polls before "source broken".
	FailuresBeforeAlert int `yaml:"failures_before_alert" json:"failures_before_alert"`
	// HistoryAge: a review first seen now but published more than this
	// before the previous successful poll is history surfacing (a platform
	// un-hiding it, deeper paging), stored without an alert. Default 14 days.
	HistoryAge sources.Duration `yaml:"history_age,omitempty" json:"history_age,omitempty"`
	// RemindAfter: a draft still pending this long gets one reminder in its
	// thread (P1). Default 24h; 0 turns reminders off.
	RemindAfter sources.Duration `yaml:"remind_after,omitempty" json:"remind_after,omitempty"`
	// TrendMin and TrendWindow: a complaint topic in at least TrendMin
	// negative or mixed reviews of a business within TrendWindow alerts
	// (P4). Defaults 3 and 14 days.
	TrendMin    int              `yaml:"trend_min,omitempty" json:"trend_min,omitempty"`
	TrendWindow sources.Duration `yaml:"trend_window,omitempty" json:"trend_window,omitempty"`
	// BombMin and BombWindow: at least BombMin negative reviews of a
	// listing within BombWindow, ten times its usual rate or more, are one
	// review-bombing alert. Defaults 5 and 1h.
	BombMin    int              `yaml:"bomb_min,omitempty" json:"bomb_min,omitempty"`
	BombWindow sources.Duration `yaml:"bomb_window,omitempty" json:"bomb_window,omitempty"`
}

// DefaultRules are the defaults the config starts from.
func DefaultRules() Rules {
	return Rules{NegativeAtOrBelow: 2, RatingDrop: 0.1, FailuresBeforeAlert: 3, HistoryAge: sources.Duration(14 * 24 * time.Hour), RemindAfter: sources.Duration(24 * time.Hour),
		TrendMin: defaultTrendMin, TrendWindow: sources.Duration(defaultTrendWindow), BombMin: defaultBombMin, BombWindow: sources.Duration(defaultBombWindow)}
}

// Validate names each bad key.
func (r Rules) Validate() error {
	var errs []error
	if r.NegativeAtOrBelow < 1 || r.NegativeAtOrBelow > 5 {
		errs = append(errs, fmt.Errorf("rules.negative_at_or_below: %v is not between 1 and 5 stars", r.NegativeAtOrBelow))
	}
	if r.RatingDrop <= 0 || r.RatingDrop > 4 {
		errs = append(errs, fmt.Errorf("rules.rating_drop: %v must be above 0 and at most 4", r.RatingDrop))
	}
	if r.FailuresBeforeAlert < 1 {
		errs = append(errs, fmt.Errorf("rules.failures_before_alert: %d must be at least 1", r.FailuresBeforeAlert))
	}
	if r.HistoryAge < 0 {
		errs = append(errs, fmt.Errorf("rules.history_age: must not be negative"))
	}
	if r.TrendMin < 0 || r.TrendMin == 1 {
		errs = append(errs, fmt.Errorf("rules.trend_min: %d must be at least 2 (one review is not a trend)", r.TrendMin))
	}
	if r.TrendWindow < 0 || r.BombWindow < 0 {
		errs = append(errs, fmt.Errorf("rules.trend_window, rules.bomb_window: must not be negative"))
	}
	if r.BombMin < 0 || r.BombMin == 1 {
		errs = append(errs, fmt.Errorf("rules.bomb_min: %d must be at least 2 (one review is not a burst)", r.BombMin))
	}
	return errors.Join(errs...)
}

// Mode says why a listing is polled.
type Mode int

// Modes.
const (
	// Live: a scheduled or manual poll; alerts follow the rules.
	Live Mode = iota
	// Backfill: store history; no per-review or rating alerts.
	Backfill
	// FullSync: read every page (for sources whose regular poll reads only
	// the newest), alerting like Live; a complete read also records removals.
	FullSync
)

// Drafter writes a suggested reply for a review.
type Drafter func(r sources.Review) Suggestion

// Suggestion is what an alert carries for a review: a draft, or (E1) no
// public draft but urgent guidance; legal and health claims carry both a
// careful draft and guidance for the manager.
type Suggestion struct {
	Draft    *store.Draft
	Urgent   bool
	Guidance string
}

func (s Suggestion) apply(a *store.Alert) {
	a.Draft, a.Urgent, a.Guidance = s.Draft, s.Urgent, s.Guidance
}

// Evaluate turns one successful observation into alerts. It is pure: the
// first successful poll of a listing is a silent baseline, and a backfill
// never alerts, so history never floods Slack.
func (r Rules) Evaluate(ch store.Change, mode Mode, draft Drafter) []store.Alert {
	l := ch.Listing
	base := store.Alert{
		Business: store.Ref{ID: l.Business, Name: l.BusinessName},
		Listing:  store.ListingRef{ID: l.ID, Name: firstNonEmpty(l.Name, ch.Obs.Name), Platform: l.Platform, PlatformLabel: l.PlatformLabel, URL: firstNonEmpty(l.URL, ch.Obs.URL), CanReply: l.CanReply},
	}
	var alerts []store.Alert
	if ch.Prev.BrokenAlerted {
		a := base
		a.Kind = store.KindSourceRecovered
		a.Key = "recovered:" + l.ID + ":" + unix(ch.Prev.FailingSince)
		a.Failure = &store.Failure{Count: ch.Prev.Failures, Since: ch.Prev.FailingSince, Cause: ch.Prev.LastError}
		alerts = append(alerts, a)
	}
	if mode == Backfill || ch.Baseline() {
		return alerts
	}
	var drop *store.RatingChange
	if b, a := ch.Prev.Rating, ch.Obs.Rating; b != nil && a != nil && b.Value-a.Value >= r.RatingDrop-1e-9 {
		drop = &store.RatingChange{Before: *b, After: *a}
	}
	for _, rev := range ch.New {
		if !r.negative(rev) || r.isHistory(rev, ch.Prev.LastSuccess) {
			continue
		}
		a := base
		rv := rev
		a.Kind = store.KindNegativeReview
		a.Key = "review:" + l.ID + ":" + rev.ID
		a.Review = &rv
		if drop != nil {
			// One message tells the whole story of this poll.
			a.Rating, drop = drop, nil
		}
		if draft != nil {
			draft(rev).apply(&a)
		}
		alerts = append(alerts, a)
	}
	alerts = append(alerts, r.edits(base, ch, draft)...)
	if ch.DetailsBefore != nil && ch.Obs.Details != nil {
		a := base
		a.Kind = store.KindListingChanged
		a.Key = "details:" + l.ID + ":" + unix(ch.Obs.At)
		a.Details = &store.DetailsChange{Before: *ch.DetailsBefore, After: *ch.Obs.Details}
		alerts = append(alerts, a)
	}
	if drop != nil {
		a := base
		a.Kind = store.KindRatingDrop
		a.Key = "drop:" + l.ID + ":" + unix(ch.Obs.At)
		a.Rating = drop
		alerts = append(alerts, a)
	}
	return alerts
}

// edits alerts on edited reviews: stars going down to the negative
// threshold ("Amir changed 3 to 1 stars"), and, after the business
// replied, stars going up (P3: good news is news too). Removals never
// alert: a platform's moderation is not the business's rating.
func (r Rules) edits(base store.Alert, ch store.Change, draft Drafter) []store.Alert {
	var alerts []store.Alert
	for _, e := range ch.Edited {
		b, a := e.Before.Rating, e.After.Rating
		if b == nil || a == nil || *a == *b {
			continue
		}
		al := base
		rv := e.After
		al.Review = &rv
		al.Edit = &store.ReviewEdit{Before: b, After: a, Replied: e.Before.Reply != nil}
		if e.Before.Text != e.After.Text {
			al.Edit.BeforeText = e.Before.Text
		}
		stars := strconv.FormatFloat(*a, 'f', -1, 64)
		switch {
		case *a < *b && r.negative(e.After):
			al.Kind = store.KindReviewEdited
			al.Key = "edit:" + base.Listing.ID + ":" + rv.ID + ":" + stars
			if draft != nil {
				draft(rv).apply(&al)
			}
		case *a > *b && e.Before.Reply != nil:
			al.Kind = store.KindReviewImproved
			al.Key = "improved:" + base.Listing.ID + ":" + rv.ID + ":" + stars
		default:
			continue
		}
		alerts = append(alerts, al)
	}
	return alerts
}

// EvaluateFailure decides on a failed poll, given the updated streak:
// exactly one "source broken" alert per streak, once it is long enough.
func (r Rules) EvaluateFailure(l store.ListingInfo, st store.State) []store.Alert {
	if st.Failures < r.FailuresBeforeAlert || st.BrokenAlerted {
		return nil
	}
	return []store.Alert{{
		Kind:     store.KindSourceBroken,
		Key:      "broken:" + l.ID + ":" + unix(st.FailingSince),
		Business: store.Ref{ID: l.Business, Name: l.BusinessName},
		Listing:  store.ListingRef{ID: l.ID, Name: l.Name, Platform: l.Platform, PlatformLabel: l.PlatformLabel, URL: l.URL},
		Failure:  &store.Failure{Count: st.Failures, Since: st.FailingSince, Cause: st.LastError, Kind: st.LastErrorKind},
	}}
}

func (r Rules) negative(rev sources.Review) bool {
	return rev.Rating != nil && *rev.Rating <= r.NegativeAtOrBelow+1e-9
}

func (r Rules) isHistory(rev sources.Review, lastSuccess time.Time) bool {
	if rev.Published.IsZero() || lastSuccess.IsZero() || r.HistoryAge <= 0 {
		return false
	}
	return rev.Published.Before(lastSuccess.Add(-time.Duration(r.HistoryAge)))
}

// implausible reports why an observation can't be news about the business:
// a rating outside 1-5, or an empty page where the listing had content.
func implausible(prev store.State, obs sources.Observation) string {
	if obs.Rating != nil && (obs.Rating.Value < 1 || obs.Rating.Value > 5 || math.IsNaN(obs.Rating.Value)) {
		return fmt.Sprintf("page shows a rating of %v, outside 1-5", obs.Rating.Value)
	}
	if obs.Rating == nil && len(obs.Reviews) == 0 && (prev.Rating != nil || prev.Reviews > 0) {
		return "page shows no rating and no reviews where it had them (changed layout, consent or challenge page?)"
	}
	return ""
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
