// Package notify renders alerts and delivers them from the store's outbox to
// Slack or the console.
//
// # Where it sits
//
// The watcher never talks to a notifier. When a poll finds something worth
// telling (a negative review, a rating drop, a broken or recovered source),
// it writes the alert into the store's outbox in the same transaction as the
// reviews, so a crash loses no alert and a re-poll never alerts twice. The
// [Dispatcher] drains that outbox:
//
//	watcher ──Commit(reviews, alerts)──▶ store outbox ──Due──▶ Dispatcher ──Deliver──▶ Notifier
//	                 │                                  ◀──Delivered / Retry / Fail──┘
//	                 └──OnCommit──▶ Dispatcher.Kick
//
// watcher and notify don't import each other; they meet at the outbox
// ([Outbox], implemented by *store.DB).
//
// # Delivery
//
// [Dispatcher.Flush] takes the due alerts in ID order and hands each to the
// [Notifier]. On success it records the [store.Receipt]. An error wrapping
// [ErrPermanent] marks the alert failed and the pass goes on; any other error
// schedules a retry (30s doubling up to 30m by attempt, or the notifier's
// RetryAfter, such as Slack's Retry-After) and ends the pass; later alerts
// wait behind it until the retry is due, so they are never delivered out of
// order (within one process: after a restart the outbox alone decides). [Dispatcher.Run] flushes on [Dispatcher.Kick],
// every 30s, and when a retry is due. Delivery is at least once: a message
// sent but not recorded (the store failed right after) is sent again.
//
// # Rendering and escaping
//
// An alert is rendered once into a neutral message (title, fields,
// sections, link, footer); Slack lays it out as Block Kit and the console as
// text. Review text, titles, authors, listing names and failure causes are
// untrusted: all of it goes through [Escape] (& < > to entities) before it
// enters Slack text, every text object is verbatim (no automatic linking
// of @here, #channel or URLs), and links are sanitised (http and https only,
// | < > and spaces percent-encoded). A review reading "<!channel>" shows as
// that text and notifies no one. The console removes control characters,
// so a review can't send escape sequences to the terminal. Slack shows up
// to about 2,500 characters of a review or draft; the store keeps the whole
// text.
//
// # Slack setup
//
// Create a Slack app with a bot token (xoxb-…) holding the chat:write scope,
// install it, and invite the bot to the channel (/invite @yourbot). The
// chat:write.public scope would let it post to public channels it isn't in;
// invite the bot instead, so the channel's members can see who posts there.
// Configure:
//
//	notify:
//	  slack:
//	    token: ${SLACK_BOT_TOKEN}
//	    channel: C0123456789   # or "#reviews"
//
// Bad tokens, unknown channels and a bot that isn't in the channel are
// permanent errors whose message says what to fix. The token is sent in an
// Authorization header and never appears in logs or errors.
//
// # Adding a notifier
//
// Add notify/<name>.go with an exported type implementing [Notifier]:
//
//	type Teams struct{ … }
//
//	var _ Notifier = (*Teams)(nil)
//
//	func NewTeams(cfg TeamsConfig, log *slog.Logger) (*Teams, error) { … }
//	func (t *Teams) Name() string { return "teams" }
//	func (t *Teams) Deliver(ctx context.Context, a store.Alert) (store.Receipt, error) {
//		m := render(a) // lay out m, escaping every string for the target format
//		// post with a per-call timeout; classify failures:
//		// fmt.Errorf("teams: …: %w", ErrPermanent) for config errors,
//		// an error with RetryAfter() for rate limits, anything else retries.
//	}
//
// Give it a config section of its own, wire it in cmd/revwatch, and test it
// against an httptest server: a success, a rate limit, a 5xx, a permanent
// error, and that its credential never shows in logs or errors.
package notify
