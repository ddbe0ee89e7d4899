package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// appStoreDefaultEndpoint is Apple's public host for the customer-reviews
	// feed and the iTunes Lookup API.
	appStoreDefaultEndpoint = "https://itunes.apple.com/"
	// appStoreMaxPages: Apple serves at most 10 pages (500 reviews) per
	// storefront; later pages are refused, so asking is wasted requests.
	appStoreMaxPages = 10
)

// appStoreKeys are the listing keys the appstore source reads.
var appStoreKeys = []string{"app_id", "country", "countries", "endpoint", "key_id", "issuer_id", "private_key", "private_key_file"}

// appStore reads an app's customer reviews through one of two doors, chosen
// by the listing's keys.
//
// The public feed (the default) is Apple's customer-reviews RSS JSON feed,
// read for each storefront in countries (default us): most recent first,
// 50 reviews a page, at most 10 pages (500 reviews) per storefront, no
// developer replies, and nothing older.
//
// The App Store Connect API is used when key_id, issuer_id and private_key
// (or private_key_file) are set: the app developer's own .p8 API key signs
// an ES256 token locally. It gives every review the app ever had, 200 a
// page, newest first, with the developer's published replies, filtered to
// the configured storefronts' territories when country or countries is set
// (all territories otherwise, while the aggregate stays the us store's).
// endpoint is then the API's base URL. A fetch that reads through to the
// last page is Complete, so removed reviews are noticed.
//
// Both doors take the aggregate rating and the app's name from the iTunes
// Lookup API, one call per storefront; several storefronts give the
// count-weighted average and the summed count. An app_id the Lookup API
// does not know fails the poll with ErrConfig instead of passing for an app
// without reviews. A steady-state poll with nothing new therefore costs one
// lookup plus one feed page per storefront, or one lookup per storefront
// plus one API page with App Store Connect.
//
// It is a Backfiller: the feed's cursor is "cc:page" (storefronts in
// order, pages 1..10 each), App Store Connect's the API's links.next URL.
// The two doors give the same review different ids, so switching a
// listing's door makes its reviews look new: backfill after switching.
type appStore struct {
	env *Env
	// lookupEndpoint overrides the iTunes Lookup base in App Store Connect
	// mode, where endpoint names the API (tests); "" is Apple's.
	lookupEndpoint string

	mu     sync.Mutex
	tokens map[string]ascToken // signed tokens by ascCredentials.cacheKey
}

var (
	_ Source     = (*appStore)(nil)
	_ Backfiller = (*appStore)(nil)
)

func newAppStore(env *Env) Source {
	if env == nil {
		env = NewEnv(nil)
	}
	return &appStore{env: env}
}

// appStoreConfig is a listing's keys, checked and defaulted.
type appStoreConfig struct {
	appID string
	// countries are lower-case storefront codes, at least one, no repeats.
	countries []string
	// explicit: countries came from the listing, not the default, so App
	// Store Connect filters reviews to their territories.
	explicit bool
	endpoint string          // absolute http(s), ends in "/"
	asc      *ascCredentials // nil: the public feed
}

func validateAppStore(l Listing) error {
	_, err := appStoreConfigOf(l)
	return err
}

// appStoreConfigOf is shared by validation and the fetches so a listing
// that passes config load is exactly the one fetched. Its errors name their
// key first, as the config loader expects ("bad listing config: app_id: …").
func appStoreConfigOf(l Listing) (appStoreConfig, error) {
	errs := []error{CheckKeys(l, appStoreKeys...)}
	c := appStoreConfig{appID: l.AppID}
	switch {
	case c.appID == "":
		errs = append(errs, appStoreBad("app_id", "is required (the number after \"id\" in the app's App Store URL)"))
	case !isDigits(c.appID):
		errs = append(errs, appStoreBad("app_id", "%q must be digits only (the number after \"id\" in the app's URL)", c.appID))
	}
	var err error
	c.countries, c.explicit, err = appStoreCountries(l)
	errs = append(errs, err)
	c.asc, err = ascCredentialsOf(l)
	errs = append(errs, err)
	def := appStoreDefaultEndpoint
	if c.asc != nil {
		def = ascDefaultEndpoint
	}
	c.endpoint, err = appStoreEndpoint(l.Endpoint, def)
	errs = append(errs, err)
	return c, errors.Join(errs...)
}

// appStoreBad is a config error naming its key first.
func appStoreBad(key, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrConfig, key, fmt.Sprintf(format, args...))
}

// appStoreCountries reads country (one storefront) or countries (several);
// the default is the US store. Codes are ISO 3166 alpha-2, any case.
func appStoreCountries(l Listing) (list []string, explicit bool, err error) {
	key, raw := "countries", l.Countries
	switch {
	case l.Country != "" && len(l.Countries) > 0:
		return nil, false, appStoreBad("countries", "and country are both set: list every storefront under countries (country is the one-storefront shorthand)")
	case l.Country != "":
		key, raw = "country", []string{l.Country}
	case len(l.Countries) == 0:
		return []string{"us"}, false, nil
	}
	var errs []error
	for _, s := range raw {
		cc := strings.ToLower(s)
		if _, ok := ascTerritories[cc]; !ok {
			hint := ""
			if cc == "uk" {
				hint = " (the United Kingdom's storefront is gb)"
			}
			errs = append(errs, appStoreBad(key, "%q is not an App Store storefront (a two-letter ISO country code: us, gb, fr…)%s", s, hint))
			continue
		}
		if !slices.Contains(list, cc) {
			list = append(list, cc)
		}
	}
	return list, true, errors.Join(errs...)
}

// appStoreEndpoint checks an endpoint override and gives it a trailing slash.
func appStoreEndpoint(raw, def string) (string, error) {
	if raw == "" {
		return def, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", appStoreBad("endpoint", "%q must be an absolute http(s) URL", Redact(raw))
	}
	// Paths are appended to the endpoint; a query or fragment would swallow them.
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", appStoreBad("endpoint", "%q must not carry a query or fragment", Redact(raw))
	}
	if !strings.HasSuffix(raw, "/") {
		raw += "/"
	}
	return raw, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (c appStoreConfig) pageURL(cc string, n int) string {
	return c.endpoint + cc + "/rss/customerreviews/page=" + strconv.Itoa(n) + "/id=" + c.appID + "/sortby=mostrecent/json"
}

// publicURL is the app's page in one storefront, for people; the feed and
// API URLs are no use in an alert.
func (c appStoreConfig) publicURL(cc string) string {
	return "https://apps.apple.com/" + cc + "/app/id" + c.appID
}

// Fetch reads the aggregate (one lookup per storefront), then the reviews:
// page 1 of each storefront's feed (or of the API), and further pages only
// as Options ask: every page for a backfill, otherwise only while a page
// holds nothing already known (so a routine poll reads one page).
func (s *appStore) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	c, err := appStoreConfigOf(l)
	if err != nil {
		return Observation{}, fmt.Errorf("appstore: %w", err)
	}
	obs, err := s.observe(ctx, l, c)
	if err != nil {
		return Observation{}, err
	}
	if c.asc != nil {
		return s.fetchConnect(ctx, l, c, o, obs)
	}
	var all []Review
	for _, cc := range c.countries {
		rs, name, err := s.feedCountry(ctx, l, c, cc, o)
		if err != nil {
			return Observation{}, err
		}
		if obs.Name == "" {
			obs.Name = name
		}
		all = append(all, rs...)
	}
	// Reviews shift down a page when new ones arrive mid-fetch, and one
	// review could show in two storefronts; keep the first.
	obs.Reviews = Dedupe(all)
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	return obs, nil
}

// feedCountry reads one storefront's feed pages for Fetch. A failed page 1
// fails the poll; a later failed page keeps the pages before it.
func (s *appStore) feedCountry(ctx context.Context, l Listing, c appStoreConfig, cc string, o Options) (reviews []Review, name string, err error) {
	for n := 1; n <= appStoreMaxPages; n++ {
		page, err := s.fetchPage(ctx, c, cc, n)
		if err != nil {
			// A cancelled fetch is abandoned, not a partial success.
			if n == 1 || ctx.Err() != nil {
				return nil, "", fmt.Errorf("appstore: app %s (%s): %w", c.appID, cc, err)
			}
			s.env.logger().Warn("appstore: later page failed; keeping the pages before it",
				"listing", l.ID, "app_id", c.appID, "country", cc, "page", n, "err", err)
			break
		}
		if name == "" {
			name = page.Name
		}
		if len(page.Reviews) == 0 {
			break
		}
		reviews = append(reviews, appStoreWithURL(page.Reviews, c.publicURL(cc))...)
		if !o.NextPage(page.Reviews) {
			break
		}
	}
	return reviews, name, nil
}

func appStoreWithURL(rs []Review, u string) []Review {
	for i := range rs {
		rs[i].URL = u
	}
	return rs
}

func (s *appStore) fetchPage(ctx context.Context, c appStoreConfig, cc string, n int) (appStorePage, error) {
	u := c.pageURL(cc, n)
	body, err := s.env.GetJSON(ctx, u, nil)
	if err != nil {
		return appStorePage{}, err
	}
	page, err := parseAppStoreFeed(body)
	if err != nil {
		return appStorePage{}, fmt.Errorf("GET %s: %w", Redact(u), err)
	}
	return page, nil
}

// observe starts an observation with what the iTunes Lookup API says of
// the app in each storefront: the aggregate rating, the name and the
// seller's site. Any failed lookup fails the fetch: a missing aggregate
// must not read as a rating of 0, nor an unknown app as one without reviews.
func (s *appStore) observe(ctx context.Context, l Listing, c appStoreConfig) (Observation, error) {
	base := c.endpoint
	if c.asc != nil {
		base = appStoreDefaultEndpoint
		if s.lookupEndpoint != "" {
			base = s.lookupEndpoint
		}
	}
	obs := Observation{
		Listing:  l.ID,
		Platform: "appstore",
		At:       s.env.now(),
		URL:      c.publicURL(c.countries[0]),
	}
	ratings := make([]*Rating, 0, len(c.countries))
	for i, cc := range c.countries {
		info, err := s.lookup(ctx, base, c.appID, cc)
		if err != nil {
			return Observation{}, err
		}
		// The first storefront names the listing; names are localised.
		if i == 0 {
			obs.Name = info.Name
			if info.Name != "" || info.Website != "" {
				obs.Details = &Details{Name: info.Name, Website: info.Website}
			}
		}
		ratings = append(ratings, info.Rating)
	}
	obs.Rating = appStoreCombine(ratings)
	return obs, nil
}

func (s *appStore) lookup(ctx context.Context, base, appID, cc string) (appStoreLookup, error) {
	u := base + "lookup?id=" + appID + "&country=" + cc
	body, err := s.env.GetJSON(ctx, u, nil)
	if err != nil {
		return appStoreLookup{}, fmt.Errorf("appstore: app %s (%s): lookup: %w", appID, cc, err)
	}
	info, err := parseAppStoreLookup(body)
	if err != nil {
		return appStoreLookup{}, fmt.Errorf("appstore: app %s (%s): lookup: GET %s: %w", appID, cc, Redact(u), err)
	}
	if !info.Found {
		return appStoreLookup{}, fmt.Errorf("appstore: %w: app_id: %s: no such app in the %s store (check app_id, and that the app is sold there)", ErrConfig, appID, cc)
	}
	return info, nil
}

// appStoreCombine merges per-storefront aggregates: one is kept as Apple
// gives it; several give the count-weighted average and the summed count.
// Storefronts without ratings are left out; none at all is nil, never 0.
func appStoreCombine(rs []*Rating) *Rating {
	var have []*Rating
	for _, r := range rs {
		if r != nil {
			have = append(have, r)
		}
	}
	switch len(have) {
	case 0:
		return nil
	case 1:
		r := *have[0]
		return &r
	}
	var sum, plain float64
	count := 0
	for _, r := range have {
		plain += r.Value
		if r.Count > 0 {
			sum += r.Value * float64(r.Count)
			count += r.Count
		}
	}
	if count == 0 {
		// No counts to weigh with: the plain mean, count unknown.
		return &Rating{Value: plain / float64(len(have))}
	}
	return &Rating{Value: sum / float64(count), Count: count}
}

// Backfill implements Backfiller. The feed door reads every storefront in
// order, pages 1..10 each, with cursor "cc:page"; the App Store Connect door
// follows links.next (the cursor) to the app's first review. A cursor that
// doesn't fit the listing (another door, a storefront since removed)
// restarts from the beginning, which the store's dedupe makes safe.
func (s *appStore) Backfill(ctx context.Context, l Listing, since time.Time, cursor string, page func(obs Observation, next string) error) error {
	c, err := appStoreConfigOf(l)
	if err != nil {
		return fmt.Errorf("appstore: %w", err)
	}
	base, err := s.observe(ctx, l, c)
	if err != nil {
		return err
	}
	if c.asc != nil {
		return s.backfillConnect(ctx, l, c, since, cursor, page, base)
	}
	ci, n := 0, 1
	if cursor != "" {
		var ok bool
		if ci, n, ok = c.feedCursor(cursor); !ok {
			s.env.logger().Warn("appstore: backfill cursor does not fit the listing; starting over",
				"listing", l.ID, "cursor", cursor)
			ci, n = 0, 1
		}
	}
	handed := cursor // where the caller resumes if we stopped now
	for ; ci < len(c.countries); ci, n = ci+1, 1 {
		cc := c.countries[ci]
		for ; n <= appStoreMaxPages; n++ {
			p, err := s.fetchPage(ctx, c, cc, n)
			if err != nil {
				return fmt.Errorf("appstore: app %s (%s): backfill page %d: %w", c.appID, cc, n, err)
			}
			if len(p.Reviews) == 0 {
				break
			}
			kept, older := appStoreSince(p.Reviews, since)
			next := c.feedCursorAfter(ci, n, older)
			obs := base
			obs.Reviews = appStoreWithURL(kept, c.publicURL(cc))
			if err := page(obs, next); err != nil {
				return err
			}
			handed = next
			if older {
				break
			}
		}
	}
	if handed != "" {
		// The last cursor handed out named a page that turned out empty:
		// tell the caller the backfill is done.
		obs := base
		obs.Reviews = []Review{}
		return page(obs, "")
	}
	return nil
}

// feedCursor reads "cc:page" into a storefront index and a page.
func (c appStoreConfig) feedCursor(cursor string) (ci, n int, ok bool) {
	cc, p, found := strings.Cut(cursor, ":")
	ci = slices.Index(c.countries, cc)
	n, err := strconv.Atoi(p)
	if !found || ci < 0 || err != nil || n < 1 || n > appStoreMaxPages {
		return 0, 0, false
	}
	return ci, n, true
}

// feedCursorAfter is the cursor after page n of storefront ci: its next
// page, or (after its last page, or when since was reached) the next
// storefront's first, or "" at the end.
func (c appStoreConfig) feedCursorAfter(ci, n int, done bool) string {
	if !done && n < appStoreMaxPages {
		return c.countries[ci] + ":" + strconv.Itoa(n+1)
	}
	if ci+1 < len(c.countries) {
		return c.countries[ci+1] + ":1"
	}
	return ""
}

// appStoreSince drops reviews published before since (zero: keeps all) and
// reports whether it dropped any, which in a newest-first list means the
// rest of the history is older too. Undated reviews are kept.
func appStoreSince(rs []Review, since time.Time) (kept []Review, older bool) {
	if since.IsZero() {
		return rs, false
	}
	kept = rs[:0:0]
	for _, r := range rs {
		if !r.Published.IsZero() && r.Published.Before(since) {
			older = true
			continue
		}
		kept = append(kept, r)
	}
	return kept, older
}

// appStoreLookup is what the iTunes Lookup API says about an app in one
// storefront.
type appStoreLookup struct {
	// Found is false when the storefront has no such app (resultCount 0).
	Found   bool
	Name    string // trackName
	Website string // sellerUrl
	Rating  *Rating
}

// parseAppStoreLookup parses a Lookup API answer,
// {"resultCount":1,"results":[{"trackName","averageUserRating","userRatingCount",…}]}.
// It is pure, for fuzzing. An app without ratings has a nil Rating; an
// answer without a results list is ErrLayout, an empty one "not found".
func parseAppStoreLookup(body []byte) (appStoreLookup, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return appStoreLookup{}, fmt.Errorf("%w: lookup answer is not a JSON object", ErrLayout)
	}
	var results []json.RawMessage
	if raw, ok := doc["results"]; !ok || json.Unmarshal(raw, &results) != nil {
		return appStoreLookup{}, fmt.Errorf("%w: lookup answer has no \"results\" list", ErrLayout)
	}
	for i, raw := range results {
		var r map[string]json.RawMessage
		if json.Unmarshal(raw, &r) != nil || r == nil {
			return appStoreLookup{}, fmt.Errorf("%w: lookup results[%d] is not an object", ErrLayout, i)
		}
		// An id can name a song or a book too; only an app is the listing.
		if k := scalarString(r["kind"]); k != "" && k != "software" && k != "mac-software" {
			continue
		}
		if w := scalarString(r["wrapperType"]); w != "" && w != "software" {
			continue
		}
		info := appStoreLookup{
			Found:   true,
			Name:    strings.TrimSpace(scalarString(r["trackName"])),
			Website: strings.TrimSpace(scalarString(r["sellerUrl"])),
		}
		avg, err := strconv.ParseFloat(scalarString(r["averageUserRating"]), 64)
		count, cerr := strconv.ParseFloat(scalarString(r["userRatingCount"]), 64)
		switch {
		case err != nil || math.IsNaN(avg) || avg < 1 || avg > 5:
			// No ratings yet (Apple sends 0, or nothing).
		case cerr != nil:
			info.Rating = &Rating{Value: avg} // count not given
		case count >= 1 && count <= math.MaxInt32 && count == math.Trunc(count):
			info.Rating = &Rating{Value: avg, Count: int(count)}
		}
		return info, nil
	}
	return appStoreLookup{}, nil
}

// appStorePage is one parsed feed page.
type appStorePage struct {
	// Name is the app's name when the feed carries it (old feeds put an
	// app entry with im:name first; the modern feed does not).
	Name    string
	Reviews []Review
}

// parseAppStoreFeed parses one customerreviews JSON page. It is pure (no
// I/O, no clock) for fuzzing and benchmarks. A page without entries is not
// an error: it is how Apple says "no more reviews". Review URLs are left
// empty; the caller knows the public app page.
//
// The page is decoded once (into any, numbers kept as written) and walked
// field by field, so a field of an unexpected type costs that field, not
// the whole page. (Decoding level by level through json.RawMessage read
// every byte five or six times: BENCHMARKS.md, "parse".)
func parseAppStoreFeed(body []byte) (appStorePage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = fmt.Errorf("data after the top-level value")
		}
	}
	if err != nil {
		return appStorePage{}, fmt.Errorf("%w: not a JSON object: %v", ErrLayout, err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return appStorePage{}, fmt.Errorf("%w: not a JSON object: %s", ErrLayout, jsonKind(v))
	}
	feed, ok := doc["feed"].(map[string]any)
	if !ok {
		return appStorePage{}, fmt.Errorf("%w: no \"feed\" object", ErrLayout)
	}
	entries, err := feedEntries(feed["entry"])
	if err != nil {
		return appStorePage{}, err
	}
	var page appStorePage
	for i, raw := range entries {
		e, ok := raw.(map[string]any)
		if !ok {
			return appStorePage{}, fmt.Errorf("%w: feed.entry[%d] is not an object", ErrLayout, i)
		}
		ratingRaw, hasRating := e["im:rating"]
		contentRaw, hasContent := e["content"]
		if !hasRating && !hasContent {
			// The app itself, listed first in old feeds.
			if page.Name == "" {
				page.Name = strings.TrimSpace(labelOf(e["im:name"]))
			}
			continue
		}
		r := Review{
			ID:     strings.TrimSpace(labelOf(e["id"])),
			Author: strings.TrimSpace(labelOf(anyField(e["author"], "name"))),
			Rating: appStoreStars(labelOf(ratingRaw)),
			Title:  strings.TrimSpace(labelOf(e["title"])),
			Text:   strings.TrimSpace(contentOf(contentRaw)),
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(labelOf(e["updated"]))); err == nil {
			r.Published = t.UTC()
		}
		if r.ID == "" {
			r.ID = ContentID(r.Author, r.Title, r.Text)
		}
		page.Reviews = append(page.Reviews, r)
	}
	return page, nil
}

// jsonKind names a decoded JSON value's type for an error.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// feedEntries accepts feed.entry as a list, a lone object (Apple's XML-to-
// JSON conversion drops the list for a single review) or absent/null.
func feedEntries(v any) ([]any, error) {
	switch e := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return e, nil
	case map[string]any:
		return []any{e}, nil
	}
	return nil, fmt.Errorf("%w: feed.entry is neither a list nor an object", ErrLayout)
}

// labelOf reads the feed's {"label": "..."} wrapper. A number is accepted
// too, in case a field quietly changes type; anything else is "".
func labelOf(v any) string {
	return anyScalar(anyField(v, "label"))
}

// anyField is key of a decoded object; nil when v is not an object.
func anyField(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

// anyScalar is a decoded string, or a number as written; anything else is "".
func anyScalar(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case json.Number:
		return s.String()
	}
	return ""
}

func objField(raw json.RawMessage, key string) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m[key]
}

func scalarString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// appStoreStars maps im:rating ("1".."5") to stars; anything else is no
// rating, never 0.
func appStoreStars(s string) *float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || v < 1 || v > 5 {
		return nil
	}
	return Stars(v)
}

// contentOf picks the review text from content, which is one
// {"label", "attributes": {"type"}} object or a list of them (text and
// html renderings). Plain text wins; html is a last resort, tags stripped.
func contentOf(v any) string {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var untyped, htmlText string
	for _, it := range items {
		text := labelOf(it)
		switch strings.ToLower(anyScalar(anyField(anyField(it, "attributes"), "type"))) {
		case "text":
			return text
		case "html", "xhtml", "text/html":
			if htmlText == "" {
				htmlText = stripTags(text)
			}
		default:
			if untyped == "" {
				untyped = text
			}
		}
	}
	if untyped != "" {
		return untyped
	}
	return htmlText
}

// stripTags is a crude html-to-text for the html-only fallback: the feed's
// html is generated markup around the text, not arbitrary pages.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return foldSpace(html.UnescapeString(b.String()))
}
