package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// ErrOlderSchema: a read-only open found a file of an earlier schema; a
// read-write open (any write command, or `revwatch run`) migrates it.
var ErrOlderSchema = errors.New("store schema is older than this binary")

// migrations[v] turns a schema-v file into v+1. Each step runs inside
// Open's write transaction, together with the version bump, so a crash
// leaves the file at v and the next open runs the step again. Version 0 is
// a new, empty file: it is created at SchemaVersion directly.
var migrations = map[int]func(tx *bolt.Tx) error{
	1: migrateV1,
}

// ourBuckets are the top-level buckets of the current layout.
var ourBuckets = [][]byte{bMeta, bListings, bState, bReviews, bReviewIDs, bRatings, bDrafts, bOutbox, bOutboxKeys, bPending, bVersions}

// migrateV1 brings any v1 file to v2. Version 1 grew two buckets without a
// version bump: outbox_pending (the index Due scans) and review_versions.
// A v1 file written before the index existed has undelivered alerts that
// Due would never see, so the index is rebuilt from the outbox: every
// pending or sending alert in, everything else out. review_versions is
// created empty by init (those files kept no earlier versions).
func migrateV1(tx *bolt.Tx) error {
	out, pending := tx.Bucket(bOutbox), tx.Bucket(bPending)
	err := out.ForEach(func(k, v []byte) error {
		p, err := undelivered(v)
		if err != nil {
			return fmt.Errorf("outbox row %x: %w", k, err)
		}
		if p {
			return pending.Put(k, nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var stale [][]byte
	err = pending.ForEach(func(k, _ []byte) error {
		if p, err := undelivered(out.Get(k)); err != nil || !p {
			stale = append(stale, slices.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := pending.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// undelivered reports whether an outbox row (JSON Alert; nil: no row)
// still waits for delivery.
func undelivered(row []byte) (bool, error) {
	if row == nil {
		return false, nil
	}
	var a struct {
		Delivery struct {
			State DeliveryState `json:"state"`
		} `json:"delivery"`
	}
	if err := json.Unmarshal(row, &a); err != nil {
		return false, err
	}
	return a.Delivery.State == DeliveryPending || a.Delivery.State == DeliverySending, nil
}

// notOurs explains a file without a meta bucket. With buckets, it is not
// a revwatch store (no revwatch layout ever lacked meta): refused, never
// adopted. Without any, it is an empty bbolt file: nothing to read yet.
func (db *DB) notOurs(tx *bolt.Tx) error {
	var names []string
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, fmt.Sprintf("%q", name))
		return nil
	})
	if len(names) > 0 {
		return fmt.Errorf("store: %s is not a revwatch store: it has no schema version but holds buckets %s; set store: to another file",
			db.path, strings.Join(names, ", "))
	}
	return fmt.Errorf("store: %s is empty: %w (run `revwatch poll` or `revwatch backfill` first)", db.path, ErrNotFound)
}

// migrate brings the file from version v (0: new or empty) to
// SchemaVersion inside tx: it creates missing buckets, runs each step and
// records the version. For a current file it only checks the buckets.
func (db *DB) migrate(tx *bolt.Tx, v int) error {
	from := v
	if v == 0 {
		if err := db.notOurs(tx); !errors.Is(err, ErrNotFound) {
			return err
		}
		v = SchemaVersion // a new file needs no steps
	}
	for _, name := range ourBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("store: create bucket %s: %w", name, err)
		}
	}
	for ; v < SchemaVersion; v++ {
		step := migrations[v]
		if step == nil {
			return fmt.Errorf("store: %s: no migration from schema v%d", db.path, v)
		}
		if err := step(tx); err != nil {
			return fmt.Errorf("store: %s: migrate schema v%d to v%d: %w", db.path, v, v+1, err)
		}
	}
	if from == SchemaVersion {
		return nil
	}
	return tx.Bucket(bMeta).Put(kSchema, []byte(strconv.Itoa(SchemaVersion)))
}
