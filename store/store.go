package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this code reads and writes (see doc.go);
// migrate.go upgrades every earlier one.
const SchemaVersion = 2

// Errors Open returns. Callers use errors.Is.
var (
	// ErrInUse: another process (usually `revwatch run`) holds the file.
	ErrInUse = errors.New("store is in use by another process")
	// ErrNotFound: the store file or a record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrNewerSchema: the file was written by a newer revwatch.
	ErrNewerSchema = errors.New("store schema is newer than this binary")
)

// Bucket names; see doc.go for the layout.
var (
	bMeta       = []byte("meta")
	bListings   = []byte("listings")
	bState      = []byte("state")
	bReviews    = []byte("reviews")
	bReviewIDs  = []byte("review_ids")
	bRatings    = []byte("ratings")
	bDrafts     = []byte("drafts")
	bOutbox     = []byte("outbox")
	bOutboxKeys = []byte("outbox_keys")
	bPending    = []byte("outbox_pending")
	bVersions   = []byte("review_versions")
	kSchema     = []byte("schema")
)

// Options tunes Open.
type Options struct {
	// ReadOnly opens for reading only (the file must exist).
	ReadOnly bool
	// LockTimeout is how long to wait for another process's lock before
	// ErrInUse. Zero means 2 s: never the bbolt default of "forever".
	LockTimeout time.Duration
}

// DB is the revwatch store: one bbolt file.
type DB struct {
	bolt *bolt.DB
	path string
	now  func() time.Time
	// faults is a test seam (fault.go).
	faults faults
}

// Open opens (or, unless ReadOnly, creates) the store at path, created with
// mode 0600 because it holds drafts and reviewer names.
func Open(path string, o Options) (*DB, error) {
	if o.LockTimeout <= 0 {
		o.LockTimeout = 2 * time.Second
	}
	if o.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("store: %s: %w (run `revwatch poll` or `revwatch backfill` first)", path, ErrNotFound)
		}
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.LockTimeout, ReadOnly: o.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store: %s: %w (is `revwatch run` running? stop it, or wait for it to finish)", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, now: time.Now}
	if err := db.init(o.ReadOnly); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// init creates the buckets and checks or migrates the schema version.
func (db *DB) init(readOnly bool) error {
	check := func(tx *bolt.Tx) (int, error) {
		m := tx.Bucket(bMeta)
		if m == nil {
			return 0, nil
		}
		v, err := strconv.Atoi(string(m.Get(kSchema)))
		if err != nil || v < 1 {
			return 0, fmt.Errorf("store: %s: bad schema version %q", db.path, m.Get(kSchema))
		}
		if v > SchemaVersion {
			return v, fmt.Errorf("store: %s: %w (file v%d, binary v%d): upgrade revwatch", db.path, ErrNewerSchema, v, SchemaVersion)
		}
		return v, nil
	}
	if readOnly {
		return db.bolt.View(func(tx *bolt.Tx) error {
			v, err := check(tx)
			if err == nil && v == 0 {
				return db.notOurs(tx)
			}
			if err == nil && v < SchemaVersion {
				return fmt.Errorf("store: %s: %w (file v%d, binary v%d): run `revwatch poll` or start `revwatch run` once to upgrade it", db.path, ErrOlderSchema, v, SchemaVersion)
			}
			return err
		})
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		v, err := check(tx)
		if err != nil {
			return err
		}
		return db.migrate(tx, v) // see migrate.go
	})
}

// Close releases the file.
func (db *DB) Close() error { return db.bolt.Close() }

// Path is the store's file name.
func (db *DB) Path() string { return db.path }

// SetClock replaces the clock (tests).
func (db *DB) SetClock(now func() time.Time) { db.now = now }

func (db *DB) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}

func (db *DB) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return db.commitFault()
	})
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// timeKey orders by time; times before 1970 (zero) sort first.
func timeKey(t time.Time) []byte {
	if t.IsZero() || t.UnixNano() < 0 {
		return u64(0)
	}
	return u64(uint64(t.UnixNano()))
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, buf)
}

// nested returns the sub-bucket of top for a listing, creating it when create is set.
func nested(tx *bolt.Tx, top []byte, listing string, create bool) (*bolt.Bucket, error) {
	t := tx.Bucket(top)
	if t == nil {
		return nil, fmt.Errorf("store: bucket %s missing", top)
	}
	if create {
		return t.CreateBucketIfNotExists([]byte(listing))
	}
	return t.Bucket([]byte(listing)), nil
}

// Ping checks that the store takes writes (for health checks): it writes
// and deletes a key in one transaction.
func (db *DB) Ping(ctx context.Context) error {
	return db.update(ctx, func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if err := m.Put([]byte("ping"), []byte{1}); err != nil {
			return err
		}
		return m.Delete([]byte("ping"))
	})
}
