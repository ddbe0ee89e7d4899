package store

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// ReviewValues streams the stored JSON of reviews to fn, in the order of
// Reviews (per listing in id order, newest first), without decoding it: an
// export that only re-shapes the JSON reads a million reviews several times
// faster this way. value is valid only during the call (bbolt memory): fn
// must copy what it keeps, and must not write to the store.
func (db *DB) ReviewValues(ctx context.Context, listing string, fn func(value []byte) error) error {
	return db.scanReviews(ctx, listing, func(_ string, _, v []byte) error { return fn(v) })
}

// scanReviews is the walk under Reviews and ReviewValues: every stored
// review of listing ("" for all), per listing in id order, newest first,
// with its listing and key, in one read transaction.
func (db *DB) scanReviews(ctx context.Context, listing string, fn func(name string, k, v []byte) error) error {
	return db.view(ctx, func(tx *bolt.Tx) error {
		for _, name := range listingNames(tx, bReviews, listing) {
			b, _ := nested(tx, bReviews, name, false)
			if b == nil {
				continue
			}
			c := b.Cursor()
			for k, v := c.Last(); k != nil; k, v = c.Prev() {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := fn(name, k, v); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
