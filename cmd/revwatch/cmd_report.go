package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/digest"
	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
)

// report, chart and export read the store like the list commands: through
// the running daemon's local API when it holds the store, else by opening
// it read-only. Each has one function writing its output from a store,
// used by both paths, so they print the same thing.

// reportFlags are `revwatch report`'s flags (also the API's query).
type reportFlags struct {
	business string
	since    string
	format   string
}

func newReportCmd(g *globals) *cobra.Command {
	var f reportFlags
	c := &cobra.Command{
		Use:   "report [--business ID] [--since 7d]",
		Short: "Print the digest of the last week (or --since) for each business: ratings, stars, topics, replies, unanswered and removed reviews",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, reg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if err := f.check(cfg); err != nil {
				return err
			}
			q := url.Values{"business": {f.business}, "since": {f.since}, "format": {f.format}}
			return g.readStore(cmd.Context(), cfg, "/api/report?"+q.Encode(), g.stdout, func(db *store.DB) error {
				set, err := templates.Load(cfg.Templates)
				if err != nil {
					return usageError{fmt.Errorf("templates: %w", err)}
				}
				return writeReport(cmd.Context(), g.stdout, db, cfg, reg, set, f, time.Now())
			})
		},
	}
	c.Flags().StringVar(&f.business, "business", "", "only this business id")
	c.Flags().StringVar(&f.since, "since", "7d", "the period: this long before now (30m, 24h, 7d)")
	c.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	return c
}

func (f reportFlags) check(cfg *Config) error {
	if f.format != "text" && f.format != "json" {
		return usageError{fmt.Errorf("--format %q: want text or json", f.format)}
	}
	if d, err := sources.ParseDuration(f.since); err != nil || d <= 0 {
		return usageError{fmt.Errorf("--since %q: want a positive duration such as 7d, 24h or 30m", f.since)}
	}
	if f.business != "" && cfg.business(f.business) == nil {
		return usageError{fmt.Errorf("--business %q: no such business in %s (have: %v)", f.business, cfg.path, cfg.businessIDs())}
	}
	return nil
}

// readStore runs local against the store opened read-only, or, while the
// daemon holds it, copies the answer of the daemon's API path to out.
func (g *globals) readStore(ctx context.Context, cfg *Config, apiPath string, out io.Writer, local func(*store.DB) error) error {
	if err := viaDaemon(ctx, cfg, http.MethodGet, apiPath, nil, out); !errors.Is(err, errNoDaemon) {
		return err
	}
	db, err := store.Open(cfg.Store, store.Options{ReadOnly: true})
	if err != nil {
		return inUse(cfg, err)
	}
	defer db.Close()
	return local(db)
}

// writeReport writes the digest of every business (or one) for the period
// ending now.
func writeReport(ctx context.Context, w io.Writer, db *store.DB, cfg *Config, reg sources.Registry, set *templates.Set, f reportFlags, now time.Time) error {
	since, err := sources.ParseDuration(f.since)
	if err != nil || since <= 0 {
		return fmt.Errorf("--since %q: want a positive duration such as 7d", f.since)
	}
	var all []digest.Digest
	for _, b := range cfg.Businesses {
		if f.business != "" && b.ID != f.business {
			continue
		}
		d, err := computeDigest(ctx, db, cfg, reg, set, b, now.Add(-since), now)
		if err != nil {
			return err
		}
		if f.format == "json" {
			all = append(all, d)
			continue
		}
		if err := d.WriteText(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	if f.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	return nil
}

// computeDigest is the one place a business's digest is computed (report,
// daemon, API).
func computeDigest(ctx context.Context, db *store.DB, cfg *Config, reg sources.Registry, set *templates.Set, b Business, from, to time.Time) (digest.Digest, error) {
	infos, err := db.Listings(ctx)
	if err != nil {
		return digest.Digest{}, err
	}
	return digest.Compute(ctx, db, digest.Options{
		Business: b.ID, BusinessName: b.Name,
		Listings: withStoredNames(b.digestListings(reg), infos),
		From:     from, To: to, Location: b.location(),
		NegativeAtOrBelow: cfg.Rules.NegativeAtOrBelow,
		RemindAfter:       time.Duration(cfg.Rules.RemindAfter),
		Topics:            topicsOf(set, b),
	})
}

// topicsOf detects a review's complaint topics exactly as its reply draft
// would (templates: language detection, the language's lexicon).
func topicsOf(set *templates.Set, b Business) func(store.StoredReview) []string {
	biz := b.drafting()
	return func(r store.StoredReview) []string {
		d, err := set.Draft(templates.Request{Business: biz, Review: r.Review, Platform: r.Platform})
		if err != nil {
			return nil
		}
		return d.Topics
	}
}

// chartFlags are `revwatch chart`'s flags.
type chartFlags struct {
	listing, business, out string
	days                   int
}

func newChartCmd(g *globals) *cobra.Command {
	var f chartFlags
	c := &cobra.Command{
		Use:   "chart --listing ID --out rating.png",
		Short: "Write a PNG chart of a listing's rating history (or of every listing of --business)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, reg, err := g.loadConfig()
			if err != nil {
				return err
			}
			if err := f.check(cfg); err != nil {
				return err
			}
			if f.out == "" {
				return usageError{errors.New("--out FILE is required (e.g. --out rating.png)")}
			}
			// Written beside the target and renamed, so a failure leaves no half file.
			tmp, err := os.CreateTemp(filepath.Dir(f.out), ".revwatch-chart-*.png")
			if err != nil {
				return usageError{fmt.Errorf("--out %s: %w", f.out, err)}
			}
			defer os.Remove(tmp.Name())
			q := url.Values{"listing": {f.listing}, "business": {f.business}, "days": {strconv.Itoa(f.days)}}
			err = g.readStore(cmd.Context(), cfg, "/api/chart?"+q.Encode(), tmp, func(db *store.DB) error {
				return writeChart(cmd.Context(), tmp, db, cfg, reg, f, time.Now())
			})
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), f.out); err != nil {
				return fmt.Errorf("chart: %w", err)
			}
			fmt.Fprintf(g.stderr, "wrote %s\n", f.out)
			return nil
		},
	}
	c.Flags().StringVar(&f.listing, "listing", "", "the listing id to chart")
	c.Flags().StringVar(&f.business, "business", "", "chart every listing and competitor of this business instead")
	c.Flags().StringVar(&f.out, "out", "", "the PNG file to write (required)")
	c.Flags().IntVar(&f.days, "days", digest.HistoryDays, "how many days of history")
	return c
}

func (f chartFlags) check(cfg *Config) error {
	var errs []error
	switch {
	case f.listing == "" && f.business == "":
		errs = append(errs, errors.New("--listing ID (or --business ID) is required"))
	case f.listing != "" && f.business != "":
		errs = append(errs, errors.New("give --listing or --business, not both"))
	case f.listing != "":
		if _, _, ok := cfg.listing(f.listing); !ok {
			errs = append(errs, fmt.Errorf("--listing %q: no such listing in %s (have: %v)", f.listing, cfg.path, cfg.listingIDs()))
		}
	case cfg.business(f.business) == nil:
		errs = append(errs, fmt.Errorf("--business %q: no such business in %s (have: %v)", f.business, cfg.path, cfg.businessIDs()))
	}
	if f.days < 1 || f.days > 3660 {
		errs = append(errs, fmt.Errorf("--days %d: want 1 to 3660", f.days))
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	return nil
}

// writeChart renders the chart of one listing (or a business's listings)
// over the days to now.
func writeChart(ctx context.Context, w io.Writer, db *store.DB, cfg *Config, reg sources.Registry, f chartFlags, now time.Time) error {
	infos, err := db.Listings(ctx)
	if err != nil {
		return err
	}
	var ls []digest.Listing
	title := ""
	if f.listing != "" {
		b, _, _ := cfg.listing(f.listing)
		for _, l := range withStoredNames(b.digestListings(reg), infos) {
			if l.ID == f.listing {
				ls = append(ls, l)
				title = digest.Renderable(l.Name, l.ID)
			}
		}
	} else if b := cfg.business(f.business); b != nil {
		ls = withStoredNames(b.digestListings(reg), infos)
		title = digest.Renderable(b.Name, b.ID)
	}
	from := now.AddDate(0, 0, -f.days)
	var series []digest.Series
	for _, l := range ls {
		s, err := digest.History(ctx, db, l, from, now)
		if err != nil {
			return err
		}
		if len(s.Points) > 0 {
			series = append(series, s)
		}
	}
	var buf bytes.Buffer
	err = digest.Chart(&buf, fmt.Sprintf("Rating history, %d days - %s", f.days, title), series, from, now)
	if errors.Is(err, digest.ErrNoHistory) {
		return fmt.Errorf("chart: no rating snapshot in the last %d days for %s (poll it first: `revwatch poll`)", f.days, cmp.Or(f.listing, f.business))
	}
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// exportFlags are `revwatch export`'s flags.
type exportFlags struct {
	format, listing, business string
	bom                       bool
}

// exportHeader is the CSV's first row; every row has these columns.
var exportHeader = []string{"business", "platform", "listing", "review_id", "published_utc", "updated_utc", "author", "stars",
	"language", "title", "text", "translation", "reply", "reply_date_utc", "status", "removed_utc", "draft_status", "url", "first_seen_utc"}

func newExportCmd(g *globals) *cobra.Command {
	var f exportFlags
	c := &cobra.Command{
		Use:   "export --format csv",
		Short: "Write every stored review as CSV for spreadsheets (to stdout)",
		Long: `export streams every stored review (or those of --listing / --business) as CSV,
one row per review with: ` + strings.Join(exportHeader, ", ") + `.
Times are UTC ("2006-01-02 15:04:05"). status is active, edited, removed or
text_purged; draft_status is the reply draft's state (pending, approved, rejected,
posted) or empty. A cell starting with = + - @ gets a leading ' so a spreadsheet
never runs a review as a formula. --bom adds the UTF-8 byte-order mark Excel needs
to read non-Latin text.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := g.loadConfig()
			if err != nil {
				return err
			}
			if err := f.check(cfg); err != nil {
				return err
			}
			q := url.Values{"format": {f.format}, "listing": {f.listing}, "business": {f.business}, "bom": {strconv.FormatBool(f.bom)}}
			return g.readStore(cmd.Context(), cfg, "/api/export?"+q.Encode(), g.stdout, func(db *store.DB) error {
				return writeExport(cmd.Context(), g.stdout, db, cfg, f)
			})
		},
	}
	c.Flags().StringVar(&f.format, "format", "csv", "output format: csv")
	c.Flags().StringVar(&f.listing, "listing", "", "only this listing id")
	c.Flags().StringVar(&f.business, "business", "", "only this business's listings")
	c.Flags().BoolVar(&f.bom, "bom", false, "start with a UTF-8 byte-order mark (Excel)")
	return c
}

func (f exportFlags) check(cfg *Config) error {
	if f.format != "csv" {
		return usageError{fmt.Errorf("--format %q: want csv", f.format)}
	}
	if f.listing != "" {
		if _, _, ok := cfg.listing(f.listing); !ok {
			return usageError{fmt.Errorf("--listing %q: no such listing in %s (have: %v)", f.listing, cfg.path, cfg.listingIDs())}
		}
	}
	if f.business != "" && cfg.business(f.business) == nil {
		return usageError{fmt.Errorf("--business %q: no such business in %s (have: %v)", f.business, cfg.path, cfg.businessIDs())}
	}
	return nil
}

// writeExport streams reviews as CSV, one row at a time: memory stays flat
// however big the store (only the drafts' states are held).
func writeExport(ctx context.Context, w io.Writer, db *store.DB, cfg *Config, f exportFlags) error {
	owner := map[string]string{}
	for _, b := range cfg.Businesses {
		for _, l := range b.Listings {
			owner[l.ID] = b.ID
		}
	}
	drafts := map[string]store.DraftStatus{}
	if err := db.Drafts(ctx, f.listing, func(d store.Draft) error {
		drafts[d.Listing+"\x00"+d.ReviewID] = d.Status // the latest draft wins
		return nil
	}); err != nil {
		return err
	}
	if f.bom {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	err := db.Reviews(ctx, f.listing, func(r store.StoredReview) error {
		biz := owner[r.Listing]
		if f.business != "" && biz != f.business {
			return nil
		}
		var stars, translation, reply, replyAt string
		if r.Rating != nil {
			stars = strconv.FormatFloat(*r.Rating, 'f', -1, 64)
		}
		if r.Translation != nil {
			translation = r.Translation.Text
		}
		if r.Reply != nil {
			reply, replyAt = r.Reply.Text, sheetTime(r.Reply.Published)
		}
		status := "active"
		switch {
		case !r.Removed.IsZero():
			status = "removed"
		case r.TextPurged:
			status = "text_purged"
		case r.Versions > 0:
			status = "edited"
		}
		row := []string{biz, r.Platform, r.Listing, r.ID, sheetTime(r.Published), sheetTime(r.Updated), r.Author, stars,
			r.Language, r.Title, r.Text, translation, reply, replyAt, status, sheetTime(r.Removed),
			string(drafts[r.Listing+"\x00"+r.ID]), r.URL, sheetTime(r.FirstSeen)}
		for i := range row {
			row[i] = inert(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// sheetTime is a UTC time spreadsheets read as a date ("" for none).
func sheetTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// inert keeps a spreadsheet from running untrusted text as a formula
// (CSV injection): a cell starting with = + - @ (or a tab or CR) gets a
// leading apostrophe, which spreadsheets hide.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// business finds a configured business by id.
func (c *Config) business(id string) *Business {
	for i := range c.Businesses {
		if c.Businesses[i].ID == id {
			return &c.Businesses[i]
		}
	}
	return nil
}

// businessIDs lists the configured business ids, for error messages.
func (c *Config) businessIDs() []string {
	var ids []string
	for _, b := range c.Businesses {
		ids = append(ids, b.ID)
	}
	return ids
}

// reportAPI serves report, chart and export to the CLI while the daemon
// holds the store (see api.go).
func (a *app) reportAPI(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/report", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := reportFlags{business: q.Get("business"), since: cmp.Or(q.Get("since"), "7d"), format: cmp.Or(q.Get("format"), "text")}
		if err := f.check(a.cfg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var buf bytes.Buffer
		if err := writeReport(r.Context(), &buf, a.db, a.cfg, a.reg, a.set, f, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(buf.Bytes())
	})
	mux.HandleFunc("GET /api/chart", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		days, _ := strconv.Atoi(q.Get("days"))
		f := chartFlags{listing: q.Get("listing"), business: q.Get("business"), days: days}
		if err := f.check(a.cfg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var buf bytes.Buffer
		if err := writeChart(r.Context(), &buf, a.db, a.cfg, a.reg, f, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	})
	mux.HandleFunc("GET /api/export", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := exportFlags{format: q.Get("format"), listing: q.Get("listing"), business: q.Get("business"), bom: q.Get("bom") == "true"}
		if err := f.check(a.cfg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		// A big store takes longer than the server's 10 s write timeout.
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
		// Streamed: an error after the first row can only cut the answer short.
		if err := writeExport(r.Context(), w, a.db, a.cfg, f); err != nil {
			a.log.Warn("api export", "err", err)
		}
	})
}
