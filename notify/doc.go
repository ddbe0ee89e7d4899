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
// that text and notifies no one. The only raw markup revwatch writes
// itself is links, date tokens, a mention of the Slack user who acted on a
// draft (ids matching U…/W… only) and the validated slack.manager_mention.
// The console removes control characters,
// so a review can't send escape sequences to the terminal. Slack shows up
// to about 2,500 characters of a review or draft; the store keeps the whole
// text.
//
// # Slack setup
//
// Create the Slack app from slack-app-manifest.yaml (next to this file): a
// bot with the chat:write scope (post, update, ephemeral messages), plus
// usergroups:read when slack.approvers names user groups. Install it and
// invite the bot to the channels (/invite @revwatch). The chat:write.public
// scope would let it post to public channels it isn't in; invite the bot
// instead, so the channel's members can see who posts there. Configure:
//
//	notify:
//	  slack:
//	    token: ${SLACK_BOT_TOKEN}
//	    channel: C0123456789            # or "#reviews"
//	    signing_secret: ${SLACK_SIGNING_SECRET}  # buttons over HTTP, or:
//	    # app_token: ${SLACK_APP_TOKEN}  # buttons over Socket Mode (xapp-…)
//	    approvers: [U0123ABCD, S0456EFGH]  # users and user groups; empty: anyone
//	    escalation_channel: C0987654321  # urgent alerts; default: channel
//	    manager_mention: "<!subteam^S0456EFGH>"  # or "<@U0123ABCD>"
//
// Bad tokens, unknown channels and a bot that isn't in the channel are
// permanent errors whose message says what to fix. Tokens and the signing
// secret are sent in headers or used locally; they never appear in logs or
// errors.
//
// # Drafts in Slack
//
// An alert that carries a reply draft (negative_review, review_edited)
// shows it with a status line (state, who, when: a Slack user as a
// mention, "cli:amir" or "revwatch" as text) and buttons for what its
// state still allows, each with action id draft_<verb> and the draft id as
// value:
//
//	pending   Approve · Edit · New variant · Reject
//	approved  Edit · Reject (+ "Reply on <platform>", a link, where revwatch
//	          can't post: ListingRef.CanReply false or Draft.Manual)
//	rejected, posted: none
//
// A click becomes a store.DraftEvent through [Actions] (the watcher
// implements it with store.ApplyDraftEvent), which queues a
// KindDraftUpdate row. The dispatcher delivers that row like any alert:
// [Slack] edits the original message (chat.update at the original's
// receipt, re-rendered with the draft as it is now) and records the step
// in its thread ("Approved by @amir", "Posted on Google", "Publishing
// failed: …"); the console prints one line. Data still flows one way:
// Slack → Interactions → Actions → store → outbox → Dispatcher → Slack.
//
// # Interactions
//
// [Interactions] receives the clicks and the edit modal either over HTTP
// ([Interactions.ServeHTTP] at POST /slack/interactions: the signing
// secret's v0 signature is checked before anything is parsed, timestamps
// more than 5 minutes off and replayed signatures are refused with 401) or
// over Socket Mode ([Interactions.RunSocketMode], no public URL). Both
// feed one core that answers within Slack's 3 seconds and does the slow
// part (Actions, Slack calls) in the background; a modal submission is
// the exception, answered in the response itself (errors listing the
// guideline findings, or close). With slack.approvers set, anyone else
// gets an ephemeral "You can't approve replies" and nothing changes.
// Wiring, in cmd/revwatch:
//
//	s, _ := notify.NewSlack(cfg.Slack, log)
//	ia, _ := notify.NewInteractions(cfg.Slack, actions, s.API(), disp.Kick, log, time.Now)
//	mux.Handle("POST /slack/interactions", ia)   // or: go ia.RunSocketMode(ctx)
//	…
//	ia.Wait() // at shutdown, after the server stops
//
// # Escalations
//
// An alert with Urgent set goes to slack.escalation_channel, headed by
// slack.manager_mention and marked urgent. It shows its Guidance instead
// of a draft and has no buttons: staff need a manager, not a reply.
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
