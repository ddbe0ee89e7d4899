package store

import "sync"

// faults is the store's fault-injection seam: bbolt writes straight to an
// *os.File, with no file-system abstraction to fail on purpose, so tests
// that must prove the daemon's behaviour on a full or read-only disk in CI
// (without mounting anything) make commits fail here instead. The check
// runs inside the transaction after all its writes, where bbolt's own
// write or fsync would fail, so the transaction rolls back as it would.
type faults struct {
	mu     sync.Mutex
	commit func() error
}

// SetCommitFault makes every write transaction fail with fn's error while
// fn returns one (nil fn: no faults). For tests.
func (db *DB) SetCommitFault(fn func() error) {
	db.faults.mu.Lock()
	db.faults.commit = fn
	db.faults.mu.Unlock()
}

func (db *DB) commitFault() error {
	db.faults.mu.Lock()
	fn := db.faults.commit
	db.faults.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn()
}
