package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Due returns up to limit pending alerts whose next attempt is due at now,
// in the order they were queued (so a channel's messages keep their order).
func (db *DB) Due(ctx context.Context, now time.Time, limit int) ([]Alert, error) {
	var due []Alert
	err := db.view(ctx, func(tx *bolt.Tx) error {
		// The pending index keeps this scan as short as the backlog, not
		// as long as the outbox's whole history.
		out := tx.Bucket(bOutbox)
		c := tx.Bucket(bPending).Cursor()
		for k, _ := c.First(); k != nil && (limit <= 0 || len(due) < limit); k, _ = c.Next() {
			v := out.Get(k)
			if v == nil {
				continue
			}
			var a Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("outbox row %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if (a.Delivery.State != DeliveryPending && a.Delivery.State != DeliverySending) || a.Delivery.NextAt.After(now) {
				continue
			}
			if a.Kind == KindDraftUpdate {
				ok, err := fillUpdate(tx, &a)
				if err != nil {
					return err
				}
				if !ok {
					continue // its message isn't out yet: the update waits
				}
			}
			due = append(due, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: outbox due: %w", err)
	}
	return due, nil
}

// Pending counts alerts not yet delivered.
func (db *DB) Pending(ctx context.Context) (int, error) {
	n := 0
	err := db.view(ctx, func(tx *bolt.Tx) error {
		n = tx.Bucket(bPending).Stats().KeyN
		return nil
	})
	return n, err
}

// Alerts calls fn for every outbox row, oldest first.
func (db *DB) Alerts(ctx context.Context, fn func(Alert) error) error {
	return db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bOutbox).ForEach(func(k, v []byte) error {
			var a Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("store: outbox row %d: %w", binary.BigEndian.Uint64(k), err)
			}
			return fn(a)
		})
	})
}

// Delivered records that an alert reached its notifier. Delivering twice is
// harmless: the first receipt is kept.
func (db *DB) Delivered(ctx context.Context, id uint64, r Receipt) error {
	return db.editAlert(ctx, id, func(a *Alert) {
		if a.Delivery.State == DeliverySent {
			return
		}
		a.Delivery.State = DeliverySent
		a.Delivery.Attempts++
		a.Delivery.LastError = ""
		a.Delivery.Receipt = &r
	})
}

// Sending records that an attempt starts, before the notifier is called:
// after a crash, Due returns the row in state DeliverySending so the
// notifier can look for the message instead of posting it twice.
func (db *DB) Sending(ctx context.Context, id uint64) error {
	return db.editAlert(ctx, id, func(a *Alert) {
		if a.Delivery.State == DeliveryPending {
			a.Delivery.State = DeliverySending
		}
	})
}

// Retry records a failed attempt; the alert stays pending until next.
func (db *DB) Retry(ctx context.Context, id uint64, next time.Time, cause string) error {
	return db.editAlert(ctx, id, func(a *Alert) {
		a.Delivery.State = DeliveryPending
		a.Delivery.Attempts++
		a.Delivery.NextAt = next.UTC()
		a.Delivery.LastError = cause
	})
}

// RetryUnsure is Retry after a failure that may still have delivered the
// alert (a timeout, a connection cut after the request went out): a row
// marked sending stays sending, so the next attempt first asks the
// notifier whether the message is there instead of posting it twice.
func (db *DB) RetryUnsure(ctx context.Context, id uint64, next time.Time, cause string) error {
	return db.editAlert(ctx, id, func(a *Alert) {
		if a.Delivery.State != DeliverySending {
			a.Delivery.State = DeliveryPending
		}
		a.Delivery.Attempts++
		a.Delivery.NextAt = next.UTC()
		a.Delivery.LastError = cause
	})
}

// Fail gives an alert up for good (a permanent error); it stays for the record.
func (db *DB) Fail(ctx context.Context, id uint64, cause string) error {
	return db.editAlert(ctx, id, func(a *Alert) {
		a.Delivery.Attempts++
		a.Delivery.State = DeliveryFailed
		a.Delivery.LastError = cause
	})
}

func (db *DB) editAlert(ctx context.Context, id uint64, edit func(*Alert)) error {
	err := db.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bOutbox)
		v := b.Get(u64(id))
		if v == nil {
			return fmt.Errorf("alert %d: %w", id, ErrNotFound)
		}
		var a Alert
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("alert %d: %w", id, err)
		}
		edit(&a)
		if a.Delivery.State == DeliverySent || a.Delivery.State == DeliveryFailed {
			if err := tx.Bucket(bPending).Delete(u64(id)); err != nil {
				return err
			}
		}
		return putJSON(b, u64(id), a)
	})
	if err != nil {
		return fmt.Errorf("store: outbox: %w", err)
	}
	return nil
}

// fillUpdate gives an update row the original alert as delivered and the
// draft as it is now. It reports false while the original is undelivered.
func fillUpdate(tx *bolt.Tx, a *Alert) (bool, error) {
	if a.Update == nil {
		return false, fmt.Errorf("update row %d has no update", a.ID)
	}
	d, err := getDraft(tx, a.Update.DraftID)
	if err != nil {
		return false, err
	}
	v := tx.Bucket(bOutbox).Get(u64(d.AlertID))
	if v == nil {
		return false, fmt.Errorf("draft %d: alert %d: %w", d.ID, d.AlertID, ErrNotFound)
	}
	var orig Alert
	if err := json.Unmarshal(v, &orig); err != nil {
		return false, err
	}
	if orig.Delivery.State == DeliveryFailed {
		return true, nil // nothing to edit; the notifier posts the update on its own
	}
	if orig.Delivery.State != DeliverySent {
		return false, nil
	}
	a.Original, a.Draft = &orig, &d
	return true, nil
}

// RecentReceipts returns the receipts of up to n recently delivered alerts,
// newest first (a notifier learns its channel ids from them after a restart).
func (db *DB) RecentReceipts(ctx context.Context, n int) ([]Receipt, error) {
	var out []Receipt
	err := db.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bOutbox).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var a Alert
			if json.Unmarshal(v, &a) == nil && a.Delivery.Receipt != nil {
				out = append(out, *a.Delivery.Receipt)
			}
		}
		return nil
	})
	return out, err
}
