//go:build !linux

package store

// ReleaseMapped does nothing outside Linux (see mapped_linux.go).
func (db *DB) ReleaseMapped() error { return nil }
