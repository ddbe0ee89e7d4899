package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/revwatch/revwatch/sources"
)

// v1Fixture is a store written by the first v1 layout (commit 2e43441,
// generator in testdata/v1-2e43441.md): listing luna-site with four
// reviews (one edited), two snapshots, draft #1, and two alerts, the
// first delivered to Slack, the second (rating_drop) still pending. That
// layout had no outbox_pending index and no review_versions bucket.
const v1Fixture = "testdata/v1-2e43441.db"

// copyFixture copies a fixture into a temporary store path, so tests never
// change the committed file.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "revwatch.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawSchema reads meta/schema and the top-level bucket names with bbolt
// directly, bypassing Open's checks.
func rawSchema(t *testing.T, path string) (string, []string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var schema string
	var names []string
	b.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bMeta); m != nil {
			schema = string(m.Get(kSchema))
		}
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
	})
	return schema, names
}

// writeRaw creates a bbolt file and lets fn shape it.
func writeRaw(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateFirstV1Layout opens the committed first-layout v1 file with
// the current code: it migrates to v2, loses nothing, and the alert that
// was pending is delivered (before the migration rebuilt the index, Due
// never saw it).
func TestMigrateFirstV1Layout(t *testing.T) {
	ctx := context.Background()
	path := copyFixture(t, v1Fixture)
	schema, names := rawSchema(t, path)
	if schema != "1" || strings.Contains(strings.Join(names, " "), "outbox_pending") || strings.Contains(strings.Join(names, " "), "review_versions") {
		t.Fatalf("fixture is not the first v1 layout: schema %q, buckets %v", schema, names)
	}

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("open v1: %v", err)
	}
	if schema, names = rawSchemaOpen(t, db); schema != "2" || len(names) != len(ourBuckets) {
		t.Fatalf("after migration: schema %q, buckets %v", schema, names)
	}
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	due, err := db.Due(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].Key != "rating:luna-site:1" || due[0].Rating == nil || due[0].Rating.After.Value != 3.8 {
		t.Fatalf("due after migration = %+v, want the pending rating_drop alert only", due)
	}
	if n, err := db.Pending(ctx); err != nil || n != 1 {
		t.Fatalf("pending = %d, %v; want 1", n, err)
	}
	sent, err := db.Alert(ctx, 1)
	if err != nil || sent.Delivery.State != DeliverySent || sent.Delivery.Receipt == nil || sent.Delivery.Receipt.TS != "1762000000.000100" {
		t.Fatalf("delivered alert after migration = %+v, %v", sent.Delivery, err)
	}

	texts := map[string]string{}
	if err := db.Reviews(ctx, "luna-site", func(r StoredReview) error { texts[r.ID] = r.Text; return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"r1": "Lovely pasta.", "r2": "Good, but slow.", "r3": "Great wine.", "r4": "Cold food, rude staff."}
	if len(texts) != len(want) {
		t.Fatalf("reviews after migration: %v, want %v", texts, want)
	}
	for id, w := range want {
		if texts[id] != w {
			t.Errorf("review %s = %q, want %q", id, texts[id], w)
		}
	}
	var drafts []Draft
	if err := db.Drafts(ctx, "luna-site", func(d Draft) error { drafts = append(drafts, d); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 1 || drafts[0].ReviewID != "r4" || drafts[0].Status != DraftPending {
		t.Fatalf("drafts after migration = %+v", drafts)
	}
	st, err := db.State(ctx, "luna-site")
	if err != nil || !st.Baseline || st.Rating == nil || st.Rating.Value != 3.8 {
		t.Fatalf("state after migration = %+v, %v", st, err)
	}

	// The migrated store takes the next poll: nothing is news again, and
	// the alert keys of v1 still deduplicate.
	l := ListingInfo{ID: "luna-site", Business: "luna", Platform: "schemaorg"}
	obs := sources.Observation{Listing: "luna-site", Platform: "schemaorg", At: now, Rating: &sources.Rating{Value: 3.8, Count: 4},
		Reviews: []sources.Review{{ID: "r4", Author: "A r4", Rating: sources.Stars(1), Text: "Cold food, rude staff.", Published: time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC)}}}
	queued, err := db.Commit(ctx, l, obs, func(c Change) []Alert {
		if len(c.New) != 0 {
			t.Errorf("a stored review is new again after migration: %+v", c.New)
		}
		return []Alert{{Key: "rating:luna-site:1", Kind: KindRatingDrop}}
	})
	if err != nil || len(queued) != 0 {
		t.Fatalf("commit after migration: %d queued, %v; want 0 (the key is in the v1 outbox)", len(queued), err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Opening again is a no-op, read-only included.
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open after migration: %v", err)
	}
	if n, _ := ro.Pending(ctx); n != 1 {
		t.Errorf("pending after reopen = %d, want 1", n)
	}
	ro.Close()
}

// rawSchemaOpen is rawSchema through an open DB.
func rawSchemaOpen(t *testing.T, db *DB) (string, []string) {
	t.Helper()
	var schema string
	var names []string
	db.bolt.View(func(tx *bolt.Tx) error {
		schema = string(tx.Bucket(bMeta).Get(kSchema))
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, string(name))
			return nil
		})
	})
	return schema, names
}

// TestMigrateLateV1Layout: a v1 file of the last v1 layout (all buckets,
// schema "1") whose pending index lost an entry and kept a delivered one
// comes out with the index matching the outbox.
func TestMigrateLateV1Layout(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "revwatch.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	l := ListingInfo{ID: "l", Business: "b", Platform: "schemaorg"}
	obs := sources.Observation{Listing: "l", Platform: "schemaorg", At: now, Rating: &sources.Rating{Value: 4, Count: 1}}
	queued, err := db.Commit(ctx, l, obs, func(Change) []Alert {
		return []Alert{{Key: "a", Kind: KindRatingDrop}, {Key: "b", Kind: KindRatingDrop}, {Key: "c", Kind: KindRatingDrop}}
	})
	if err != nil || len(queued) != 3 {
		t.Fatalf("commit: %d, %v", len(queued), err)
	}
	if err := db.Delivered(ctx, queued[0].ID, Receipt{Notifier: "console", At: now}); err != nil {
		t.Fatal(err)
	}
	// Make it a damaged v1 file: schema 1, alert 2 missing from the index,
	// delivered alert 1 back in it.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		p := tx.Bucket(bPending)
		return errors.Join(tx.Bucket(bMeta).Put(kSchema, []byte("1")), p.Delete(u64(queued[1].ID)), p.Put(u64(queued[0].ID), nil))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	due, err := db.Due(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range due {
		keys = append(keys, a.Key)
	}
	if strings.Join(keys, ",") != "b,c" {
		t.Fatalf("due after migration = %v, want [b c] in order", keys)
	}
	if n, _ := db.Pending(ctx); n != 2 {
		t.Fatalf("pending = %d, want 2", n)
	}
}

// TestOpenRefusesUnknownVersions: a file from a newer binary, a file with
// a garbled version, and a bbolt file that is not a revwatch store are all
// refused with an error that names the file, the version and what to do,
// and none is modified.
func TestOpenRefusesUnknownVersions(t *testing.T) {
	tests := []struct {
		name     string
		shape    func(tx *bolt.Tx) error
		wantIs   error
		wantText []string
	}{
		{"newer", func(tx *bolt.Tx) error {
			m, _ := tx.CreateBucket(bMeta)
			return m.Put(kSchema, []byte("3"))
		}, ErrNewerSchema, []string{"file v3", "binary v2", "upgrade revwatch"}},
		{"garbled", func(tx *bolt.Tx) error {
			m, _ := tx.CreateBucket(bMeta)
			return m.Put(kSchema, []byte("two"))
		}, nil, []string{`bad schema version "two"`}},
		{"zero", func(tx *bolt.Tx) error {
			m, _ := tx.CreateBucket(bMeta)
			return m.Put(kSchema, []byte("0"))
		}, nil, []string{`bad schema version "0"`}},
		{"not a revwatch store", func(tx *bolt.Tx) error {
			_, err := tx.CreateBucket([]byte("sessions"))
			return err
		}, nil, []string{"is not a revwatch store", `"sessions"`, "set store: to another file"}},
	}
	for _, tt := range tests {
		for _, ro := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{true: " read-only"}[ro], func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "x.db")
				writeRaw(t, path, tt.shape)
				before, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				db, err := Open(path, Options{ReadOnly: ro})
				if err == nil {
					db.Close()
					t.Fatal("opened")
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("error %v is not %v", err, tt.wantIs)
				}
				for _, w := range append(tt.wantText, path) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if after, _ := os.ReadFile(path); string(after) != string(before) {
					t.Error("the refused file was modified")
				}
			})
		}
	}
}

// TestOpenEmptyFile: an empty bbolt file (no buckets) is a new store for
// a write open and "nothing stored yet" for a read-only one.
func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	writeRaw(t, path, func(*bolt.Tx) error { return nil })
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("read-only open of an empty file: %v, want ErrNotFound", err)
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if schema, names := rawSchema(t, path); schema != "2" || len(names) != len(ourBuckets) {
		t.Fatalf("new store: schema %q, buckets %v", schema, names)
	}
}

// TestOlderSchemaReadOnlyAndRestore: a read-only open of a v1 file says to
// run a write command; restore accepts a v1 backup, and the restored store
// migrates on its first write open.
func TestOlderSchemaReadOnlyAndRestore(t *testing.T) {
	path := copyFixture(t, v1Fixture)
	_, err := Open(path, Options{ReadOnly: true})
	if !errors.Is(err, ErrOlderSchema) || !strings.Contains(err.Error(), "file v1") || !strings.Contains(err.Error(), "revwatch poll") {
		t.Fatalf("read-only open of v1 = %v, want ErrOlderSchema naming v1 and revwatch poll", err)
	}
	if schema, _ := rawSchema(t, path); schema != "1" {
		t.Fatalf("a read-only open changed the schema to %q", schema)
	}
	live := filepath.Join(t.TempDir(), "live.db")
	if _, err := Restore(live, path); err != nil {
		t.Fatalf("restore a v1 backup: %v", err)
	}
	db, err := Open(live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.Pending(context.Background()); err != nil || n != 1 {
		t.Fatalf("restored v1 store: pending %d, %v; want 1", n, err)
	}
}

// TestMigrationIsAtomic: a step that fails leaves the file at its old
// version and unchanged, so the next open tries again.
func TestMigrationIsAtomic(t *testing.T) {
	path := copyFixture(t, v1Fixture)
	before, _ := os.ReadFile(path)
	step := migrations[1]
	migrations[1] = func(tx *bolt.Tx) error {
		if err := step(tx); err != nil {
			return err
		}
		return errors.New("disk on fire")
	}
	_, err := Open(path, Options{})
	migrations[1] = step
	if err == nil || !strings.Contains(err.Error(), "migrate schema v1 to v2: disk on fire") {
		t.Fatalf("open with a failing step = %v", err)
	}
	if schema, names := rawSchema(t, path); schema != "1" || len(names) != 9 {
		t.Fatalf("after a failed migration: schema %q, buckets %v; want the v1 file as it was", schema, names)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a failed migration changed the file")
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("open after the failed attempt: %v", err)
	}
	db.Close()
}
