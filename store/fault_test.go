package store

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/revwatch/revwatch/sources"
)

// A commit that fails at the end (as bbolt's write does on a full disk)
// leaves nothing behind: no review, no state change, no alert; the same
// commit succeeds once writes do.
func TestCommitFaultRollsBack(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	l := ListingInfo{ID: "l", Business: "b", Platform: "schemaorg"}
	if _, err := db.Commit(ctx, l, obs(&sources.Rating{Value: 4.5, Count: 1}, rev("a", 5, "fine")), nil); err != nil {
		t.Fatal(err)
	}
	decide := func(ch Change) []Alert {
		var out []Alert
		for _, r := range ch.New {
			out = append(out, Alert{Key: "neg/" + r.ID, Kind: KindNegativeReview, Listing: ListingRef{ID: l.ID}})
		}
		return out
	}
	db.SetCommitFault(func() error { return fmt.Errorf("write: %w", syscall.ENOSPC) })
	next := obs(&sources.Rating{Value: 3, Count: 2}, rev("a", 5, "fine"), rev("b", 1, "bad"))
	if _, err := db.Commit(ctx, l, next, decide); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("commit on a full disk: %v, want ENOSPC", err)
	}
	if _, err := db.CommitFailure(ctx, l, "network", "down", nil); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("failure commit on a full disk: %v, want ENOSPC", err)
	}
	if err := db.Ping(ctx); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Ping on a full disk: %v, want ENOSPC", err)
	}
	n, _ := db.CountReviews(ctx, "l")
	st, _ := db.State(ctx, "l")
	pending, _ := db.Pending(ctx)
	if n != 1 || st.Rating == nil || st.Rating.Value != 4.5 || st.Failures != 0 || pending != 0 {
		t.Fatalf("after refused commits: %d reviews, state %+v, %d alerts pending; want the first commit only", n, st, pending)
	}
	db.SetCommitFault(nil)
	q, err := db.Commit(ctx, l, next, decide)
	if err != nil || len(q) != 1 {
		t.Fatalf("commit after recovery: %v, %d alerts", err, len(q))
	}
	if n, _ := db.CountReviews(ctx, "l"); n != 2 {
		t.Errorf("%d reviews after recovery, want 2", n)
	}
}
