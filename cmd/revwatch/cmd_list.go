package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
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

func newReviewsCmd(g *globals) *cobra.Command {
	var f listFlags
	c := &cobra.Command{
		Use:   "reviews",
		Short: "List stored reviews, newest first per listing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.list(cmd.Context(), f, []string{"LISTING", "PLATFORM", "ID", "STARS", "AUTHOR", "PUBLISHED", "TITLE/TEXT"},
				func(db *store.DB, emit func(table []string, obj any) error) error {
					return db.Reviews(cmd.Context(), f.listing, func(r store.StoredReview) error {
						j := reviewJSON{Listing: r.Listing, Platform: r.Platform, ID: r.ID, Author: r.Author, Rating: r.Rating,
							Title: r.Title, Text: r.Text, Language: r.Language, Published: rfc3339(r.Published), URL: r.URL,
							Updated: rfc3339(r.Updated), Removed: rfc3339(r.Removed)}
						if r.Reply != nil {
							j.Reply = &r.Reply.Text
						}
						return emit([]string{r.Listing, r.Platform, r.ID, stars(r.Rating), r.Author, date(r.Published), clip(r.Title, r.Text)}, j)
					})
				})
		},
	}
	f.add(c)
	return c
}

func newRatingsCmd(g *globals) *cobra.Command {
	var f listFlags
	c := &cobra.Command{
		Use:   "ratings",
		Short: "List rating snapshots (the history of each listing's aggregate rating)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.list(cmd.Context(), f, []string{"LISTING", "AT", "RATING", "COUNT"},
				func(db *store.DB, emit func([]string, any) error) error {
					return db.Ratings(cmd.Context(), f.listing, func(s store.Snapshot) error {
						at := s.At.UTC().Format(time.RFC3339)
						return emit([]string{s.Listing, at, strconv.FormatFloat(s.Rating, 'f', -1, 64), strconv.Itoa(s.Count)},
							ratingJSON{Listing: s.Listing, At: at, Rating: s.Rating, Count: s.Count})
					})
				})
		},
	}
	f.add(c)
	return c
}

func newDraftsCmd(g *globals) *cobra.Command {
	var f listFlags
	c := &cobra.Command{
		Use:   "drafts",
		Short: "List reply drafts and their status (pending, approved, rejected, posted)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.list(cmd.Context(), f, []string{"ID", "LISTING", "REVIEW", "STATUS", "CREATED", "TEXT"},
				func(db *store.DB, emit func([]string, any) error) error {
					return db.Drafts(cmd.Context(), f.listing, func(d store.Draft) error {
						created := d.Created.UTC().Format(time.RFC3339)
						j := draftJSON{ID: d.ID, Listing: d.Listing, ReviewID: d.ReviewID, Status: string(d.Status), Text: d.Text,
							Created: created, UpdatedBy: d.UpdatedBy}
						if p := rfc3339(d.Updated); p != nil {
							j.Updated = *p
						}
						return emit([]string{strconv.FormatUint(d.ID, 10), d.Listing, d.ReviewID, string(d.Status), created, clip("", d.Text)}, j)
					})
				})
		},
	}
	f.add(c)
	return c
}

// list opens the store read-only and streams rows in the chosen format:
// JSON is written item by item (one array), so memory stays flat.
func (g *globals) list(ctx context.Context, f listFlags, header []string, scan func(db *store.DB, emit func([]string, any) error) error) error {
	switch f.format {
	case "table", "json", "csv":
	default:
		return usageError{fmt.Errorf("--format %q: want table, json or csv", f.format)}
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
	db, err := store.Open(cfg.Store, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	w := g.stdout
	var emit func([]string, any) error
	var done func() error
	switch f.format {
	case "json":
		n := 0
		io.WriteString(w, "[")
		emit = func(_ []string, obj any) error {
			sep := ",\n"
			if n == 0 {
				sep = "\n"
			}
			n++
			io.WriteString(w, sep)
			b, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		}
		done = func() error { _, err := io.WriteString(w, "\n]\n"); return err }
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(header)
		emit = func(row []string, _ any) error { return cw.Write(row) }
		done = func() error { cw.Flush(); return cw.Error() }
	default:
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		emit = func(row []string, _ any) error {
			for i := range row {
				row[i] = oneLine(row[i])
			}
			_, err := fmt.Fprintln(tw, strings.Join(row, "\t"))
			return err
		}
		done = tw.Flush
	}
	if err := scan(db, emit); err != nil {
		return err
	}
	return done()
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
