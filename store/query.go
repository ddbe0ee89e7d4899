package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// State returns a listing's source state (zero State when never polled).
func (db *DB) State(ctx context.Context, listing string) (State, error) {
	var st State
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		st, err = getState(tx, listing)
		return err
	})
	return st, err
}

// HasReview reports whether a listing's review is stored.
func (db *DB) HasReview(ctx context.Context, listing, id string) (bool, error) {
	found := false
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b, err := nested(tx, bReviewIDs, listing, false)
		if err == nil && b != nil {
			found = b.Get([]byte(id)) != nil
		}
		return err
	})
	return found, err
}

// Listings returns every listing the store has seen, by id.
func (db *DB) Listings(ctx context.Context) ([]ListingInfo, error) {
	var out []ListingInfo
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bListings).ForEach(func(k, v []byte) error {
			var l ListingInfo
			if err := json.Unmarshal(v, &l); err != nil {
				return fmt.Errorf("store: listing %s: %w", k, err)
			}
			out = append(out, l)
			return nil
		})
	})
	return out, err
}

// listingNames returns the listings to scan: one, or all with sub-buckets in top.
func listingNames(tx *bolt.Tx, top []byte, listing string) []string {
	if listing != "" {
		return []string{listing}
	}
	var names []string
	_ = tx.Bucket(top).ForEachBucket(func(k []byte) error {
		names = append(names, string(k))
		return nil
	})
	sort.Strings(names)
	return names
}

// Reviews streams stored reviews to fn, per listing in id order, newest
// first within a listing. listing "" means all. It holds one read
// transaction, so fn must not write to the store.
func (db *DB) Reviews(ctx context.Context, listing string, fn func(StoredReview) error) error {
	return db.scanReviews(ctx, listing, func(name string, k, v []byte) error {
		var r StoredReview
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("store: review %s/%q: %w", name, bytes.TrimLeft(k[8:], "\x00"), err)
		}
		return fn(r)
	})
}

// CountReviews returns how many reviews a listing has stored.
func (db *DB) CountReviews(ctx context.Context, listing string) (int, error) {
	n := 0
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b, err := nested(tx, bReviewIDs, listing, false)
		if b != nil {
			n = b.Stats().KeyN
		}
		return err
	})
	return n, err
}

// Ratings streams rating snapshots to fn, oldest first per listing.
func (db *DB) Ratings(ctx context.Context, listing string, fn func(Snapshot) error) error {
	return db.view(ctx, func(tx *bolt.Tx) error {
		for _, name := range listingNames(tx, bRatings, listing) {
			b, _ := nested(tx, bRatings, name, false)
			if b == nil {
				continue
			}
			if err := b.ForEach(func(_, v []byte) error {
				var s Snapshot
				if err := json.Unmarshal(v, &s); err != nil {
					return fmt.Errorf("store: rating of %s: %w", name, err)
				}
				return fn(s)
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Drafts streams reply drafts to fn, oldest first; listing "" means all.
func (db *DB) Drafts(ctx context.Context, listing string, fn func(Draft) error) error {
	return db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bDrafts).ForEach(func(_, v []byte) error {
			var d Draft
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("store: draft: %w", err)
			}
			if listing != "" && d.Listing != listing {
				return nil
			}
			return fn(d)
		})
	})
}

// Review returns one stored review.
func (db *DB) Review(ctx context.Context, listing, id string) (StoredReview, error) {
	var r StoredReview
	err := db.view(ctx, func(tx *bolt.Tx) error {
		ids, _ := nested(tx, bReviewIDs, listing, false)
		revs, _ := nested(tx, bReviews, listing, false)
		if ids == nil || revs == nil {
			return fmt.Errorf("store: review %s/%s: %w", listing, id, ErrNotFound)
		}
		k := reviewKeyOf(ids.Get([]byte(id)), id)
		if k == nil {
			return fmt.Errorf("store: review %s/%s: %w", listing, id, ErrNotFound)
		}
		return json.Unmarshal(revs.Get(k), &r)
	})
	return r, err
}
