package store

import (
	"time"

	"github.com/revwatch/revwatch/sources"
)

// AlertKind says what an alert is about.
type AlertKind string

// Alert kinds.
const (
	KindNegativeReview  AlertKind = "negative_review"  // a new review at or below the threshold
	KindRatingDrop      AlertKind = "rating_drop"      // the aggregate rating fell
	KindSourceBroken    AlertKind = "source_broken"    // N consecutive failed polls
	KindSourceRecovered AlertKind = "source_recovered" // the first success after a broken alert
	KindReviewEdited    AlertKind = "review_edited"    // a review's stars went down to the threshold or below
	KindReviewImproved  AlertKind = "review_improved"  // stars went up after the business replied (P3)
	KindListingChanged  AlertKind = "listing_changed"  // name, address, phone, website or hours changed
	// KindStoreUnwritable and KindStoreWritable are sent to the notifier
	// directly, never through the outbox: the store is what failed.
	KindStoreUnwritable AlertKind = "store_unwritable" // a commit failed (disk full, read-only)
	KindStoreWritable   AlertKind = "store_writable"   // commits succeed again
	// KindDraftUpdate edits an earlier alert's message after a draft action
	// (Update says what happened; Original is the alert as delivered,
	// Draft the draft as it is now: both filled by Due).
	KindDraftUpdate AlertKind = "draft_update"
)

// ReviewEdit is a review's change between two polls.
type ReviewEdit struct {
	Before *float64 `json:"before"` // stars before (nil: none)
	After  *float64 `json:"after"`  // stars now
	// BeforeText is the text before the edit, when it changed.
	BeforeText string `json:"before_text,omitempty"`
	// Replied: the business had replied before the edit.
	Replied bool `json:"replied,omitempty"`
}

// DetailsChange is a listing's public details before and after.
type DetailsChange struct {
	Before sources.Details `json:"before"`
	After  sources.Details `json:"after"`
}

// Ref names a business or a listing in an alert, so notifiers need no lookups.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// ListingRef is a listing as an alert shows it.
type ListingRef struct {
	ID            string `json:"id"`
	Name          string `json:"name,omitempty"`
	Platform      string `json:"platform"`       // registry name: "trustpilot"
	PlatformLabel string `json:"platform_label"` // for people: "Trustpilot"
	URL           string `json:"url,omitempty"`
	// CanReply: revwatch can publish an approved reply through the
	// platform's API; otherwise staff post it by hand ("reply on <platform>").
	CanReply bool `json:"can_reply,omitempty"`
}

// RatingChange is an aggregate rating before and after one poll.
type RatingChange struct {
	Before sources.Rating `json:"before"`
	After  sources.Rating `json:"after"`
}

// Failure describes a broken (or recovered) source.
type Failure struct {
	Count int       `json:"count"`          // consecutive failed polls
	Since time.Time `json:"since"`          // first failure of the streak
	Cause string    `json:"cause"`          // the last error, redacted
	Kind  string    `json:"kind,omitempty"` // its class: auth, quota, blocked, layout, http_5xx, network, ...
}

// DeliveryState is an outbox row's state.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending DeliveryState = "pending" // waiting for (another) attempt
	// DeliverySending: an attempt started and its outcome was not recorded
	// (a crash in between): the notifier must look for the message before
	// posting again, so nothing is posted twice.
	DeliverySending DeliveryState = "sending"
	DeliverySent    DeliveryState = "sent"   // reached the notifier; Receipt is set
	DeliveryFailed  DeliveryState = "failed" // given up (permanent error); kept for the record
)

// Receipt identifies a delivered message, so later updates edit it in place.
type Receipt struct {
	Notifier string    `json:"notifier"` // "slack", "console"
	Channel  string    `json:"channel,omitempty"`
	TS       string    `json:"ts,omitempty"`
	At       time.Time `json:"at"`
}

// Delivery is an alert's progress through the outbox.
type Delivery struct {
	State     DeliveryState `json:"state"`
	Attempts  int           `json:"attempts"`
	NextAt    time.Time     `json:"next_at,omitzero"`
	LastError string        `json:"last_error,omitempty"`
	Receipt   *Receipt      `json:"receipt,omitempty"`
}

// Alert is one outbox row: everything a notifier needs to render it.
type Alert struct {
	ID uint64 `json:"id"` // outbox sequence, assigned by Commit
	// Key deduplicates: a second alert with the same key is dropped, so a
	// re-poll or a crash-and-retry never alerts twice.
	Key      string          `json:"key"`
	Kind     AlertKind       `json:"kind"`
	Created  time.Time       `json:"created"`
	Business Ref             `json:"business"`
	Listing  ListingRef      `json:"listing"`
	Review   *sources.Review `json:"review,omitempty"`
	Rating   *RatingChange   `json:"rating,omitempty"`
	Failure  *Failure        `json:"failure,omitempty"`
	Edit     *ReviewEdit     `json:"edit,omitempty"`
	Details  *DetailsChange  `json:"details,omitempty"`
	// Draft is the suggested reply, as created with the alert.
	Draft *Draft `json:"draft,omitempty"`
	// Update and Original belong to KindDraftUpdate rows.
	Update   *Update `json:"update,omitempty"`
	Original *Alert  `json:"original,omitempty"`
	// Urgent alerts (escalations) go to the escalation channel.
	Urgent bool `json:"urgent,omitempty"`
	// Guidance tells staff what to do when there is no public draft (E1-E4).
	Guidance string `json:"guidance,omitempty"`
	// Insight is what an insight rule found (trend, burst, repeat
	// reviewer, displayed rating): its reason in words and its evidence.
	Insight  *Insight `json:"insight,omitempty"`
	Delivery Delivery `json:"delivery"`
}

// DraftStatus is a reply draft's state.
type DraftStatus string

// Draft states: pending -> approved|rejected; approved -> posted (by the
// platform's reply API, or seen on the page after a manual post). Edit and
// regenerate keep a draft pending with new text.
const (
	DraftPending  DraftStatus = "pending"
	DraftApproved DraftStatus = "approved"
	DraftRejected DraftStatus = "rejected"
	DraftPosted   DraftStatus = "posted"
)

// Draft is a suggested reply to a review.
type Draft struct {
	ID       uint64      `json:"id"` // assigned by Commit
	Listing  string      `json:"listing"`
	ReviewID string      `json:"review_id"`
	Status   DraftStatus `json:"status"`
	Text     string      `json:"text"`
	Language string      `json:"language,omitempty"`
	Created  time.Time   `json:"created"`
	// AlertID is the alert that carried the draft (its Slack message).
	AlertID uint64 `json:"alert_id,omitempty"`
	// Variant is the phrasing variant (regenerate increments it).
	Variant int `json:"variant,omitempty"`
	// Edited: a person changed the text.
	Edited bool `json:"edited,omitempty"`
	// Manual: approved on a platform without a reply API; someone posts it by hand.
	Manual bool `json:"manual,omitempty"`
	// Publish tracks the reply API call of an approved draft.
	Publish Publish `json:"publish,omitzero"`
	// UpdatedBy and Updated record the last change (P2: documented).
	UpdatedBy string    `json:"updated_by,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
	// History records every step: who did what, when (P2).
	History []Step `json:"history,omitempty"`
}

// Publish is the state of posting an approved draft through a platform API.
type Publish struct {
	State     string    `json:"state,omitempty"` // "", "pending", "failed", "done"
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// Step is one recorded action on a draft.
type Step struct {
	Action DraftAction `json:"action"`
	By     string      `json:"by"`
	At     time.Time   `json:"at"`
	Note   string      `json:"note,omitempty"`
}

// DraftAction is something done to a draft.
type DraftAction string

// Draft actions. The first four come from people (Slack buttons, CLI);
// the rest from revwatch itself.
const (
	ActionApprove       DraftAction = "approve"
	ActionReject        DraftAction = "reject"
	ActionEdit          DraftAction = "edit"
	ActionRegenerate    DraftAction = "regenerate"
	ActionPosted        DraftAction = "posted"         // the platform shows the reply
	ActionPublishFailed DraftAction = "publish_failed" // the reply API refused; retryable
	ActionRemind        DraftAction = "remind"         // still pending after rules.remind_after
)

// DraftEvent asks ApplyDraftEvent to change a draft.
type DraftEvent struct {
	DraftID uint64
	Action  DraftAction
	// By identifies who acted: a Slack user id ("U123"), "cli:<user>" or "revwatch".
	By string
	// Text is the new text for edit and regenerate.
	Text string
	// Variant is the phrasing variant for regenerate.
	Variant int
	// Manual marks an approval on a platform without a reply API.
	Manual bool
	// Note is shown in the thread (a publish failure's reason, ...).
	Note string
}

// Update describes a change to an alert's message: the draft's new state
// and one line for its thread. Notifiers edit the original message
// (Alert.Original's receipt) and reply in its thread.
type Update struct {
	DraftID uint64      `json:"draft_id"`
	Action  DraftAction `json:"action"`
	By      string      `json:"by"`
	At      time.Time   `json:"at"`
	Note    string      `json:"note,omitempty"`
}
