package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/revwatch/revwatch/store"
)

// fakeOutbox is an in-memory Outbox that records every call.
type fakeOutbox struct {
	mu    sync.Mutex
	rows  map[uint64]*store.Alert
	calls []string
	// dueErr, deliveredErr fail those calls.
	dueErr, deliveredErr error
	// dueSeen, when set, gets a value on every Due call.
	dueSeen chan struct{}
}

func newFakeOutbox(alerts ...store.Alert) *fakeOutbox {
	o := &fakeOutbox{rows: map[uint64]*store.Alert{}}
	for _, a := range alerts {
		a.Delivery.State = store.DeliveryPending
		o.rows[a.ID] = &a
	}
	return o
}

func (o *fakeOutbox) Due(_ context.Context, now time.Time, limit int) ([]store.Alert, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dueSeen != nil {
		o.dueSeen <- struct{}{}
	}
	if o.dueErr != nil {
		return nil, o.dueErr
	}
	var out []store.Alert
	for _, a := range o.rows {
		if a.Delivery.State == store.DeliveryPending && !a.Delivery.NextAt.After(now) {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (o *fakeOutbox) Delivered(_ context.Context, id uint64, r store.Receipt) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.deliveredErr != nil {
		return o.deliveredErr
	}
	o.calls = append(o.calls, fmt.Sprintf("delivered %d", id))
	a := o.rows[id]
	a.Delivery.State, a.Delivery.Receipt = store.DeliverySent, &r
	return nil
}

func (o *fakeOutbox) Retry(_ context.Context, id uint64, next time.Time, cause string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, fmt.Sprintf("retry %d at +%s", id, next.Sub(t0)))
	a := o.rows[id]
	a.Delivery.Attempts++
	a.Delivery.NextAt, a.Delivery.LastError = next, cause
	return nil
}

func (o *fakeOutbox) Fail(_ context.Context, id uint64, cause string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, fmt.Sprintf("fail %d", id))
	a := o.rows[id]
	a.Delivery.Attempts++
	a.Delivery.State, a.Delivery.LastError = store.DeliveryFailed, cause
	return nil
}

func (o *fakeOutbox) recorded() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.calls)
}

func (o *fakeOutbox) causes() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, a := range o.rows {
		if a.Delivery.LastError != "" {
			out = append(out, a.Delivery.LastError)
		}
	}
	return out
}

func (o *fakeOutbox) pending() []uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ids []uint64
	for id, a := range o.rows {
		if a.Delivery.State == store.DeliveryPending {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// fakeNotifier fails the alerts listed in errs and records what it saw.
type fakeNotifier struct {
	mu   sync.Mutex
	errs map[uint64]error
	seen []uint64
}

func (n *fakeNotifier) Name() string { return "fake" }

func (n *fakeNotifier) Deliver(_ context.Context, a store.Alert) (store.Receipt, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seen = append(n.seen, a.ID)
	if err := n.errs[a.ID]; err != nil {
		return store.Receipt{}, err
	}
	return store.Receipt{Notifier: "fake", At: t0}, nil
}

type retryAfterErr time.Duration

func (e retryAfterErr) Error() string             { return "slow down" }
func (e retryAfterErr) RetryAfter() time.Duration { return time.Duration(e) }

func alerts(ids ...uint64) []store.Alert {
	out := make([]store.Alert, len(ids))
	for i, id := range ids {
		out[i] = store.Alert{ID: id, Kind: store.KindNegativeReview, Created: t0}
	}
	return out
}

func TestDispatcherFlush(t *testing.T) {
	permanent := fmt.Errorf("slack: post to #reviews: channel_not_found: %w", ErrPermanent)
	tests := []struct {
		name     string
		rows     []store.Alert
		attempts map[uint64]int // Delivery.Attempts before the flush
		nextAt   map[uint64]time.Time
		errs     map[uint64]error
		seen     []uint64
		calls    []string
		pending  []uint64
	}{
		{
			name:  "delivers in order",
			rows:  alerts(3, 1, 2),
			seen:  []uint64{1, 2, 3},
			calls: []string{"delivered 1", "delivered 2", "delivered 3"},
		},
		{
			name:    "retryable failure stops the pass",
			rows:    alerts(1, 2, 3),
			errs:    map[uint64]error{2: errors.New("connection refused")},
			seen:    []uint64{1, 2},
			calls:   []string{"delivered 1", "retry 2 at +30s"},
			pending: []uint64{2, 3},
		},
		{
			name:     "backoff doubles with attempts",
			rows:     alerts(1, 2, 3),
			attempts: map[uint64]int{2: 3},
			errs:     map[uint64]error{2: errors.New("HTTP 500")},
			seen:     []uint64{1, 2},
			calls:    []string{"delivered 1", "retry 2 at +4m0s"},
			pending:  []uint64{2, 3},
		},
		{
			name:     "backoff is capped",
			rows:     alerts(1),
			attempts: map[uint64]int{1: 40},
			errs:     map[uint64]error{1: errors.New("HTTP 500")},
			seen:     []uint64{1},
			calls:    []string{"retry 1 at +30m0s"},
			pending:  []uint64{1},
		},
		{
			name:    "RetryAfter overrides backoff",
			rows:    alerts(1, 2, 3),
			errs:    map[uint64]error{2: fmt.Errorf("slack: %w", retryAfterErr(7*time.Second))},
			seen:    []uint64{1, 2},
			calls:   []string{"delivered 1", "retry 2 at +7s"},
			pending: []uint64{2, 3},
		},
		{
			name:    "RetryAfter zero still waits a second",
			rows:    alerts(1),
			errs:    map[uint64]error{1: retryAfterErr(0)},
			seen:    []uint64{1},
			calls:   []string{"retry 1 at +1s"},
			pending: []uint64{1},
		},
		{
			name:  "permanent failure moves on",
			rows:  alerts(1, 2, 3),
			errs:  map[uint64]error{2: permanent},
			seen:  []uint64{1, 2, 3},
			calls: []string{"delivered 1", "fail 2", "delivered 3"},
		},
		{
			name:    "rows not yet due wait",
			rows:    alerts(1, 2),
			nextAt:  map[uint64]time.Time{1: t0.Add(time.Minute)},
			seen:    []uint64{2},
			calls:   []string{"delivered 2"},
			pending: []uint64{1},
		},
		{
			name: "empty outbox",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.rows {
				tt.rows[i].Delivery.Attempts = tt.attempts[tt.rows[i].ID]
				tt.rows[i].Delivery.NextAt = tt.nextAt[tt.rows[i].ID]
			}
			o := newFakeOutbox(tt.rows...)
			n := &fakeNotifier{errs: tt.errs}
			d := NewDispatcher(o, n, nil, testNow)
			if err := d.Flush(context.Background()); err != nil {
				t.Fatalf("Flush = %v, want nil", err)
			}
			if diff := cmp.Diff(tt.seen, n.seen); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.calls, o.recorded()); diff != "" {
				t.Errorf("outbox calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.pending, o.pending()); diff != "" {
				t.Errorf("pending (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDispatcherHoldsOrderUntilRetry(t *testing.T) {
	clock := t0
	now := func() time.Time { return clock }
	o := newFakeOutbox(alerts(1, 2, 3)...)
	n := &fakeNotifier{errs: map[uint64]error{2: errors.New("HTTP 503")}}
	d := NewDispatcher(o, n, nil, now)
	steps := []struct {
		name    string
		at      time.Duration // since t0
		fix     bool          // the notifier works again
		seen    []uint64
		pending []uint64
	}{
		{"2 fails", 0, false, []uint64{1, 2}, []uint64{2, 3}},
		{"3 waits behind 2", 10 * time.Second, false, []uint64{1, 2}, []uint64{2, 3}},
		{"2 fails again", 30 * time.Second, false, []uint64{1, 2, 2}, []uint64{2, 3}},
		{"2 then 3", 90 * time.Second, true, []uint64{1, 2, 2, 2, 3}, nil},
	}
	for _, st := range steps {
		clock = t0.Add(st.at)
		if st.fix {
			n.errs = nil
		}
		if err := d.Flush(context.Background()); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.seen, n.seen); diff != "" {
			t.Errorf("%s: delivered (-want +got):\n%s", st.name, diff)
		}
		if diff := cmp.Diff(st.pending, o.pending()); diff != "" {
			t.Errorf("%s: pending (-want +got):\n%s", st.name, diff)
		}
	}
	want := []string{"delivered 1", "retry 2 at +30s", "retry 2 at +1m30s", "delivered 2", "delivered 3"}
	if diff := cmp.Diff(want, o.recorded()); diff != "" {
		t.Errorf("outbox calls (-want +got):\n%s", diff)
	}
}

func TestDispatcherManyBatches(t *testing.T) {
	var ids []uint64
	for i := uint64(1); i <= 2*batchSize+7; i++ {
		ids = append(ids, i)
	}
	o := newFakeOutbox(alerts(ids...)...)
	n := &fakeNotifier{}
	if err := NewDispatcher(o, n, nil, testNow).Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids, n.seen); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

// stuckOutbox never marks anything delivered: Flush must still end.
type stuckOutbox struct{ *fakeOutbox }

func (stuckOutbox) Delivered(context.Context, uint64, store.Receipt) error { return nil }

func TestDispatcherStuckOutboxEnds(t *testing.T) {
	var ids []uint64
	for i := uint64(1); i <= batchSize; i++ {
		ids = append(ids, i)
	}
	n := &fakeNotifier{}
	d := NewDispatcher(stuckOutbox{newFakeOutbox(alerts(ids...)...)}, n, nil, testNow)
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(n.seen) != batchSize {
		t.Errorf("delivered %d alerts, want %d (each once)", len(n.seen), batchSize)
	}
}

func TestDispatcherOutboxErrors(t *testing.T) {
	boom := errors.New("bbolt: database not open")
	tests := []struct {
		name  string
		setup func(*fakeOutbox)
	}{
		{"due fails", func(o *fakeOutbox) { o.dueErr = boom }},
		{"delivered fails", func(o *fakeOutbox) { o.deliveredErr = boom }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newFakeOutbox(alerts(1)...)
			tt.setup(o)
			err := NewDispatcher(o, &fakeNotifier{}, nil, testNow).Flush(context.Background())
			if !errors.Is(err, boom) {
				t.Errorf("Flush = %v, want it to wrap %v", err, boom)
			}
		})
	}
}

// cancelNotifier cancels the flush's context mid-delivery, as a shutdown
// would, and answers with the context's state as a real call would.
type cancelNotifier struct{ cancel context.CancelFunc }

func (cancelNotifier) Name() string { return "cancel" }
func (n cancelNotifier) Deliver(ctx context.Context, _ store.Alert) (store.Receipt, error) {
	n.cancel()
	return store.Receipt{Notifier: "cancel"}, ctx.Err()
}

// A shutdown during a delivery lets that delivery finish and records it
// (cut off, it might have reached Slack anyway and be posted twice later);
// the next alert is not started and stays pending.
func TestDispatcherShutdownFinishesDeliveryInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	o := newFakeOutbox(alerts(1, 2)...)
	err := NewDispatcher(o, cancelNotifier{cancel}, nil, testNow).Flush(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Flush = %v, want context.Canceled", err)
	}
	if calls := o.recorded(); len(calls) != 1 || calls[0] != "delivered 1" {
		t.Errorf("outbox calls = %q, want only alert 1 delivered", calls)
	}
}

func TestDispatcherLogsOncePerFailure(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	o := newFakeOutbox(alerts(1, 2, 3)...)
	o.rows[3].Delivery.Attempts = 2
	n := &fakeNotifier{errs: map[uint64]error{
		1: fmt.Errorf("bad token: %w", ErrPermanent),
		3: errors.New("timeout"),
	}}
	if err := NewDispatcher(o, n, log, testNow).Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	type line struct {
		Level   string `json:"level"`
		AlertID uint64 `json:"alert_id"`
		Attempt int    `json:"attempt"`
		Err     string `json:"err"`
	}
	var got []line
	for l := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if v.Level != "INFO" {
			got = append(got, v)
		}
	}
	want := []line{
		{"ERROR", 1, 1, "bad token: permanent failure, not retried"},
		{"WARN", 3, 3, "timeout"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s\n%s", diff, buf.String())
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{-1, 30 * time.Second},
		{0, 30 * time.Second},
		{1, time.Minute},
		{2, 2 * time.Minute},
		{5, 16 * time.Minute},
		{6, 30 * time.Minute},
		{63, 30 * time.Minute},
		{1 << 30, 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.attempts), func(t *testing.T) {
			if got := backoff(tt.attempts); got != tt.want {
				t.Errorf("backoff(%d) = %v, want %v", tt.attempts, got, tt.want)
			}
		})
	}
}

func TestDispatcherWait(t *testing.T) {
	tests := []struct {
		name string
		errs map[uint64]error
		want time.Duration
	}{
		{"nothing to retry", nil, flushInterval},
		{"retry sooner than the interval", map[uint64]error{1: retryAfterErr(7 * time.Second)}, 7 * time.Second},
		{"retry later than the interval", map[uint64]error{1: retryAfterErr(time.Hour)}, flushInterval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDispatcher(newFakeOutbox(alerts(1)...), &fakeNotifier{errs: tt.errs}, nil, testNow)
			if err := d.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := d.wait(); got != tt.want {
				t.Errorf("wait = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKickDoesNotBlock(t *testing.T) {
	d := NewDispatcher(newFakeOutbox(), &fakeNotifier{}, nil, testNow)
	for range 100 {
		d.Kick() // nobody is running: must not block
	}
}

func TestDispatcherRun(t *testing.T) {
	o := newFakeOutbox(alerts(1)...)
	o.dueSeen = make(chan struct{})
	n := &fakeNotifier{}
	d := NewDispatcher(o, n, nil, testNow)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()

	<-o.dueSeen // Run flushes at once
	d.Kick()
	<-o.dueSeen // and again on Kick (not after 30s: the test would time out)
	cancel()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
			if diff := cmp.Diff([]uint64{1}, n.seen); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
			return
		case <-o.dueSeen: // a flush that started before the cancel
		}
	}
}

func TestDispatcherRunReturnsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := newFakeOutbox(alerts(1)...)
	if err := NewDispatcher(o, &fakeNotifier{}, nil, testNow).Run(ctx); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

// sendingOutbox is a fakeOutbox that records attempts (SendingOutbox) and
// returns "sending" rows from Due, as store.DB does.
type sendingOutbox struct{ *fakeOutbox }

func (o sendingOutbox) Sending(_ context.Context, id uint64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, fmt.Sprintf("sending %d", id))
	o.rows[id].Delivery.State = store.DeliverySending
	return nil
}

func (o sendingOutbox) Due(_ context.Context, now time.Time, limit int) ([]store.Alert, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []store.Alert
	for _, a := range o.rows {
		if a.Delivery.State == store.DeliveryPending || a.Delivery.State == store.DeliverySending {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// findingNotifier knows which alerts already went out before a crash.
type findingNotifier struct {
	fakeNotifier
	posted map[uint64]bool
}

func (n *findingNotifier) Find(_ context.Context, a store.Alert) (store.Receipt, bool, error) {
	return store.Receipt{Notifier: "fake", TS: "found"}, n.posted[a.ID], nil
}

func TestDispatcherResumesInterruptedDeliveries(t *testing.T) {
	// Alert 1 was posted before a crash (left "sending"); alert 2 was marked
	// sending but never posted; alert 3 is new.
	o := sendingOutbox{newFakeOutbox(store.Alert{ID: 1}, store.Alert{ID: 2}, store.Alert{ID: 3})}
	o.rows[1].Delivery.State = store.DeliverySending
	o.rows[2].Delivery.State = store.DeliverySending
	n := &findingNotifier{posted: map[uint64]bool{1: true}}
	d := NewDispatcher(o, n, nil, func() time.Time { return t0 })
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(n.seen) != "[2 3]" {
		t.Errorf("posted %v, want [2 3]: alert 1 was already out", n.seen)
	}
	if o.rows[1].Delivery.Receipt == nil || o.rows[1].Delivery.Receipt.TS != "found" {
		t.Errorf("alert 1 should be recorded with the found message: %+v", o.rows[1].Delivery)
	}
	want := []string{"delivered 1", "delivered 2", "sending 3", "delivered 3"}
	if fmt.Sprint(o.calls) != fmt.Sprint(want) {
		t.Errorf("outbox calls = %v, want %v", o.calls, want)
	}
}
