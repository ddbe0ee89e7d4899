package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/revwatch/revwatch/sources"
)

// ListingInfo is a listing as the store records it.
type ListingInfo struct {
	ID            string    `json:"id"`
	Business      string    `json:"business"`
	BusinessName  string    `json:"business_name,omitempty"`
	Platform      string    `json:"platform"`
	PlatformLabel string    `json:"platform_label,omitempty"`
	Name          string    `json:"name,omitempty"`
	URL           string    `json:"url,omitempty"`
	FirstSeen     time.Time `json:"first_seen"`
	// CanReply: approved drafts are published through the platform's API.
	CanReply bool `json:"can_reply,omitempty"`
	// Competitor: another business's listing, watched for comparison only
	// (no alerts, no drafts).
	Competitor bool `json:"competitor,omitempty"`
}

// State is a listing's source state: what the last polls saw.
type State struct {
	Listing string `json:"listing"`
	// Baseline is set after the first successful poll; until then nothing alerts.
	Baseline    bool      `json:"baseline"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// Failures counts consecutive failed polls since FailingSince.
	Failures     int       `json:"failures"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	// LastErrorKind classifies LastError (sources.FailureKind: auth, quota, blocked, ...).
	LastErrorKind string `json:"last_error_kind,omitempty"`
	// BrokenAlerted is set once the "source broken" alert of this streak is queued.
	BrokenAlerted bool `json:"broken_alerted"`
	// Rating is the last aggregate the listing showed (nil: never one).
	Rating *sources.Rating `json:"rating,omitempty"`
	// Reviews is the number of reviews the last successful poll returned.
	Reviews int `json:"reviews"`
	// Details are the listing's public details as last seen (nil: never exposed).
	Details *sources.Details `json:"details,omitempty"`
	// BackfillCursor is where an interrupted backfill resumes ("" = none running).
	BackfillCursor string `json:"backfill_cursor,omitempty"`
}

// StoredReview is a review as kept in the store.
type StoredReview struct {
	sources.Review
	Listing   string    `json:"listing"`
	Platform  string    `json:"platform"`
	FirstSeen time.Time `json:"first_seen"`
	// Changed is when revwatch last saw the review change (edit, removal).
	Changed time.Time `json:"changed,omitzero"`
	// Removed is when a complete listing stopped showing the review (zero: shown).
	Removed time.Time `json:"removed,omitzero"`
	// Versions counts earlier versions kept in review_versions.
	Versions int `json:"versions,omitempty"`
	// TextPurged: the text was blanked by a retention limit (PurgeText).
	TextPurged bool `json:"text_purged,omitempty"`
}

// Change is what one successful observation changes, computed inside
// Commit's transaction so that deciding and writing see the same data.
type Change struct {
	Listing ListingInfo
	Prev    State
	Obs     sources.Observation
	// New are reviews not stored before; Edited were stored with other
	// stars or text. Both in the observation's order.
	New    []sources.Review
	Edited []Edited
	// Removed are stored reviews a complete observation no longer shows.
	Removed []sources.Review
	// DetailsBefore is set when the listing's details changed (the
	// observation holds the new ones).
	DetailsBefore *sources.Details
	// History reads the store from inside the commit (insight rules); nil
	// in a Change built by hand.
	History History
}

// Edited is a review before and after an edit.
type Edited struct {
	Before, After sources.Review
}

// Baseline reports whether this is the listing's first successful poll.
func (c Change) Baseline() bool { return !c.Prev.Baseline }

// RatingBefore is the last known aggregate, or nil.
func (c Change) RatingBefore() *sources.Rating { return c.Prev.Rating }

// Decide turns a change into alerts. It runs inside the write transaction:
// it must be pure (no I/O) and fast.
type Decide func(Change) []Alert

// Commit records one successful observation in a single transaction: new
// and edited reviews (the earlier version kept), removals when the
// observation is complete, a rating snapshot, the source state, and the
// alerts decide returns (with their drafts) in the outbox. A crash leaves
// either all of it or none; an alert whose Key is already in the outbox is
// dropped, so a repeat never alerts twice. It returns the alerts queued.
func (db *DB) Commit(ctx context.Context, l ListingInfo, obs sources.Observation, decide Decide) ([]Alert, error) {
	return db.commit(ctx, l, obs, decide, nil)
}

// CommitPage is Commit for one page of a backfill: it also records where
// the backfill resumes (next; "" when it is done), in the same transaction,
// so an interrupted backfill continues without gaps or duplicates.
func (db *DB) CommitPage(ctx context.Context, l ListingInfo, obs sources.Observation, next string, decide Decide) ([]Alert, error) {
	return db.CommitPages(ctx, l, []Page{{Obs: obs, Next: next}}, decide)
}

// Page is one page of a backfill: what it showed and where the backfill
// resumes after it ("" when it is done).
type Page struct {
	Obs  sources.Observation
	Next string
}

// CommitPages commits consecutive backfill pages in one transaction, each
// as CommitPage would (decide is called once per page, in order), and
// leaves the resume cursor at the last page's Next. A crash leaves all of
// them or none: the cursor never points past a page that is not stored,
// so an interrupted backfill resumes at or before the first page it lost.
func (db *DB) CommitPages(ctx context.Context, l ListingInfo, pages []Page, decide Decide) ([]Alert, error) {
	var queued []Alert
	err := db.update(ctx, func(tx *bolt.Tx) error {
		now := db.now().UTC()
		for _, p := range pages {
			q, err := commitTx(tx, l, p.Obs, decide, func(st *State) { st.BackfillCursor = p.Next }, now)
			if err != nil {
				return err
			}
			queued = append(queued, q...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit %s: %w", l.ID, err)
	}
	return queued, nil
}

func (db *DB) commit(ctx context.Context, l ListingInfo, obs sources.Observation, decide Decide, edit func(*State)) ([]Alert, error) {
	var queued []Alert
	err := db.update(ctx, func(tx *bolt.Tx) error {
		var err error
		queued, err = commitTx(tx, l, obs, decide, edit, db.now().UTC())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit %s: %w", l.ID, err)
	}
	return queued, nil
}

// commitTx is one observation's share of a commit transaction.
func commitTx(tx *bolt.Tx, l ListingInfo, obs sources.Observation, decide Decide, edit func(*State), now time.Time) (queued []Alert, err error) {
	err = func() error {
		prev, err := getState(tx, l.ID)
		if err != nil {
			return err
		}
		if err := putListing(tx, l, obs, now); err != nil {
			return err
		}
		ch := Change{Listing: l, Prev: prev, Obs: obs}
		if err := putReviews(tx, l.ID, obs, now, &ch); err != nil {
			return err
		}
		if obs.Rating != nil {
			if err := putSnapshot(tx, l.ID, obs, prev); err != nil {
				return err
			}
		}
		next := prev
		next.Listing = l.ID
		next.Baseline = true
		next.LastSuccess, next.LastAttempt = now, now
		next.Failures, next.FailingSince, next.LastError, next.LastErrorKind, next.BrokenAlerted = 0, time.Time{}, "", "", false
		if obs.Rating != nil {
			r := *obs.Rating
			next.Rating = &r
		}
		if obs.Details != nil {
			if prev.Details != nil && !sameDetails(*prev.Details, *obs.Details) {
				ch.DetailsBefore = prev.Details
			}
			d := *obs.Details
			next.Details = &d
		}
		if len(obs.Reviews) > 0 || obs.Rating != nil {
			// An empty observation (a 304 Not Modified) keeps the count.
			next.Reviews = len(obs.Reviews)
		}
		if edit != nil {
			edit(&next)
		}
		if err := putJSON(tx.Bucket(bState), []byte(l.ID), next); err != nil {
			return err
		}
		if decide != nil {
			ch.History = txHistory{tx}
			if queued, err = enqueue(tx, decide(ch), now); err == nil {
				err = putMarks(tx, queued)
			}
		}
		return err
	}()
	return queued, err
}

// putReviews stores new reviews, new versions of edited ones (keeping the
// old version), and marks removals when the observation is complete.
func putReviews(tx *bolt.Tx, listing string, obs sources.Observation, now time.Time, ch *Change) error {
	revs, err := nested(tx, bReviews, listing, true)
	if err != nil {
		return err
	}
	ids, err := nested(tx, bReviewIDs, listing, true)
	if err != nil {
		return err
	}
	// Reviews arrive in key order (a poll appends the newest, a backfill
	// prepends page after page), so bbolt's default of splitting pages half
	// full would leave the file twice the data; full pages halve it
	// (BENCHMARKS.md, "store size per review"). Ids come in any order.
	revs.FillPercent, ids.FillPercent = reviewsFill, idsFill
	seen := make(map[string]bool, len(obs.Reviews))
	for _, r := range obs.Reviews {
		seen[r.ID] = true
		oldKey := reviewKeyOf(ids.Get([]byte(r.ID)), r.ID)
		sr := StoredReview{Review: r, Listing: listing, Platform: obs.Platform, FirstSeen: now}
		if oldKey != nil {
			var old StoredReview
			if err := json.Unmarshal(revs.Get(oldKey), &old); err != nil {
				return fmt.Errorf("review %s/%s: %w", listing, r.ID, err)
			}
			if old.TextPurged {
				// Text we may not keep is not an edit when it comes back.
				old.Text, old.Title, old.Translation = r.Text, r.Title, r.Translation
			}
			if sameReview(old.Review, r) && old.Removed.IsZero() {
				continue // unchanged (a purged review stays purged)
			}
			if !sameReview(old.Review, r) {
				ch.Edited = append(ch.Edited, Edited{Before: old.Review, After: r})
				if err := putVersion(tx, listing, old); err != nil {
					return err
				}
				sr.Versions = old.Versions + 1
			} else {
				sr.Versions = old.Versions
			}
			sr.FirstSeen, sr.Changed = old.FirstSeen, now
			if err := revs.Delete(oldKey); err != nil {
				return err
			}
		} else {
			ch.New = append(ch.New, r)
		}
		key := reviewKey(sr)
		if err := putJSON(revs, key, sr); err != nil {
			return err
		}
		// The key is the time prefix then the id; the index keeps only
		// the prefix, its key being the id (BENCHMARKS.md, "store size").
		if err := ids.Put([]byte(r.ID), key[:8]); err != nil {
			return err
		}
	}
	if !obs.Complete {
		return nil
	}
	// Only a source that enumerates the whole window it covers may say a
	// review is gone; anything older than the window is not judged.
	c := revs.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var sr StoredReview
		if err := json.Unmarshal(v, &sr); err != nil {
			return fmt.Errorf("review %s: %w", listing, err)
		}
		if seen[sr.ID] || !sr.Removed.IsZero() || (!obs.Since.IsZero() && sr.Published.Before(obs.Since)) {
			continue
		}
		sr.Removed, sr.Changed = now, now
		ch.Removed = append(ch.Removed, sr.Review)
		if err := putJSON(revs, k, sr); err != nil {
			return err
		}
	}
	return nil
}

// Page fill of the reviews/<listing> and review_ids/<listing> buckets on
// write (bbolt does not persist it; the default is 0.5).
const (
	reviewsFill = 1.0
	idsFill     = 0.9
)

// putVersion keeps an earlier version of a review under its id and
// version number, so a review's history scans in order.
func putVersion(tx *bolt.Tx, listing string, old StoredReview) error {
	b, err := nested(tx, bVersions, listing, true)
	if err != nil {
		return err
	}
	key := append(append([]byte(old.ID), 0), u64(uint64(old.Versions))...)
	return putJSON(b, key, old)
}

func sameDetails(a, b sources.Details) bool {
	if a.Name != b.Name || a.Address != b.Address || a.Phone != b.Phone || a.Website != b.Website || len(a.Hours) != len(b.Hours) {
		return false
	}
	for i := range a.Hours {
		if a.Hours[i] != b.Hours[i] {
			return false
		}
	}
	return true
}

// CommitFailure records a failed poll: the failure streak grows, nothing
// stored about the listing changes, and the alerts decide returns (given the
// updated state) are queued. Queuing a KindSourceBroken alert marks the
// streak as alerted so it is sent once.
func (db *DB) CommitFailure(ctx context.Context, l ListingInfo, kind, cause string, decide func(State) []Alert) ([]Alert, error) {
	var queued []Alert
	err := db.update(ctx, func(tx *bolt.Tx) error {
		now := db.now().UTC()
		st, err := getState(tx, l.ID)
		if err != nil {
			return err
		}
		st.Listing = l.ID
		if st.Failures == 0 {
			st.FailingSince = now
		}
		st.Failures++
		st.LastAttempt = now
		st.LastError, st.LastErrorKind = cause, kind
		var alerts []Alert
		if decide != nil {
			alerts = decide(st)
		}
		for _, a := range alerts {
			if a.Kind == KindSourceBroken {
				st.BrokenAlerted = true
			}
		}
		if err := putJSON(tx.Bucket(bState), []byte(l.ID), st); err != nil {
			return err
		}
		queued, err = enqueue(tx, alerts, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: record failure of %s: %w", l.ID, err)
	}
	return queued, nil
}

// sameReview reports whether nothing a person would notice changed.
func sameReview(a, b sources.Review) bool {
	if (a.Rating == nil) != (b.Rating == nil) || (a.Rating != nil && *a.Rating != *b.Rating) {
		return false
	}
	if (a.Reply == nil) != (b.Reply == nil) {
		return false
	}
	return a.Text == b.Text && a.Title == b.Title
}

// reviewKey orders a listing's reviews by publication (first sight when the
// platform gives no date), then id.
// reviewKeyOf is the reviews/<listing> key a review_ids/<listing> value
// points to: the value is the key's 8-byte time prefix, or the whole key
// in stores written before the index was trimmed (both are read). nil
// stays nil.
func reviewKeyOf(v []byte, id string) []byte {
	if len(v) != 8 {
		return v
	}
	return append(append(make([]byte, 0, 8+len(id)), v...), id...)
}

func reviewKey(r StoredReview) []byte {
	t := r.Published
	if t.IsZero() {
		t = r.FirstSeen
	}
	return append(timeKey(t), []byte(r.ID)...)
}

func getState(tx *bolt.Tx, listing string) (State, error) {
	var st State
	v := tx.Bucket(bState).Get([]byte(listing))
	if v == nil {
		return State{Listing: listing}, nil
	}
	if err := json.Unmarshal(v, &st); err != nil {
		return st, fmt.Errorf("state of %s: %w", listing, err)
	}
	return st, nil
}

func putListing(tx *bolt.Tx, l ListingInfo, obs sources.Observation, now time.Time) error {
	b := tx.Bucket(bListings)
	var old ListingInfo
	if v := b.Get([]byte(l.ID)); v != nil {
		_ = json.Unmarshal(v, &old)
	}
	if l.Name == "" {
		l.Name = obs.Name
	}
	if l.URL == "" {
		l.URL = obs.URL
	}
	l.FirstSeen = old.FirstSeen
	if l.FirstSeen.IsZero() {
		l.FirstSeen = now
	}
	return putJSON(b, []byte(l.ID), l)
}

// Snapshot is one point of a listing's rating history.
type Snapshot struct {
	Listing string    `json:"listing"`
	At      time.Time `json:"at"`
	Rating  float64   `json:"rating"`
	Count   int       `json:"count"`
}

// putSnapshot appends a rating snapshot when the rating or count changed,
// or at least daily, so an unchanged listing costs one row a day.
func putSnapshot(tx *bolt.Tx, listing string, obs sources.Observation, prev State) error {
	b, err := nested(tx, bRatings, listing, true)
	if err != nil {
		return err
	}
	at := obs.At.UTC()
	if k, _ := b.Cursor().Last(); k != nil && prev.Rating != nil && *prev.Rating == *obs.Rating {
		last := time.Unix(0, int64(beU64(k))).UTC()
		if at.Sub(last) < 24*time.Hour {
			return nil
		}
	}
	return putJSON(b, timeKey(at), Snapshot{Listing: listing, At: at, Rating: obs.Rating.Value, Count: obs.Rating.Count})
}

func beU64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// enqueue writes alerts and their drafts, skipping keys already queued.
func enqueue(tx *bolt.Tx, alerts []Alert, now time.Time) ([]Alert, error) {
	out := tx.Bucket(bOutbox)
	keys := tx.Bucket(bOutboxKeys)
	drafts := tx.Bucket(bDrafts)
	var queued []Alert
	for _, a := range alerts {
		if a.Key == "" {
			return nil, fmt.Errorf("alert of kind %s has no key", a.Kind)
		}
		if keys.Get([]byte(a.Key)) != nil {
			continue
		}
		if a.Draft != nil && a.Kind != KindDraftUpdate {
			d := *a.Draft
			id, err := drafts.NextSequence()
			if err != nil {
				return nil, err
			}
			d.ID, d.Status, d.Created = id, DraftPending, now
			if err := putJSON(drafts, u64(id), d); err != nil {
				return nil, err
			}
			a.Draft = &d
		}
		id, err := out.NextSequence()
		if err != nil {
			return nil, err
		}
		a.ID, a.Created = id, now
		if a.Draft != nil && a.Kind != KindDraftUpdate {
			// The draft remembers its message, for updates after actions.
			a.Draft.AlertID = id
			if err := putJSON(drafts, u64(a.Draft.ID), *a.Draft); err != nil {
				return nil, err
			}
		}
		a.Delivery = Delivery{State: DeliveryPending, NextAt: now}
		if err := putJSON(out, u64(id), a); err != nil {
			return nil, err
		}
		if err := keys.Put([]byte(a.Key), u64(id)); err != nil {
			return nil, err
		}
		if err := tx.Bucket(bPending).Put(u64(id), nil); err != nil {
			return nil, err
		}
		queued = append(queued, a)
	}
	return queued, nil
}
