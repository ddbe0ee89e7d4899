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
	DeliverySent    DeliveryState = "sent"    // reached the notifier; Receipt is set
	DeliveryFailed  DeliveryState = "failed"  // given up (permanent error); kept for the record
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
	Draft    *Draft   `json:"draft,omitempty"`
	Delivery Delivery `json:"delivery"`
}

// DraftStatus is a reply draft's state.
type DraftStatus string

// Draft states: pending -> approved|rejected; approved -> posted.
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
	// UpdatedBy and Updated record the last status change (P2: documented).
	UpdatedBy string    `json:"updated_by,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
}
