// Package digest computes what a business's week looked like from the
// store, once, as data: per listing (the business's own and its
// competitors) the rating and review count with the period's change, the
// stars of the period's reviews, the top complaint topics with a quote
// each, the response rate and the median time to a reply, negative reviews
// still unanswered after the reminder window (P1), removed reviews, and 90
// days of rating history for the chart.
//
// # Where it sits
//
//	store (reviews, ratings, drafts) ──> Compute ──> Digest
//	                                                  ├─> WriteText (revwatch report)
//	                                                  ├─> Chart (PNG: revwatch chart, the Slack digest)
//	                                                  └─> notify.Slack.SendDigest (Block Kit + upload)
//
// Compute reads through the small Source interface (*store.DB satisfies
// it) and takes its clock from Options (From, To), so tests build a
// history and a week without waiting for one. Topic detection is passed in
// (Options.Topics) so this package uses exactly the drafts' detection
// without depending on how templates are loaded.
//
// # Charts and scripts
//
// Charts are drawn by go-chart with its embedded Roboto font, which has no
// Persian, Hebrew or CJK glyphs (and no bidi or shaping for loaded fonts).
// So a chart carries only text Roboto renders: series are labelled with the
// listing id and platform, and a listing's or business's name only when
// every rune of it is Latin (see Renderable). Names in other scripts go in
// the message text, where Slack and terminals render them.
//
// # Example
//
//	d, err := digest.Compute(ctx, db, digest.Options{Business: "luna", Listings: ls,
//		From: to.AddDate(0, 0, -7), To: to, NegativeAtOrBelow: 2, RemindAfter: 24 * time.Hour})
//	d.WriteText(os.Stdout)
//	digest.Chart(f, d.Title(), d.History, d.HistoryFrom, d.To)
package digest
