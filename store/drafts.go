package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrConflict: the action isn't possible in the draft's current state
// (approving a rejected draft, editing a posted one).
var ErrConflict = errors.New("not possible in the draft's current state")

// Draft returns one draft by id.
func (db *DB) Draft(ctx context.Context, id uint64) (Draft, error) {
	var d Draft
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		d, err = getDraft(tx, id)
		return err
	})
	return d, err
}

// Alert returns one outbox row by id.
func (db *DB) Alert(ctx context.Context, id uint64) (Alert, error) {
	var a Alert
	err := db.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bOutbox).Get(u64(id))
		if v == nil {
			return fmt.Errorf("store: alert %d: %w", id, ErrNotFound)
		}
		return json.Unmarshal(v, &a)
	})
	return a, err
}

func getDraft(tx *bolt.Tx, id uint64) (Draft, error) {
	var d Draft
	v := tx.Bucket(bDrafts).Get(u64(id))
	if v == nil {
		return d, fmt.Errorf("store: draft %d: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal(v, &d); err != nil {
		return d, fmt.Errorf("store: draft %d: %w", id, err)
	}
	return d, nil
}

// allowed lists, per action, the states it may start from.
var allowed = map[DraftAction][]DraftStatus{
	ActionApprove:       {DraftPending},
	ActionReject:        {DraftPending, DraftApproved},
	ActionEdit:          {DraftPending, DraftApproved},
	ActionRegenerate:    {DraftPending},
	ActionPosted:        {DraftApproved, DraftPending},
	ActionPublishFailed: {DraftApproved},
	ActionRemind:        {DraftPending},
}

// ApplyDraftEvent changes a draft and, in the same transaction, queues a
// KindDraftUpdate row so the draft's message is edited in place and the
// step recorded in its thread (P2). Actions impossible in the draft's
// state are ErrConflict and change nothing. An approval of a draft on a
// platform with a reply API sets Publish.State "pending" for the publisher.
func (db *DB) ApplyDraftEvent(ctx context.Context, ev DraftEvent) (Draft, error) {
	var out Draft
	err := db.update(ctx, func(tx *bolt.Tx) error {
		now := db.now().UTC()
		d, err := getDraft(tx, ev.DraftID)
		if err != nil {
			return err
		}
		ok := false
		for _, st := range allowed[ev.Action] {
			ok = ok || d.Status == st
		}
		if ev.Action == ActionApprove && d.Status == DraftApproved && d.Publish.State == "failed" {
			ok = true // approving again retries a failed publish
		}
		if !ok {
			return fmt.Errorf("store: %s draft %d: it is %s: %w", ev.Action, d.ID, d.Status, ErrConflict)
		}
		switch ev.Action {
		case ActionApprove:
			d.Status, d.Manual = DraftApproved, ev.Manual
			if !ev.Manual {
				d.Publish = Publish{State: "pending"}
			}
		case ActionReject:
			d.Status, d.Publish = DraftRejected, Publish{}
		case ActionEdit:
			if ev.Text == "" {
				return fmt.Errorf("store: edit draft %d: empty text", d.ID)
			}
			// An edit after approval needs approving again.
			d.Text, d.Edited, d.Status, d.Publish = ev.Text, true, DraftPending, Publish{}
		case ActionRegenerate:
			if ev.Text == "" {
				return fmt.Errorf("store: regenerate draft %d: empty text", d.ID)
			}
			d.Text, d.Variant, d.Edited = ev.Text, ev.Variant, false
		case ActionPosted:
			d.Status, d.Publish.State, d.Publish.At, d.Publish.LastError = DraftPosted, "done", now, ""
		case ActionPublishFailed:
			d.Publish.State, d.Publish.LastError = "failed", ev.Note
			d.Publish.Attempts++
		case ActionRemind:
		}
		if ev.Action != ActionRemind && ev.Action != ActionPublishFailed {
			d.UpdatedBy, d.Updated = ev.By, now
		}
		d.History = append(d.History, Step{Action: ev.Action, By: ev.By, At: now, Note: ev.Note})
		if err := putJSON(tx.Bucket(bDrafts), u64(d.ID), d); err != nil {
			return err
		}
		up := Alert{
			Kind:   KindDraftUpdate,
			Key:    "draft:" + strconv.FormatUint(d.ID, 10) + ":" + strconv.Itoa(len(d.History)),
			Update: &Update{DraftID: d.ID, Action: ev.Action, By: ev.By, At: now, Note: ev.Note},
		}
		if orig := tx.Bucket(bOutbox).Get(u64(d.AlertID)); orig != nil {
			var a Alert
			if json.Unmarshal(orig, &a) == nil {
				up.Business, up.Listing, up.Review, up.Urgent = a.Business, a.Listing, a.Review, a.Urgent
			}
		}
		if _, err := enqueue(tx, []Alert{up}, now); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// DraftsWhere streams drafts matching keep, oldest first (for the
// publisher and reminders).
func (db *DB) DraftsWhere(ctx context.Context, keep func(Draft) bool) ([]Draft, error) {
	var out []Draft
	err := db.Drafts(ctx, "", func(d Draft) error {
		if keep(d) {
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Reminded reports whether a draft already got its reminder.
func (d Draft) Reminded() bool {
	for _, s := range d.History {
		if s.Action == ActionRemind {
			return true
		}
	}
	return false
}

// PendingSince is how long a pending draft has waited at now.
func (d Draft) PendingSince(now time.Time) time.Duration { return now.Sub(d.Created) }
