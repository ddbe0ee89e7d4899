package watcher

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
)

// Defaults of the insight rules (config keys under `rules:`).
const (
	defaultTrendMin    = 3
	defaultTrendWindow = 14 * 24 * time.Hour
	defaultBombMin     = 5
	defaultBombWindow  = time.Hour
	// bombFactor: a burst is this many times the listing's usual number of
	// negative reviews in the same span, or more.
	bombFactor = 10
	// normSpan is the history a listing's usual rate is taken from.
	normSpan = 28 * 24 * time.Hour
	// quoteLimit is the runes of review text an insight quotes.
	quoteLimit = 140
)

// Topics finds the complaint topics of a review (templates.Set.ReviewTopics).
type Topics func(r sources.Review) []string

// Helpers are what the insight rules borrow from the templates; either may
// be nil (no trends; repeat reviewers keep their first draft).
type Helpers struct {
	Topics Topics
	// Redraft writes the suggestion again for a review, knowing whether
	// its author complained before (T3).
	Redraft func(r sources.Review, repeat bool) Suggestion
}

// topicCache remembers the topics of reviews already read, so a poll's
// trend check costs the new reviews only (bounded: cleared when full).
type topicCache struct {
	mu sync.Mutex
	m  map[string][]string
}

const topicCacheMax = 50000

// wrap memoises find by what it reads: the review's language, title and
// text, and the fallback language.
func (c *topicCache) wrap(fallback string, find Topics) Topics {
	return func(r sources.Review) []string {
		h := fnv.New64a()
		h.Write([]byte(r.Language + "\x00" + r.Title + "\x00" + r.Text))
		key := fallback + "/" + strconv.FormatUint(h.Sum64(), 36)
		c.mu.Lock()
		ts, ok := c.m[key]
		c.mu.Unlock()
		if ok {
			return ts
		}
		ts = find(r)
		c.mu.Lock()
		if c.m == nil || len(c.m) >= topicCacheMax {
			c.m = map[string][]string{}
		}
		c.m[key] = ts
		c.mu.Unlock()
		return ts
	}
}

func (r Rules) trendMin() int {
	if r.TrendMin > 0 {
		return r.TrendMin
	}
	return defaultTrendMin
}

func (r Rules) trendWindow() time.Duration {
	if r.TrendWindow > 0 {
		return time.Duration(r.TrendWindow)
	}
	return defaultTrendWindow
}

func (r Rules) bombMin() int {
	if r.BombMin > 0 {
		return r.BombMin
	}
	return defaultBombMin
}

func (r Rules) bombWindow() time.Duration {
	if r.BombWindow > 0 {
		return time.Duration(r.BombWindow)
	}
	return defaultBombWindow
}

// Insights adds what the store's history shows to the alerts Evaluate
// made for one observation: a review bomb folds the burst's review alerts
// into one urgent alert; a repeat reviewer's alert quotes their earlier
// review; every rating alert carries the displayed-rating arithmetic and a
// drop of the shown rating (or one 1-star away from one) alerts; edits after
// a reply are reported (P3); a topic in trend_min negative or mixed reviews
// of the business within trend_window alerts once per growth (P4). It runs
// inside the commit (ch.History reads the same transaction) and does no
// other I/O. A backfill, a baseline, or a Change without History adds nothing.
func (r Rules) Insights(ch store.Change, mode Mode, alerts []store.Alert, help Helpers) ([]store.Alert, error) {
	if mode == Backfill || ch.Baseline() || ch.History == nil {
		return alerts, nil
	}
	l := ch.Listing
	if l.Competitor {
		return alerts, nil // a competitor's listing: watched, never alerted
	}
	base := store.Alert{
		Business: store.Ref{ID: l.Business, Name: l.BusinessName},
		Listing:  store.ListingRef{ID: l.ID, Name: firstNonEmpty(l.Name, ch.Obs.Name), Platform: l.Platform, PlatformLabel: l.PlatformLabel, URL: firstNonEmpty(l.URL, ch.Obs.URL), CanReply: l.CanReply},
	}
	now := ch.Obs.At
	if now.IsZero() {
		now = ch.Prev.LastSuccess
	}
	var err error
	if mode == Live {
		// A full sync reads history page by page: history is not a burst.
		if alerts, err = r.bombing(base, ch, now, alerts); err != nil {
			return alerts, err
		}
	}
	if alerts, err = r.repeats(ch, alerts, help.Redraft); err != nil {
		return alerts, err
	}
	if alerts, err = r.followUps(base, ch, alerts); err != nil {
		return alerts, err
	}
	alerts = r.display(base, ch, alerts)
	return r.trends(base, ch, now, alerts, help.Topics)
}

// when is a review's time for rates and windows: its publication when the
// platform gives a time of day, else when revwatch first saw it (a date
// alone would put a day's reviews in one instant) unless that was long
// after the date (history surfacing).
func when(sr store.StoredReview) time.Time {
	p := sr.Published
	switch {
	case p.IsZero():
		return sr.FirstSeen
	case p.Hour() != 0 || p.Minute() != 0 || p.Second() != 0 || p.Nanosecond() != 0:
		return p
	case !sr.FirstSeen.IsZero() && sr.FirstSeen.Sub(p) < 48*time.Hour && sr.FirstSeen.After(p):
		return sr.FirstSeen
	default:
		return p
	}
}

// bombing finds a burst of negative reviews on this listing: at least
// bomb_min within bomb_window, bombFactor times its usual rate or more, with
// one of them new in this poll. The burst's review alerts fold into one.
func (r Rules) bombing(base store.Alert, ch store.Change, now time.Time, alerts []store.Alert) ([]store.Alert, error) {
	window := r.bombWindow()
	fresh := map[string]bool{}
	for _, rev := range ch.New {
		if r.negative(rev) && !r.isHistory(rev, ch.Prev.LastSuccess) {
			fresh[rev.ID] = true
		}
	}
	if len(fresh) == 0 {
		return alerts, nil
	}
	revs, err := ch.History.ListingReviews(ch.Listing.ID, now.Add(-normSpan-window-48*time.Hour))
	if err != nil {
		return alerts, fmt.Errorf("insights: reviews of %s: %w", ch.Listing.ID, err)
	}
	var burst []store.StoredReview
	usual := 0
	newest := time.Time{}
	for _, sr := range revs {
		if t := when(sr); fresh[sr.ID] && t.After(newest) {
			newest = t
		}
	}
	for _, sr := range revs {
		if !sr.Removed.IsZero() || !r.negative(sr.Review) {
			continue
		}
		switch t := when(sr); {
		case !t.Before(newest.Add(-window)) && !t.After(now.Add(time.Hour)):
			burst = append(burst, sr)
		case t.Before(newest.Add(-window)) && !t.Before(newest.Add(-window-normSpan)):
			usual++
		}
	}
	expected := float64(usual) * float64(window) / float64(normSpan)
	if len(burst) < r.bombMin() || float64(len(burst)) < bombFactor*expected {
		return alerts, nil
	}
	ids := make([]string, len(burst))
	in := map[string]bool{}
	for i, sr := range burst {
		ids[i] = ch.Listing.ID + "/" + sr.ID
		in[sr.ID] = true
	}
	// Every poll that adds to a burst re-alerts (a new key) with the whole
	// list, so no review of it goes unreported.
	markKey := "bomb:" + ch.Listing.ID
	a := base
	a.Kind = store.KindReviewBombing
	a.Key = fmt.Sprintf("bomb:%s:%s:%d", ch.Listing.ID, burst[0].ID, len(burst))
	a.Urgent = true
	label := firstNonEmpty(ch.Listing.PlatformLabel, ch.Listing.Platform)
	norm := fmt.Sprintf("%d in the 4 weeks before", usual)
	a.Insight = &store.Insight{
		Reason: fmt.Sprintf("Possible review bombing: %d negative reviews within %s on %s, against a usual %s (about %s per %s).",
			len(burst), human(window), label, norm, strconv.FormatFloat(math.Round(expected*100)/100, 'f', -1, 64), human(window)),
		Count:       len(burst),
		Window:      window,
		Platforms:   []string{label},
		ReportRoute: templates.ReportRoute(label),
		Mark:        &store.Mark{Key: markKey, Count: len(burst), At: now, IDs: ids},
	}
	for _, sr := range burst {
		a.Insight.Reviews = append(a.Insight.Reviews, ref(sr, label))
	}
	a.Guidance = "Don't reply to these reviews one by one: a burst like this is often coordinated, and each reply feeds it. " +
		"Keep this message as the record (P2): the reviews, their dates and texts are listed above. " +
		"Report them to " + label + " through " + templates.ReportRoute(label) + ", citing the burst; " +
		"once it is over, one calm public statement, or replies to the genuine reviews among them, can follow."
	// The burst's own review alerts are folded in: one message, no drafts.
	// An escalation (E1: a threat) keeps its own alert: a person must act on it.
	out := make([]store.Alert, 0, len(alerts)+1)
	for _, al := range alerts {
		if al.Kind == store.KindNegativeReview && al.Review != nil && in[al.Review.ID] && !al.Urgent {
			if al.Rating != nil && a.Rating == nil {
				a.Rating = al.Rating
			}
			continue
		}
		out = append(out, al)
	}
	return append(out, a), nil
}

// news reports whether ids are worth an alert under markKey: never said,
// grown since, or a new episode (none of the ids said before).
func (r Rules) news(ch store.Change, markKey string, ids []string) (bool, error) {
	m, ok, err := ch.History.Mark(markKey)
	if err != nil {
		return false, fmt.Errorf("insights: %w", err)
	}
	if !ok || len(ids) > m.Count {
		return true, nil
	}
	for _, id := range ids {
		if slices.Contains(m.IDs, id) {
			return false, nil
		}
	}
	return true, nil
}

// repeats marks a negative review's alert when its author reviewed the
// listing before (T3), quoting the latest earlier review.
func (r Rules) repeats(ch store.Change, alerts []store.Alert, redraft func(sources.Review, bool) Suggestion) ([]store.Alert, error) {
	var all []store.StoredReview
	loaded := false
	for i := range alerts {
		a := &alerts[i]
		if a.Kind != store.KindNegativeReview || a.Review == nil {
			continue
		}
		who := authorKey(a.Review.Author)
		if who == "" {
			continue
		}
		if !loaded {
			var err error
			if all, err = ch.History.ListingReviews(ch.Listing.ID, time.Time{}); err != nil {
				return alerts, fmt.Errorf("insights: reviews of %s: %w", ch.Listing.ID, err)
			}
			loaded = true
		}
		var earlier *store.StoredReview
		for j := range all {
			sr := &all[j]
			if sr.ID == a.Review.ID || authorKey(sr.Author) != who {
				continue
			}
			if !a.Review.Published.IsZero() && sr.Published.After(a.Review.Published) {
				continue
			}
			if earlier == nil || when(*sr).After(when(*earlier)) {
				earlier = sr
			}
		}
		if earlier == nil {
			continue
		}
		e := ref(*earlier, firstNonEmpty(ch.Listing.PlatformLabel, ch.Listing.Platform))
		reason := fmt.Sprintf("Repeat reviewer: %s reviewed this listing before", strings.TrimSpace(a.Review.Author))
		if !e.Published.IsZero() {
			reason += " on " + e.Published.UTC().Format(time.DateOnly)
		}
		if e.Rating != nil {
			reason += " (" + strconv.FormatFloat(*e.Rating, 'f', -1, 64) + "★)"
		}
		reason += ": acknowledge that they came back and what changed since (T3)."
		if redraft != nil && !a.Urgent {
			// The draft shows they are heard this time (T3).
			redraft(*a.Review, true).apply(a)
		}
		in := insight(a)
		in.Earlier = &e
		in.Reason = joinReason(in.Reason, reason)
	}
	return alerts, nil
}

// anonymous are display names many people share: not one author.
var anonymous = []string{"", "anonymous", "a google user", "google user", "a customer", "customer", "guest", "user", "anonym", "anonyme", "anónimo"}

func authorKey(name string) string {
	k := strings.ToLower(strings.Join(strings.Fields(name), " "))
	if slices.Contains(anonymous, k) {
		return ""
	}
	return k
}

// display puts the displayed-rating arithmetic on every rating alert, and
// alerts on its own when the shown rating dropped with no other rating
// alert, or when the listing has just come within one 1-star review of
// showing less.
func (r Rules) display(base store.Alert, ch store.Change, alerts []store.Alert) []store.Alert {
	now := ch.Obs.Rating
	if now == nil {
		return alerts
	}
	d := forecast(ch.Listing.Platform, ch.Prev.Rating, *now)
	if d == nil {
		return alerts
	}
	label := firstNonEmpty(ch.Listing.PlatformLabel, ch.Listing.Platform)
	carried := false
	for i := range alerts {
		if alerts[i].Rating != nil {
			dd := *d
			insight(&alerts[i]).Display = &dd
			carried = true
		}
	}
	prev := ch.Prev.Rating
	if prev == nil || carried || *prev == *now {
		return alerts
	}
	var key, reason string
	switch {
	case d.Before > d.Shown:
		key = "display:" + ch.Listing.ID + ":" + fmtStars(d.Shown) + ":" + unix(ch.Obs.At)
		reason = fmt.Sprintf("%s now shows %s, down from %s.", label, fmtStars(d.Shown), fmtStars(d.Before))
	case d.OneStar < d.Shown:
		if p := forecast(ch.Listing.Platform, nil, *prev); p != nil && p.OneStar < p.Shown && p.Shown == d.Shown {
			return alerts // already this close before this poll: warned then
		}
		key = "edge:" + ch.Listing.ID + ":" + fmtStars(d.Shown) + ":" + strconv.Itoa(now.Count)
		reason = fmt.Sprintf("Early warning: one more 1-star review takes %s from %s to %s.", label, fmtStars(d.Shown), fmtStars(d.OneStar))
	default:
		return alerts
	}
	change := &store.RatingChange{Before: *prev, After: *now}
	// One message tells the poll's story: a review alert of this poll
	// carries the rating news when there is one.
	for i := range alerts {
		if alerts[i].Review != nil {
			alerts[i].Rating = change
			in := insight(&alerts[i])
			in.Display = d
			in.Reason = joinReason(reason, in.Reason)
			return alerts
		}
	}
	a := base
	a.Kind = store.KindRatingDisplay
	a.Key = key
	a.Rating = change
	a.Insight = &store.Insight{Display: d, Reason: reason}
	return append(alerts, a)
}

// followUps reports edits after the business replied (P3): a reply seen on
// the platform, or a draft revwatch posted. Evaluate already alerts on a
// rise after a reply seen on the page and on a fall to the threshold; this
// adds a rise after a posted draft, and any other edit after a reply.
func (r Rules) followUps(base store.Alert, ch store.Change, alerts []store.Alert) ([]store.Alert, error) {
	var posted map[string]bool
	for _, e := range ch.Edited {
		b, a := e.Before.Rating, e.After.Rating
		starsChanged := (b == nil) != (a == nil) || (b != nil && a != nil && *a != *b)
		if !starsChanged && e.Before.Text == e.After.Text && e.Before.Title == e.After.Title {
			continue // only the reply (or nothing a person sees) changed
		}
		if covered(alerts, e.After.ID) {
			continue
		}
		replied := e.Before.Reply != nil
		if !replied {
			if posted == nil {
				ds, err := ch.History.ListingDrafts(ch.Listing.ID)
				if err != nil {
					return alerts, fmt.Errorf("insights: drafts of %s: %w", ch.Listing.ID, err)
				}
				posted = map[string]bool{}
				for _, d := range ds {
					if d.Status == store.DraftPosted {
						posted[d.ReviewID] = true
					}
				}
			}
			replied = posted[e.After.ID]
		}
		if !replied {
			continue
		}
		al := base
		rv := e.After
		al.Review = &rv
		al.Edit = &store.ReviewEdit{Before: b, After: a, Replied: true}
		if e.Before.Text != e.After.Text {
			al.Edit.BeforeText = e.Before.Text
		}
		who := firstNonEmpty(strings.TrimSpace(rv.Author), "The reviewer")
		if b != nil && a != nil && *a > *b {
			al.Kind = store.KindReviewImproved
			al.Key = "improved:" + ch.Listing.ID + ":" + rv.ID + ":" + strconv.FormatFloat(*a, 'f', -1, 64)
			al.Insight = &store.Insight{Reason: fmt.Sprintf("Follow-up: %s changed %s to %s stars after your reply.", who, starCount(*b), starCount(*a))}
		} else {
			h := fnv.New64a()
			h.Write([]byte(rv.Title + "\x00" + rv.Text))
			if a != nil {
				h.Write([]byte(strconv.FormatFloat(*a, 'f', -1, 64)))
			}
			al.Kind = store.KindReviewFollowUp
			al.Key = "followup:" + ch.Listing.ID + ":" + rv.ID + ":" + strconv.FormatUint(h.Sum64(), 36)
			al.Insight = &store.Insight{Reason: fmt.Sprintf("Follow-up: %s edited their review after your reply.", who)}
		}
		alerts = append(alerts, al)
	}
	for i := range alerts {
		a := &alerts[i]
		if a.Kind == store.KindReviewImproved && a.Review != nil && a.Edit != nil && a.Edit.Before != nil && a.Edit.After != nil &&
			(a.Insight == nil || !strings.Contains(a.Insight.Reason, "Follow-up:")) {
			in := insight(a)
			in.Reason = joinReason(fmt.Sprintf("Follow-up: %s changed %s to %s stars after your reply.",
				firstNonEmpty(strings.TrimSpace(a.Review.Author), "The reviewer"), starCount(*a.Edit.Before), starCount(*a.Edit.After)), in.Reason)
		}
	}
	return alerts, nil
}

func covered(alerts []store.Alert, reviewID string) bool {
	for _, a := range alerts {
		if a.Edit != nil && a.Review != nil && a.Review.ID == reviewID {
			return true
		}
	}
	return false
}

// complaint reports whether a review is negative or mixed: a topic was
// found (the caller checks) and it has no more than 4 stars.
func complaint(rev sources.Review) bool { return rev.Rating == nil || *rev.Rating <= 4 }

// trends alerts when a topic of this poll's new complaints appears in at
// least trend_min negative or mixed reviews of the business within
// trend_window, across its listings; again only when the count grows (or
// a new set of reviews makes a new trend).
func (r Rules) trends(base store.Alert, ch store.Change, now time.Time, alerts []store.Alert, topics Topics) ([]store.Alert, error) {
	if topics == nil {
		return alerts, nil
	}
	var found []string
	for _, rev := range ch.New {
		if !complaint(rev) || r.isHistory(rev, ch.Prev.LastSuccess) {
			continue
		}
		for _, t := range topics(rev) {
			if !slices.Contains(found, t) {
				found = append(found, t)
			}
		}
	}
	if len(found) == 0 {
		return alerts, nil
	}
	// The business's listings are read only now: every poll reading all
	// of them cost O(listings) a poll (BENCHMARKS.md, "daemon memory").
	listings, err := ch.History.BusinessListings(ch.Listing.Business)
	if err != nil {
		return alerts, fmt.Errorf("insights: listings of %s: %w", ch.Listing.Business, err)
	}
	window := r.trendWindow()
	type hit struct {
		sr    store.StoredReview
		label string
	}
	byTopic := map[string][]hit{}
	for _, li := range listings {
		revs, err := ch.History.ListingReviews(li.ID, now.Add(-window-48*time.Hour))
		if err != nil {
			return alerts, fmt.Errorf("insights: reviews of %s: %w", li.ID, err)
		}
		label := firstNonEmpty(li.PlatformLabel, li.Platform)
		for _, sr := range revs {
			if !sr.Removed.IsZero() || !complaint(sr.Review) || when(sr).Before(now.Add(-window)) {
				continue
			}
			for _, t := range topics(sr.Review) {
				if slices.Contains(found, t) {
					byTopic[t] = append(byTopic[t], hit{sr, label})
				}
			}
		}
	}
	for _, t := range found {
		hits := byTopic[t]
		if len(hits) < r.trendMin() {
			continue
		}
		slices.SortStableFunc(hits, func(a, b hit) int { return when(a.sr).Compare(when(b.sr)) })
		ids := make([]string, len(hits))
		var platforms []string
		for i, h := range hits {
			ids[i] = h.sr.Listing + "/" + h.sr.ID
			if !slices.Contains(platforms, h.label) {
				platforms = append(platforms, h.label)
			}
		}
		markKey := "trend:" + ch.Listing.Business + ":" + t
		if ok, err := r.news(ch, markKey, ids); err != nil {
			return alerts, err
		} else if !ok {
			continue
		}
		a := base
		a.Kind = store.KindComplaintTrend
		last := hits[len(hits)-1].sr
		a.Key = fmt.Sprintf("trend:%s:%s:%d:%s/%s", ch.Listing.Business, t, len(hits), last.Listing, last.ID)
		a.Insight = &store.Insight{
			Reason: fmt.Sprintf("Complaint trend: %d negative or mixed reviews mention %s within %s, on %s. Several customers with the same complaint is a problem to fix, not a review to answer (P4).",
				len(hits), topicWords(t), human(window), strings.Join(platforms, ", ")),
			Topic: t, Count: len(hits), Window: window, Platforms: platforms,
			Mark: &store.Mark{Key: markKey, Count: len(hits), At: now, IDs: ids},
		}
		for _, h := range hits {
			a.Insight.Reviews = append(a.Insight.Reviews, ref(h.sr, h.label))
		}
		alerts = append(alerts, a)
	}
	return alerts, nil
}

// topicWords names a topic for people.
func topicWords(t string) string {
	switch t {
	case "wait":
		return "waiting (wait)"
	case "no_response":
		return "no response (no_response)"
	case "broken_promise":
		return "a broken promise (broken_promise)"
	}
	return strings.ReplaceAll(t, "_", " ")
}

func ref(sr store.StoredReview, label string) store.ReviewRef {
	return store.ReviewRef{Listing: sr.Listing, Platform: label, ID: sr.ID, Author: sr.Author, Rating: sr.Rating,
		Text: quote(firstNonEmpty(sr.Text, sr.Title)), Published: sr.Published, URL: sr.URL}
}

// quote shortens review text to quoteLimit runes on one line.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= quoteLimit {
		return s
	}
	rs := []rune(s)
	return strings.TrimSpace(string(rs[:quoteLimit-1])) + "…"
}

func insight(a *store.Alert) *store.Insight {
	if a.Insight == nil {
		a.Insight = &store.Insight{}
	}
	return a.Insight
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// starCount prints a review's stars: "4", "4.5".
func starCount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func fmtStars(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// human prints a window: "1h", "14 days".
func human(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	if d%time.Hour == 0 {
		if d == time.Hour {
			return "an hour"
		}
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return d.String()
}
