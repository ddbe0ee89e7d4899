package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/store"
)

// listFlags are shared by reviews, ratings and drafts.
type listFlags struct {
	format  string
	listing string
}

func (f *listFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.format, "format", "table", "output format: table, json or csv")
	c.Flags().StringVar(&f.listing, "listing", "", "only this listing id")
}

// reviewJSON is the contract of `reviews --format json`.
type reviewJSON struct {
	Listing   string   `json:"listing"`
	Platform  string   `json:"platform"`
	ID        string   `json:"id"`
	Author    string   `json:"author"`
	Rating    *float64 `json:"rating"`
	Title     string   `json:"title"`
	Text      string   `json:"text"`
	Language  string   `json:"language"`
	Published *string  `json:"published"`
	URL       string   `json:"url"`
	// Beyond the contract: when the author last edited it, the business's
	// reply, and when a complete source stopped showing it.
	Updated *string `json:"updated"`
	Reply   *string `json:"reply"`
	Removed *string `json:"removed,omitempty"`
}

type ratingJSON struct {
	Listing string  `json:"listing"`
	At      string  `json:"at"`
	Rating  float64 `json:"rating"`
	Count   int     `json:"count"`
}

type draftJSON struct {
	ID        uint64 `json:"id"`
	Listing   string `json:"listing"`
	ReviewID  string `json:"review_id"`
	Status    string `json:"status"`
	Text      string `json:"text"`
	Created   string `json:"created"`
	UpdatedBy string `json:"updated_by,omitempty"`
	Updated   string `json:"updated,omitempty"`
}

// emitFunc writes one row: its table/CSV cells and its JSON object.
type emitFunc func(row []string, obj any) error

// lister is one read command: its table header and how it scans the store.
type lister struct {
	short  string
	header []string
	scan   func(ctx context.Context, db *store.DB, listing string, emit emitFunc) error
	// json, when set, streams the --format json objects ready-encoded
	// (the same objects scan's would marshal to), faster than scan.
	json func(ctx context.Context, db *store.DB, listing string, emit func(obj []byte) error) error
}

// newReviewJSON is the export object of a stored review.
func newReviewJSON(r store.StoredReview) reviewJSON {
	j := reviewJSON{Listing: r.Listing, Platform: r.Platform, ID: r.ID, Author: r.Author, Rating: r.Rating,
		Title: r.Title, Text: r.Text, Language: r.Language, Published: rfc3339(r.Published), URL: r.URL,
		Updated: rfc3339(r.Updated), Removed: rfc3339(r.Removed)}
	if r.Reply != nil {
		j.Reply = &r.Reply.Text
	}
	return j
}

// lists are the read commands. The daemon serves the same ones at
// /api/list/<name>, so they work while it holds the store.
var lists = map[string]lister{
	"reviews": {
		short:  "List stored reviews, newest first per listing",
		header: []string{"LISTING", "PLATFORM", "ID", "STARS", "AUTHOR", "PUBLISHED", "TITLE/TEXT"},
		scan: func(ctx context.Context, db *store.DB, listing string, emit emitFunc) error {
			return db.Reviews(ctx, listing, func(r store.StoredReview) error {
				return emit([]string{r.Listing, r.Platform, r.ID, stars(r.Rating), r.Author, date(r.Published), clip(r.Title, r.Text)}, newReviewJSON(r))
			})
		},
		json: func(ctx context.Context, db *store.DB, listing string, emit func([]byte) error) error {
			var buf []byte
			return db.ReviewValues(ctx, listing, func(v []byte) error {
				var ok bool
				if buf, ok = appendReviewJSON(buf[:0], v); !ok {
					b, err := reviewObject(v)
					if err != nil {
						return fmt.Errorf("review %.80q: %w", v, err)
					}
					buf = b
				}
				return emit(buf)
			})
		},
	},
	"ratings": {
		short:  "List rating snapshots (the history of each listing's aggregate rating)",
		header: []string{"LISTING", "AT", "RATING", "COUNT"},
		scan: func(ctx context.Context, db *store.DB, listing string, emit emitFunc) error {
			return db.Ratings(ctx, listing, func(s store.Snapshot) error {
				at := s.At.UTC().Format(time.RFC3339)
				return emit([]string{s.Listing, at, strconv.FormatFloat(s.Rating, 'f', -1, 64), strconv.Itoa(s.Count)},
					ratingJSON{Listing: s.Listing, At: at, Rating: s.Rating, Count: s.Count})
			})
		},
	},
	"drafts": {
		short:  "List reply drafts and their status (pending, approved, rejected, posted)",
		header: []string{"ID", "LISTING", "REVIEW", "STATUS", "CREATED", "TEXT"},
		scan: func(ctx context.Context, db *store.DB, listing string, emit emitFunc) error {
			return db.Drafts(ctx, listing, func(d store.Draft) error {
				created := d.Created.UTC().Format(time.RFC3339)
				j := draftJSON{ID: d.ID, Listing: d.Listing, ReviewID: d.ReviewID, Status: string(d.Status), Text: d.Text,
					Created: created, UpdatedBy: d.UpdatedBy}
				if p := rfc3339(d.Updated); p != nil {
					j.Updated = *p
				}
				status := string(d.Status)
				if d.Manual && d.Status == store.DraftApproved {
					status = "approved - post manually"
				}
				return emit([]string{strconv.FormatUint(d.ID, 10), d.Listing, d.ReviewID, status, created, clip("", d.Text)}, j)
			})
		},
	},
}

func newListCmd(g *globals, name string) *cobra.Command {
	var f listFlags
	c := &cobra.Command{
		Use:   name,
		Short: lists[name].short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.list(cmd.Context(), name, f)
		},
	}
	f.add(c)
	return c
}

func (f listFlags) check() error {
	switch f.format {
	case "table", "json", "csv":
		return nil
	}
	return usageError{fmt.Errorf("--format %q: want table, json or csv", f.format)}
}

// list opens the store read-only and streams the rows; while the daemon
// holds the store, it asks the daemon instead.
func (g *globals) list(ctx context.Context, name string, f listFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	cfg, _, err := g.loadConfig()
	if err != nil {
		return err
	}
	if f.listing != "" {
		if _, _, ok := cfg.listing(f.listing); !ok {
			return usageError{fmt.Errorf("--listing %q: no such listing in %s (have: %v)", f.listing, g.config, cfg.listingIDs())}
		}
	}
	// A running daemon holds the store: ask it first (a refused connection
	// costs nothing), then open the store ourselves.
	q := url.Values{"format": {f.format}, "listing": {f.listing}}
	if err := viaDaemon(ctx, cfg, http.MethodGet, "/api/list/"+name+"?"+q.Encode(), nil, g.stdout); !errors.Is(err, errNoDaemon) {
		return err
	}
	db, err := store.Open(cfg.Store, store.Options{ReadOnly: true})
	if err != nil {
		return inUse(cfg, err)
	}
	defer db.Close()
	// 1 MB writes (writeList keeps a buffer this size), into a pipe of 1 MB
	// when stdout is one: with 64 KB ones a million-review export into a
	// pipe was 13,000 blocking writes, and entering, sleeping in and
	// leaving them cost a quarter of its CPU (BENCHMARKS.md). Memory stays
	// flat: one buffer.
	growPipe(g.stdout)
	out := bufio.NewWriterSize(g.stdout, 1<<20)
	err = writeList(ctx, out, db, name, f)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// writeList streams a list in the chosen format: JSON is written item by
// item (one array), so memory stays flat however big the store.
func writeList(ctx context.Context, w io.Writer, db *store.DB, name string, f listFlags) error {
	l, ok := lists[name]
	if !ok {
		return fmt.Errorf("no list %q", name)
	}
	// One write per row was three syscalls a review: a million-review
	// export spent most of its time in them (BENCHMARKS.md). A larger
	// *bufio.Writer passed in (the CLI's) is used as it is.
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	w = bw
	var emit emitFunc
	var raw func(obj []byte) error // JSON: writes one encoded object
	var done func() error
	switch f.format {
	case "json":
		n := 0
		io.WriteString(w, "[")
		raw = func(b []byte) error {
			sep := ",\n"
			if n == 0 {
				sep = "\n"
			}
			n++
			io.WriteString(w, sep)
			_, err := w.Write(b)
			return err
		}
		emit = func(_ []string, obj any) error {
			b, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			return raw(b)
		}
		done = func() error { _, err := io.WriteString(w, "\n]\n"); return err }
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(l.header)
		emit = func(row []string, _ any) error { return cw.Write(row) }
		done = func() error { cw.Flush(); return cw.Error() }
	default:
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(l.header, "\t"))
		emit = func(row []string, _ any) error {
			for i := range row {
				row[i] = oneLine(row[i])
			}
			_, err := fmt.Fprintln(tw, strings.Join(row, "\t"))
			return err
		}
		done = tw.Flush
	}
	scan := l.scan
	if f.format == "json" && l.json != nil {
		scan = func(ctx context.Context, db *store.DB, listing string, emit emitFunc) error {
			return l.json(ctx, db, listing, raw)
		}
	}
	if err := scan(ctx, db, f.listing, emit); err != nil {
		return err
	}
	if err := done(); err != nil {
		return err
	}
	return bw.Flush()
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func stars(r *float64) string {
	if r == nil {
		return "-"
	}
	return strconv.FormatFloat(*r, 'f', -1, 64)
}

// clip joins title and text into one short table cell.
func clip(title, text string) string {
	s := text
	if title != "" && !strings.HasPrefix(text, strings.TrimSuffix(title, "…")) {
		s = title + ": " + text
	}
	const max = 60
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
