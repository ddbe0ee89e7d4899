package main

import (
	"errors"
	"net/http"
	"time"
)

// listenerLimits bound what one client can cost the daemon's listener: slow
// clients (slowloris) are cut off by the timeouts, large bodies refused
// with 413. The zero value means the defaults.
type listenerLimits struct {
	ReadHeader, Read, Write, Idle time.Duration
	// MaxBody caps every request body (Slack interactions, Pub/Sub pushes
	// and API calls are all far below 1 MiB).
	MaxBody int64
	// BackupWrite is the write deadline of GET /api/backup, which streams
	// the whole store and so needs longer than Write.
	BackupWrite time.Duration
}

var defaultLimits = listenerLimits{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 10 * time.Second,
	Idle: 60 * time.Second, MaxBody: 1 << 20, BackupWrite: 30 * time.Minute}

func (a *app) listenerLimits() listenerLimits {
	if a.limits == (listenerLimits{}) {
		return defaultLimits
	}
	return a.limits
}

// limitBodies refuses a declared body over max at once (413, connection
// closed) and caps undeclared (chunked) ones while they are read, so every
// route has a limit whatever its handler does.
func limitBodies(h http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			w.Header().Set("Connection", "close")
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		h.ServeHTTP(w, r)
	})
}

// tooLarge answers 413 when err is the body cap being hit, and says whether it did.
func tooLarge(w http.ResponseWriter, err error) bool {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return true
	}
	return false
}
