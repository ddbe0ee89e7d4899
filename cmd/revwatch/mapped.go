package main

import (
	"log/slog"
	"sync/atomic"

	"github.com/revwatch/revwatch/store"
)

// releaseEvery is how many polls the daemon runs between two releases of
// the store's mapped pages: often enough that a sweep of thousands of
// listings does not leave the whole store file resident, rarely enough to
// cost nothing (one madvise over the mapping).
const releaseEvery = 64

// mapRelease drops the store's mapped pages from the daemon's resident set
// every releaseEvery polls (store.ReleaseMapped).
type mapRelease struct {
	db  *store.DB
	log *slog.Logger
	n   atomic.Int64
}

func (r *mapRelease) polled() {
	if r.n.Add(1)%releaseEvery != 0 {
		return
	}
	if err := r.db.ReleaseMapped(); err != nil {
		r.log.Warn("release mapped store pages", "err", err)
	}
}
