package store

import (
	"fmt"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMapped tells the kernel that the process no longer needs the
// store's mapped pages (madvise MADV_DONTNEED on the used part of the
// mapping). They stay in the page cache, so a later read costs a minor
// fault, not a disk read; what it saves is the daemon's resident size:
// every sweep reads every listing's pages, which otherwise all stay
// counted in RSS (BENCHMARKS.md, "daemon memory"). It runs inside a read
// transaction, which keeps bbolt from remapping the file meanwhile.
func (db *DB) ReleaseMapped() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		info := db.bolt.Info()
		size := tx.Size()
		if info == nil || info.Data == 0 || size <= 0 {
			return nil
		}
		// Raw syscall with the mapping's address: bbolt exposes it only
		// as a uintptr, and converting it back to a pointer is not allowed.
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, info.Data, uintptr(size), syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("store: release mapped pages: %w", errno)
		}
		return nil
	})
}
