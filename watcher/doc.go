// Package watcher decides what is news: it polls listings through their
// sources, commits each observation to the store, and turns changes into
// alerts with pure rules.
//
// # Flow
//
//	cron tick (Scheduler) -> Watcher.Poll -> Source.Fetch
//	  ok:     store.Commit(obs, Rules.Evaluate)        reviews + snapshot + state + outbox, one tx
//	  failed: store.CommitFailure(err, EvaluateFailure) failure streak + maybe "source broken"
//
// The watcher never talks to Slack: alerts meet the notifier at the store's
// outbox, so a crash between the two loses nothing and repeats nothing.
//
// # Rules
//
//   - The first successful poll of a listing is a silent baseline; a
//     backfill never alerts.
//   - A new review at or below rules.negative_at_or_below stars alerts, with
//     a reply draft from the templates package.
//   - The aggregate falling by at least rules.rating_drop alerts (folded into
//     the review alert when both come from one poll).
//   - A failed poll, or a page that can't be the listing (no rating and no
//     reviews where it had them, a rating outside 1-5), is a source failure:
//     never a rating of 0 and never deleted reviews. After
//     rules.failures_before_alert in a row, one "source broken" alert; one
//     note on recovery.
//   - Insight rules (insights.go, Rules.Insights) then read the store's
//     history through store.Change.History, inside the same commit:
//     complaint trends across a business's listings, the displayed rating
//     (display.go: per-platform rounding, early warning, recovery math),
//     review bombing (one urgent alert folding the burst's review alerts;
//     never in a full sync), repeat reviewers and follow-ups after a reply.
//     What a rule already said is kept as a store.Mark.
//
// # Adding a rule
//
// Write it as a pure function of store.Change in rules.go, add a
// store.AlertKind, and a table case in rules_test.go.
package watcher
