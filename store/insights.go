package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Insight alert kinds: rules over a listing's or a business's history,
// not only one observation (watcher/insights.go).
const (
	KindComplaintTrend AlertKind = "complaint_trend" // one topic in several negative or mixed reviews (P4)
	KindRatingDisplay  AlertKind = "rating_display"  // the rating a platform shows dropped, or one more 1-star would drop it
	KindReviewBombing  AlertKind = "review_bombing"  // a burst of negative reviews far above the listing's norm
	KindReviewFollowUp AlertKind = "review_followup" // a reviewer edited their review after the business replied (P3)
)

// Insight is what an insight rule found, carried by its alert (or added
// to a review alert: a repeat reviewer, a rating forecast).
type Insight struct {
	// Reason says in words why this alert was sent.
	Reason string `json:"reason"`
	// Topic, Count and Window describe a complaint trend.
	Topic  string        `json:"topic,omitempty"`
	Count  int           `json:"count,omitempty"`
	Window time.Duration `json:"window,omitempty"`
	// Platforms are the platforms (labels) the reviews came from.
	Platforms []string `json:"platforms,omitempty"`
	// Reviews are the reviews behind the alert (quotes of a trend, the
	// documented reviews of a burst), oldest first.
	Reviews []ReviewRef `json:"reviews,omitempty"`
	// Earlier is the same author's earlier review of the listing (T3).
	Earlier *ReviewRef `json:"earlier,omitempty"`
	// Display is the displayed-rating arithmetic of a rating alert.
	Display *Display `json:"display,omitempty"`
	// ReportRoute says where the platform lets a business report reviews.
	ReportRoute string `json:"report_route,omitempty"`
	// Mark, when set, is remembered once the alert is queued, so the rule
	// knows what it already said (see DB marks, Change.History.Mark).
	Mark *Mark `json:"mark,omitempty"`
}

// ReviewRef is a review as an insight quotes it.
type ReviewRef struct {
	Listing   string    `json:"listing"`
	Platform  string    `json:"platform,omitempty"` // label for people
	ID        string    `json:"id"`
	Author    string    `json:"author,omitempty"`
	Rating    *float64  `json:"rating,omitempty"`
	Text      string    `json:"text,omitempty"` // already shortened
	Published time.Time `json:"published,omitzero"`
	URL       string    `json:"url,omitempty"`
}

// Display is a listing's rating as the platform shows it (rounded to
// Step) and what the next reviews would do to it.
type Display struct {
	Average float64 `json:"average"` // the platform's average
	Count   int     `json:"count"`
	Step    float64 `json:"step"`               // 0.1: one decimal; 0.5: half stars
	Shown   float64 `json:"shown"`              // Average rounded as the platform shows it
	Before  float64 `json:"before,omitempty"`   // shown before this poll (0: unknown)
	OneStar float64 `json:"one_star,omitempty"` // shown after one more 1-star review
	// Recover five-star reviews bring it back to Target (-1: unreachable).
	Recover int     `json:"recover"`
	Target  float64 `json:"target,omitempty"`
	// Approx: the platform gives a rounded or weighted score, so the
	// arithmetic is an estimate.
	Approx bool `json:"approx,omitempty"`
}

// Mark is what an insight rule remembers about an alert it sent.
type Mark struct {
	Key   string    `json:"key"`
	Count int       `json:"count"`
	At    time.Time `json:"at"`
	IDs   []string  `json:"ids,omitempty"` // the reviews (listing/id) it covered
}

// History lets the rules read what the store holds, from inside Commit's
// transaction (so deciding and writing see the same data). A Change built
// by a test may carry any implementation, or none.
type History interface {
	// BusinessListings are the business's own listings: competitors'
	// listings (stored with "competitor": true) are left out.
	BusinessListings(business string) ([]ListingInfo, error)
	// ListingReviews are a listing's stored reviews published (first seen
	// when undated) at or after since, oldest first, including this
	// commit's new ones.
	ListingReviews(listing string, since time.Time) ([]StoredReview, error)
	// ListingDrafts are a listing's reply drafts, oldest first.
	ListingDrafts(listing string) ([]Draft, error)
	// Mark is what a rule remembered under key.
	Mark(key string) (Mark, bool, error)
}

var bMarks = []byte("insight_marks")

// txHistory reads History inside a transaction.
type txHistory struct{ tx *bolt.Tx }

func (h txHistory) BusinessListings(business string) ([]ListingInfo, error) {
	var out []ListingInfo
	err := h.tx.Bucket(bListings).ForEach(func(k, v []byte) error {
		var l ListingInfo
		if err := json.Unmarshal(v, &l); err != nil {
			return fmt.Errorf("listing %s: %w", k, err)
		}
		// A competitor's listing is compared with, never counted (issue 6).
		if l.Business == business && !l.Competitor {
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

func (h txHistory) ListingReviews(listing string, since time.Time) ([]StoredReview, error) {
	b, err := nested(h.tx, bReviews, listing, false)
	if err != nil || b == nil {
		return nil, err
	}
	var out []StoredReview
	c := b.Cursor()
	for k, v := c.Seek(timeKey(since)); k != nil; k, v = c.Next() {
		var r StoredReview
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, fmt.Errorf("review of %s: %w", listing, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (h txHistory) ListingDrafts(listing string) ([]Draft, error) {
	var out []Draft
	err := h.tx.Bucket(bDrafts).ForEach(func(_, v []byte) error {
		var d Draft
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("draft: %w", err)
		}
		if d.Listing == listing {
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

func (h txHistory) Mark(key string) (Mark, bool, error) {
	b := h.tx.Bucket(bMarks)
	if b == nil {
		return Mark{}, false, nil
	}
	v := b.Get([]byte(key))
	if v == nil {
		return Mark{}, false, nil
	}
	var m Mark
	if err := json.Unmarshal(v, &m); err != nil {
		return Mark{}, false, fmt.Errorf("insight mark %q: %w", key, err)
	}
	return m, true, nil
}

// putMarks remembers the marks of the alerts just queued (an alert whose
// key was already queued is not, so its mark is not rewritten).
func putMarks(tx *bolt.Tx, queued []Alert) error {
	for _, a := range queued {
		if a.Insight == nil || a.Insight.Mark == nil || a.Insight.Mark.Key == "" {
			continue
		}
		b, err := tx.CreateBucketIfNotExists(bMarks)
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", bMarks, err)
		}
		if err := putJSON(b, []byte(a.Insight.Mark.Key), a.Insight.Mark); err != nil {
			return err
		}
	}
	return nil
}

// Marks streams every remembered insight mark (for `revwatch` tools and tests).
func (db *DB) Marks(fn func(Mark) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMarks)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var m Mark
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("store: insight mark: %w", err)
			}
			return fn(m)
		})
	})
}
