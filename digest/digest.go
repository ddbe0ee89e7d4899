package digest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/revwatch/revwatch/store"
)

// Source is what Compute reads; *store.DB satisfies it. Each method streams
// one listing's records (see the store's doc comments for their order).
type Source interface {
	Reviews(ctx context.Context, listing string, fn func(store.StoredReview) error) error
	Ratings(ctx context.Context, listing string, fn func(store.Snapshot) error) error
	Drafts(ctx context.Context, listing string, fn func(store.Draft) error) error
}

var _ Source = (*store.DB)(nil)

// HistoryDays is how far back the digest's rating chart goes.
const HistoryDays = 90

// Listing is a listing the digest covers.
type Listing struct {
	ID            string `json:"id"`
	Name          string `json:"name,omitempty"`
	Platform      string `json:"platform"`
	PlatformLabel string `json:"platform_label,omitempty"`
	URL           string `json:"url,omitempty"`
	Competitor    bool   `json:"competitor,omitempty"`
}

// Options says which business and period to compute.
type Options struct {
	Business     string
	BusinessName string
	// Listings are the business's own listings and its competitors.
	Listings []Listing
	// From and To bound the period: [From, To). To is also "now" for ages.
	From, To time.Time
	// Location shows times in the business's zone (nil: UTC).
	Location *time.Location
	// NegativeAtOrBelow: reviews with this many stars or fewer are negative
	// (rules.negative_at_or_below).
	NegativeAtOrBelow float64
	// RemindAfter: a negative review without a reply this long after it
	// was written is "unanswered" (rules.remind_after; 0 means 24h).
	RemindAfter time.Duration
	// Topics returns a review's complaint topics as the drafts detect
	// them; nil leaves Digest.Topics empty.
	Topics func(store.StoredReview) []string
	// TopTopics caps Digest.Topics (0 means 5).
	TopTopics int
}

// Digest is one business's period, computed once and rendered to Slack,
// the terminal and a chart.
type Digest struct {
	Business     string    `json:"business"`
	BusinessName string    `json:"business_name,omitempty"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	// Zone is the time zone times are shown in.
	Zone     string           `json:"zone"`
	Listings []ListingSummary `json:"listings"`
	// NewReviews counts the business's own reviews written in the period;
	// Stars[i] those with i+1 stars (rounded), Unrated those without.
	NewReviews int    `json:"new_reviews"`
	Stars      [5]int `json:"stars"`
	Unrated    int    `json:"unrated"`
	// Topics are the commonest complaint topics of the period's negative
	// and mixed (3 stars or fewer) own reviews, most frequent first.
	Topics    []TopicCount `json:"topics"`
	Responses Responses    `json:"responses"`
	// Unanswered are own negative reviews of the last 90 days without a
	// reply RemindAfter after they were written (P1), oldest first.
	Unanswered []ReviewRef `json:"unanswered"`
	// Removed are own reviews a platform stopped showing in the period.
	Removed []ReviewRef `json:"removed"`
	// History is the rating of every listing over the 90 days to To.
	History     []Series  `json:"history"`
	HistoryFrom time.Time `json:"history_from"`
}

// ListingSummary is one listing's rating and count at the period's end and
// start.
type ListingSummary struct {
	Listing
	// Rating and Count are the last snapshot before To (nil: none yet).
	Rating *float64 `json:"rating"`
	Count  int      `json:"count"`
	// RatingBefore and CountBefore are the last snapshot before From (nil:
	// the listing had none then).
	RatingBefore *float64 `json:"rating_before"`
	CountBefore  int      `json:"count_before"`
	// NewReviews are reviews written in the period that revwatch stored
	// (platforms with only a few visible reviews show fewer than Count grew).
	NewReviews int `json:"new_reviews"`
}

// RatingChange is the period's change in rating, 0 when either end is unknown.
func (l ListingSummary) RatingChange() float64 {
	if l.Rating == nil || l.RatingBefore == nil {
		return 0
	}
	return *l.Rating - *l.RatingBefore
}

// CountChange is the period's change in the review count, 0 when either end is unknown.
func (l ListingSummary) CountChange() int {
	if l.Rating == nil || l.RatingBefore == nil {
		return 0
	}
	return l.Count - l.CountBefore
}

// TopicCount is one complaint topic of the period.
type TopicCount struct {
	Topic string `json:"topic"`
	Count int    `json:"count"`
	// Quote is one review naming it (the most recent), shortened.
	Quote ReviewRef `json:"quote"`
}

// Responses sums up the business's replies to the period's reviews.
type Responses struct {
	Reviews int `json:"reviews"` // own reviews written in the period
	Replied int `json:"replied"` // of which have a reply (seen, or posted by revwatch)
	// Timed are the replies whose delay is known; Median is their median
	// time from the review to the reply.
	Timed  int           `json:"timed"`
	Median time.Duration `json:"median"`
}

// Rate is the share of the period's reviews with a reply, in [0, 1].
func (r Responses) Rate() float64 {
	if r.Reviews == 0 {
		return 0
	}
	return float64(r.Replied) / float64(r.Reviews)
}

// ReviewRef is a review as the digest shows it.
type ReviewRef struct {
	Listing   string    `json:"listing"`
	Platform  string    `json:"platform"`
	ID        string    `json:"id"`
	Author    string    `json:"author,omitempty"`
	Stars     *float64  `json:"stars"`
	Published time.Time `json:"published,omitzero"`
	Removed   time.Time `json:"removed,omitzero"`
	// Text is the review's title and text, on one line, at most QuoteRunes.
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
}

// QuoteRunes caps quoted review text.
const QuoteRunes = 160

// Series is one listing's rating history for the chart.
type Series struct {
	Listing Listing `json:"listing"`
	// Points are the snapshots in the window, oldest first, preceded by the
	// last one before it (moved to the window's start), so a listing whose
	// rating didn't change still has a line.
	Points []Point `json:"points"`
}

// Point is one rating snapshot.
type Point struct {
	At     time.Time `json:"at"`
	Rating float64   `json:"rating"`
	Count  int       `json:"count"`
}

// Compute reads a business's period from src. Own listings feed every
// section; competitors only the listing table and the history.
func Compute(ctx context.Context, src Source, o Options) (Digest, error) {
	if !o.To.After(o.From) {
		return Digest{}, fmt.Errorf("digest: the period ends (%s) before it starts (%s)", o.To.Format(time.RFC3339), o.From.Format(time.RFC3339))
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	if o.RemindAfter <= 0 {
		o.RemindAfter = 24 * time.Hour
	}
	if o.TopTopics <= 0 {
		o.TopTopics = 5
	}
	d := Digest{Business: o.Business, BusinessName: o.BusinessName, From: o.From, To: o.To, Zone: loc.String(),
		HistoryFrom: o.To.AddDate(0, 0, -HistoryDays), Topics: []TopicCount{}, Unanswered: []ReviewRef{}, Removed: []ReviewRef{}}
	topics := map[string]*TopicCount{}
	var delays []time.Duration
	for _, l := range o.Listings {
		sum, series, err := ratings(ctx, src, l, o.From, o.To, d.HistoryFrom)
		if err != nil {
			return Digest{}, err
		}
		if len(series.Points) > 0 {
			d.History = append(d.History, series)
		}
		posted, err := postedReplies(ctx, src, l.ID)
		if err != nil {
			return Digest{}, err
		}
		err = src.Reviews(ctx, l.ID, func(r store.StoredReview) error {
			written := cmp.Or(r.Published, r.FirstSeen)
			inPeriod := !written.Before(o.From) && written.Before(o.To)
			if inPeriod && r.Removed.IsZero() {
				sum.NewReviews++
			}
			if l.Competitor {
				return nil
			}
			ref := refOf(r)
			if !r.Removed.IsZero() && !r.Removed.Before(o.From) && r.Removed.Before(o.To) {
				ref.Removed = r.Removed
				d.Removed = append(d.Removed, ref)
			}
			if !inPeriod || !r.Removed.IsZero() {
				if negative(r, o.NegativeAtOrBelow) && r.Removed.IsZero() && r.Reply == nil && posted[r.ID].IsZero() &&
					!written.Before(d.HistoryFrom) && written.Before(o.To.Add(-o.RemindAfter)) {
					d.Unanswered = append(d.Unanswered, ref)
				}
				return nil
			}
			d.NewReviews++
			if r.Rating == nil {
				d.Unrated++
			} else {
				d.Stars[min(4, max(0, int(*r.Rating+0.5)-1))]++
			}
			// Responses.
			d.Responses.Reviews++
			replyAt := posted[r.ID]
			if r.Reply != nil {
				replyAt = cmp.Or(r.Reply.Published, replyAt)
			}
			if r.Reply != nil || !replyAt.IsZero() {
				d.Responses.Replied++
				if !replyAt.IsZero() && !r.Published.IsZero() && !replyAt.Before(r.Published) {
					d.Responses.Timed++
					delays = append(delays, replyAt.Sub(r.Published))
				}
			}
			if negative(r, o.NegativeAtOrBelow) && r.Reply == nil && posted[r.ID].IsZero() && written.Before(o.To.Add(-o.RemindAfter)) {
				d.Unanswered = append(d.Unanswered, ref)
			}
			// Topics of negative and mixed reviews.
			if o.Topics != nil && r.Rating != nil && *r.Rating <= 3 {
				for _, t := range o.Topics(r) {
					tc := topics[t]
					if tc == nil {
						// Reviews stream newest first: the first quote is the latest.
						tc = &TopicCount{Topic: t, Quote: ref}
						topics[t] = tc
					}
					tc.Count++
				}
			}
			return nil
		})
		if err != nil {
			return Digest{}, fmt.Errorf("digest: reviews of %s: %w", l.ID, err)
		}
		d.Listings = append(d.Listings, sum)
	}
	// Own listings first, then competitors, each in the configured order.
	slices.SortStableFunc(d.Listings, func(a, b ListingSummary) int { return boolCmp(a.Competitor, b.Competitor) })
	for _, tc := range topics {
		d.Topics = append(d.Topics, *tc)
	}
	slices.SortFunc(d.Topics, func(a, b TopicCount) int { return cmp.Or(b.Count-a.Count, strings.Compare(a.Topic, b.Topic)) })
	if len(d.Topics) > o.TopTopics {
		d.Topics = d.Topics[:o.TopTopics]
	}
	if len(delays) > 0 {
		slices.Sort(delays)
		n := len(delays)
		d.Responses.Median = delays[n/2]
		if n%2 == 0 {
			d.Responses.Median = (delays[n/2-1] + delays[n/2]) / 2
		}
	}
	byAge := func(a, b ReviewRef) int { return a.Published.Compare(b.Published) }
	slices.SortFunc(d.Unanswered, byAge)
	slices.SortFunc(d.Removed, func(a, b ReviewRef) int { return a.Removed.Compare(b.Removed) })
	return d, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func negative(r store.StoredReview, atOrBelow float64) bool {
	return r.Rating != nil && *r.Rating <= atOrBelow
}

// ratings reads a listing's snapshots: the summary at both ends of the
// period and the series for the history window.
func ratings(ctx context.Context, src Source, l Listing, from, to, histFrom time.Time) (ListingSummary, Series, error) {
	sum := ListingSummary{Listing: l}
	series := Series{Listing: l}
	var beforeHist *Point
	err := src.Ratings(ctx, l.ID, func(s store.Snapshot) error {
		if !s.At.Before(to) {
			return nil
		}
		v := s.Rating
		sum.Rating, sum.Count = &v, s.Count
		if s.At.Before(from) {
			b := v
			sum.RatingBefore, sum.CountBefore = &b, s.Count
		}
		p := Point{At: s.At, Rating: s.Rating, Count: s.Count}
		if s.At.Before(histFrom) {
			beforeHist = &p
			return nil
		}
		series.Points = append(series.Points, p)
		return nil
	})
	if err != nil {
		return sum, series, fmt.Errorf("digest: ratings of %s: %w", l.ID, err)
	}
	if beforeHist != nil {
		beforeHist.At = histFrom
		series.Points = append([]Point{*beforeHist}, series.Points...)
	}
	return sum, series, nil
}

// postedReplies maps review ids to when revwatch saw or made their reply
// public (a draft's "posted" step).
func postedReplies(ctx context.Context, src Source, listing string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := src.Drafts(ctx, listing, func(dr store.Draft) error {
		if dr.Status != store.DraftPosted {
			return nil
		}
		at := dr.Updated
		for _, st := range dr.History {
			if st.Action == store.ActionPosted {
				at = st.At
			}
		}
		if !at.IsZero() {
			out[dr.ReviewID] = at
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("digest: drafts of %s: %w", listing, err)
	}
	return out, nil
}

func refOf(r store.StoredReview) ReviewRef {
	text := r.Text
	if r.Title != "" && !strings.HasPrefix(r.Text, strings.TrimSuffix(r.Title, "…")) {
		text = r.Title + ": " + r.Text
	}
	return ReviewRef{Listing: r.Listing, Platform: r.Platform, ID: r.ID, Author: r.Author, Stars: r.Rating,
		Published: cmp.Or(r.Published, r.FirstSeen), Text: Shorten(text, QuoteRunes), URL: r.URL}
}

// Shorten puts s on one line and cuts it to n runes with an ellipsis.
func Shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// Title is the digest's heading: "Trattoria Luna: week of 2026-11-16".
func (d Digest) Title() string {
	return fmt.Sprintf("%s: %s", cmp.Or(d.BusinessName, d.Business), d.Period())
}

// Period describes the period in the business's zone.
func (d Digest) Period() string {
	loc := d.location()
	from, to := d.From.In(loc), d.To.In(loc)
	return fmt.Sprintf("%s to %s", from.Format("Mon 2 Jan 2006 15:04"), to.Format("Mon 2 Jan 2006 15:04 MST"))
}

func (d Digest) location() *time.Location {
	if loc, err := time.LoadLocation(d.Zone); err == nil && d.Zone != "" {
		return loc
	}
	return time.UTC
}

// History reads one listing's rating series over [from, to) for a chart,
// with the snapshot in effect at from moved to from.
func History(ctx context.Context, src Source, l Listing, from, to time.Time) (Series, error) {
	_, s, err := ratings(ctx, src, l, from, to, from)
	return s, err
}
