package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// flakySlack posts every message it is given; the first attempt at each
// alert then fails with err, as a reply lost on the way back would.
type flakySlack struct {
	mu     sync.Mutex
	err    error // returned by the first attempt
	posted map[uint64]int
	tried  map[uint64]bool
	finds  int
}

func (n *flakySlack) Name() string { return "flaky" }

func (n *flakySlack) Deliver(_ context.Context, a store.Alert) (store.Receipt, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.tried[a.ID] && n.err != nil {
		n.tried[a.ID] = true
		if !surelyNotSent(n.err) {
			n.posted[a.ID]++ // went out; only the answer was lost
		}
		return store.Receipt{}, fmt.Errorf("slack: post: %w", n.err)
	}
	n.posted[a.ID]++
	return store.Receipt{Notifier: "flaky", TS: "1"}, nil
}

func (n *flakySlack) Find(_ context.Context, a store.Alert) (store.Receipt, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.finds++
	return store.Receipt{Notifier: "flaky", TS: "found"}, n.posted[a.ID] > 0, nil
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// A failure that may have delivered the message (a timeout, a cut
// connection, a 5xx) leaves the row "sending", so the retry asks Slack
// first and never posts twice; a failure that proves nothing went out (a
// rate limit, an API error, a refused connection) retries directly.
func TestDispatcherRetryAfterUncertainFailure(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantFinds int
	}{
		{"timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, 1},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, 1},
		{"5xx", slack.StatusCodeError{Code: 502, Status: "502 Bad Gateway"}, 1},
		{"rate limited", &rateLimitError{after: time.Second, err: errors.New("ratelimited")}, 0},
		{"slack api error", slack.SlackErrorResponse{Err: "internal_error"}, 0},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(filepath.Join(t.TempDir(), "r.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			db.SetClock(func() time.Time { return now })
			l := store.ListingInfo{ID: "l", Business: "b", Platform: "schemaorg"}
			obs := sources.Observation{At: now, Rating: &sources.Rating{Value: 4.5, Count: 10}}
			if _, err := db.Commit(ctx, l, obs, func(store.Change) []store.Alert {
				return []store.Alert{{Key: "a1", Kind: store.KindNegativeReview}}
			}); err != nil {
				t.Fatal(err)
			}
			n := &flakySlack{err: tt.err, posted: map[uint64]int{}, tried: map[uint64]bool{}}
			d := NewDispatcher(db, n, nil, func() time.Time { return now })
			if err := d.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Hour) // past any backoff
			if err := d.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			for id, c := range n.posted {
				if c != 1 {
					t.Errorf("alert %d reached Slack %d times, want once", id, c)
				}
			}
			if len(n.posted) != 1 {
				t.Errorf("%d alerts reached Slack, want 1", len(n.posted))
			}
			if n.finds != tt.wantFinds {
				t.Errorf("Find called %d times, want %d", n.finds, tt.wantFinds)
			}
			if due, _ := db.Due(ctx, now.Add(24*time.Hour), 10); len(due) != 0 {
				t.Errorf("alert still due after delivery: %+v", due[0].Delivery)
			}
		})
	}
}
