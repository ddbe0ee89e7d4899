package watcher

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
)

// Drafts acts on reply drafts for people (Slack buttons, the CLI) and for
// revwatch itself (publishing, reminders, noticing a manual post). It
// satisfies notify.Actions.
type Drafts struct {
	w       *Watcher
	targets map[string]*Target // into the slice NewDrafts got: one copy of each
	// Kick wakes the dispatcher after a change (message updates).
	Kick func()
	// OnApprove, when set, runs after an approval (the daemon publishes at once).
	OnApprove func()
	now       func() time.Time
}

// NewDrafts returns draft actions over the watcher's store and targets.
func (w *Watcher) NewDrafts(targets []Target) *Drafts {
	m := make(map[string]*Target, len(targets))
	for i := range targets {
		m[targets[i].Info.ID] = &targets[i]
	}
	return &Drafts{w: w, targets: m, now: time.Now}
}

// target is a listing's target; the zero Target for a listing no longer
// in the config.
func (d *Drafts) target(listing string) Target {
	if t, ok := d.targets[listing]; ok {
		return *t
	}
	return Target{}
}

// Draft returns a draft.
func (d *Drafts) Draft(ctx context.Context, id uint64) (store.Draft, error) {
	return d.w.db.Draft(ctx, id)
}

// Act applies a person's action. Approving a draft for a platform without
// a reply API marks it "approved - post manually"; regenerate writes the
// next variant of the draft from the stored review.
func (d *Drafts) Act(ctx context.Context, ev store.DraftEvent) (store.Draft, error) {
	cur, err := d.w.db.Draft(ctx, ev.DraftID)
	if err != nil {
		return store.Draft{}, err
	}
	t, ok := d.targets[cur.Listing]
	if !ok {
		return store.Draft{}, fmt.Errorf("draft %d: listing %q is no longer in the config", cur.ID, cur.Listing)
	}
	switch ev.Action {
	case store.ActionApprove:
		ev.Manual = !t.Info.CanReply
	case store.ActionRegenerate:
		rv, err := d.w.db.Review(ctx, cur.Listing, cur.ReviewID)
		if err != nil {
			return store.Draft{}, err
		}
		if d.w.drafts == nil {
			return store.Draft{}, errors.New("no reply templates loaded")
		}
		next, err := d.w.drafts.Draft(templates.Request{Business: t.Business, Review: rv.Review, Platform: t.Info.PlatformLabel, Variant: cur.Variant + 1})
		if err != nil {
			return store.Draft{}, err
		}
		ev.Text, ev.Variant = next.Text, cur.Variant+1
	}
	out, err := d.w.db.ApplyDraftEvent(ctx, ev)
	if err != nil {
		return out, err
	}
	if d.Kick != nil {
		d.Kick()
	}
	if ev.Action == store.ActionApprove && d.OnApprove != nil {
		d.OnApprove()
	}
	return out, nil
}

// Publish posts approved drafts through their platform's reply API and
// records the outcome (posted, or the platform's reason for refusing:
// approving again retries). A reply API call is idempotent, so a crash
// between the call and the record never posts twice.
func (d *Drafts) Publish(ctx context.Context) error {
	due, err := d.w.db.DraftsWhere(ctx, func(dr store.Draft) bool {
		return dr.Status == store.DraftApproved && dr.Publish.State == "pending"
	})
	if err != nil {
		return err
	}
	for _, dr := range due {
		t, ok := d.targets[dr.Listing]
		if !ok {
			continue
		}
		rp, can := t.Source.(sources.Replier)
		if !can || !rp.CanReply(*t.Listing) {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := rp.Reply(pctx, *t.Listing, dr.ReviewID, dr.Text)
		cancel()
		ev := store.DraftEvent{DraftID: dr.ID, Action: store.ActionPosted, By: "revwatch", Note: "Posted on " + t.Info.PlatformLabel}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			d.w.log.Warn("publishing a reply failed", "listing", dr.Listing, "review_id", dr.ReviewID, "err", err)
			ev = store.DraftEvent{DraftID: dr.ID, Action: store.ActionPublishFailed, By: "revwatch", Note: err.Error()}
		}
		if _, err := d.w.db.ApplyDraftEvent(context.WithoutCancel(ctx), ev); err != nil {
			return err
		}
		if d.Kick != nil {
			d.Kick()
		}
	}
	return nil
}

// Remind adds one reminder to the thread of each draft still pending
// after `after` (P1: respond fast).
func (d *Drafts) Remind(ctx context.Context, after time.Duration) error {
	if after <= 0 {
		return nil
	}
	now := d.now()
	due, err := d.w.db.DraftsWhere(ctx, func(dr store.Draft) bool {
		return dr.Status == store.DraftPending && dr.PendingSince(now) >= after && !dr.Reminded()
	})
	if err != nil {
		return err
	}
	for _, dr := range due {
		note := fmt.Sprintf("This review has waited %s for a reply.", after)
		if _, err := d.w.db.ApplyDraftEvent(ctx, store.DraftEvent{DraftID: dr.ID, Action: store.ActionRemind, By: "revwatch", Note: note}); err != nil {
			return err
		}
	}
	if len(due) > 0 && d.Kick != nil {
		d.Kick()
	}
	return nil
}

// SeenReplies marks approved (or pending) drafts as posted when a poll
// shows the business's reply on their review: how a manual post is noticed.
func (d *Drafts) SeenReplies(ctx context.Context, listing string, reviews []sources.Review) error {
	replied := map[string]bool{}
	for _, r := range reviews {
		if r.Reply != nil && r.Reply.Text != "" {
			replied[r.ID] = true
		}
	}
	if len(replied) == 0 {
		return nil
	}
	open, err := d.w.db.DraftsWhere(ctx, func(dr store.Draft) bool {
		return dr.Listing == listing && replied[dr.ReviewID] && dr.Status == store.DraftApproved && dr.Publish.State != "done"
	})
	if err != nil {
		return err
	}
	for _, dr := range open {
		t := d.target(listing)
		if _, err := d.w.db.ApplyDraftEvent(ctx, store.DraftEvent{DraftID: dr.ID, Action: store.ActionPosted, By: "revwatch",
			Note: "The reply now shows on " + t.Info.PlatformLabel}); err != nil {
			return err
		}
	}
	if len(open) > 0 && d.Kick != nil {
		d.Kick()
	}
	return nil
}

// Check returns the guideline checker's findings for a text a person wrote
// for a draft ("G5: you should have"), in the draft's language.
func (d *Drafts) Check(ctx context.Context, draftID uint64, text string) ([]string, error) {
	cur, err := d.w.db.Draft(ctx, draftID)
	if err != nil {
		return nil, err
	}
	if d.w.drafts == nil {
		return nil, nil
	}
	t := d.target(cur.Listing)
	var out []string
	for _, f := range d.w.drafts.CheckForm(text, cur.Language, templates.FormComplaint, t.Info.PlatformLabel, t.Business) {
		msg := f.Rule + ": " + strings.Join(f.Words, ", ")
		if len(f.Words) == 0 {
			msg = f.Rule + ": " + f.Message
		}
		out = append(out, msg)
	}
	return out, nil
}
