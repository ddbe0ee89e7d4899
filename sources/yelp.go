package sources

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// yelpDefaultEndpoint is the Yelp Fusion (Places) API host.
	yelpDefaultEndpoint = "https://api.yelp.com/"
	// yelpReviewLimit is all the reviews endpoint gives on the standard plans.
	yelpReviewLimit = 3
	// yelpCallsPerPoll: one business call plus one reviews call.
	yelpCallsPerPoll = 2
)

// yelpReviewZone is the zone of reviews' time_created ("2016-08-29
// 00:41:13", no offset). Yelp's reference documents it as "in PST" and the
// business details carry no time zone, so Pacific time (with its daylight
// saving) is the best reading there is, whatever the business's location.
// Without a tz database (a scratch container) fixed PST is the fallback,
// an hour off in summer.
var yelpReviewZone = func() *time.Location {
	if loc, err := time.LoadLocation("America/Los_Angeles"); err == nil {
		return loc
	}
	return time.FixedZone("PST", -8*3600)
}()

// yelp reads a business from the Yelp Fusion API: GET
// v3/businesses/{business_id} for the name, aggregate rating, review count,
// address, phone and hours, and GET v3/businesses/{business_id}/reviews for
// the 3 newest reviews. Two requests per poll is the platform's minimum,
// steady state included: the rating and the reviews live at separate
// endpoints, and neither pages, so Options change nothing.
//
// Limits: the API gives at most 3 reviews, as excerpts (about 160
// characters, kept as given), with no business replies and no history, so
// observations are never Complete and there is no Backfiller. Review times
// are read as Pacific time (see yelpReviewZone). Yelp's url is its own page
// for the business (Observation.URL); the business's website is not
// exposed. Each API key has a daily call cap (by plan, resetting at midnight
// UTC): the source keeps the RateLimit-* headers of every answer per key (in
// memory) and, while fewer than two calls are left before the reset time,
// refuses a poll with ErrQuota without calling.
type yelp struct {
	env *Env

	mu   sync.Mutex
	caps map[[sha256.Size]byte]yelpCap // by hash of the API key: no copy of it kept
}

var _ Source = (*yelp)(nil)

func newYelp(env *Env) Source {
	if env == nil {
		env = NewEnv(nil)
	}
	return &yelp{env: env, caps: map[[sha256.Size]byte]yelpCap{}}
}

// yelpCap is an API key's daily call budget as the last answer stated it.
type yelpCap struct {
	limit, remaining int
	hasLimit, hasRem bool
	reset            time.Time // zero: unknown
}

// yelpConfig is a listing's keys, checked and defaulted.
type yelpConfig struct {
	businessID string
	apiKey     Secret
	endpoint   string // absolute http(s), ends in "/"
	locale     string // "" or like en_US
}

// validateYelp checks a yelp listing at config load. Each error wraps
// ErrConfig and its message starts with the key it is about, so the config
// loader can point at the line.
func validateYelp(l Listing) error {
	_, err := yelpConfigOf(l)
	return err
}

// yelpLocale is a Yelp locale: a 2-3 letter language and a country (fil_PH).
var yelpLocale = regexp.MustCompile(`^[a-z]{2,3}_[A-Z]{2}$`)

// yelpConfigOf is shared by validation and Fetch, so a listing that passes
// config load is exactly the one fetched.
func yelpConfigOf(l Listing) (yelpConfig, error) {
	c := yelpConfig{businessID: strings.TrimSpace(l.BusinessID), apiKey: l.APIKey, endpoint: strings.TrimSpace(l.Endpoint)}
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrConfig, key, fmt.Sprintf(format, a...)))
	}
	if err := CheckKeys(l, "business_id", "api_key", "endpoint", "language"); err != nil {
		// Flatten, so each key gets its own line at config load.
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = append(errs, j.Unwrap()...)
		} else {
			errs = append(errs, err)
		}
	}

	switch id := c.businessID; {
	case id == "":
		bad("business_id", "is required (the Yelp business id or the alias after /biz/ in its page URL)")
	case strings.Contains(id, "://") || strings.HasPrefix(id, "www."):
		bad("business_id", "%q is a URL; use the alias after /biz/ (e.g. gary-danko-san-francisco) or the business id", Redact(id))
	case strings.ContainsAny(id, "/?#%") || strings.IndexFunc(id, yelpBadIDRune) >= 0:
		bad("business_id", "%q is not a Yelp business id or alias (no spaces, slashes or ?#%%)", id)
	}

	switch key := c.apiKey.Reveal(); {
	case key == "":
		bad("api_key", "is required (a Yelp Fusion API key, usually ${YELP_API_KEY})")
	case strings.HasPrefix(strings.ToLower(key), "bearer "):
		bad("api_key", "drop the \"Bearer \" prefix; it is added for you")
	case strings.IndexFunc(key, yelpBadIDRune) >= 0:
		// Never echo a credential, not even a broken one.
		bad("api_key", "contains spaces or control characters (a stray newline from the env file?)")
	}

	if c.endpoint == "" {
		c.endpoint = yelpDefaultEndpoint
	} else if u, err := url.Parse(c.endpoint); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		bad("endpoint", "%q is not an absolute http(s) URL", Redact(c.endpoint))
	} else if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// Paths are appended to it; a query or fragment would swallow them.
		bad("endpoint", "%q must not carry a query or fragment", Redact(c.endpoint))
	} else if !strings.HasSuffix(c.endpoint, "/") {
		c.endpoint += "/"
	}

	if lang := strings.TrimSpace(l.Language); lang != "" {
		// Accept en-us and EN_us: the meaning is plain.
		lo, co, ok := strings.Cut(strings.ReplaceAll(lang, "-", "_"), "_")
		c.locale = strings.ToLower(lo) + "_" + strings.ToUpper(co)
		if !ok || !yelpLocale.MatchString(c.locale) {
			bad("language", "%q is not a Yelp locale like en_US or fr_FR", lang)
		}
	}
	return c, errors.Join(errs...)
}

func yelpBadIDRune(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '\u00a0' || r == '\u2028' || r == '\u2029'
}

func (c yelpConfig) businessURL() string {
	return c.endpoint + "v3/businesses/" + url.PathEscape(c.businessID)
}

func (c yelpConfig) reviewsURL() string {
	u := c.businessURL() + "/reviews?limit=" + strconv.Itoa(yelpReviewLimit) + "&sort_by=newest"
	if c.locale != "" {
		u += "&locale=" + url.QueryEscape(c.locale)
	}
	return u
}

// Fetch reads the business, then its newest reviews: always both calls,
// since neither endpoint pages and each holds what the other lacks.
func (s *yelp) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	c, err := yelpConfigOf(l)
	if err != nil {
		return Observation{}, fmt.Errorf("yelp: %w", err)
	}
	if err := s.checkCap(c.apiKey); err != nil {
		return Observation{}, err
	}
	body, err := s.get(ctx, c, c.businessURL())
	if err != nil {
		return Observation{}, err
	}
	biz, err := parseYelpBusiness(body)
	if err != nil {
		return Observation{}, fmt.Errorf("yelp: GET %s: %w", Redact(c.businessURL()), err)
	}
	body, err = s.get(ctx, c, c.reviewsURL())
	if err != nil {
		// No partial observation: without its reviews a poll would read as
		// "nothing new" while the platform is failing.
		return Observation{}, err
	}
	page, err := parseYelpReviews(body)
	if err != nil {
		return Observation{}, fmt.Errorf("yelp: GET %s: %w", Redact(c.reviewsURL()), err)
	}
	obs := Observation{
		Listing:  l.ID,
		Platform: "yelp",
		At:       s.env.now(),
		Name:     biz.Name,
		URL:      biz.URL,
		Rating:   biz.Rating,
		Reviews:  Dedupe(page.Reviews),
		Details:  biz.Details,
	}
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	for i := range obs.Reviews {
		if obs.Reviews[i].URL == "" {
			// An alert's link should lead somewhere: the business page.
			obs.Reviews[i].URL = obs.URL
		}
	}
	return obs, nil
}

// get sends one authorised request, records the answer's call budget and
// classifies a refusal.
func (s *yelp) get(ctx context.Context, c yelpConfig, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("yelp: GET %s: %v", Redact(u), err)
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey.Reveal())
	resp, err := s.env.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("yelp: %w", err)
	}
	s.recordCap(c.apiKey, resp.Header)
	if err := yelpClassify(c, resp); err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(resp.Body); len(t) > 0 && t[0] == '<' {
		return nil, fmt.Errorf("yelp: GET %s: %w: HTML where JSON was expected", Redact(u), ErrLayout)
	}
	return resp.Body, nil
}

// checkCap refuses a poll, before any call, when the key's daily budget
// can't pay for it until the reset time.
func (s *yelp) checkCap(key Secret) error {
	s.mu.Lock()
	cp, ok := s.caps[sha256.Sum256([]byte(key.Reveal()))]
	s.mu.Unlock()
	if !ok || !cp.hasRem || cp.remaining >= yelpCallsPerPoll || cp.reset.IsZero() || !cp.reset.After(s.env.now()) {
		// An unknown reset time never blocks: Yelp itself refuses (429) if
		// the budget really is spent, and those headers update it.
		return nil
	}
	limit := ""
	if cp.hasLimit {
		limit = fmt.Sprintf(" (%d a day)", cp.limit)
	}
	return fmt.Errorf("yelp: daily cap reached: %d left until %s%s: %w",
		cp.remaining, cp.reset.UTC().Format(time.RFC3339), limit, ErrQuota)
}

// recordCap keeps what an answer (any answer, refusals too) says about the
// key's daily budget. Absent or broken headers leave the last known values.
func (s *yelp) recordCap(key Secret, h http.Header) {
	if h == nil {
		return
	}
	k := sha256.Sum256([]byte(key.Reveal()))
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := s.caps[k]
	changed := false
	if n, err := strconv.Atoi(strings.TrimSpace(h.Get("RateLimit-DailyLimit"))); err == nil && n >= 0 {
		cp.limit, cp.hasLimit, changed = n, true, true
	}
	if n, err := strconv.Atoi(strings.TrimSpace(h.Get("RateLimit-Remaining"))); err == nil && n >= 0 {
		cp.remaining, cp.hasRem, changed = n, true, true
	}
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(h.Get("RateLimit-ResetTime"))); err == nil {
		cp.reset, changed = t.UTC(), true
	}
	if changed {
		if s.caps == nil {
			s.caps = map[[sha256.Size]byte]yelpCap{}
		}
		s.caps[k] = cp
	}
}

// yelpClassify turns a refusal into an error: Yelp's error code decides
// first (it sends 400 for a malformed key, 404 for an unknown business),
// the HTTP status after it (Classify).
func yelpClassify(c yelpConfig, r Response) error {
	if r.Status >= 200 && r.Status <= 299 {
		return nil
	}
	ye := parseYelpError(r.Body)
	message := func([]byte) string { return yelpRedact(ye.message(), c.apiKey) }
	// The code overrides Classify's reading of the status below.
	ae, ok := Classify("yelp", "api_key", r, message, nil).(*APIError)
	if !ok {
		return &StatusError{URL: "yelp API", Code: r.Status} // unreachable: Classify returns *APIError for non-2xx
	}
	switch {
	case ye.Code == "TOKEN_INVALID" || ye.Code == "TOKEN_MISSING" || ye.Code == "UNAUTHORIZED_ACCESS_TOKEN" ||
		(ye.Code == "VALIDATION_ERROR" && strings.EqualFold(ye.Field, "Authorization")):
		ae.kind = ErrAuth
	case ye.Code == "ACCESS_LIMIT_REACHED" || ye.Code == "TOO_MANY_REQUESTS_PER_SECOND":
		ae.kind = ErrQuota
	case ye.Code == "BUSINESS_NOT_FOUND":
		return fmt.Errorf("yelp: %w: business_id: %q not found on Yelp (HTTP %d: %s)", ErrConfig, c.businessID, r.Status, ae.Message)
	case ye.Code == "VALIDATION_ERROR" && strings.EqualFold(ye.Field, "locale"):
		return fmt.Errorf("yelp: %w: language: Yelp refused locale %q (HTTP %d: %s)", ErrConfig, c.locale, r.Status, ae.Message)
	}
	return ae
}

// yelpBearer catches a token Yelp echoes back in an error description
// ("'Bearer abc' does not match ...") even when it is not the configured
// key verbatim.
var yelpBearer = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/=-]+`)

// yelpRedact keeps the API key out of a platform message bound for error text.
func yelpRedact(msg string, key Secret) string {
	if k := key.Reveal(); k != "" {
		msg = strings.ReplaceAll(msg, k, "REDACTED")
	}
	return yelpBearer.ReplaceAllString(msg, "Bearer REDACTED")
}

// yelpError is Yelp's error body: {"error": {"code", "description", "field"}}.
type yelpError struct {
	Code        string
	Description string
	Field       string
}

func (e yelpError) message() string {
	m := e.Description
	if e.Code != "" {
		m = strings.TrimSuffix(e.Code+": "+m, ": ")
	}
	if e.Field != "" && m != "" {
		m += " (field " + e.Field + ")"
	}
	return m
}

func parseYelpError(body []byte) yelpError {
	var doc struct {
		Error yelpLenient[struct {
			Code        yelpText `json:"code"`
			Description yelpText `json:"description"`
			Field       yelpText `json:"field"`
		}] `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return yelpError{}
	}
	e := doc.Error.V
	return yelpError{Code: strings.TrimSpace(string(e.Code)), Description: string(e.Description), Field: strings.TrimSpace(string(e.Field))}
}

// yelpBusiness is what the business endpoint gives an observation.
type yelpBusiness struct {
	Name    string
	URL     string // Yelp's page for the business
	Rating  *Rating
	Details *Details
}

// yelpBusinessDoc is the business body. Every field is lenient: a field of
// an unexpected type costs that field, not the observation. The retired v2
// business body shares these names, so it parses too.
type yelpBusinessDoc struct {
	ID           yelpText                     `json:"id"`
	Name         yelpText                     `json:"name"`
	URL          yelpText                     `json:"url"`
	Phone        yelpText                     `json:"phone"`
	DisplayPhone yelpText                     `json:"display_phone"`
	Rating       yelpNum                      `json:"rating"`
	ReviewCount  yelpNum                      `json:"review_count"`
	IsClosed     yelpLenient[bool]            `json:"is_closed"`
	Location     yelpLenient[yelpLocationDoc] `json:"location"`
	Hours        yelpLenient[[]yelpHoursDoc]  `json:"hours"`
}

type yelpLocationDoc struct {
	DisplayAddress yelpLines `json:"display_address"`
}

// yelpLines is a list of strings; a lone string counts as a list of one.
type yelpLines []string

func (l *yelpLines) UnmarshalJSON(b []byte) error {
	var list []yelpText
	if json.Unmarshal(b, &list) == nil {
		*l = make(yelpLines, len(list))
		for i, s := range list {
			(*l)[i] = string(s)
		}
		return nil
	}
	if s := scalarString(b); s != "" {
		*l = yelpLines{s}
	}
	return nil
}

type yelpHoursDoc struct {
	HoursType yelpText `json:"hours_type"`
	Open      yelpLenient[[]yelpLenient[struct {
		Day   yelpNum  `json:"day"`
		Start yelpText `json:"start"`
		End   yelpText `json:"end"`
	}]] `json:"open"`
}

// parseYelpBusiness parses a business body. It is pure (no I/O, no clock)
// for fuzzing and benchmarks. A body with neither a name, an id nor a
// rating is ErrLayout: it isn't a business.
func parseYelpBusiness(body []byte) (yelpBusiness, error) {
	var doc yelpBusinessDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return yelpBusiness{}, fmt.Errorf("%w: not a JSON object: %v", ErrLayout, err)
	}
	name := strings.TrimSpace(string(doc.Name))
	b := yelpBusiness{Name: name, URL: strings.TrimSpace(string(doc.URL))}
	if v, ok := doc.Rating.get(); ok {
		if stars, ok := Normalise(v, 5, 1); ok {
			b.Rating = &Rating{Value: stars}
			if n, ok := doc.ReviewCount.get(); ok && n >= 0 && n < math.MaxInt32 {
				b.Rating.Count = int(n)
			}
		}
	}
	if name == "" && strings.TrimSpace(string(doc.ID)) == "" && b.Rating == nil {
		if e := parseYelpError(body); e.Code != "" {
			return yelpBusiness{}, fmt.Errorf("%w: an error body (%s) with a success status", ErrLayout, e.Code)
		}
		return yelpBusiness{}, fmt.Errorf("%w: no business name, id or rating", ErrLayout)
	}
	d := &Details{Name: name, Phone: strings.TrimSpace(string(doc.DisplayPhone))}
	if d.Phone == "" {
		d.Phone = strings.TrimSpace(string(doc.Phone))
	}
	var lines []string
	for _, l := range doc.Location.V.DisplayAddress {
		if s := strings.TrimSpace(l); s != "" {
			lines = append(lines, s)
		}
	}
	d.Address = strings.Join(lines, ", ")
	if doc.IsClosed.V {
		// Details has no "closed" field; hours of a closed business are
		// moot, and a change here alerts.
		d.Hours = []string{"permanently closed (Yelp)"}
	} else {
		d.Hours = yelpHoursLines(doc.Hours.V)
	}
	b.Details = d
	return b, nil
}

var yelpDays = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// yelpHoursLines renders the regular hours as one line per day, Monday
// first ("Mon 11:00-14:00, 17:00-22:00", "Tue closed"); nil when Yelp
// gives no hours. Yelp's day 0 is Monday.
func yelpHoursLines(hours []yelpHoursDoc) []string {
	if len(hours) == 0 {
		return nil
	}
	h := hours[0]
	for _, x := range hours {
		if strings.EqualFold(strings.TrimSpace(string(x.HoursType)), "REGULAR") {
			h = x
			break
		}
	}
	var days [7][]string
	open := false
	for _, o := range h.Open.V {
		d, ok := o.V.Day.get()
		if !ok || d < 0 || d > 6 || d != math.Trunc(d) {
			continue
		}
		days[int(d)] = append(days[int(d)], yelpClock(string(o.V.Start))+"-"+yelpClock(string(o.V.End)))
		open = true
	}
	if !open {
		return nil
	}
	lines := make([]string, 7)
	for i, spans := range days {
		if len(spans) == 0 {
			lines[i] = yelpDays[i] + " closed"
			continue
		}
		lines[i] = yelpDays[i] + " " + strings.Join(spans, ", ")
	}
	return lines
}

// yelpClock turns Yelp's "1730" into "17:30"; anything else is kept as given.
func yelpClock(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 4 && isDigits(s) {
		return s[:2] + ":" + s[2:]
	}
	return s
}

// yelpReviewsPage is a parsed reviews body.
type yelpReviewsPage struct {
	Reviews []Review
	Total   int // Yelp's count of reviews in the asked language; 0 if absent
}

type yelpReviewDoc struct {
	ID          yelpText `json:"id"`
	URL         yelpText `json:"url"`
	Text        yelpText `json:"text"`
	Excerpt     yelpText `json:"excerpt"` // the v2 name for text
	Rating      yelpNum  `json:"rating"`
	TimeCreated yelpTime `json:"time_created"`
	User        yelpLenient[struct {
		Name yelpText `json:"name"`
	}] `json:"user"`
}

// parseYelpReviews parses a reviews body. It is pure for fuzzing and
// benchmarks. The reviews list must be there (empty is fine: a business
// without reviews); a body without one is ErrLayout. Texts are Yelp's
// excerpts, kept exactly as given.
func parseYelpReviews(body []byte) (yelpReviewsPage, error) {
	var doc struct {
		Reviews json.RawMessage `json:"reviews"`
		Total   yelpNum         `json:"total"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return yelpReviewsPage{}, fmt.Errorf("%w: not a JSON object: %v", ErrLayout, err)
	}
	var items []json.RawMessage
	if len(doc.Reviews) == 0 || json.Unmarshal(doc.Reviews, &items) != nil || items == nil {
		if e := parseYelpError(body); e.Code != "" {
			return yelpReviewsPage{}, fmt.Errorf("%w: an error body (%s) with a success status", ErrLayout, e.Code)
		}
		return yelpReviewsPage{}, fmt.Errorf("%w: no \"reviews\" list", ErrLayout)
	}
	var p yelpReviewsPage
	if n, ok := doc.Total.get(); ok && n >= 0 && n < math.MaxInt32 {
		p.Total = int(n)
	}
	for i, raw := range items {
		var d yelpReviewDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			return yelpReviewsPage{}, fmt.Errorf("%w: reviews[%d] is not an object", ErrLayout, i)
		}
		r := Review{
			ID:        strings.TrimSpace(string(d.ID)),
			Author:    strings.TrimSpace(string(d.User.V.Name)),
			Text:      string(d.Text),
			URL:       strings.TrimSpace(string(d.URL)),
			Published: d.TimeCreated.t,
		}
		if r.Text == "" {
			r.Text = string(d.Excerpt)
		}
		if v, ok := d.Rating.get(); ok && v >= 1 && v <= 5 {
			r.Rating = Stars(v)
		}
		if r.ID == "" {
			if r.Author == "" && r.Text == "" && r.Rating == nil && r.Published.IsZero() {
				continue // nothing to keep
			}
			r.ID = ContentID(r.Author, r.Text, r.Published.Format(time.RFC3339))
		}
		p.Reviews = append(p.Reviews, r)
	}
	return p, nil
}

// yelpLenient decodes a T when the JSON fits and leaves the zero T when it
// doesn't, so one odd field doesn't fail the whole body.
type yelpLenient[T any] struct{ V T }

func (l *yelpLenient[T]) UnmarshalJSON(b []byte) error {
	var v T
	if json.Unmarshal(b, &v) == nil {
		l.V = v
	}
	return nil
}

// yelpText is a JSON string, or a number's text; anything else is "".
type yelpText string

func (t *yelpText) UnmarshalJSON(b []byte) error {
	*t = yelpText(scalarString(b))
	return nil
}

// yelpNum is a JSON number or a numeric string; ok is false otherwise.
type yelpNum struct {
	v  float64
	ok bool
}

func (n *yelpNum) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(scalarString(b))
	if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		*n = yelpNum{v: v, ok: true}
	}
	return nil
}

func (n yelpNum) get() (float64, bool) { return n.v, n.ok }

// yelpTime is time_created: "2016-08-29 00:41:13" in yelpReviewZone (v3),
// unix seconds (v2), or RFC 3339 should Yelp ever add an offset. Always UTC;
// zero when unreadable.
type yelpTime struct{ t time.Time }

func (y *yelpTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		s = strings.TrimSpace(s)
		if t, err := time.ParseInLocation(time.DateTime, s, yelpReviewZone); err == nil {
			y.t = t.UTC()
		} else if t, err := time.Parse(time.RFC3339, s); err == nil {
			y.t = t.UTC()
		}
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		// Plausible unix seconds only (Yelp was founded in 2004).
		if v, err := n.Int64(); err == nil && v > 0 && v < 1<<33 {
			y.t = time.Unix(v, 0).UTC()
		}
	}
	return nil
}
