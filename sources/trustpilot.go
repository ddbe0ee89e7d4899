package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// trustpilot reads a Trustpilot business through one of two doors.
//
// The page door (url only) reads the public business page
// (https://www.trustpilot.com/review/<domain>). Trustpilot server-renders
// its Next.js state into <script id="__NEXT_DATA__">, which carries the
// business unit, the page's reviews with the company's replies, and the
// pagination; that is the primary source. The JSON-LD @graph repeats the
// aggregate and the reviews (without replies) and is the fallback for when
// the Next.js payload is renamed or dropped. Pages hold 20 reviews; a poll
// reads at most trustpilotMaxPages, a backfill at most trustpilotMaxBackfill
// (1000 reviews).
//
// The Business API door (api_key and business_unit_id set; see
// trustpilot_api.go) reads the public Business Units API with the key:
// 100 reviews a page, newest first, no page cap for Backfill. A steady
// poll costs two requests (the unit and page 1); the key's rate limit is
// Trustpilot's to set, and a 429 is ErrQuota with its Retry-After.
//
// Paging follows Options on both doors: page 1 only when nothing is known,
// further pages only while they hold nothing known yet, every page up to
// the cap for a backfill. Backfill pages through history by page number.
type trustpilot struct{ env *Env }

var (
	_ Source     = (*trustpilot)(nil)
	_ Backfiller = (*trustpilot)(nil)
)

const (
	// trustpilotMaxPages bounds a normal poll: a listing that gained more
	// than ~100 reviews since the last poll is rare, and each page is a
	// ~600 KB request to a site that rate-limits hard.
	trustpilotMaxPages = 5
	// trustpilotMaxBackfill bounds a backfill (1000 reviews at 20 a page).
	trustpilotMaxBackfill = 50
)

func newTrustpilot(env *Env) Source { return &trustpilot{env: env} }

// validateTrustpilot checks a listing for either door: api_key and
// business_unit_id together for the Business API (url then optional, for
// links), otherwise url, an absolute http(s) URL whose path is a business
// page (/review/<domain>). Any host is allowed so tests and proxies can
// serve the page. Every problem is reported, each naming its key.
func validateTrustpilot(l Listing) error {
	var errs []error
	if err := CheckKeys(l, "url", "endpoint", "api_key", "business_unit_id"); err != nil {
		errs = append(errs, tpPrefix(err)...)
	}
	hasKey := strings.TrimSpace(l.APIKey.Reveal()) != ""
	unit := strings.TrimSpace(l.BusinessUnitID)
	switch {
	case hasKey && unit == "":
		errs = append(errs, fmt.Errorf("trustpilot: business_unit_id: is required with api_key (find it with GET /v1/business-units/find?name=<domain>): %w", ErrConfig))
	case unit != "" && !hasKey:
		errs = append(errs, fmt.Errorf("trustpilot: api_key: is required with business_unit_id (the Business API key, usually ${TRUSTPILOT_API_KEY}): %w", ErrConfig))
	}
	if unit != "" {
		if err := tpCheckUnitID(unit); err != nil {
			errs = append(errs, err)
		}
	}
	if err := tpCheckEndpoint(l.Endpoint); err != nil {
		errs = append(errs, err)
	}
	raw := strings.TrimSpace(l.URL)
	switch {
	case raw == "" && !hasKey && unit == "":
		errs = append(errs, fmt.Errorf("trustpilot: url: is required (the business page, e.g. https://www.trustpilot.com/review/example.com), unless api_key and business_unit_id are set: %w", ErrConfig))
	case raw != "":
		if err := tpCheckPageURL(raw); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// tpCheckPageURL checks a business page URL.
func tpCheckPageURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("trustpilot: url: %q is not an absolute http(s) URL: %w", Redact(raw), ErrConfig)
	}
	if rest, ok := strings.CutPrefix(u.Path, "/review/"); !ok || strings.Trim(rest, "/") == "" {
		return fmt.Errorf("trustpilot: url: %q is not a Trustpilot business page (path must be /review/<domain>): %w", Redact(raw), ErrConfig)
	}
	return nil
}

// tpCheckUnitID checks business_unit_id, which goes into the API path.
func tpCheckUnitID(id string) error {
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			hint := ""
			if strings.Contains(id, ".") {
				hint = ", not the domain"
			}
			return fmt.Errorf("trustpilot: business_unit_id: %q must be the unit's id (letters and digits, e.g. 507f191e810c19729de860ea%s): %w", id, hint, ErrConfig)
		}
	}
	return nil
}

// tpCheckEndpoint checks the API base URL; paths are appended to it, so a
// query or fragment would swallow them.
func tpCheckEndpoint(raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("trustpilot: endpoint: %q is not an absolute http(s) URL: %w", Redact(raw), ErrConfig)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("trustpilot: endpoint: %q must not carry a query or fragment: %w", Redact(raw), ErrConfig)
	}
	return nil
}

// tpPrefix splits CheckKeys' joined errors and gives each the platform
// prefix every trustpilot error starts with.
func tpPrefix(err error) []error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = fmt.Errorf("trustpilot: %w", e)
	}
	return out
}

// Fetch reads page 1 of the listing and, as Options ask, the pages after
// it, through the Business API when the listing has its keys.
func (t *trustpilot) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	if err := validateTrustpilot(l); err != nil {
		return Observation{}, err
	}
	if tpUsesAPI(l) {
		return t.fetchAPI(ctx, l, o)
	}
	first, stored, err := t.page(ctx, l.URL, o.Backfill)
	if err != nil {
		return Observation{}, err
	}
	obs := Observation{
		Listing:  l.ID,
		Platform: "trustpilot",
		At:       t.env.now(),
		Name:     first.Name,
		URL:      l.URL,
		Rating:   first.Rating,
	}
	reviews := append([]Review(nil), first.Reviews...) // parseTrustpilot dedupes within a page
	seen := make(map[string]bool, len(reviews))
	for _, r := range reviews {
		seen[r.ID] = true
	}

	limit := 1
	switch {
	case o.Backfill:
		limit = trustpilotMaxBackfill
	case o.Known != nil:
		limit = trustpilotMaxPages
	}
	cur, n := first, first.CurrentPage
	if n < 1 {
		n = 1
	}
	for fetched := 1; fetched < limit && cur.hasNext(n); fetched++ {
		// A normal poll stops at the first page holding something already
		// stored: everything after it is older and stored too.
		if !o.NextPage(cur.Reviews) {
			break
		}
		n++
		next, storedNext, err := t.page(ctx, trustpilotPageURL(l.URL, n), o.Backfill)
		if err != nil {
			if ctx.Err() != nil {
				// The caller gave up; a partial result would be taken as news.
				return Observation{}, fmt.Errorf("trustpilot: page %d: %w", n, ctx.Err())
			}
			if errors.Is(err, ErrNotModified) {
				break // the same page as when it was last read: stored already
			}
			t.env.logger().Warn("trustpilot: later page failed; keeping the pages before it",
				"listing", l.ID, "page", n, "err", err)
			break
		}
		// A server that ignores ?page= would hand page 1 back forever.
		if next.CurrentPage != 0 && next.CurrentPage != n {
			t.env.logger().Warn("trustpilot: asked for one page, got another; stopping",
				"listing", l.ID, "page", n, "got", next.CurrentPage)
			break
		}
		if prev := stored; storedNext != nil {
			stored = func() { prev(); storedNext() }
		}
		added := 0
		for _, r := range next.Reviews {
			if !seen[r.ID] {
				seen[r.ID] = true
				reviews = append(reviews, r)
				added++
			}
		}
		if added == 0 {
			break // an empty or repeated page: nothing further to find
		}
		cur = next
	}
	obs.Reviews = reviews
	if obs.Reviews == nil {
		obs.Reviews = []Review{} // "reviews": [] rather than null
	}
	obs.Stored = stored
	return obs, nil
}

// Backfill reads the listing's history newest first, one page per call of
// page, from cursor (the page number as a string; "" is page 1). It stops
// after the last page, at the first page holding a review older than since
// (that page's older reviews left out), or, on the page door, after page
// trustpilotMaxBackfill. An error leaves the pages already handed over
// committed; calling again with the last cursor resumes.
func (t *trustpilot) Backfill(ctx context.Context, l Listing, since time.Time, cursor string, page func(obs Observation, next string) error) error {
	if err := validateTrustpilot(l); err != nil {
		return err
	}
	n, err := tpCursorPage(cursor)
	if err != nil {
		return err
	}
	if tpUsesAPI(l) {
		return t.backfillAPI(ctx, l, since, n, page)
	}
	return t.backfillPages(ctx, l, since, n, page)
}

// backfillPages pages through the public business page from page n.
func (t *trustpilot) backfillPages(ctx context.Context, l Listing, since time.Time, n int, page func(Observation, string) error) error {
	// Newest first, whatever the url says: "relevance" would reshuffle
	// pages between a backfill and its resumption, and defeat since.
	listing := tpRecency(l.URL)
	seen := map[string]bool{}
	for first := n; n <= trustpilotMaxBackfill; n++ {
		p, _, err := t.page(ctx, trustpilotPageURL(listing, n), true)
		if err != nil {
			var se *StatusError
			if n > 1 && errors.As(err, &se) && se.Code == http.StatusNotFound {
				// Past the last page: history shrank since the cursor was
				// handed out, or since the previous page was read.
				t.env.logger().Warn("trustpilot: backfill page gone; stopping", "listing", l.ID, "page", n)
				return nil
			}
			return err
		}
		repeated := tpAllSeen(seen, p.Reviews) && n > first
		if (p.CurrentPage != 0 && p.CurrentPage != n) || repeated {
			// Past the last page Trustpilot shows another one (a resumed
			// cursor whose history shrank); it is not page n.
			t.env.logger().Warn("trustpilot: asked for one page, got another; backfill stops",
				"listing", l.ID, "page", n, "got", p.CurrentPage)
			return nil
		}
		kept, older := tpSince(p.Reviews, since)
		next := ""
		if p.hasNext(n) && !older && len(p.Reviews) > 0 && n < trustpilotMaxBackfill {
			next = strconv.Itoa(n + 1)
		}
		obs := Observation{
			Listing:  l.ID,
			Platform: "trustpilot",
			At:       t.env.now(),
			Name:     p.Name,
			URL:      l.URL,
			Rating:   p.Rating,
			Reviews:  kept,
		}
		if err := page(obs, next); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
	}
	return nil // a cursor past the cap: nothing more to read
}

// tpRecency is the listing URL sorted newest first, unless it sorts already.
func tpRecency(listing string) string {
	u, err := url.Parse(listing)
	if err != nil {
		return listing
	}
	q := u.Query()
	if q.Get("sort") != "" {
		return listing
	}
	q.Set("sort", "recency")
	u.RawQuery = q.Encode()
	return u.String()
}

// page fetches and parses one page; errors carry the "trustpilot: " prefix.
// fresh reads it whatever an earlier poll saw; stored arms the next poll's
// "changed since?" (see Env.ReadPage).
func (t *trustpilot) page(ctx context.Context, rawURL string, fresh bool) (p trustpilotPage, stored func(), err error) {
	stored, err = t.env.ReadPage(ctx, rawURL, fresh, func(pg Page) error {
		final := rawURL
		if pg.URL != nil {
			final = pg.URL.String()
		}
		var err error
		if p, err = parseTrustpilot(pg.Body, final); err != nil {
			return fmt.Errorf("%s: %w", Redact(rawURL), err)
		}
		return nil
	})
	if err != nil {
		return trustpilotPage{}, nil, fmt.Errorf("trustpilot: %w", err)
	}
	return p, stored, nil
}

// trustpilotPageURL is the listing URL asking for page n. Other query
// parameters (languages=all, sort=recency) are kept: they select which
// reviews the pages list.
func trustpilotPageURL(listing string, n int) string {
	u, err := url.Parse(listing)
	if err != nil {
		return listing
	}
	q := u.Query()
	if n <= 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(n))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// trustpilotPage is what one business page shows.
type trustpilotPage struct {
	Name    string
	Rating  *Rating
	Reviews []Review
	// CurrentPage and TotalPages come from __NEXT_DATA__; 0 when unknown.
	CurrentPage, TotalPages int
	// HasNextLink: the page carries <link rel="next">, the only paging hint
	// left when __NEXT_DATA__ is gone.
	HasNextLink bool
	// FromJSONLD: the reviews came from the JSON-LD fallback.
	FromJSONLD bool
}

// hasNext reports whether a page after page n exists.
func (p trustpilotPage) hasNext(n int) bool {
	if p.TotalPages > 0 {
		return n < p.TotalPages
	}
	return p.HasNextLink
}

// parseTrustpilot reads a business page. It is pure (no I/O, no clock) so it
// can be fuzzed and benchmarked. pageURL is the page's address after
// redirects; review links are built on its host.
func parseTrustpilot(body []byte, pageURL string) (trustpilotPage, error) {
	doc := scanTrustpilotHTML(body)
	base := trustpilotBase(pageURL)

	var p trustpilotPage
	p.HasNextLink = doc.nextLink

	nd, ndErr := decodeTrustpilotNext(doc.nextData)
	// JSON-LD is decoded only when __NEXT_DATA__ falls short: on a healthy
	// page it would double the decoding work for nothing.
	var ldMemo *tpLD
	jsonLD := func() tpLD {
		if ldMemo == nil {
			ld := decodeTrustpilotLD(doc.jsonLD)
			ldMemo = &ld
		}
		return *ldMemo
	}

	bu := nd.Props.PageProps.BusinessUnit
	switch {
	case bu != nil:
		p.Name = strings.TrimSpace(string(bu.DisplayName))
		if p.Name == "" {
			p.Name = strings.TrimSpace(string(bu.IdentifyingName))
		}
		if v, ok := Normalise(bu.TrustScore.V, 5, 1); bu.TrustScore.OK && ok {
			p.Rating = &Rating{Value: v, Count: bu.NumberOfReviews.int()}
		}
		pg := nd.Props.PageProps.Filters.Pagination
		p.CurrentPage, p.TotalPages = pg.CurrentPage.int(), pg.TotalPages.int()
		if nd.Props.PageProps.Reviews != nil {
			p.Reviews = trustpilotNextReviews(nd.Props.PageProps.Reviews, base)
		} else {
			p.Reviews, p.FromJSONLD = jsonLD().reviews(base), true
		}
		// A field gone from __NEXT_DATA__ may still be in the JSON-LD,
		// which Trustpilot keeps for search engines.
		if p.Rating == nil {
			p.Rating = jsonLD().rating
		} else if p.Rating.Count == 0 && jsonLD().rating != nil {
			p.Rating.Count = jsonLD().rating.Count
		}
		if p.Name == "" {
			p.Name = jsonLD().name
		}
	case jsonLD().found():
		ld := jsonLD()
		p.Name, p.Rating = ld.name, ld.rating
		p.Reviews, p.FromJSONLD = ld.reviews(base), true
	default:
		if m := trustpilotChallenge(body); m != "" {
			return trustpilotPage{}, fmt.Errorf("%w: challenge page (%q)", ErrBlocked, m)
		}
		why := "no __NEXT_DATA__ script"
		switch {
		case ndErr != nil:
			why = "__NEXT_DATA__ unreadable: " + ndErr.Error()
		case doc.nextData != nil:
			why = "__NEXT_DATA__ has no props.pageProps.businessUnit"
		}
		return trustpilotPage{}, fmt.Errorf("%w: not a Trustpilot business page (%s, and no JSON-LD rating or reviews)", ErrLayout, why)
	}
	p.Reviews = Dedupe(p.Reviews)
	return p, nil
}

// trustpilotBase is scheme://host of the page, for review links; Trustpilot
// serves the same review on every locale host, so the page's host is kept.
func trustpilotBase(pageURL string) string {
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return "https://www.trustpilot.com"
	}
	scheme := u.Scheme
	if scheme != "http" {
		scheme = "https"
	}
	return scheme + "://" + u.Host
}

// trustpilotDoc is what the parser needs from the HTML.
type trustpilotDoc struct {
	nextData []byte   // __NEXT_DATA__ script text; nil when absent
	jsonLD   [][]byte // every application/ld+json script text
	nextLink bool     // <link rel="next">
}

// scanTrustpilotHTML reads the page once, keeping the script texts: with
// soWalk, which follows the HTML tokenizer's rules but jumps over text
// (pages are ~600 KB and only three kinds of element matter; the token
// scan was half of the parse, BENCHMARKS.md). TestTrustpilotScanMatchesTokenizer
// checks it against the tokenizer.
func scanTrustpilotHTML(body []byte) trustpilotDoc {
	var d trustpilotDoc
	soWalk(body, func(t soTag, text []byte) {
		switch t.name {
		case "script":
			if text == nil {
				return
			}
			id, _ := t.attr("id")
			typ, _ := t.attr("type")
			isNext := id == "__NEXT_DATA__"
			isLD := strings.HasPrefix(strings.ToLower(strings.TrimSpace(typ)), "application/ld+json")
			switch {
			case isNext && d.nextData == nil:
				d.nextData = []byte(soRawText(text))
			case isLD:
				d.jsonLD = append(d.jsonLD, []byte(soRawText(text)))
			}
		case "link":
			rel, _ := t.attr("rel")
			href, _ := t.attr("href")
			if href != "" && strings.Contains(" "+strings.ToLower(rel)+" ", " next ") {
				d.nextLink = true
			}
		}
	})
	return d
}

// tpNum is a JSON number that may arrive as a string ("4.3") or null;
// anything unreadable leaves OK false instead of failing the whole page.
type tpNum struct {
	V  float64
	OK bool
}

func (n *tpNum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
		b = []byte(s)
	}
	n.V, n.OK = tpParseNum(string(b))
	return nil
}

// tpParseNum reads a finite number, as JSON or as the text of a string.
func tpParseNum(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// int is the number as a count, 0 when unknown or not a sane count.
func (n tpNum) int() int {
	if !n.OK || n.V < 0 || n.V > math.MaxInt32 {
		return 0
	}
	return int(n.V)
}

// tpString is a JSON string that tolerates other types (read as "").
type tpString string

func (s *tpString) UnmarshalJSON(b []byte) error {
	// encoding/json hands over a value it has checked already: a string
	// with nothing to unescape (most of them) is its bytes. Decoding each
	// field again doubled the cost of a backfill page (BENCHMARKS.md).
	if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		*s = tpString(b[1 : len(b)-1])
		return nil
	}
	var v string
	if json.Unmarshal(b, &v) == nil {
		*s = tpString(v)
	}
	return nil
}

// tpNextData is the part of __NEXT_DATA__ the source reads.
type tpNextData struct {
	Props struct {
		PageProps struct {
			BusinessUnit *tpBusinessUnit `json:"businessUnit"`
			// Reviews stay raw so one odd review can't sink the page.
			Reviews []json.RawMessage `json:"reviews"`
			Filters struct {
				Pagination struct {
					CurrentPage tpNum `json:"currentPage"`
					TotalPages  tpNum `json:"totalPages"`
				} `json:"pagination"`
			} `json:"filters"`
		} `json:"pageProps"`
	} `json:"props"`
}

type tpBusinessUnit struct {
	DisplayName     tpString `json:"displayName"`
	IdentifyingName tpString `json:"identifyingName"`
	// NumberOfReviews is the business's total over all languages;
	// filters.pagination.totalCount only counts the filtered listing.
	NumberOfReviews tpNum `json:"numberOfReviews"`
	TrustScore      tpNum `json:"trustScore"`
}

type tpReview struct {
	ID     tpString `json:"id"`
	Rating tpNum    `json:"rating"`
	Title  tpString `json:"title"`
	Text   tpString `json:"text"`
	Dates  struct {
		PublishedDate tpString `json:"publishedDate"`
	} `json:"dates"`
	Consumer struct {
		DisplayName tpString `json:"displayName"`
	} `json:"consumer"`
	Language tpString `json:"language"`
	Reply    *struct {
		Message       tpString `json:"message"`
		PublishedDate tpString `json:"publishedDate"`
	} `json:"reply"`
}

// decodeTrustpilotNext decodes __NEXT_DATA__. Type mismatches in fields the
// source reads are tolerated (encoding/json fills what it can); only
// unreadable JSON is an error.
func decodeTrustpilotNext(b []byte) (tpNextData, error) {
	var nd tpNextData
	if b == nil {
		return nd, nil
	}
	if err := json.Unmarshal(b, &nd); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return tpNextData{}, err
		}
	}
	return nd, nil
}

func trustpilotNextReviews(raws []json.RawMessage, base string) []Review {
	out := make([]Review, 0, len(raws))
	for _, raw := range raws {
		var r tpReview
		if err := json.Unmarshal(raw, &r); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				continue
			}
		}
		rv := Review{
			ID:        strings.TrimSpace(string(r.ID)),
			Author:    strings.TrimSpace(string(r.Consumer.DisplayName)),
			Title:     strings.TrimSpace(string(r.Title)),
			Text:      strings.TrimSpace(string(r.Text)),
			Language:  strings.TrimSpace(string(r.Language)),
			Published: trustpilotTime(string(r.Dates.PublishedDate)),
		}
		if r.Rating.OK {
			rv.Rating = trustpilotStars(r.Rating.V)
		}
		if r.Reply != nil && strings.TrimSpace(string(r.Reply.Message)) != "" {
			rv.Reply = &Reply{
				Text:      strings.TrimSpace(string(r.Reply.Message)),
				Published: trustpilotTime(string(r.Reply.PublishedDate)),
			}
		}
		if finishTrustpilotReview(&rv, base) {
			out = append(out, rv)
		}
	}
	return out
}

// finishTrustpilotReview gives a review without an id a content id (so
// re-polls don't duplicate it) and links reviews that have a real one. It
// reports false for an entry with neither id nor content.
func finishTrustpilotReview(r *Review, base string) bool {
	if r.ID != "" {
		r.URL = base + "/reviews/" + url.PathEscape(r.ID)
		return true
	}
	if r.Author == "" && r.Text == "" && r.Title == "" {
		return false
	}
	r.ID = ContentID("trustpilot", r.Author, r.Published.Format(time.RFC3339), r.Title, r.Text)
	return true
}

// trustpilotStars validates a 1-5 star rating; outside it there is no rating.
func trustpilotStars(v float64) *float64 {
	if s, ok := Normalise(v, 5, 1); ok {
		return Stars(s)
	}
	return nil
}

// trustpilotTime parses Trustpilot's ISO 8601 dates into UTC; unreadable is zero.
func trustpilotTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// tpLD is what the JSON-LD blocks say about the business.
type tpLD struct {
	name       string
	rating     *Rating
	hasBiz     bool
	reviewDocs []map[string]any
}

func (ld tpLD) found() bool { return ld.hasBiz || len(ld.reviewDocs) > 0 }

// decodeTrustpilotLD reads every JSON-LD block. Trustpilot's main block is
// an @graph of the business (LocalBusiness or Organization with
// aggregateRating, its review list as @id references) and top-level Review
// nodes; Trustpilot's own Organization node carries no aggregateRating,
// which is how the two are told apart.
func decodeTrustpilotLD(blocks [][]byte) tpLD {
	var ld tpLD
	seen := map[string]bool{}
	addReview := func(m map[string]any) {
		id, _ := m["@id"].(string)
		if id != "" {
			if seen[id] {
				return
			}
			seen[id] = true
		}
		ld.reviewDocs = append(ld.reviewDocs, m)
	}
	for _, b := range blocks {
		var v any
		if json.Unmarshal(b, &v) != nil {
			continue // a broken block elsewhere on the page is not our problem
		}
		for _, n := range tpLDNodes(v, 0) {
			types := tpLDTypes(n)
			if types["Review"] {
				if tpLDIsReview(n) {
					addReview(n)
				}
				continue
			}
			agg, ok := n["aggregateRating"].(map[string]any)
			if !ok || ld.hasBiz {
				continue
			}
			ld.hasBiz = true
			ld.name = strings.TrimSpace(tpLDString(n["name"]))
			ld.rating = tpLDRating(agg)
			// Reviews nested in full (not as @id references) count too.
			for _, r := range tpLDList(n["review"]) {
				if m, ok := r.(map[string]any); ok && tpLDIsReview(m) {
					addReview(m)
				}
			}
		}
	}
	return ld
}

// tpLDNodes flattens a JSON-LD value into its nodes (top-level arrays, @graph
// arrays or objects). depth bounds hostile nesting.
func tpLDNodes(v any, depth int) []map[string]any {
	if depth > 8 {
		return nil
	}
	var out []map[string]any
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = append(out, tpLDNodes(e, depth+1)...)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			out = append(out, tpLDNodes(g, depth+1)...)
		}
		if _, ok := x["@type"]; ok {
			out = append(out, x)
		}
	}
	return out
}

func tpLDTypes(n map[string]any) map[string]bool {
	t := map[string]bool{}
	for _, v := range tpLDList(n["@type"]) {
		if s, ok := v.(string); ok {
			t[strings.TrimPrefix(strings.TrimPrefix(s, "https://schema.org/"), "http://schema.org/")] = true
		}
	}
	return t
}

// tpLDIsReview: a Review node with content, not a bare @id reference.
func tpLDIsReview(n map[string]any) bool {
	if !tpLDTypes(n)["Review"] {
		return false
	}
	for _, k := range []string{"reviewBody", "reviewRating", "author", "headline"} {
		if _, ok := n[k]; ok {
			return true
		}
	}
	return false
}

func tpLDList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func tpLDString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case map[string]any:
		// Person / Thing: its name; a language-tagged value: its @value.
		if s := tpLDString(x["name"]); s != "" {
			return s
		}
		return tpLDString(x["@value"])
	case []any:
		if len(x) > 0 {
			return tpLDString(x[0])
		}
	}
	return ""
}

func tpLDNum(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true // encoding/json never yields NaN or Inf
	case string:
		return tpParseNum(x)
	}
	return 0, false
}

// tpLDRating reads an AggregateRating onto 1-5 (schema.org default scale 1-5).
func tpLDRating(agg map[string]any) *Rating {
	v, ok := tpLDNum(agg["ratingValue"])
	if !ok {
		return nil
	}
	stars, ok := Normalise(v, tpLDScale(agg, "bestRating", 5), tpLDScale(agg, "worstRating", 1))
	if !ok {
		return nil
	}
	r := &Rating{Value: stars}
	for _, k := range []string{"reviewCount", "ratingCount"} {
		if c, ok := tpLDNum(agg[k]); ok && c >= 0 && c <= math.MaxInt32 {
			r.Count = int(c)
			break
		}
	}
	return r
}

func tpLDScale(m map[string]any, key string, def float64) float64 {
	if v, ok := tpLDNum(m[key]); ok {
		return v
	}
	return def
}

func (ld tpLD) reviews(base string) []Review {
	out := make([]Review, 0, len(ld.reviewDocs))
	for _, n := range ld.reviewDocs {
		rv := Review{
			ID:        trustpilotLDID(tpLDString(n["@id"])),
			Author:    strings.TrimSpace(tpLDString(n["author"])),
			Title:     strings.TrimSpace(tpLDString(n["headline"])),
			Text:      strings.TrimSpace(tpLDString(n["reviewBody"])),
			Language:  strings.TrimSpace(tpLDString(n["inLanguage"])),
			Published: trustpilotTime(tpLDString(n["datePublished"])),
		}
		if rr, ok := n["reviewRating"].(map[string]any); ok {
			if v, ok := tpLDNum(rr["ratingValue"]); ok {
				if s, ok := Normalise(v, tpLDScale(rr, "bestRating", 5), tpLDScale(rr, "worstRating", 1)); ok {
					rv.Rating = Stars(s)
				}
			}
		}
		if finishTrustpilotReview(&rv, base) {
			out = append(out, rv)
		}
	}
	return out
}

// trustpilotLDID takes the review id from a JSON-LD @id such as
// https://www.trustpilot.com/#/schema/Review/<business>/<id>, so reviews
// read from JSON-LD keep the ids __NEXT_DATA__ gives them.
func trustpilotLDID(id string) string {
	id = strings.TrimRight(strings.TrimSpace(id), "/")
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	if strings.ContainsAny(id, "#?:") {
		return "" // not a path-like id: use a content id instead
	}
	return id
}

// trustpilotChallengeMarkers are bot-wall signs ReadPage's generic list may
// miss (it only sees the first 64 KiB, and knows no AWS WAF or Turnstile-only
// page). Checked only on pages that carry no business data, so a review
// mentioning "captcha" can't trip it.
var trustpilotChallengeMarkers = []string{
	"challenges.cloudflare.com", "cf-turnstile", "cdn-cgi/challenge-platform", "_cf_chl",
	"just a moment", "sorry, you have been blocked", "cloudflare ray id",
	"awswafintegration", "awswafcookiedomainlist", "token.awswaf.com",
	"verify you are human", "captcha",
}

func trustpilotChallenge(body []byte) string {
	low := bytes.ToLower(body)
	for _, m := range trustpilotChallengeMarkers {
		if bytes.Contains(low, []byte(m)) {
			return m
		}
	}
	return ""
}
