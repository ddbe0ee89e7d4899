package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store to w, from one read
// transaction: writers carry on meanwhile (a hot backup). It returns the
// bytes written.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// Verify opens a store file read-only and checks its schema, for restore.
// A file of an earlier schema passes: the first write open migrates it.
func Verify(path string) error {
	db, err := Open(path, Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if errors.Is(err, ErrOlderSchema) {
		return nil
	}
	if err != nil {
		return err
	}
	return db.Close()
}

// Restore replaces the store at path with the backup at from, which must be
// a readable revwatch store. The current file is kept beside it as
// <path>.before-restore-<time>. The store must not be open (the daemon
// stopped): ErrInUse otherwise.
func Restore(path, from string) (kept string, err error) {
	if err := Verify(from); err != nil {
		return "", fmt.Errorf("store: restore: %s is not a usable backup: %w", from, err)
	}
	if _, err := os.Stat(path); err == nil {
		// Refuse while someone holds it: the daemon would keep writing to
		// the replaced file.
		db, err := Open(path, Options{LockTimeout: time.Second})
		if err != nil {
			return "", err
		}
		db.Close()
		kept = fmt.Sprintf("%s.before-restore-%s", path, time.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(path, kept); err != nil {
			return "", fmt.Errorf("store: restore: keep the current store: %w", err)
		}
	}
	if err := copyFile(from, path); err != nil {
		if kept != "" {
			os.Rename(kept, path)
		}
		return "", fmt.Errorf("store: restore: %w", err)
	}
	return kept, nil
}

// Compact rewrites the store at path without the free pages bbolt keeps
// after deletions, through a temporary file renamed into place (a crash
// leaves the old file intact). The store must not be open. It returns the
// sizes before and after.
func Compact(path string) (before, after int64, err error) {
	src, err := Open(path, Options{LockTimeout: time.Second})
	if err != nil {
		return 0, 0, err
	}
	defer src.Close()
	if fi, err := os.Stat(path); err == nil {
		before = fi.Size()
	}
	tmp := path + ".compact"
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return before, 0, fmt.Errorf("store: compact: %w", err)
	}
	if err := bolt.Compact(dst, src.bolt, 64<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return before, 0, fmt.Errorf("store: compact: %w", err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return before, 0, fmt.Errorf("store: compact: %w", err)
	}
	src.Close()
	if err := os.Rename(tmp, path); err != nil {
		return before, 0, fmt.Errorf("store: compact: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		after = fi.Size()
	}
	return before, after, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), filepath.Base(to)+".restore-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), to)
}
