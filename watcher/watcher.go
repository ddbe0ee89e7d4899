package watcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
)

// Target is one listing ready to poll: its config, its source and what the
// drafts need to know about its business.
type Target struct {
	// Listing points at the config's listing (never nil): one copy for
	// the config and the daemon.
	Listing  *sources.Listing
	Info     store.ListingInfo
	Source   sources.Source
	Business templates.Business
	// Retention, when set, is how long review text may be kept (a
	// platform's terms); older text is blanked after each poll.
	Retention time.Duration
	// Limit states what the platform gives at most (shown by backfill).
	Limit string
}

// Result sums up one poll.
type Result struct {
	Listing string
	New     int           // reviews stored for the first time
	Edited  int           // reviews whose stars or text changed
	Removed int           // reviews a complete listing stopped showing
	Alerts  []store.Alert // alerts queued
	Err     error         // the fetch failed (recorded as a failure)
}

// Watcher polls listings and commits what it finds.
type Watcher struct {
	db     *store.DB
	rules  Rules
	drafts *templates.Set
	log    *slog.Logger
	// OnCommit, when set, runs after alerts were queued (the dispatcher's Kick).
	OnCommit func()
	// OnPoll, when set, sees every poll's outcome (metrics): the fetch
	// error (nil on success) and how long the poll took.
	OnPoll func(t Target, res Result, took time.Duration)
	// OnReplies, when set, gets the reviews a poll found newly answered by
	// the business (Drafts.SeenReplies marks their drafts posted).
	OnReplies func(ctx context.Context, listing string, reviews []sources.Review) error
	// topics remembers review topics across polls (insight rules).
	topics topicCache
}

// New returns a Watcher. drafts may be nil (alerts then carry no draft).
func New(db *store.DB, rules Rules, drafts *templates.Set, log *slog.Logger) *Watcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{db: db, rules: rules, drafts: drafts, log: log}
}

// Poll fetches one listing and commits the result: reviews, rating,
// source state and alerts in one transaction. A failed fetch (or a page that
// can't be the listing) is recorded as a failure and returned in Result.Err;
// the error return is for store failures only.
func (w *Watcher) Poll(ctx context.Context, t Target, mode Mode) (res Result, err error) {
	if w.OnPoll != nil {
		start := time.Now()
		defer func() {
			if err == nil {
				w.OnPoll(t, res, time.Since(start))
			}
		}()
	}
	return w.poll(ctx, t, mode)
}

func (w *Watcher) poll(ctx context.Context, t Target, mode Mode) (Result, error) {
	log := w.log.With("listing", t.Info.ID, "platform", t.Info.Platform)
	res := Result{Listing: t.Info.ID}
	prev, err := w.db.State(ctx, t.Info.ID)
	if err != nil {
		return res, fmt.Errorf("poll %s: %w", t.Info.ID, err)
	}
	opts := sources.Options{Backfill: mode == Backfill || mode == FullSync}
	if prev.Baseline {
		opts.Known = func(id string) bool {
			ok, _ := w.db.HasReview(ctx, t.Info.ID, id)
			return ok
		}
	}
	start := time.Now()
	obs, ferr := t.Source.Fetch(ctx, *t.Listing, opts)
	if errors.Is(ferr, sources.ErrNotModified) {
		// The platform says nothing changed: a success with no news.
		obs, ferr = sources.Observation{At: time.Now().UTC()}, nil
	} else if ferr == nil {
		if why := implausible(prev, obs); why != "" {
			ferr = fmt.Errorf("%w: %s", sources.ErrLayout, why)
		}
	}
	if ferr != nil {
		if ctx.Err() != nil {
			// Shutting down: an abandoned poll is not a source failure.
			return res, fmt.Errorf("poll %s: %w", t.Info.ID, ctx.Err())
		}
		res.Err = fmt.Errorf("poll %s: %w", t.Info.ID, ferr)
		if mode == Backfill {
			return res, nil
		}
		queued, err := w.db.CommitFailure(context.WithoutCancel(ctx), t.Info, sources.FailureKind(ferr), ferr.Error(), func(st store.State) []store.Alert {
			if t.quiet() {
				return nil
			}
			return w.rules.EvaluateFailure(t.Info, st)
		})
		if err != nil {
			return res, err
		}
		log.Warn("poll failed", "kind", sources.FailureKind(ferr), "err", ferr, "duration", time.Since(start))
		res.Alerts = queued
		w.committed(queued)
		return res, nil
	}
	obs.Listing, obs.Platform = t.Info.ID, t.Info.Platform
	var changed store.Change
	recent := w.recentDrafts(ctx, t.Info.ID, 10)
	// The commit must not be abandoned half-way by a shutdown: bbolt makes it
	// atomic anyway, and finishing it keeps the fetch's work.
	help := w.helpers(t, recent)
	queued, err := w.db.Commit(context.WithoutCancel(ctx), t.Info, obs, func(ch store.Change) []store.Alert {
		changed = ch
		if t.quiet() {
			return nil
		}
		alerts, ierr := w.rules.Insights(ch, mode, w.rules.Evaluate(ch, mode, w.drafter(t, recent)), help)
		if ierr != nil {
			// A history the rules can't read must not cost the review alerts.
			log.Error("insight rules failed", "err", ierr)
		}
		return alerts
	})
	if err != nil {
		return res, err
	}
	if obs.Stored != nil {
		obs.Stored() // only now may an unchanged page skip the next parse
	}
	res.New, res.Edited, res.Removed, res.Alerts = len(changed.New), len(changed.Edited), len(changed.Removed), queued
	log.Info("polled", "reviews", len(obs.Reviews), "new", res.New, "edited", res.Edited, "removed", res.Removed, "alerts", len(queued), "baseline", changed.Baseline(), "duration", time.Since(start))
	w.committed(queued)
	if w.OnReplies != nil {
		var replied []sources.Review
		for _, r := range changed.New {
			if r.Reply != nil {
				replied = append(replied, r)
			}
		}
		for _, e := range changed.Edited {
			if e.After.Reply != nil && e.Before.Reply == nil {
				replied = append(replied, e.After)
			}
		}
		if err := w.OnReplies(context.WithoutCancel(ctx), t.Info.ID, replied); err != nil {
			return res, err
		}
	}
	return res, w.purge(ctx, t)
}

// purge blanks review text older than the target's retention.
func (w *Watcher) purge(ctx context.Context, t Target) error {
	if t.Retention <= 0 {
		return nil
	}
	n, err := w.db.PurgeText(context.WithoutCancel(ctx), t.Info.ID, time.Now().Add(-t.Retention))
	if n > 0 {
		w.log.Info("review text purged (platform terms)", "listing", t.Info.ID, "reviews", n, "retention", t.Retention)
	}
	return err
}

// Progress reports a backfill's advance: pages and reviews so far.
type Progress func(pages, reviews int)

// Backfill stores a listing's history without alerts. A source that can
// page (sources.Backfiller) is committed in batches of consecutive pages
// (backfillBatchReviews reviews or backfillBatchAge, whichever comes
// first), each batch with the resume cursor of its last page in one
// transaction, so an interrupted backfill continues at or before the
// first page it did not store: nothing is skipped, and the pages read
// again are deduplicated by the store. Others get one deep fetch. since
// (zero: no limit) stops at older reviews.
func (w *Watcher) Backfill(ctx context.Context, t Target, since time.Time, progress Progress) (Result, error) {
	bf, ok := t.Source.(sources.Backfiller)
	if !ok {
		res, err := w.Poll(ctx, t, Backfill)
		if progress != nil && err == nil && res.Err == nil {
			progress(1, res.New)
		}
		return res, err
	}
	res := Result{Listing: t.Info.ID}
	st, err := w.db.State(ctx, t.Info.ID)
	if err != nil {
		return res, fmt.Errorf("backfill %s: %w", t.Info.ID, err)
	}
	if st.BackfillCursor != "" {
		w.log.Info("resuming backfill", "listing", t.Info.ID, "cursor", st.BackfillCursor)
	}
	// A committer goroutine stores batch after batch while the source
	// reads the next pages: decoding and committing overlap. After a
	// failed commit it stores nothing more, so the cursor never passes a
	// page that is not stored.
	commits := make(chan []store.Page, 1)
	committed := make(chan error, 1)
	var failed atomic.Bool
	go func() {
		var cerr error
		pages := 0
		for batch := range commits {
			if cerr != nil {
				continue
			}
			var added, edited int
			queued, err := w.db.CommitPages(context.WithoutCancel(ctx), t.Info, batch, func(c store.Change) []store.Alert {
				added, edited = added+len(c.New), edited+len(c.Edited)
				return w.rules.Evaluate(c, Backfill, nil)
			})
			if err != nil {
				cerr = err
				failed.Store(true)
				continue
			}
			pages += len(batch)
			res.New, res.Edited = res.New+added, res.Edited+edited
			res.Alerts = append(res.Alerts, queued...)
			if progress != nil {
				progress(pages, res.New)
			}
		}
		committed <- cerr
	}()
	var batch []store.Page
	var batchReviews int
	var batchStart time.Time
	ferr := bf.Backfill(ctx, *t.Listing, since, st.BackfillCursor, func(obs sources.Observation, next string) error {
		if failed.Load() {
			return errors.New("a commit failed")
		}
		obs.Listing, obs.Platform = t.Info.ID, t.Info.Platform
		if len(batch) == 0 {
			batchStart = time.Now()
		}
		batch = append(batch, store.Page{Obs: obs, Next: next})
		batchReviews += len(obs.Reviews)
		// Two fsyncs a page kept the ingest waiting on the disk
		// (BENCHMARKS.md, "backfill ingest"); a batch shares them. The
		// age bound keeps a slow source's pages from waiting long.
		if batchReviews >= backfillBatchReviews || next == "" || time.Since(batchStart) >= backfillBatchAge {
			commits <- batch
			batch, batchReviews = nil, 0
		}
		return nil
	})
	if len(batch) > 0 {
		commits <- batch // pages read before an error or a cancel are kept
	}
	close(commits)
	if cerr := <-committed; cerr != nil {
		ferr = cerr // the first thing that went wrong
	}
	if ferr != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("backfill %s: interrupted; run it again to continue: %w", t.Info.ID, ctx.Err())
		}
		res.Err = fmt.Errorf("backfill %s: %w", t.Info.ID, ferr)
	}
	w.committed(res.Alerts)
	return res, w.purge(ctx, t)
}

// A backfill commits its pages in batches of at most this many reviews,
// or of the pages read within this long.
const (
	backfillBatchReviews = 10000
	backfillBatchAge     = 2 * time.Second
)

func (w *Watcher) committed(queued []store.Alert) {
	if len(queued) > 0 && w.OnCommit != nil {
		w.OnCommit()
	}
}

// drafter writes the suggested reply for a negative review; recent are
// the listing's last drafts (read before the commit's transaction).
func (w *Watcher) drafter(t Target, recent []string) Drafter {
	if w.drafts == nil {
		return nil
	}
	draft := w.draftFor(t, recent)
	return func(r sources.Review) Suggestion { return draft(r, false) }
}

// draftFor writes a suggestion; repeat says the author complained before (T3).
func (w *Watcher) draftFor(t Target, recent []string) func(r sources.Review, repeat bool) Suggestion {
	return func(r sources.Review, repeat bool) Suggestion {
		d, err := w.drafts.Draft(templates.Request{Business: t.Business, Review: r, Platform: t.Info.PlatformLabel, Recent: recent, Repeat: repeat})
		if err != nil {
			// A broken override template must not cost the alert itself.
			w.log.Error("draft failed", "listing", t.Info.ID, "review_id", r.ID, "err", err)
			return Suggestion{}
		}
		s := Suggestion{Urgent: d.Urgent, Guidance: d.Guidance}
		if !d.Escalate && d.Text != "" {
			s.Draft = &store.Draft{Listing: t.Info.ID, ReviewID: r.ID, Text: d.Text, Language: d.Language}
			recent = append([]string{d.Text}, recent...)
		}
		return s
	}
}

// helpers lend the templates to the insight rules: topic detection, and a
// draft that knows the reviewer came back (none without templates).
func (w *Watcher) helpers(t Target, recent []string) Helpers {
	if w.drafts == nil {
		return Helpers{}
	}
	return Helpers{
		Topics:  w.topics.wrap(t.Business.Language, func(r sources.Review) []string { return w.drafts.ReviewTopics(r, t.Business.Language) }),
		Redraft: w.draftFor(t, recent),
	}
}

// recentDrafts are the texts of a listing's last n drafts, newest first,
// so a new draft avoids their sentences where it can (G10).
func (w *Watcher) recentDrafts(ctx context.Context, listing string, n int) []string {
	ds, err := w.db.DraftsWhere(ctx, func(d store.Draft) bool { return d.Listing == listing })
	if err != nil {
		return nil
	}
	var out []string
	for i := len(ds) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, ds[i].Text)
	}
	return out
}
