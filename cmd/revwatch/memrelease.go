package main

import (
	"log/slog"
	"runtime/debug"
	"sync/atomic"

	"github.com/revwatch/revwatch/store"
)

// releaseEvery is how many polls the daemon runs between two releases of
// the store's mapped pages: often enough that a sweep of thousands of
// listings does not leave the whole store file resident, rarely enough to
// cost nothing (one madvise over the mapping).
const releaseEvery = 16

// freeEvery is how many polls the daemon runs between two returns of free
// heap memory to the OS. Parsing pages leaves the heap twice the size of
// what stays live; the runtime hands that back only slowly. One forced GC
// per 1,024 polls is a few milliseconds with 10,000 listings, and a few a
// day with fifty.
const freeEvery = 1024

// memRelease keeps the daemon's resident set to what it uses: it drops the
// store's mapped pages every releaseEvery polls (store.ReleaseMapped) and
// returns free heap memory every freeEvery polls.
type memRelease struct {
	db  *store.DB
	log *slog.Logger
	n   atomic.Int64
}

func (r *memRelease) polled() {
	n := r.n.Add(1)
	if n%freeEvery == 0 {
		debug.FreeOSMemory()
	}
	if n%releaseEvery != 0 {
		return
	}
	if err := r.db.ReleaseMapped(); err != nil {
		r.log.Warn("release mapped store pages", "err", err)
	}
}
