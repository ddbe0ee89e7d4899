package store

import (
	"context"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	bolt "go.etcd.io/bbolt"
)

func TestEditsKeepHistory(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	steps := []struct {
		name   string
		review sources.Review
		edited bool
	}{
		{"original", rev("a", 3, "ok-ish"), false},
		{"stars down", rev("a", 1, "ok-ish"), true},
		{"text edited", rev("a", 1, "worse than I said"), true},
		{"unchanged", rev("a", 1, "worse than I said"), false},
	}
	for _, s := range steps {
		var ch Change
		if _, err := db.Commit(ctx, listing, obs(nil, s.review), func(c Change) []Alert { ch = c; return nil }); err != nil {
			t.Fatal(err)
		}
		if got := len(ch.Edited) == 1; got != s.edited {
			t.Errorf("%s: edited = %v, want %v", s.name, got, s.edited)
		}
	}
	var versions int
	db.bolt.View(func(tx *bolt.Tx) error {
		b, _ := nested(tx, bVersions, listing.ID, false)
		versions = b.Stats().KeyN
		return nil
	})
	if versions != 2 {
		t.Errorf("kept %d earlier versions, want 2", versions)
	}
	var got []StoredReview
	db.Reviews(ctx, listing.ID, func(r StoredReview) error { got = append(got, r); return nil })
	if len(got) != 1 || got[0].Versions != 2 || *got[0].Rating != 1 || got[0].Text != "worse than I said" {
		t.Errorf("current review = %+v", got)
	}
}

func TestRemovalsOnlyFromCompleteObservations(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	all := obs(nil, rev("a", 5, "x"), rev("b", 4, "y"), rev("old", 2, "z"))
	db.Commit(ctx, listing, all, nil)

	partial := obs(nil, rev("a", 5, "x"))
	var ch Change
	db.Commit(ctx, listing, partial, func(c Change) []Alert { ch = c; return nil })
	if len(ch.Removed) != 0 {
		t.Fatalf("an incomplete observation removed %d reviews", len(ch.Removed))
	}
	complete := obs(nil, rev("a", 5, "x"))
	complete.Complete = true
	complete.Since = rev("b", 0, "").Published // "old" (id length 3) was published after since; "b" too
	complete.Since = time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC)
	db.Commit(ctx, listing, complete, func(c Change) []Alert { ch = c; return nil })
	if len(ch.Removed) != 1 || ch.Removed[0].ID != "old" {
		t.Fatalf("removed = %+v, want only \"old\" (b is older than the window)", ch.Removed)
	}
	db.Commit(ctx, listing, complete, func(c Change) []Alert { ch = c; return nil })
	if len(ch.Removed) != 0 {
		t.Fatalf("a removal is recorded once")
	}
	if n, _ := db.CountReviews(ctx, listing.ID); n != 3 {
		t.Fatalf("removed reviews stay stored: %d", n)
	}
}

func TestDetailsChangeAndCursor(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	o := obs(nil)
	o.Details = &sources.Details{Name: "Luna", Phone: "+39 1"}
	var ch Change
	db.CommitPage(ctx, listing, o, "page-2", func(c Change) []Alert { ch = c; return nil })
	if ch.DetailsBefore != nil {
		t.Fatal("first details are a baseline")
	}
	st, _ := db.State(ctx, listing.ID)
	if st.BackfillCursor != "page-2" {
		t.Fatalf("cursor = %q", st.BackfillCursor)
	}
	o.Details = &sources.Details{Name: "Luna", Phone: "+39 2"}
	db.CommitPage(ctx, listing, o, "", func(c Change) []Alert { ch = c; return nil })
	if ch.DetailsBefore == nil || ch.DetailsBefore.Phone != "+39 1" {
		t.Fatalf("phone change not seen: %+v", ch.DetailsBefore)
	}
	if st, _ := db.State(ctx, listing.ID); st.BackfillCursor != "" {
		t.Fatalf("finished backfill keeps cursor %q", st.BackfillCursor)
	}
}

func TestPurgeText(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	db.Commit(ctx, listing, obs(nil, rev("a", 2, "cold soup")), nil)
	cutoff := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	n, err := db.PurgeText(ctx, listing.ID, cutoff)
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	var ch Change
	db.Commit(ctx, listing, obs(nil, rev("a", 2, "cold soup")), func(c Change) []Alert { ch = c; return nil })
	if len(ch.New)+len(ch.Edited) != 0 {
		t.Fatalf("a purged review seen again is neither new nor edited: %+v", ch)
	}
	var got []StoredReview
	db.Reviews(ctx, listing.ID, func(r StoredReview) error { got = append(got, r); return nil })
	if got[0].Text != "" || !got[0].TextPurged || *got[0].Rating != 2 {
		t.Fatalf("after purge: %+v", got[0])
	}
}
