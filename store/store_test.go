package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
)

// mustOpen opens a real store in a temp dir with a fixed clock.
func mustOpen(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "test.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetClock(func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) })
	return db
}

var listing = ListingInfo{ID: "luna-site", Business: "luna", Platform: "schemaorg", PlatformLabel: "Website"}

func obs(rating *sources.Rating, reviews ...sources.Review) sources.Observation {
	return sources.Observation{Listing: listing.ID, Platform: "schemaorg", At: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), Rating: rating, Reviews: reviews}
}

func rev(id string, stars float64, text string) sources.Review {
	return sources.Review{ID: id, Author: "A " + id, Rating: sources.Stars(stars), Text: text, Published: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(len(id)) * time.Hour)}
}

func TestOpenInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, ro := range []bool{false, true} {
		_, err := Open(path, Options{ReadOnly: ro, LockTimeout: 50 * time.Millisecond})
		if !errors.Is(err, ErrInUse) {
			t.Errorf("second open (readonly=%v): err = %v, want ErrInUse", ro, err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("store file mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestOpenReadOnlyMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.db"), Options{ReadOnly: true})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestCommitDiff(t *testing.T) {
	ctx := context.Background()
	type step struct {
		name       string
		obs        sources.Observation
		wantNew    []string
		wantEdited []string
		baseline   bool
	}
	steps := []step{
		{"first poll is the baseline", obs(&sources.Rating{Value: 4.6, Count: 10}, rev("a", 5, "great"), rev("b", 4, "good")), []string{"a", "b"}, nil, true},
		{"unchanged page changes nothing", obs(&sources.Rating{Value: 4.6, Count: 10}, rev("a", 5, "great"), rev("b", 4, "good")), nil, nil, false},
		{"a new review", obs(&sources.Rating{Value: 4.5, Count: 11}, rev("c", 1, "cold"), rev("a", 5, "great")), []string{"c"}, nil, false},
		{"an edited review", obs(&sources.Rating{Value: 4.5, Count: 11}, rev("c", 3, "cold, but they called me"), rev("a", 5, "great")), nil, []string{"c"}, false},
		{"duplicates in one page are stored once", obs(nil, rev("d", 2, "x"), rev("d", 2, "x")), []string{"d"}, nil, false},
	}
	db := mustOpen(t)
	for i, s := range steps {
		s.obs.At = s.obs.At.Add(time.Duration(i) * time.Hour)
		t.Run(s.name, func(t *testing.T) {
			var got Change
			_, err := db.Commit(ctx, listing, s.obs, func(ch Change) []Alert { got = ch; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if got.Baseline() != s.baseline {
				t.Errorf("Baseline = %v, want %v", got.Baseline(), s.baseline)
			}
			if g := ids(got.New); !equal(g, s.wantNew) {
				t.Errorf("New = %v, want %v", g, s.wantNew)
			}
			var edited []sources.Review
			for _, e := range got.Edited {
				edited = append(edited, e.After)
			}
			if g := ids(edited); !equal(g, s.wantEdited) {
				t.Errorf("Edited = %v, want %v", g, s.wantEdited)
			}
		})
	}
	n, _ := db.CountReviews(ctx, listing.ID)
	if n != 4 {
		t.Errorf("stored %d reviews, want 4 (a, b, c, d)", n)
	}
	var listed []string
	db.Reviews(ctx, listing.ID, func(r StoredReview) error { listed = append(listed, r.ID); return nil })
	if len(listed) != 4 {
		t.Errorf("Reviews listed %v, want 4 entries", listed)
	}
	var snaps []Snapshot
	db.Ratings(ctx, listing.ID, func(s Snapshot) error { snaps = append(snaps, s); return nil })
	if len(snaps) != 2 || snaps[0].Rating != 4.6 || snaps[1].Rating != 4.5 {
		t.Errorf("snapshots = %+v, want 4.6 then 4.5 (unchanged polls add none)", snaps)
	}
	st, _ := db.State(ctx, listing.ID)
	if st.Rating == nil || st.Rating.Value != 4.5 {
		t.Errorf("state keeps the last rating seen when a poll shows none: %+v", st.Rating)
	}
}

func TestOutboxDedupAndDelivery(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	decide := func(Change) []Alert {
		return []Alert{{Key: "review:luna-site:c", Kind: KindNegativeReview, Draft: &Draft{Listing: listing.ID, ReviewID: "c", Text: "Sorry"}}}
	}
	q1, err := db.Commit(ctx, listing, obs(nil, rev("c", 1, "x")), decide)
	if err != nil {
		t.Fatal(err)
	}
	q2, err := db.Commit(ctx, listing, obs(nil, rev("c", 1, "x")), decide)
	if err != nil {
		t.Fatal(err)
	}
	if len(q1) != 1 || len(q2) != 0 {
		t.Fatalf("queued %d then %d alerts, want 1 then 0 (same key)", len(q1), len(q2))
	}
	a := q1[0]
	if a.ID == 0 || a.Draft == nil || a.Draft.ID == 0 || a.Draft.Status != DraftPending {
		t.Fatalf("alert not numbered or draft not stored: %+v", a)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	due, _ := db.Due(ctx, now, 10)
	if len(due) != 1 {
		t.Fatalf("due = %d, want 1", len(due))
	}
	if err := db.Retry(ctx, a.ID, now.Add(time.Minute), "slack 500"); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.Due(ctx, now, 10); len(due) != 0 {
		t.Fatalf("a retried alert is not due before its time")
	}
	if due, _ := db.Due(ctx, now.Add(time.Minute), 10); len(due) != 1 || due[0].Delivery.Attempts != 1 {
		t.Fatalf("retried alert due later with 1 attempt: %+v", due)
	}
	if n, _ := db.Pending(ctx); n != 1 {
		t.Fatalf("pending = %d before delivery, want 1", n)
	}
	if err := db.Delivered(ctx, a.ID, Receipt{Notifier: "slack", Channel: "C1", TS: "1.2"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.Pending(ctx); n != 0 {
		t.Fatalf("pending = %d after delivery, want 0", n)
	}
	if due, _ := db.Due(ctx, now.Add(time.Hour), 10); len(due) != 0 {
		t.Fatalf("a delivered alert is never due again")
	}
	var drafts []Draft
	db.Drafts(ctx, "", func(d Draft) error { drafts = append(drafts, d); return nil })
	if len(drafts) != 1 || drafts[0].ReviewID != "c" {
		t.Fatalf("drafts = %+v", drafts)
	}
}

func TestCommitFailureStreak(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := db.Commit(ctx, listing, obs(&sources.Rating{Value: 4, Count: 3}, rev("a", 4, "ok")), nil); err != nil {
		t.Fatal(err)
	}
	broken := func(st State) []Alert {
		if st.Failures >= 3 && !st.BrokenAlerted {
			return []Alert{{Key: "broken:" + st.FailingSince.String(), Kind: KindSourceBroken}}
		}
		return nil
	}
	var total int
	for i := 1; i <= 5; i++ {
		q, err := db.CommitFailure(ctx, listing, "http_5xx", "HTTP 503", broken)
		if err != nil {
			t.Fatal(err)
		}
		total += len(q)
		st, _ := db.State(ctx, listing.ID)
		if st.Failures != i {
			t.Fatalf("failures = %d, want %d", st.Failures, i)
		}
	}
	if total != 1 {
		t.Fatalf("broken alerts = %d, want exactly 1", total)
	}
	if n, _ := db.CountReviews(ctx, listing.ID); n != 1 {
		t.Fatalf("failures must not touch reviews: %d stored", n)
	}
	st, _ := db.State(ctx, listing.ID)
	if st.Rating == nil || st.Rating.Value != 4 {
		t.Fatalf("failures must not touch the rating: %+v", st.Rating)
	}
	var prev State
	if _, err := db.Commit(ctx, listing, obs(&sources.Rating{Value: 4, Count: 3}), func(ch Change) []Alert { prev = ch.Prev; return nil }); err != nil {
		t.Fatal(err)
	}
	if !prev.BrokenAlerted || prev.Failures != 5 {
		t.Fatalf("recovery sees the streak: %+v", prev)
	}
	st, _ = db.State(ctx, listing.ID)
	if st.Failures != 0 || st.BrokenAlerted {
		t.Fatalf("success resets the streak: %+v", st)
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Commit(ctx, listing, obs(nil, rev("a", 5, "x")), nil)
	db.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, _ := ro.CountReviews(ctx, listing.ID); n != 1 {
		t.Fatalf("after reopen: %d reviews", n)
	}
}

func ids(rs []sources.Review) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
