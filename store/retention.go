package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PurgeText blanks the text, title and translation of a listing's reviews
// (and their earlier versions) first seen before cutoff, keeping ids,
// stars, authors and dates so re-polls still recognise them. Some
// platforms' terms (Google Places: 30 days) forbid keeping review text
// longer. It returns how many reviews were purged.
func (db *DB) PurgeText(ctx context.Context, listing string, cutoff time.Time) (int, error) {
	n := 0
	err := db.update(ctx, func(tx *bolt.Tx) error {
		for _, top := range [][]byte{bReviews, bVersions} {
			b, err := nested(tx, top, listing, false)
			if err != nil || b == nil {
				continue
			}
			c := b.Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				var sr StoredReview
				if err := json.Unmarshal(v, &sr); err != nil {
					return fmt.Errorf("review %s: %w", listing, err)
				}
				if sr.TextPurged || !sr.FirstSeen.Before(cutoff) {
					continue
				}
				sr.Text, sr.Title, sr.Translation, sr.TextPurged = "", "", nil, true
				if err := putJSON(b, k, sr); err != nil {
					return err
				}
				if string(top) == string(bReviews) {
					n++
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: purge review text of %s: %w", listing, err)
	}
	return n, nil
}
