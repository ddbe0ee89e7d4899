package watcher

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// replySource is a source whose reply API the test controls.
type replySource struct {
	fail    error
	replies map[string]string
}

func (s *replySource) Fetch(context.Context, sources.Listing, sources.Options) (sources.Observation, error) {
	return sources.Observation{}, errors.New("not used")
}
func (s *replySource) CanReply(sources.Listing) bool { return true }
func (s *replySource) Reply(_ context.Context, _ sources.Listing, id, text string) error {
	if s.fail != nil {
		return s.fail
	}
	s.replies[id] = text
	return nil
}

// draftFixture stores one negative review with a pending draft.
func draftFixture(t *testing.T, canReply bool) (*store.DB, *Drafts, *replySource, uint64) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "d.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src := &replySource{replies: map[string]string{}}
	info := store.ListingInfo{ID: "l", Business: "b", Platform: "google_business", PlatformLabel: "Google", CanReply: canReply}
	w := New(db, DefaultRules(), nil, nil)
	d := w.NewDrafts([]Target{{Listing: &sources.Listing{ID: "l"}, Info: info, Source: src}})
	obs := sources.Observation{At: t0, Reviews: []sources.Review{review("r1", sources.Stars(1), t0)}}
	q, err := db.Commit(context.Background(), info, obs, func(store.Change) []store.Alert {
		return []store.Alert{{Key: "k", Kind: store.KindNegativeReview, Draft: &store.Draft{Listing: "l", ReviewID: "r1", Text: "Sorry."}}}
	})
	if err != nil || len(q) != 1 {
		t.Fatal(err)
	}
	return db, d, src, q[0].Draft.ID
}

func TestDraftsPublishAndRetry(t *testing.T) {
	ctx := context.Background()
	db, d, src, id := draftFixture(t, true)
	if _, err := d.Act(ctx, store.DraftEvent{DraftID: id, Action: store.ActionApprove, By: "U1"}); err != nil {
		t.Fatal(err)
	}
	src.fail = errors.New("google_business: HTTP 503")
	if err := d.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	dr, _ := db.Draft(ctx, id)
	if dr.Status != store.DraftApproved || dr.Publish.State != "failed" || dr.Publish.LastError == "" {
		t.Fatalf("after a failed publish: %+v", dr)
	}
	if err := d.Publish(ctx); err != nil || len(src.replies) != 0 {
		t.Fatalf("a failed publish waits for a person to approve again")
	}
	src.fail = nil
	if _, err := d.Act(ctx, store.DraftEvent{DraftID: id, Action: store.ActionApprove, By: "U1"}); err != nil {
		t.Fatalf("approving again retries: %v", err)
	}
	d.Publish(ctx)
	d.Publish(ctx)
	dr, _ = db.Draft(ctx, id)
	if dr.Status != store.DraftPosted || src.replies["r1"] != "Sorry." || len(src.replies) != 1 {
		t.Fatalf("after publishing: %+v, replies %v", dr, src.replies)
	}
	if _, err := d.Act(ctx, store.DraftEvent{DraftID: id, Action: store.ActionApprove, By: "U1"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("approving a posted draft: err = %v, want ErrConflict", err)
	}
	var updates int
	db.Alerts(ctx, func(a store.Alert) error {
		if a.Kind == store.KindDraftUpdate {
			updates++
		}
		return nil
	})
	if updates != 4 { // approve, failed, approve, posted
		t.Errorf("%d message updates queued, want 4", updates)
	}
}

func TestDraftsManualRemindAndSeen(t *testing.T) {
	ctx := context.Background()
	db, d, _, id := draftFixture(t, false)
	d.now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	if err := d.Remind(ctx, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	d.Remind(ctx, 24*time.Hour)
	dr, _ := db.Draft(ctx, id)
	if !dr.Reminded() || len(dr.History) != 1 {
		t.Fatalf("one reminder, got history %+v", dr.History)
	}
	dr, err := d.Act(ctx, store.DraftEvent{DraftID: id, Action: store.ActionApprove, By: "U1"})
	if err != nil || !dr.Manual || dr.Publish.State != "" {
		t.Fatalf("approval on a platform without a reply API is manual: %+v %v", dr, err)
	}
	rv := review("r1", sources.Stars(1), t0)
	rv.Reply = &sources.Reply{Text: "Sorry."}
	if err := d.SeenReplies(ctx, "l", []sources.Review{rv}); err != nil {
		t.Fatal(err)
	}
	dr, _ = db.Draft(ctx, id)
	if dr.Status != store.DraftPosted {
		t.Fatalf("a reply seen on the page marks the draft posted: %+v", dr)
	}
}
