package store

import (
	"context"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestCommitPages commits a backfill batch: each page is decided in
// order, the cursor is the last page's, and a page committed again (a
// resumed backfill re-reading it) adds nothing.
func TestCommitPages(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	pages := []Page{
		{Obs: obs(nil, rev("a", 5, "x"), rev("b", 4, "y")), Next: "p2"},
		{Obs: obs(nil, rev("c", 3, "z")), Next: "p3"},
	}
	var news [][]string
	decide := func(c Change) []Alert {
		var ids []string
		for _, r := range c.New {
			ids = append(ids, r.ID)
		}
		news = append(news, ids)
		return nil
	}
	if _, err := db.CommitPages(ctx, listing, pages, decide); err != nil {
		t.Fatal(err)
	}
	if len(news) != 2 || len(news[0]) != 2 || len(news[1]) != 1 || news[1][0] != "c" {
		t.Fatalf("decided %v, want [[a b] [c]]", news)
	}
	if st, _ := db.State(ctx, listing.ID); st.BackfillCursor != "p3" {
		t.Fatalf("cursor %q, want the last page's p3", st.BackfillCursor)
	}
	news = nil
	if _, err := db.CommitPages(ctx, listing, pages[1:], decide); err != nil {
		t.Fatal(err)
	}
	if len(news) != 1 || len(news[0]) != 0 {
		t.Fatalf("a page read again stored %v anew", news)
	}
	if n, _ := db.CountReviews(ctx, listing.ID); n != 3 {
		t.Fatalf("stored %d reviews, want 3", n)
	}
}

// TestReviewIDsOldIndex reads a review_ids entry written before the index
// kept only the key's time prefix: the whole key still finds the review,
// and an edit is an edit, not a second copy.
func TestReviewIDsOldIndex(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	r := rev("a", 5, "x")
	if _, err := db.Commit(ctx, listing, obs(nil, r), nil); err != nil {
		t.Fatal(err)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ids, _ := nested(tx, bReviewIDs, listing.ID, false)
		v := ids.Get([]byte("a"))
		if len(v) != 8 {
			t.Errorf("index value is %d bytes, want the 8-byte prefix", len(v))
		}
		return ids.Put([]byte("a"), append(append([]byte(nil), v...), "a"...))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Review(ctx, listing.ID, "a")
	if err != nil || got.Text != "x" {
		t.Fatalf("old index entry: %+v, %v", got, err)
	}
	r.Text = "x, edited"
	var ch Change
	if _, err := db.Commit(ctx, listing, obs(nil, r), func(c Change) []Alert { ch = c; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(ch.Edited) != 1 || len(ch.New) != 0 {
		t.Fatalf("edit through an old index entry: new %d, edited %d", len(ch.New), len(ch.Edited))
	}
	if n, _ := db.CountReviews(ctx, listing.ID); n != 1 {
		t.Fatalf("stored %d reviews, want 1", n)
	}
	if got, _ := db.Review(ctx, listing.ID, "a"); got.Text != "x, edited" {
		t.Fatalf("after the edit: %q", got.Text)
	}
}

// TestReleaseMapped drops the mapped pages between reads and writes:
// nothing read or written afterwards differs.
func TestReleaseMapped(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	for i := range 3 {
		r := rev(string(rune('a'+i)), 5, strings.Repeat("x", 3000))
		if _, err := db.Commit(ctx, listing, obs(nil, r), nil); err != nil {
			t.Fatal(err)
		}
		if err := db.ReleaseMapped(); err != nil {
			t.Fatal(err)
		}
		got, err := db.Review(ctx, listing.ID, r.ID)
		if err != nil || got.Text != r.Text {
			t.Fatalf("after a release: %q, %v", got.Text, err)
		}
	}
	if n, _ := db.CountReviews(ctx, listing.ID); n != 3 {
		t.Fatalf("stored %d reviews, want 3", n)
	}
}
