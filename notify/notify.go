package notify

import (
	"context"
	"errors"
	"syscall"
	"time"

	"github.com/slack-go/slack"

	"github.com/revwatch/revwatch/store"
)

// Notifier delivers one alert.
//
// Deliver returns the Receipt on success. On failure the error says whether
// a retry may help:
//   - an error wrapping ErrPermanent must not be retried (bad token, channel
//     not found); the dispatcher marks the alert failed;
//   - an error implementing interface{ RetryAfter() time.Duration } (see
//     RetryAfter) says when to retry, as Slack's 429 Retry-After does;
//   - any other error is retried with backoff.
//
// Deliver must not log the failure it returns (the dispatcher logs it once),
// and its errors must never contain a credential or review text.
type Notifier interface {
	// Name identifies the notifier in receipts and logs: "slack", "console".
	Name() string
	Deliver(ctx context.Context, a store.Alert) (store.Receipt, error)
}

// ErrPermanent marks a delivery failure that retrying will not fix.
// Notifiers wrap it together with the cause, so the operator sees what to
// fix (a revoked token, a channel the bot was never invited to).
var ErrPermanent = errors.New("permanent failure, not retried")

// Outbox is the store side of delivery; *store.DB implements it.
// Finder is a Notifier that can tell whether an alert's message already
// went out (a crash between posting and recording it). The dispatcher asks
// before a second attempt, so a message is posted once.
type Finder interface {
	Find(ctx context.Context, a store.Alert) (r store.Receipt, found bool, err error)
}

// SendingOutbox is an Outbox that records an attempt before it starts
// (store.DB.Sending): rows left "sending" by a crash come back from Due in
// state DeliverySending, and a Finder is asked before posting them again.
type SendingOutbox interface {
	Sending(ctx context.Context, id uint64) error
}

// UnsureOutbox is a SendingOutbox that can schedule a retry while keeping
// the row "sending" (store.DB.RetryUnsure), for failures after which the
// message may have gone out anyway: the retry then starts with Find.
type UnsureOutbox interface {
	RetryUnsure(ctx context.Context, id uint64, next time.Time, cause string) error
}

// surelyNotSent reports whether err proves the message did not reach
// Slack: Slack refused it (an API error, a rate limit) or no connection
// was made. A timeout or a cut connection proves nothing: the request may
// have been processed.
func surelyNotSent(err error) bool {
	if _, ok := RetryAfter(err); ok {
		return true
	}
	if _, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

type Outbox interface {
	// Due returns up to limit pending alerts with Delivery.NextAt <= now,
	// in ascending ID order.
	Due(ctx context.Context, now time.Time, limit int) ([]store.Alert, error)
	// Delivered records the receipt and marks the alert sent.
	Delivered(ctx context.Context, id uint64, r store.Receipt) error
	// Retry counts an attempt (Delivery.Attempts++), records cause and
	// keeps the alert pending until next.
	Retry(ctx context.Context, id uint64, next time.Time, cause string) error
	// Fail gives up on the alert for good (state failed), recording cause.
	Fail(ctx context.Context, id uint64, cause string) error
}

// RetryAfter reports the delay an error asks for, when some error in its
// chain implements interface{ RetryAfter() time.Duration }.
func RetryAfter(err error) (time.Duration, bool) {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter(), true
	}
	return 0, false
}

// rateLimitError is a retryable error that says when to retry.
type rateLimitError struct {
	after time.Duration
	err   error
}

func (e *rateLimitError) Error() string { return e.err.Error() }

func (e *rateLimitError) Unwrap() error { return e.err }

// RetryAfter implements the Notifier contract's retry hint.
func (e *rateLimitError) RetryAfter() time.Duration { return e.after }
