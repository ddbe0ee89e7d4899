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
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const (
	// taDefaultEndpoint is the Tripadvisor Content API's base URL.
	taDefaultEndpoint = "https://api.content.tripadvisor.com/"
	// taDefaultLanguage is what the Content API assumes too.
	taDefaultLanguage = "en"
)

// tripadvisor reads a Tripadvisor listing through one of two doors, chosen
// by the listing's keys:
//
//   - The Content API, when api_key and location_id are set: one call for
//     the location details (name, aggregate rating and count, address,
//     phone, website, hours) and one for its reviews, so every poll costs
//     exactly 2 calls. The API gives at most the 5 newest reviews in the
//     listing's language (with the business's reply), so an observation is
//     never Complete and there is no history to backfill. The free tier is
//     5,000 calls a month: at the default schedule (@every 12h) a listing
//     costs 4 calls a day, about 124 a month, so one key carries about 40
//     listings (20 at @every 6h). The key travels in the `key` query
//     parameter; Redact hides it and API messages are scrubbed of it, so no
//     error or log shows it.
//   - The public page, when url is set instead: one page per poll through
//     Env.ReadPage (robots.txt honoured, DataDome and other challenge pages
//     are ErrBlocked). It reads the JSON-LD business (name, aggregate
//     rating and count, address, telephone) and the server-rendered
//     reviews of the 2019 desktop layout (10 a page; collapsed reviews show
//     only the page's excerpt, and a review's text may change from full to
//     excerpt as newer reviews push it down the page). Only the first page
//     is read: every further page is one more chance to trip the bot wall,
//     and a listing gaining more than 10 reviews between two polls is rare.
//     Today's markup differs from the 2019 layout: expect ErrLayout (or,
//     with only the JSON-LD left, a rating without reviews) or ErrBlocked,
//     and prefer the API.
type tripadvisor struct{ env *Env }

var _ Source = (*tripadvisor)(nil)

func newTripadvisor(env *Env) Source {
	if env == nil {
		env = NewEnv(nil)
	}
	return &tripadvisor{env: env}
}

// taConfig is a listing's keys, checked and defaulted.
type taConfig struct {
	api        bool   // the Content API door; else the page door
	locationID string // digits
	key        string // the API key, trimmed
	endpoint   string // absolute http(s), ends in "/"
	language   string
	pageURL    string
}

// taKeys are every key this platform reads; CheckKeys rejects the rest.
var taKeys = []string{"api_key", "location_id", "endpoint", "language", "url"}

// taLanguage is a Tripadvisor language code: en, de, zh_TW, pt-BR...
var taLanguage = regexp.MustCompile(`^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]{2,8})?$`)

// taListingPath is in every listing page's path: Hotel_Review-g…-d…,
// Restaurant_Review-, Attraction_Review-, VacationRentalReview-… (and not
// ShowUserReviews-, which is a single review).
var taListingPath = regexp.MustCompile(`Review-g\d+-d\d+`)

func validateTripadvisor(l Listing) error {
	_, err := taConfigOf(l)
	return err
}

// taConfigErr is a config error naming its key first.
func taConfigErr(key, format string, args ...any) error {
	return fmt.Errorf("tripadvisor: %s: %s (%w)", key, fmt.Sprintf(format, args...), ErrConfig)
}

// taConfigOf is shared by validation and Fetch, so a listing that passes
// config load is exactly the one fetched. Errors never quote api_key.
func taConfigOf(l Listing) (taConfig, error) {
	var errs []error
	if err := CheckKeys(l, taKeys...); err != nil {
		// One line per key, each in this file's "tripadvisor: <key>: ..." form.
		list := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			list = j.Unwrap()
		}
		for _, e := range list {
			// CheckKeys wraps nothing but ErrConfig, so nothing is lost.
			msg := strings.TrimPrefix(e.Error(), ErrConfig.Error()+": ")
			errs = append(errs, fmt.Errorf("tripadvisor: %s (%w)", msg, ErrConfig))
		}
	}
	c := taConfig{
		locationID: strings.TrimSpace(l.LocationID),
		key:        strings.TrimSpace(l.APIKey.Reveal()),
		endpoint:   strings.TrimSpace(l.Endpoint),
		language:   strings.TrimSpace(l.Language),
		pageURL:    strings.TrimSpace(l.URL),
	}
	switch {
	case c.pageURL != "" && c.key != "":
		errs = append(errs, taConfigErr("url", "cannot be combined with api_key: set api_key and location_id to use the Content API, or url alone to read the public page"))
	case c.pageURL != "":
		errs = append(errs, taCheckPage(c)...)
	case c.key != "":
		c.api = true
		errs = append(errs, taCheckAPI(&c)...)
	case c.locationID != "":
		errs = append(errs, taConfigErr("api_key", "is required with location_id (a Content API key, usually ${TRIPADVISOR_API_KEY}); or set url instead to read the public page"))
	default:
		errs = append(errs, taConfigErr("api_key, location_id, url", "one door is required: api_key and location_id for the Content API, or url for the public page"))
	}
	return c, errors.Join(errs...)
}

// taCheckAPI checks and defaults the Content API door's keys.
func taCheckAPI(c *taConfig) []error {
	var errs []error
	switch {
	case c.locationID == "":
		errs = append(errs, taConfigErr("location_id", "is required with api_key (the number after -d in the listing's URL)"))
	case !isDigits(c.locationID):
		errs = append(errs, taConfigErr("location_id", "%q must be digits only (the number after -d in the listing's URL)", c.locationID))
	}
	if strings.ContainsFunc(c.key, func(r rune) bool { return r <= ' ' }) {
		errs = append(errs, taConfigErr("api_key", "contains whitespace or control characters"))
	}
	if c.language == "" {
		c.language = taDefaultLanguage
	} else if !taLanguage.MatchString(c.language) {
		errs = append(errs, taConfigErr("language", "%q is not a language code (en, de, zh_TW...)", c.language))
	}
	if c.endpoint == "" {
		c.endpoint = taDefaultEndpoint
	}
	u, err := url.Parse(c.endpoint)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		errs = append(errs, taConfigErr("endpoint", "%q must be an absolute http(s) URL", Redact(c.endpoint)))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		// The API path is appended to the endpoint; a query would swallow it.
		errs = append(errs, taConfigErr("endpoint", "%q must not carry a query or fragment", Redact(c.endpoint)))
	}
	if !strings.HasSuffix(c.endpoint, "/") {
		c.endpoint += "/"
	}
	return errs
}

// taCheckPage checks the page door's url and refuses the API's keys, which
// it would silently ignore.
func taCheckPage(c taConfig) []error {
	var errs []error
	u, err := url.Parse(c.pageURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		errs = append(errs, taConfigErr("url", "%q is not an absolute http(s) URL", Redact(c.pageURL)))
	case !taListingPath.MatchString(u.Path):
		errs = append(errs, taConfigErr("url", "%q is not a Tripadvisor listing page (its path has …_Review-g<digits>-d<digits>…)", Redact(c.pageURL)))
	}
	if c.locationID != "" {
		errs = append(errs, taConfigErr("location_id", "is only read with api_key (the Content API); the page door reads url alone"))
	}
	if c.endpoint != "" {
		errs = append(errs, taConfigErr("endpoint", "is only read with api_key (the Content API); the page door fetches url itself"))
	}
	if c.language != "" {
		errs = append(errs, taConfigErr("language", "is only read with api_key (the Content API); a page's language follows its domain (tripadvisor.de...)"))
	}
	return errs
}

// Fetch reads the listing through its door. Options change nothing: the API
// has no paging and the page door reads one page (see the type's comment).
func (t *tripadvisor) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	c, err := taConfigOf(l)
	if err != nil {
		return Observation{}, err
	}
	var obs Observation
	if c.api {
		obs, err = t.fetchAPI(ctx, c)
	} else {
		obs, err = t.fetchPage(ctx, c, o.Backfill)
	}
	if err != nil {
		return Observation{}, err
	}
	obs.Listing = l.ID
	obs.Platform = "tripadvisor"
	obs.At = t.env.now()
	if obs.Reviews == nil {
		obs.Reviews = []Review{} // "reviews": [] in JSON, not null
	}
	return obs, nil
}

// ---- Content API ----

// fetchAPI reads the details, then the reviews. A failed details call ends
// the poll before the reviews call: a refused key or an exhausted quota
// would refuse it too, and every call counts against the month.
func (t *tripadvisor) fetchAPI(ctx context.Context, c taConfig) (Observation, error) {
	body, err := t.call(ctx, c, "details")
	if err != nil {
		return Observation{}, err
	}
	d, err := parseTaDetails(body)
	if err != nil {
		return Observation{}, fmt.Errorf("tripadvisor: location %s details: %w", c.locationID, err)
	}
	body, err = t.call(ctx, c, "reviews")
	if err != nil {
		return Observation{}, err
	}
	reviews, err := parseTaReviews(body)
	if err != nil {
		return Observation{}, fmt.Errorf("tripadvisor: location %s reviews: %w", c.locationID, err)
	}
	for i := range reviews {
		if reviews[i].URL == "" {
			reviews[i].URL = d.URL
		}
	}
	return Observation{Name: d.Name, URL: d.URL, Rating: d.Rating, Details: d.Details, Reviews: reviews}, nil
}

// call GETs one Content API resource of the location and classifies the answer.
func (t *tripadvisor) call(ctx context.Context, c taConfig, what string) ([]byte, error) {
	q := url.Values{"key": {c.key}, "language": {c.language}}
	u := c.endpoint + "api/v1/location/" + c.locationID + "/" + what + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		// *url.Error carries the URL, key included.
		return nil, fmt.Errorf("tripadvisor: location %s %s: %w", c.locationID, what, redactErr(err))
	}
	resp, err := t.env.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("tripadvisor: location %s %s: %w", c.locationID, what, err)
	}
	if err := Classify("tripadvisor", "api_key", resp, taMessage(c.key), taQuota); err != nil {
		return nil, fmt.Errorf("%w (location %s %s)", err, c.locationID, what)
	}
	return resp.Body, nil
}

// taMessage extracts the API's explanation from an error body: API Gateway's
// {"Message": ...} or the API's {"error": {"message", "type", "code"}}. The
// key is scrubbed from it, in case a proxy or the API echoes the request.
func taMessage(key string) func([]byte) string {
	return func(body []byte) string {
		msg := ""
		trimmed := bytes.TrimSpace(body)
		if o, ok := taDecodeObj(trimmed); ok {
			e := o.obj("error")
			m := e.str("message")
			if m == "" {
				m = o.str("Message")
			}
			if m == "" {
				m = o.str("message")
			}
			if typ := e.str("type"); typ != "" && m != "" {
				m = typ + ": " + m
			} else if typ != "" {
				m = typ
			}
			msg = m
		} else if len(trimmed) > 0 && trimmed[0] != '<' && trimmed[0] != '{' && trimmed[0] != '[' {
			// Plain text ("Limit Exceeded"); HTML error pages say nothing useful.
			msg = string(trimmed)
		}
		if key != "" {
			msg = strings.ReplaceAll(msg, key, "REDACTED")
		}
		return msg
	}
}

// taQuota tells a 403 about the monthly quota or the rate limit from one
// about the key (invalid, disabled, wrong referer or IP).
func taQuota(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"limit", "quota", "exceeded", "too many", "throttl"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// taDetails is what the details call says about the location.
type taDetails struct {
	Name    string
	URL     string
	Rating  *Rating
	Details *Details
}

// parseTaDetails reads a location details response. It is pure, for fuzzing
// and benchmarks. A body naming neither the location nor a rating is
// ErrLayout.
func parseTaDetails(body []byte) (taDetails, error) {
	o, ok := taDecodeObj(body)
	if !ok {
		return taDetails{}, fmt.Errorf("%w: details is not a JSON object", ErrLayout)
	}
	d := taDetails{Name: taClean(o.str("name")), URL: strings.TrimSpace(o.str("web_url"))}
	if v, ok := o.num("rating"); ok && v >= 1 && v <= 5 {
		d.Rating = &Rating{Value: v}
		if n, ok := o.num("num_reviews"); ok && n >= 0 && n < math.MaxInt32 {
			d.Rating.Count = int(n)
		}
	}
	det := &Details{
		Name:    d.Name,
		Address: taClean(o.obj("address_obj").str("address_string")),
		Phone:   taClean(o.str("phone")),
		Website: strings.TrimSpace(o.str("website")),
	}
	if days, ok := o.obj("hours").list("weekday_text"); ok {
		for _, raw := range days {
			// Strings only: a number or object here is not a day's hours.
			var s string
			if json.Unmarshal(raw, &s) == nil && taClean(s) != "" {
				det.Hours = append(det.Hours, taClean(s))
			}
		}
	}
	if det.Name != "" || det.Address != "" || det.Phone != "" || det.Website != "" || len(det.Hours) > 0 {
		d.Details = det
	}
	if d.Name == "" && d.Rating == nil {
		return taDetails{}, fmt.Errorf("%w: details carry neither a name nor a rating", ErrLayout)
	}
	return d, nil
}

// parseTaReviews reads a location reviews response ({"data": [...]}), newest
// first as the API gives them. It is pure, for fuzzing and benchmarks. No
// "data" list is ErrLayout; an empty one is a listing without reviews in
// the language. Review URLs stay empty when the API gives none.
func parseTaReviews(body []byte) ([]Review, error) {
	o, ok := taDecodeObj(body)
	if !ok {
		return nil, fmt.Errorf("%w: reviews is not a JSON object", ErrLayout)
	}
	items, ok := o.list("data")
	if !ok {
		return nil, fmt.Errorf("%w: reviews carry no \"data\" list", ErrLayout)
	}
	reviews := make([]Review, 0, len(items))
	for _, raw := range items {
		it, ok := taDecodeObj(raw)
		if !ok {
			continue // one odd item costs that item, not the page
		}
		r := Review{
			ID:       strings.TrimSpace(it.str("id")),
			Author:   taClean(it.obj("user").str("username")),
			Title:    taClean(it.str("title")),
			Text:     strings.TrimSpace(it.str("text")),
			Language: strings.TrimSpace(it.str("lang")),
			URL:      strings.TrimSpace(it.str("url")),
		}
		if v, ok := it.num("rating"); ok && v >= 1 && v <= 5 {
			r.Rating = Stars(v)
		}
		r.Published = taAPITime(it.str("published_date"))
		if or := it.obj("owner_response"); or != nil {
			if text := strings.TrimSpace(or.str("text")); text != "" {
				r.Reply = &Reply{Text: text, Published: taAPITime(or.str("published_date"))}
			}
		}
		if r.ID == "" {
			if r.Author == "" && r.Title == "" && r.Text == "" && r.Rating == nil {
				continue
			}
			r.ID = ContentID(r.Author, r.Published.Format(time.RFC3339), r.Title, r.Text)
		}
		reviews = append(reviews, r)
	}
	if len(items) > 0 && len(reviews) == 0 {
		return nil, fmt.Errorf("%w: none of the %d items in \"data\" is a review", ErrLayout, len(items))
	}
	return Dedupe(reviews), nil
}

// taAPITime parses the API's times (RFC 3339; a bare date or a zoneless
// time is taken as UTC) into UTC; anything else is zero.
func taAPITime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// taObj is a JSON object read field by field, so a field of an unexpected
// type costs that field, not the whole response.
type taObj map[string]json.RawMessage

func taDecodeObj(raw []byte) (taObj, bool) {
	var o taObj
	if err := json.Unmarshal(raw, &o); err != nil || o == nil {
		return nil, false
	}
	return o, true
}

// str reads a string, or a number as its text ("id": 599246690).
func (o taObj) str(key string) string { return taScalar(o[key]) }

func (o taObj) obj(key string) taObj {
	if o == nil {
		return nil
	}
	v, _ := taDecodeObj(o[key])
	return v
}

func (o taObj) list(key string) ([]json.RawMessage, bool) {
	var l []json.RawMessage
	if raw, ok := o[key]; !ok || json.Unmarshal(raw, &l) != nil || l == nil {
		return nil, false
	}
	return l, true
}

// num reads a number or a numeric string ("4.5", "1,234").
func (o taObj) num(key string) (float64, bool) {
	s := strings.ReplaceAll(strings.TrimSpace(o.str(key)), ",", "")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func taScalar(raw json.RawMessage) string {
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

// taClean collapses whitespace, for one-line fields.
func taClean(s string) string { return foldSpace(s) }

// ---- public page ----

// fetchPage reads the listing's page once and parses it. Once the
// observation is stored, the next poll asks "changed since?" (the page's
// validators, or its bytes: see Env.ReadPage); fresh (a backfill) reads it
// whatever a poll saw.
func (t *tripadvisor) fetchPage(ctx context.Context, c taConfig, fresh bool) (Observation, error) {
	var obs Observation
	stored, err := t.env.ReadPage(ctx, c.pageURL, fresh, func(pg Page) error {
		final := c.pageURL
		if pg.URL != nil {
			final = pg.URL.String()
		}
		var err error
		if obs, err = parseTaPage(pg.Body, final); err != nil {
			return fmt.Errorf("%s: %w", Redact(c.pageURL), err)
		}
		return nil
	})
	if err != nil {
		return Observation{}, fmt.Errorf("tripadvisor: %w", err)
	}
	obs.URL = c.pageURL
	obs.Stored = stored
	return obs, nil
}

// taBusinessTypes are JSON-LD types a listing page describes itself as.
var taBusinessTypes = map[string]bool{
	"LocalBusiness": true, "Restaurant": true, "FoodEstablishment": true, "Hotel": true,
	"LodgingBusiness": true, "BedAndBreakfast": true, "Resort": true, "Hostel": true, "Motel": true,
	"TouristAttraction": true, "LandmarksOrHistoricalBuildings": true, "Museum": true,
	"Place": true, "Organization": true, "CafeOrCoffeeShop": true, "BarOrPub": true,
	"VacationRental": true, "Campground": true,
}

// taBubble is the rating in a "ui_bubble_rating bubble_45" class: tenths of a star.
var taBubble = regexp.MustCompile(`(?:^|\s)bubble_(\d{1,2})(?:\s|$)`)

// taCardSel is a review card; the "recent review" highlight cards
// (class recent_review) match too and are skipped.
const taCardSel = "div.reviewSelector[data-reviewid]"

// parseTaPage reads a listing page: the business from its JSON-LD and the
// reviews from the 2019 desktop markup. It is pure (no I/O, no clock) for
// fuzzing and benchmarks; pageURL (after redirects) resolves review links.
// A page with neither a rating nor reviews is ErrLayout.
//
// It reads the page with taScanPage, which builds a tree for the review
// cards only, and falls back to a whole DOM (parseTaPageDOM) when the page
// holds anything whose tree that scan cannot tell exactly (tables,
// templates, misnested formatting...). TestTaScanMatchesDOM and
// FuzzTaScanPage check the two give the same Observation.
func parseTaPage(body []byte, pageURL string) (Observation, error) {
	if d, ok := taScanPage(body); ok {
		return taPageObservation(d, pageURL)
	}
	return parseTaPageDOM(body, pageURL)
}

// taPage is what a listing page says, before interpretation: the JSON-LD
// texts in document order, the <html lang>, and the review cards.
type taPage struct {
	ld    []string
	lang  string
	cards []*goquery.Selection
}

// parseTaPageDOM is parseTaPage through a whole DOM (goquery).
func parseTaPageDOM(body []byte, pageURL string) (Observation, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return Observation{}, fmt.Errorf("%w: unreadable HTML: %v", ErrLayout, err)
	}
	var d taPage
	d.lang, _ = doc.Find("html").First().Attr("lang")
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if typ, _ := s.Attr("type"); strings.HasPrefix(strings.ToLower(strings.TrimSpace(typ)), "application/ld+json") {
			d.ld = append(d.ld, s.Text())
		}
	})
	doc.Find(taCardSel).Each(func(_ int, s *goquery.Selection) {
		d.cards = append(d.cards, s)
	})
	return taPageObservation(d, pageURL)
}

// taPageObservation interprets a page's parts.
func taPageObservation(d taPage, pageURL string) (Observation, error) {
	base, _ := url.Parse(pageURL)
	// The page lists reviews in its own language (the site's default filter).
	lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(strings.ReplaceAll(d.lang, "_", "-"))), "-")

	var obs Observation
	if biz := taLDBusiness(d.ld); biz != nil {
		obs.Name = taClean(biz.str("name"))
		obs.Rating = taLDRating(biz.obj("aggregateRating"))
		det := &Details{Name: obs.Name, Address: taLDAddress(biz["address"]), Phone: taClean(biz.str("telephone"))}
		if det.Name != "" || det.Address != "" || det.Phone != "" {
			obs.Details = det
		}
	}

	var reviews []Review
	for _, s := range d.cards {
		// The "recent review" highlight cards repeat reviews listed below.
		if s.HasClass("recent_review") {
			continue
		}
		if r, ok := taPageReview(s, base, pageURL); ok {
			r.Language = lang
			reviews = append(reviews, r)
		}
	}
	obs.Reviews = Dedupe(reviews)
	if obs.Rating == nil && len(obs.Reviews) == 0 {
		return Observation{}, fmt.Errorf("%w: no JSON-LD aggregateRating and no div.reviewSelector[data-reviewid] reviews", ErrLayout)
	}
	return obs, nil
}

// taLDBusiness is the page's business: the first JSON-LD node carrying an
// aggregate rating, else the first of a business type.
func taLDBusiness(texts []string) taObj {
	var nodes []taObj
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			return
		}
		switch raw[0] {
		case '[':
			var l []json.RawMessage
			if json.Unmarshal(raw, &l) == nil {
				for _, e := range l {
					walk(e)
				}
			}
		case '{':
			if o, ok := taDecodeObj(raw); ok {
				nodes = append(nodes, o)
				walk(o["@graph"])
			}
		}
	}
	for _, t := range texts {
		walk(json.RawMessage(t))
	}
	for _, n := range nodes {
		if taLDRating(n.obj("aggregateRating")) != nil {
			return n
		}
	}
	for _, n := range nodes {
		for _, typ := range taLDTypes(n) {
			if taBusinessTypes[typ] {
				return n
			}
		}
	}
	return nil
}

// taLDTypes reads "@type", a string or a list of them.
func taLDTypes(n taObj) []string {
	if s := n.str("@type"); s != "" {
		return []string{s}
	}
	var out []string
	if l, ok := n.list("@type"); ok {
		for _, raw := range l {
			out = append(out, taScalar(raw))
		}
	}
	return out
}

// taLDRating reads an AggregateRating (values may be strings), normalised
// from its own scale (default 1-5); nil when it has no usable value.
func taLDRating(a taObj) *Rating {
	if a == nil {
		return nil
	}
	v, ok := a.num("ratingValue")
	if !ok {
		return nil
	}
	best, worst := 5.0, 1.0
	if b, ok := a.num("bestRating"); ok {
		best = b
	}
	if w, ok := a.num("worstRating"); ok {
		worst = w
	}
	stars, ok := Normalise(v, best, worst)
	if !ok {
		return nil
	}
	r := &Rating{Value: stars}
	for _, k := range []string{"reviewCount", "ratingCount"} {
		if n, ok := a.num(k); ok && n >= 0 && n < math.MaxInt32 {
			r.Count = int(n)
			break
		}
	}
	return r
}

// taLDAddress renders a JSON-LD address (a string or a PostalAddress) on one line.
func taLDAddress(raw json.RawMessage) string {
	if s := taScalar(raw); s != "" {
		return taClean(s)
	}
	a, ok := taDecodeObj(raw)
	if !ok {
		return ""
	}
	country := a.str("addressCountry")
	if country == "" {
		country = a.obj("addressCountry").str("name")
	}
	var parts []string
	for _, p := range []string{
		a.str("streetAddress"),
		a.str("postalCode") + " " + a.str("addressLocality"),
		a.str("addressRegion"),
		country,
	} {
		if p = taClean(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// taPageReview reads one review card. Everything is looked up outside the
// business's reply (div.mgrRspnInline), which has its own text and date.
func taPageReview(s *goquery.Selection, base *url.URL, pageURL string) (Review, bool) {
	id, _ := s.Attr("data-reviewid")
	r := Review{ID: strings.TrimSpace(id), URL: pageURL}
	if r.ID == "" {
		return Review{}, false
	}
	find := func(sel string) *goquery.Selection {
		return s.Find(sel).FilterFunction(func(_ int, x *goquery.Selection) bool {
			return x.Closest(".mgrRspnInline").Length() == 0
		}).First()
	}
	for _, sel := range []string{".info_text > div:not(.userLoc)", ".memberOverlayLink .username", ".username", ".scrname"} {
		if r.Author = taClean(taText(find(sel))); r.Author != "" {
			break
		}
	}
	if class, ok := find("span.ui_bubble_rating").Attr("class"); ok {
		if m := taBubble.FindStringSubmatch(class); m != nil {
			if n, _ := strconv.Atoi(m[1]); n >= 10 && n <= 50 {
				r.Rating = Stars(float64(n) / 10)
			}
		}
	}
	date := find("span.ratingDate")
	if title, ok := date.Attr("title"); ok && strings.TrimSpace(title) != "" {
		r.Published = taPageDate(title)
	} else {
		r.Published = taPageDate(strings.TrimPrefix(taClean(taText(date)), "Reviewed "))
	}
	r.Title = taClean(taText(find(".noQuotes")))
	if r.Title == "" {
		r.Title = strings.Trim(taClean(taText(find(".quote"))), "“”\"' ")
	}
	r.Text = taText(find("p.partial_entry"))
	if href, ok := find(".quote a[href]").Attr("href"); ok && base != nil {
		if u, err := base.Parse(strings.TrimSpace(href)); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			r.URL = u.String()
		}
	}
	if rsp := s.Find(".mgrRspnInline").First(); rsp.Length() > 0 {
		text := taText(rsp.Find("p.partial_entry").First())
		if text == "" {
			text = taText(rsp.Find(".entry").First())
		}
		if text != "" {
			r.Reply = &Reply{Text: text}
			d := rsp.Find(".responseDate").First()
			if title, ok := d.Attr("title"); ok && strings.TrimSpace(title) != "" {
				r.Reply.Published = taPageDate(title)
			} else {
				r.Reply.Published = taPageDate(strings.TrimPrefix(taClean(taText(d)), "Responded "))
			}
		}
	}
	return r, true
}

// taPageDate parses the page's review dates ("July 24, 2018" on .com,
// "24 July 2018" on .co.uk) as UTC days; other locales give zero.
func taPageDate(s string) time.Time {
	s = taClean(s)
	for _, layout := range []string{"January 2, 2006", "Jan 2, 2006", "2 January 2006", "2 Jan 2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// taText is the visible text of the first node of s: <br> and block ends
// become line breaks, the "More"/"read more" links are left out, spaces
// are folded within lines and blank lines squeezed to one.
func taText(s *goquery.Selection) string {
	if s.Length() == 0 {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style:
				return
			case atom.Br:
				b.WriteByte('\n')
				return
			}
			for _, a := range n.Attr {
				if a.Key == "class" && taLinkClass(a.Val) {
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.P || n.DataAtom == atom.Div) {
			b.WriteByte('\n')
		}
	}
	walk(s.Nodes[0])
	var lines []string
	blank := false
	for _, line := range strings.Split(b.String(), "\n") {
		line = foldSpace(line)
		if line == "" {
			blank = len(lines) > 0
			continue
		}
		if blank {
			lines = append(lines, "")
			blank = false
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// taLinkClass reports the classes of the expand links inside review text.
func taLinkClass(class string) bool {
	for _, c := range strings.Fields(class) {
		switch c {
		case "taLnk", "ulBlueLinks", "readMore":
			return true
		}
	}
	return false
}
