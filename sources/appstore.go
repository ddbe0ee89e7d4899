package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// appStoreDefaultEndpoint is Apple's public customer-reviews RSS host.
	appStoreDefaultEndpoint = "https://itunes.apple.com/"
	// appStoreMaxPages: Apple serves at most 10 pages (500 reviews) per
	// storefront; later pages are refused, so asking is wasted requests.
	appStoreMaxPages = 10
)

// appStore reads an app's customer reviews from the App Store RSS JSON feed
// (one storefront per listing, most recent first, 50 reviews a page, at most
// 10 pages). The feed carries no aggregate rating, so observations have a
// nil Rating; the aggregate lives in the separate iTunes Lookup API.
type appStore struct{ env *Env }

var _ Source = (*appStore)(nil)

func newAppStore(env *Env) Source {
	if env == nil {
		env = NewEnv(nil)
	}
	return &appStore{env: env}
}

// appStoreConfig is a listing's keys, checked and defaulted.
type appStoreConfig struct {
	appID    string
	country  string // lower-case, two letters
	endpoint string // absolute http(s), ends in "/"
}

func validateAppStore(l Listing) error {
	_, err := appStoreConfigOf(l)
	return err
}

// appStoreConfigOf is shared by validation and Fetch so a listing that
// passes config load is exactly the one fetched.
func appStoreConfigOf(l Listing) (appStoreConfig, error) {
	c := appStoreConfig{appID: l.AppID, country: strings.ToLower(l.Country), endpoint: l.Endpoint}
	if c.appID == "" {
		return c, fmt.Errorf("appstore: %w: app_id is required", ErrConfig)
	}
	if !isDigits(c.appID) {
		return c, fmt.Errorf("appstore: %w: app_id %q must be digits only (the number after \"id\" in the app's URL)", ErrConfig, c.appID)
	}
	if c.country == "" {
		c.country = "us"
	}
	if len(c.country) != 2 || c.country[0] < 'a' || c.country[0] > 'z' || c.country[1] < 'a' || c.country[1] > 'z' {
		return c, fmt.Errorf("appstore: %w: country %q must be a two-letter storefront code (us, gb, fr…)", ErrConfig, l.Country)
	}
	if c.endpoint == "" {
		c.endpoint = appStoreDefaultEndpoint
	}
	u, err := url.Parse(c.endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return c, fmt.Errorf("appstore: %w: endpoint %q must be an absolute http(s) URL", ErrConfig, Redact(l.Endpoint))
	}
	// Page paths are appended to the endpoint; a query or fragment would
	// swallow them.
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return c, fmt.Errorf("appstore: %w: endpoint %q must not carry a query or fragment", ErrConfig, Redact(l.Endpoint))
	}
	if !strings.HasSuffix(c.endpoint, "/") {
		c.endpoint += "/"
	}
	return c, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (c appStoreConfig) pageURL(n int) string {
	return c.endpoint + c.country + "/rss/customerreviews/page=" + strconv.Itoa(n) + "/id=" + c.appID + "/sortby=mostrecent/json"
}

// publicURL is the app's page for people; the feed URL is no use in an alert.
func (c appStoreConfig) publicURL() string {
	return "https://apps.apple.com/" + c.country + "/app/id" + c.appID
}

// Fetch reads page 1, and further pages only as Options ask: every page up
// to the first empty one for a backfill, otherwise only while a page holds
// nothing already known (so a routine poll usually costs one request).
func (s *appStore) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	c, err := appStoreConfigOf(l)
	if err != nil {
		return Observation{}, err
	}
	obs := Observation{
		Listing:  l.ID,
		Platform: "appstore",
		At:       s.env.now(),
		URL:      c.publicURL(),
	}
	var all []Review
	for n := 1; n <= appStoreMaxPages; n++ {
		page, err := s.fetchPage(ctx, c, n)
		if err != nil {
			// A cancelled fetch is abandoned, not a partial success.
			if n == 1 || ctx.Err() != nil {
				return Observation{}, fmt.Errorf("appstore: app %s (%s): %w", c.appID, c.country, err)
			}
			s.env.logger().Warn("appstore: later page failed; keeping the pages before it",
				"listing", l.ID, "app_id", c.appID, "country", c.country, "page", n, "err", err)
			break
		}
		if obs.Name == "" {
			obs.Name = page.Name
		}
		if len(page.Reviews) == 0 {
			break
		}
		for i := range page.Reviews {
			page.Reviews[i].URL = obs.URL
		}
		all = append(all, page.Reviews...)
		if !o.NextPage(page.Reviews) {
			break
		}
	}
	// Reviews shift down a page when new ones arrive mid-fetch; keep the first.
	obs.Reviews = Dedupe(all)
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	return obs, nil
}

func (s *appStore) fetchPage(ctx context.Context, c appStoreConfig, n int) (appStorePage, error) {
	u := c.pageURL(n)
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
// Entries are decoded field by field rather than into a struct so a field
// of an unexpected type costs that field, not the whole page.
func parseAppStoreFeed(body []byte) (appStorePage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return appStorePage{}, fmt.Errorf("%w: not a JSON object: %v", ErrLayout, err)
	}
	var feed map[string]json.RawMessage
	if raw, ok := doc["feed"]; !ok || json.Unmarshal(raw, &feed) != nil || feed == nil {
		return appStorePage{}, fmt.Errorf("%w: no \"feed\" object", ErrLayout)
	}
	entries, err := feedEntries(feed["entry"])
	if err != nil {
		return appStorePage{}, err
	}
	var page appStorePage
	for i, raw := range entries {
		var e map[string]json.RawMessage
		if err := json.Unmarshal(raw, &e); err != nil || e == nil {
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
			Author: strings.TrimSpace(labelOf(objField(e["author"], "name"))),
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

// feedEntries accepts feed.entry as a list, a lone object (Apple's XML-to-
// JSON conversion drops the list for a single review) or absent/null.
func feedEntries(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	switch raw[0] {
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("%w: feed.entry: %v", ErrLayout, err)
		}
		return list, nil
	case '{':
		return []json.RawMessage{raw}, nil
	}
	return nil, fmt.Errorf("%w: feed.entry is neither a list nor an object", ErrLayout)
}

// labelOf reads the feed's {"label": "..."} wrapper. A number is accepted
// too, in case a field quietly changes type; anything else is "".
func labelOf(raw json.RawMessage) string {
	return scalarString(objField(raw, "label"))
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
func contentOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' {
		if json.Unmarshal(raw, &items) != nil {
			return ""
		}
	} else {
		items = []json.RawMessage{raw}
	}
	var untyped, htmlText string
	for _, it := range items {
		text := labelOf(it)
		switch strings.ToLower(scalarString(objField(objField(it, "attributes"), "type"))) {
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
