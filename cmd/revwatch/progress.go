package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress prints a backfill's advance on one line of a terminal (or one
// line per 10 pages elsewhere, so logs stay readable).
type progress struct {
	w       io.Writer
	name    string
	tty     bool
	start   time.Time
	pages   int
	reviews int
}

func newProgress(w io.Writer, name string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, name: name, tty: tty, start: time.Now()}
}

func (p *progress) update(pages, reviews int) {
	p.pages, p.reviews = pages, reviews
	switch {
	case p.tty:
		fmt.Fprintf(p.w, "\r%s: page %d, %d new reviews, %s", p.name, pages, reviews, time.Since(p.start).Round(time.Second))
	case pages%10 == 0:
		fmt.Fprintf(p.w, "%s: page %d, %d new reviews\n", p.name, pages, reviews)
	}
}

func (p *progress) done() {
	if p.tty && p.pages > 0 {
		fmt.Fprintln(p.w)
	}
}
