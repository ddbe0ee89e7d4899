package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bDigests holds, per business, the last weekly digest sent (see
// DigestRecord). It is created on first write, so read-only opens of older
// files work without it.
var bDigests = []byte("digests")

// Digest record states.
const (
	// DigestSending: delivery started and its outcome was not recorded (a
	// crash in between); the digest is sent again (at least once).
	DigestSending = "sending"
	// DigestSent: delivered.
	DigestSent = "sent"
)

// DigestRecord is the last digest of a business: which period it covered
// and whether it went out. The daemon reads it at start to send a digest
// it missed while stopped, and before each send so a week is never sent
// twice.
type DigestRecord struct {
	Business string `json:"business"`
	// PeriodEnd is the scheduled time that closed the digest's period.
	PeriodEnd time.Time `json:"period_end"`
	State     string    `json:"state"`
	At        time.Time `json:"at"`
	Receipt   *Receipt  `json:"receipt,omitempty"`
}

// LastDigest returns a business's digest record; ok is false when none was
// ever recorded.
func (db *DB) LastDigest(ctx context.Context, business string) (rec DigestRecord, ok bool, err error) {
	err = db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bDigests)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(business))
		if v == nil {
			return nil
		}
		ok = true
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("store: digest record of %s: %w", business, err)
		}
		return nil
	})
	return rec, ok, err
}

// RecordDigest stores a business's digest record, replacing the last one.
func (db *DB) RecordDigest(ctx context.Context, rec DigestRecord) error {
	if rec.Business == "" {
		return fmt.Errorf("store: digest record without a business")
	}
	return db.update(ctx, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bDigests)
		if err != nil {
			return fmt.Errorf("store: create bucket %s: %w", bDigests, err)
		}
		return putJSON(b, []byte(rec.Business), rec)
	})
}
