package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The Business API door of the trustpilot source: used when a listing sets
// api_key and business_unit_id. It reads the public Business Units API
// (https://developers.trustpilot.com/business-units-api-(public)) with the
// key in the apikey header: GET v1/business-units/{id} for the name and
// TrustScore, GET v1/business-units/{id}/reviews (100 a page, newest first)
// for the reviews with the company's replies.

const (
	// tpDefaultEndpoint is Trustpilot's API host.
	tpDefaultEndpoint = "https://api.trustpilot.com/"
	// tpAPIPerPage is the API's largest page: fewest requests per review.
	tpAPIPerPage = 100
	// tpAPIMaxPages bounds a normal poll: 1000 reviews since the last poll
	// means something else is wrong, and the key's quota is shared.
	tpAPIMaxPages = 10
	// tpAPIMaxFetchBackfill bounds Fetch with Options.Backfill, which holds
	// everything in one observation; Backfill pages without a cap.
	tpAPIMaxFetchBackfill = 100
)

// tpUsesAPI reports whether the listing takes the Business API door.
// validateTrustpilot makes sure the two keys come together.
func tpUsesAPI(l Listing) bool {
	return strings.TrimSpace(l.APIKey.Reveal()) != "" && strings.TrimSpace(l.BusinessUnitID) != ""
}

// tpAPI is a listing's Business API settings, defaulted.
type tpAPI struct {
	key      Secret
	unit     string
	endpoint string // absolute, ends in "/"
	public   string // the listing's public page ("" until the unit names it)
	base     string // scheme://host for review links
}

func tpAPIOf(l Listing) tpAPI {
	c := tpAPI{
		key:      Secret(strings.TrimSpace(l.APIKey.Reveal())),
		unit:     strings.TrimSpace(l.BusinessUnitID),
		endpoint: strings.TrimSpace(l.Endpoint),
		public:   strings.TrimSpace(l.URL),
	}
	if c.endpoint == "" {
		c.endpoint = tpDefaultEndpoint
	}
	if !strings.HasSuffix(c.endpoint, "/") {
		c.endpoint += "/"
	}
	c.base = trustpilotBase(c.public) // www.trustpilot.com when url is unset
	return c
}

func (c tpAPI) unitURL() string {
	return c.endpoint + "v1/business-units/" + url.PathEscape(c.unit)
}

// reviewsURL asks for page n, newest first: the order NextPage and since
// rely on, and one that stays put between a backfill and its resumption.
func (c tpAPI) reviewsURL(n int) string {
	u := c.unitURL() + "/reviews?perPage=" + strconv.Itoa(tpAPIPerPage) + "&orderBy=createdat.desc"
	if n > 1 {
		u += "&page=" + strconv.Itoa(n)
	}
	return u
}

// fetchAPI is Fetch through the Business API: the unit and page 1 (two
// requests), then further pages only as Options ask.
func (t *trustpilot) fetchAPI(ctx context.Context, l Listing, o Options) (Observation, error) {
	c := tpAPIOf(l)
	obs, err := t.apiUnit(ctx, l, c)
	if err != nil {
		return Observation{}, err
	}
	limit := 1
	switch {
	case o.Backfill:
		limit = tpAPIMaxFetchBackfill
	case o.Known != nil:
		limit = tpAPIMaxPages
	}
	var all []Review
	seen := map[string]bool{}
	for n := 1; ; n++ {
		p, err := t.apiPage(ctx, c, n)
		if err != nil {
			if n == 1 || ctx.Err() != nil {
				// A cancelled fetch is abandoned, not a partial success.
				return Observation{}, err
			}
			t.env.logger().Warn("trustpilot: later API page failed; keeping the pages before it",
				"listing", l.ID, "page", n, "err", err)
			break
		}
		added := 0
		for _, r := range p.Reviews {
			if !seen[r.ID] {
				seen[r.ID] = true
				all = append(all, r)
				added++
			}
		}
		if !p.HasNext {
			// Every page was read: a stored review missing now was removed.
			obs.Complete = true
			break
		}
		if n >= limit || added == 0 || !o.NextPage(p.Reviews) {
			break
		}
	}
	obs.Reviews = all
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	return obs, nil
}

// backfillAPI pages through the API from page n; see Backfill.
func (t *trustpilot) backfillAPI(ctx context.Context, l Listing, since time.Time, n int, page func(Observation, string) error) error {
	c := tpAPIOf(l)
	head, err := t.apiUnit(ctx, l, c)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for first := n; ; n++ {
		p, err := t.apiPage(ctx, c, n)
		if err != nil {
			return err
		}
		if tpAllSeen(seen, p.Reviews) && n > first {
			// A server ignoring page= would hand the same page back forever.
			return fmt.Errorf("trustpilot: API page %d repeats reviews already read: %w", n, ErrLayout)
		}
		kept, older := tpSince(p.Reviews, since)
		next := ""
		if p.HasNext && !older && len(p.Reviews) > 0 {
			next = strconv.Itoa(n + 1)
		}
		obs := head
		obs.At = t.env.now()
		obs.Reviews = kept
		if err := page(obs, next); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
	}
}

// apiUnit reads the business unit into an Observation header.
func (t *trustpilot) apiUnit(ctx context.Context, l Listing, c tpAPI) (Observation, error) {
	u := c.unitURL()
	body, err := t.apiGet(ctx, c, u)
	if err != nil {
		return Observation{}, err
	}
	unit, err := parseTrustpilotAPIUnit(body)
	if err != nil {
		return Observation{}, fmt.Errorf("trustpilot: GET %s: %w", Redact(u), err)
	}
	obs := Observation{
		Listing:  l.ID,
		Platform: "trustpilot",
		At:       t.env.now(),
		Name:     unit.Name,
		URL:      c.public,
		Rating:   unit.Rating,
		Details:  unit.Details,
	}
	if obs.URL == "" && unit.Identifying != "" {
		obs.URL = "https://www.trustpilot.com/review/" + url.PathEscape(unit.Identifying)
	}
	return obs, nil
}

// apiPage reads reviews page n.
func (t *trustpilot) apiPage(ctx context.Context, c tpAPI, n int) (tpAPIPage, error) {
	u := c.reviewsURL(n)
	body, err := t.apiGet(ctx, c, u)
	if err != nil {
		return tpAPIPage{}, err
	}
	p, err := parseTrustpilotAPIReviews(body, c.base)
	if err != nil {
		return tpAPIPage{}, fmt.Errorf("trustpilot: GET %s: %w", Redact(u), err)
	}
	return p, nil
}

// apiGet sends one API request and classifies the answer: 401/403 are
// ErrAuth naming api_key, 429 (or a 403 about quota) ErrQuota, 404
// ErrConfig naming business_unit_id (the only thing in the path).
func (t *trustpilot) apiGet(ctx context.Context, c tpAPI, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("trustpilot: GET %s: %w", Redact(u), err)
	}
	// The header, not ?apikey=: a query string ends up in logs and proxies.
	req.Header.Set("apikey", c.key.Reveal())
	resp, err := t.env.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("trustpilot: %w", err)
	}
	if resp.Status == http.StatusNotFound {
		return nil, fmt.Errorf("trustpilot: business_unit_id: %q not found: %w: %w",
			c.unit, ErrConfig, &StatusError{URL: Redact(u), Code: resp.Status})
	}
	key := c.key.Reveal()
	message := func(b []byte) string {
		// Never echo the key, should a gateway quote it back.
		return strings.ReplaceAll(tpAPIMessage(b), key, "REDACTED")
	}
	if err := Classify("trustpilot", "api_key", resp, message, tpAPIQuota); err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// tpAPIMessage finds the explanation in an error body: Trustpilot's own
// {"message": ...}, or the API gateway's {"fault": {"faultstring": ...}}.
func tpAPIMessage(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == '<' {
		return ""
	}
	var doc struct {
		Message      tpString `json:"message"`
		ErrorMessage tpString `json:"errorMessage"`
		Details      tpString `json:"details"`
		Error        tpString `json:"error"`
		Fault        struct {
			FaultString tpString `json:"faultstring"`
		} `json:"fault"`
	}
	if b[0] != '{' {
		return string(b) // plain text
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return "" // broken JSON says nothing reliable
		}
	}
	for _, s := range []tpString{doc.Message, doc.ErrorMessage, doc.Fault.FaultString, doc.Error, doc.Details} {
		if strings.TrimSpace(string(s)) != "" {
			return string(s)
		}
	}
	return ""
}

// tpAPIQuota tells a 403 about quota (the gateway's "Rate limit quota
// violation", "Spike arrest violation") from a refused key.
func tpAPIQuota(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "quota") || strings.Contains(m, "rate limit") || strings.Contains(m, "spike arrest")
}

// tpAPIUnit is what the business unit says.
type tpAPIUnit struct {
	Name string
	// Identifying is the unit's domain-like name (example.com), which
	// makes its public page www.trustpilot.com/review/<identifying>.
	Identifying string
	Rating      *Rating
	Details     *Details
}

type tpAPIUnitDoc struct {
	DisplayName tpString `json:"displayName"`
	Name        struct {
		Identifying tpString `json:"identifying"`
	} `json:"name"`
	WebsiteURL tpString `json:"websiteUrl"`
	Score      struct {
		TrustScore tpNum `json:"trustScore"`
		Stars      tpNum `json:"stars"`
	} `json:"score"`
	NumberOfReviews tpAPICount `json:"numberOfReviews"`
}

// tpAPICount is numberOfReviews: an object whose total counts every
// review, or a bare number should the API flatten it.
type tpAPICount struct{ tpNum }

func (c *tpAPICount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			Total tpNum `json:"total"`
		}
		_ = json.Unmarshal(b, &o) // tpNum never fails; a type error elsewhere leaves Total unset
		c.tpNum = o.Total
		return nil
	}
	return c.tpNum.UnmarshalJSON(b)
}

// tpDecodeObject decodes a JSON object into v, tolerating fields of
// unexpected types (encoding/json fills the rest); anything that is not a
// JSON object is ErrLayout.
func tpDecodeObject(body []byte, v any) error {
	t, err := tpObjectBody(body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(t, v); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return fmt.Errorf("%w: unreadable JSON: %v", ErrLayout, err)
		}
	}
	return nil
}

// tpObjectBody trims body and checks that it starts as a JSON object.
func tpObjectBody(body []byte) ([]byte, error) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		what := "an empty body"
		if len(t) > 0 && t[0] == '<' {
			what = "HTML"
		} else if len(t) > 0 {
			what = "not a JSON object"
		}
		return nil, fmt.Errorf("%w: %s where the API's JSON was expected", ErrLayout, what)
	}
	return t, nil
}

// parseTrustpilotAPIUnit reads GET v1/business-units/{id}. It is pure for
// fuzzing and benchmarks. A body with neither a name nor a score is not a
// business unit (ErrLayout).
func parseTrustpilotAPIUnit(body []byte) (tpAPIUnit, error) {
	var d tpAPIUnitDoc
	if err := tpDecodeObject(body, &d); err != nil {
		return tpAPIUnit{}, err
	}
	u := tpAPIUnit{
		Name:        strings.TrimSpace(string(d.DisplayName)),
		Identifying: strings.TrimSpace(string(d.Name.Identifying)),
	}
	if u.Name == "" {
		u.Name = u.Identifying
	}
	// trustScore is the precise figure the page shows (4.3); stars is it
	// rounded to a half for the star image, a fallback only.
	score := d.Score.TrustScore
	if !score.OK {
		score = d.Score.Stars
	}
	if v, ok := Normalise(score.V, 5, 1); score.OK && ok {
		u.Rating = &Rating{Value: v, Count: d.NumberOfReviews.int()}
	}
	if u.Name == "" && u.Rating == nil {
		return tpAPIUnit{}, fmt.Errorf("%w: not a business unit (no displayName, name or score)", ErrLayout)
	}
	u.Details = &Details{Name: u.Name, Website: strings.TrimSpace(string(d.WebsiteURL))}
	return u, nil
}

// tpAPIPage is one page of the reviews endpoint.
type tpAPIPage struct {
	Reviews []Review
	// HasNext: the page links a next-page. The API answers a page past the
	// last with an empty list, so a missing link is the end.
	HasNext bool
}

type tpAPIReviewsDoc struct {
	// Reviews stays raw: it must be a list (absent, null or another type
	// is not a reviews page), and one odd review can't sink the page.
	Reviews json.RawMessage `json:"reviews"`
	Links   tpAPILinks      `json:"links"`
}

// tpAPILinks is a HATEOAS list of {href, method, rel}; a lone object or
// another type is tolerated.
type tpAPILinks []struct {
	Rel  tpString `json:"rel"`
	Href tpString `json:"href"`
}

func (ls *tpAPILinks) UnmarshalJSON(b []byte) error {
	type plain tpAPILinks
	var list plain
	if json.Unmarshal(b, &list) == nil {
		*ls = tpAPILinks(list)
		return nil
	}
	var one struct {
		Rel  tpString `json:"rel"`
		Href tpString `json:"href"`
	}
	if json.Unmarshal(b, &one) == nil {
		*ls = tpAPILinks{one}
	}
	return nil
}

func (ls tpAPILinks) has(rel string) bool {
	for _, l := range ls {
		if strings.EqualFold(strings.TrimSpace(string(l.Rel)), rel) {
			return true
		}
	}
	return false
}

type tpAPIReview struct {
	ID        tpString `json:"id"`
	Stars     tpNum    `json:"stars"`
	Title     tpString `json:"title"`
	Text      tpString `json:"text"`
	Language  tpString `json:"language"`
	CreatedAt tpString `json:"createdAt"`
	UpdatedAt tpString `json:"updatedAt"`
	Consumer  struct {
		DisplayName tpString `json:"displayName"`
	} `json:"consumer"`
	CompanyReply *struct {
		Text      tpString `json:"text"`
		CreatedAt tpString `json:"createdAt"`
		UpdatedAt tpString `json:"updatedAt"`
	} `json:"companyReply"`
}

// parseTrustpilotAPIReviews reads one page of GET
// v1/business-units/{id}/reviews. It is pure for fuzzing and benchmarks;
// base is scheme://host for review links. An empty list is a page, not an
// error (a business without reviews, or a page past the last).
func parseTrustpilotAPIReviews(body []byte, base string) (tpAPIPage, error) {
	t, err := tpObjectBody(body)
	if err != nil {
		return tpAPIPage{}, err
	}
	// One pass over the page: the top-level keys are walked with one
	// json.Decoder and the review list is read review by review from it,
	// so one odd review can't sink the page, and nothing is copied out or
	// scanned twice (decoding the page first, with the list kept raw, was
	// most of the backfill's parse time: BENCHMARKS.md, "backfill ingest").
	// Keys match as encoding/json matches struct fields (case-insensitive;
	// the last of a repeated key wins).
	dec := json.NewDecoder(bytes.NewReader(t))
	unreadable := func(err error) error { return fmt.Errorf("%w: unreadable JSON: %v", ErrLayout, err) }
	if _, err := dec.Token(); err != nil {
		return tpAPIPage{}, unreadable(err)
	}
	var (
		p       tpAPIPage
		links   tpAPILinks
		hasList bool
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return tpAPIPage{}, unreadable(err)
		}
		key, _ := tok.(string)
		switch {
		case strings.EqualFold(key, "reviews"):
			if hasList, err = tpAPIReviewList(dec, base, &p); err != nil {
				return tpAPIPage{}, err
			}
		case strings.EqualFold(key, "links"):
			links = tpAPILinks{}
			if err := dec.Decode(&links); err != nil {
				var te *json.UnmarshalTypeError
				if !errors.As(err, &te) {
					return tpAPIPage{}, unreadable(err)
				}
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return tpAPIPage{}, unreadable(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return tpAPIPage{}, unreadable(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return tpAPIPage{}, unreadable(fmt.Errorf("data after the object"))
	}
	if !hasList {
		return tpAPIPage{}, fmt.Errorf("%w: no \"reviews\" list", ErrLayout)
	}
	p.HasNext = links.has("next-page")
	p.Reviews = Dedupe(p.Reviews)
	return p, nil
}

// tpAPIReviewList reads the value of "reviews" from dec into p.Reviews;
// false when it is not a list (absent, null or another type is not a
// reviews page).
func tpAPIReviewList(dec *json.Decoder, base string, p *tpAPIPage) (bool, error) {
	if !dec.More() {
		return false, fmt.Errorf("%w: unreadable JSON: a key without a value", ErrLayout)
	}
	tok, err := dec.Token()
	if err != nil {
		return false, fmt.Errorf("%w: unreadable JSON: %v", ErrLayout, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return false, fmt.Errorf("%w: no \"reviews\" list", ErrLayout)
	}
	p.Reviews = make([]Review, 0, 20)
	for dec.More() {
		var r tpAPIReview
		if err := dec.Decode(&r); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				return false, fmt.Errorf("%w: unreadable review list: %v", ErrLayout, err)
			}
		}
		rv := Review{
			ID:        strings.TrimSpace(string(r.ID)),
			Author:    strings.TrimSpace(string(r.Consumer.DisplayName)),
			Title:     strings.TrimSpace(string(r.Title)),
			Text:      strings.TrimSpace(string(r.Text)),
			Language:  strings.TrimSpace(string(r.Language)),
			Published: trustpilotTime(string(r.CreatedAt)),
		}
		if r.Stars.OK {
			rv.Rating = trustpilotStars(r.Stars.V)
		}
		// updatedAt equal to createdAt means never edited.
		if u := trustpilotTime(string(r.UpdatedAt)); u.After(rv.Published) {
			rv.Updated = u
		}
		if cr := r.CompanyReply; cr != nil && strings.TrimSpace(string(cr.Text)) != "" {
			at := trustpilotTime(string(cr.CreatedAt))
			if at.IsZero() {
				at = trustpilotTime(string(cr.UpdatedAt))
			}
			rv.Reply = &Reply{Text: strings.TrimSpace(string(cr.Text)), Published: at}
		}
		if finishTrustpilotReview(&rv, base) {
			p.Reviews = append(p.Reviews, rv)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return false, fmt.Errorf("%w: unreadable review list: %v", ErrLayout, err)
	}
	return true, nil
}

// tpSince keeps the reviews written at or after since (all when since is
// zero, and those without a date) and reports whether any was older: in a
// newest-first listing, everything after it is older too.
func tpSince(rs []Review, since time.Time) ([]Review, bool) {
	kept := make([]Review, 0, len(rs))
	older := false
	for _, r := range rs {
		if !since.IsZero() && !r.Published.IsZero() && r.Published.Before(since) {
			older = true
			continue
		}
		kept = append(kept, r)
	}
	return kept, older
}

// tpAllSeen records rs in seen and reports whether every one was there
// already (false for an empty page).
func tpAllSeen(seen map[string]bool, rs []Review) bool {
	all := len(rs) > 0
	for _, r := range rs {
		if !seen[r.ID] {
			all = false
			seen[r.ID] = true
		}
	}
	return all
}

// tpCursorPage reads a Backfill cursor: the page number as a string, ""
// for the first.
func tpCursorPage(cursor string) (int, error) {
	if cursor == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(cursor)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("trustpilot: backfill cursor %q is not a page number: %w", cursor, ErrConfig)
	}
	return n, nil
}
