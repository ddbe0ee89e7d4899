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
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

const (
	// gbDefaultEndpoint is the Business Profile API host; reviews live only
	// on its legacy v4 path (no newer API serves them).
	gbDefaultEndpoint = "https://mybusiness.googleapis.com/"
	// gbDefaultTokenURL is Google's OAuth 2 token endpoint.
	gbDefaultTokenURL = "https://oauth2.googleapis.com/token"
	// gbPageSize is the API's maximum page size.
	gbPageSize = 50
	// gbMaxPages bounds one enumeration (100,000 reviews) so a server that
	// hands out endless fresh page tokens cannot keep a poll running forever.
	gbMaxPages = 2000
)

// gbLocationPattern is a v4 location name. Segments are restricted to id
// characters because the name is pasted into the request path.
var gbLocationPattern = regexp.MustCompile(`^accounts/[A-Za-z0-9_-]+/locations/[A-Za-z0-9_-]+$`)

// googleBusiness reads a location's reviews from the Google Business
// Profile API (the owner's door: accounts.locations.reviews.list on
// mybusiness.googleapis.com/v4), authenticated with a static bearer token
// or an OAuth refresh token of an account that manages the location.
//
// The API gives every review of the location, 50 a page, newest update
// first, with the aggregate rating and count on every page; it gives no
// review language, no public review URL and no listing details. Google's
// machine translations arrive inside the comment and are split off into
// Review.Translation. The quota is 300 requests a minute per project; the
// Env's host limiter spaces requests and a 429 surfaces as ErrQuota with
// its Retry-After.
type googleBusiness struct {
	env *Env

	mu     sync.Mutex
	tokens map[string]*gbToken // by listing id
}

var (
	_ Source     = (*googleBusiness)(nil)
	_ Backfiller = (*googleBusiness)(nil)
)

func newGoogleBusiness(env *Env) Source {
	if env == nil {
		env = NewEnv(nil)
	}
	return &googleBusiness{env: env, tokens: map[string]*gbToken{}}
}

// gbConfig is a listing's keys, checked and defaulted.
type gbConfig struct {
	location string
	endpoint string // absolute http(s), ends in "/"
	static   Secret // access_token, or "" when oauth refreshes tokens
	oauth    *OAuth // TokenURL defaulted
	// credKey names the config key holding the credential, for ErrAuth.
	credKey string
}

func validateGoogleBusiness(l Listing) error {
	_, err := gbConfigOf(l)
	return err
}

// gbConfigOf is shared by validation and fetching so a listing that passes
// config load is exactly the one fetched. Each error wraps ErrConfig and
// its message starts with the key (after ErrConfig's text), which is how
// the config loader points at the offending line.
func gbConfigOf(l Listing) (gbConfig, error) {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrConfig, key, fmt.Sprintf(format, args...)))
	}
	if err := CheckKeys(l, "location", "endpoint", "access_token", "oauth", "full_sync"); err != nil {
		errs = append(errs, err)
	}
	c := gbConfig{location: l.Location, endpoint: l.Endpoint, static: l.AccessToken}

	switch {
	case l.Location == "":
		bad("location", "is required (accounts/{account}/locations/{location})")
	case strings.HasPrefix(l.Location, "locations/"):
		bad("location", "%q lacks the account: the reviews API needs accounts/{account}/locations/{location}", l.Location)
	case !gbLocationPattern.MatchString(l.Location):
		bad("location", "%q is not of the form accounts/{account}/locations/{location}", l.Location)
	}

	if c.endpoint == "" {
		c.endpoint = gbDefaultEndpoint
	}
	if u, err := url.Parse(c.endpoint); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		bad("endpoint", "%q is not an absolute http(s) URL", Redact(l.Endpoint))
	} else if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// The API path is appended to the endpoint; a query would swallow it.
		bad("endpoint", "%q must not carry a query or fragment", Redact(l.Endpoint))
	}
	if !strings.HasSuffix(c.endpoint, "/") {
		c.endpoint += "/"
	}

	switch {
	case l.AccessToken != "" && l.OAuth != nil:
		bad("access_token", "set exactly one of access_token and oauth, not both")
	case l.AccessToken == "" && l.OAuth == nil:
		bad("access_token", "exactly one of access_token and oauth is required (oauth refreshes tokens; a static access token expires within the hour)")
	case l.AccessToken != "":
		c.credKey = "access_token"
		if strings.ContainsFunc(l.AccessToken.Reveal(), gbSpaceOrControl) {
			bad("access_token", "contains whitespace or control characters (a stray newline from an env file?)")
		}
	default:
		c.credKey = "oauth.refresh_token"
		o := *l.OAuth
		if o.ClientID == "" {
			bad("oauth.client_id", "is required")
		}
		if o.ClientSecret == "" {
			bad("oauth.client_secret", "is required")
		}
		if o.RefreshToken == "" {
			bad("oauth.refresh_token", "is required")
		} else if strings.ContainsFunc(o.RefreshToken.Reveal(), gbSpaceOrControl) {
			bad("oauth.refresh_token", "contains whitespace or control characters (a stray newline from an env file?)")
		}
		if o.TokenURL == "" {
			o.TokenURL = gbDefaultTokenURL
		} else if err := CheckURL("oauth.token_url", o.TokenURL, false); err != nil {
			errs = append(errs, err)
		}
		c.oauth = &o
	}
	return c, errors.Join(errs...)
}

func gbSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f
}

// pageURL is the reviews.list request for one page ("" = the first).
// orderBy is spelled out although it is the API's default: paging stops
// at the first known review, which is only right in update order.
func (c gbConfig) pageURL(pageToken string) string {
	u := fmt.Sprintf("%sv4/%s/reviews?pageSize=%d&orderBy=updateTime%%20desc", c.endpoint, c.location, gbPageSize)
	if pageToken != "" {
		u += "&pageToken=" + url.QueryEscape(pageToken)
	}
	return u
}

// Fetch reads page 1 and further pages only as Options ask: in a regular
// poll while a page holds nothing already known (an edited review moves
// back to page 1, so a quiet poll costs one request), in a backfill every
// page. Having read the last page, the observation is Complete (always in
// a backfill, and in any poll of a one-page location). A failure on a later page
// keeps the pages before it (not Complete), except for auth, quota and
// cancellation, which fail the fetch so the caller backs off.
func (s *googleBusiness) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	c, err := gbConfigOf(l)
	if err != nil {
		return Observation{}, fmt.Errorf("google_business: %w", err)
	}
	obs := s.observation(l)
	var all []Review
	seenTokens := map[string]bool{}
	token := ""
	for n := 1; ; n++ {
		page, err := s.fetchPage(ctx, l, c, token)
		if err != nil {
			if n == 1 || ctx.Err() != nil || errors.Is(err, ErrAuth) || errors.Is(err, ErrQuota) {
				return Observation{}, err
			}
			s.env.logger().Warn("google_business: later page failed; keeping the pages before it",
				"listing", l.ID, "page", n, "err", err)
			break
		}
		if n == 1 {
			obs.Rating = page.Rating
		}
		all = append(all, page.Reviews...)
		if page.Next == "" {
			// Every page read: a poll of a small location is complete too.
			obs.Complete = true
			break
		}
		if !o.NextPage(page.Reviews) {
			break
		}
		if seenTokens[page.Next] || n >= gbMaxPages {
			s.env.logger().Warn("google_business: paging stopped: repeated page token or page cap",
				"listing", l.ID, "page", n)
			break
		}
		seenTokens[page.Next] = true
		token = page.Next
	}
	// Reviews shift between pages when one arrives or is edited mid-fetch;
	// keep the first (newest) copy.
	obs.Reviews = Dedupe(all)
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	return obs, nil
}

// Backfill pages through the location's history from cursor (a
// pageToken; "" = the newest page), calling page for each page with the
// next page's token. It stops after the last page, at the first review
// last updated before since (that page's older reviews are left out and
// next is ""), or when page returns an error (returned as is). A review
// that shifts pages while the backfill runs is passed once.
func (s *googleBusiness) Backfill(ctx context.Context, l Listing, since time.Time, cursor string, page func(obs Observation, next string) error) error {
	c, err := gbConfigOf(l)
	if err != nil {
		return fmt.Errorf("google_business: %w", err)
	}
	seenIDs := map[string]bool{}
	seenTokens := map[string]bool{cursor: true}
	token := cursor
	for n := 1; ; n++ {
		p, err := s.fetchPage(ctx, l, c, token)
		if err != nil {
			return err
		}
		obs := s.observation(l)
		obs.Rating = p.Rating
		obs.Reviews = []Review{}
		next := p.Next
		for _, r := range p.Reviews {
			if at := gbChanged(r); !since.IsZero() && !at.IsZero() && at.Before(since) {
				next = "" // update order: everything after is older still
				break
			}
			if seenIDs[r.ID] {
				continue
			}
			seenIDs[r.ID] = true
			obs.Reviews = append(obs.Reviews, r)
		}
		if next != "" && (seenTokens[next] || n >= gbMaxPages) {
			return fmt.Errorf("google_business: %s: %w: page token repeats or over %d pages; stopping", c.location, ErrLayout, gbMaxPages)
		}
		if err := page(obs, next); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		seenTokens[next] = true
		token = next
	}
}

// gbChanged is when a review last changed: its edit time, else its
// creation (the API's order key).
func gbChanged(r Review) time.Time {
	if !r.Updated.IsZero() {
		return r.Updated
	}
	return r.Published
}

func (s *googleBusiness) observation(l Listing) Observation {
	return Observation{Listing: l.ID, Platform: "google_business", At: s.env.now()}
}

// fetchPage requests and parses one page. A first page (no token) that
// lists no reviews while the count says there are some is ErrLayout: it
// would otherwise read as "every review removed".
func (s *googleBusiness) fetchPage(ctx context.Context, l Listing, c gbConfig, pageToken string) (gbPage, error) {
	auth, err := s.authorization(ctx, l, c)
	if err != nil {
		return gbPage{}, err
	}
	u := c.pageURL(pageToken)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return gbPage{}, fmt.Errorf("google_business: %s: %w", c.location, err)
	}
	req.Header.Set("Authorization", auth)
	resp, err := s.env.Do(ctx, req)
	if err != nil {
		return gbPage{}, fmt.Errorf("google_business: %s: %w", c.location, err)
	}
	if err := s.classify(l, c, resp); err != nil {
		return gbPage{}, err
	}
	page, err := parseGoogleBusinessReviews(resp.Body)
	if err != nil {
		return gbPage{}, fmt.Errorf("google_business: %s: GET %s: %w", c.location, Redact(u), err)
	}
	if pageToken == "" && len(page.Reviews) == 0 && page.Count > 0 {
		return gbPage{}, fmt.Errorf("google_business: %s: %w: totalReviewCount is %d but the first page lists no reviews", c.location, ErrLayout, page.Count)
	}
	return page, nil
}

// classify turns a refused request into an *APIError naming what to fix:
// 401 the credential, 403 the location (the account can't read it) unless
// Google says the credential lacks the scope or the project lacks the API,
// 403/429 RESOURCE_EXHAUSTED the quota.
func (s *googleBusiness) classify(l Listing, c gbConfig, resp Response) error {
	if resp.Status >= 200 && resp.Status <= 299 {
		return nil
	}
	ge := gbParseError(resp.Body)
	key := c.credKey
	hint := ""
	switch resp.Status {
	case http.StatusUnauthorized:
		if c.oauth != nil {
			// The cached token was refused before its expiry (revoked?):
			// refresh on the next poll instead of reusing it.
			s.dropToken(l.ID)
			hint = "the refreshed access token was refused"
		} else {
			hint = "static access tokens expire within the hour; configure oauth to refresh them"
		}
	case http.StatusForbidden:
		switch {
		case ge.status == "RESOURCE_EXHAUSTED":
		case ge.reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" || strings.Contains(strings.ToLower(ge.message), "scope"):
			hint = "the token lacks the https://www.googleapis.com/auth/business.manage scope"
		case ge.reason == "SERVICE_DISABLED" || ge.reason == "API_DISABLED":
			if c.oauth != nil {
				key = "oauth.client_id"
			}
			hint = "the Google Cloud project of this credential has not enabled (or been granted) the My Business API"
		default:
			key = "location"
			hint = "the account can't read this location (" + c.location + "): is it verified and managed by this account?"
		}
	case http.StatusNotFound:
		hint = "no such location: check location"
	}
	err := Classify("google_business", key, resp, func([]byte) string { return ge.String() }, func(string) bool {
		return ge.status == "RESOURCE_EXHAUSTED" || ge.reason == "RATE_LIMIT_EXCEEDED"
	})
	var ae *APIError
	if hint != "" && errors.As(err, &ae) {
		ae.Message = strings.TrimPrefix(ae.Message+"; "+hint, "; ")
	}
	return err
}

// gbAPIError is the useful part of Google's error envelope:
// {"error":{"code":403,"message":"...","status":"PERMISSION_DENIED","details":[{"reason":"..."}]}}.
type gbAPIError struct{ status, reason, message string }

func (e gbAPIError) String() string {
	var parts []string
	for _, p := range []string{e.status, e.reason, e.message} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ": ")
}

func gbParseError(body []byte) gbAPIError {
	var env struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
			Details []struct {
				Reason string `json:"reason"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil {
		return gbAPIError{}
	}
	e := gbAPIError{status: env.Error.Status, message: env.Error.Message}
	for _, d := range env.Error.Details {
		if d.Reason != "" {
			e.reason = d.Reason
			break
		}
	}
	return e
}

// gbToken caches one listing's access token, so tokens are refreshed only
// when expired. It keeps the token rather than an oauth2.TokenSource
// because a TokenSource refreshes with the context it was made with: a
// cached one would refresh with the first poll's (long cancelled) context.
type gbToken struct {
	mu          sync.Mutex
	fingerprint [32]byte // of the credentials, so an edited config starts afresh
	tok         *oauth2.Token
}

// authorization returns the Authorization header value for a request.
func (s *googleBusiness) authorization(ctx context.Context, l Listing, c gbConfig) (string, error) {
	if c.oauth == nil {
		return "Bearer " + c.static.Reveal(), nil
	}
	fp := sha256.Sum256([]byte(strings.Join([]string{c.oauth.ClientID, c.oauth.ClientSecret.Reveal(), c.oauth.RefreshToken.Reveal(), c.oauth.TokenURL}, "\x00")))
	s.mu.Lock()
	t := s.tokens[l.ID]
	if t == nil || t.fingerprint != fp {
		t = &gbToken{fingerprint: fp}
		s.tokens[l.ID] = t
	}
	s.mu.Unlock()

	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.tok.Valid() {
		tok, err := s.refresh(ctx, c)
		if err != nil {
			return "", err
		}
		t.tok = tok
	}
	return t.tok.Type() + " " + t.tok.AccessToken, nil
}

// dropToken forgets a listing's cached token.
func (s *googleBusiness) dropToken(listing string) {
	s.mu.Lock()
	delete(s.tokens, listing)
	s.mu.Unlock()
}

// refresh trades the refresh token for an access token at the token URL,
// with the Env's HTTP client and this poll's context.
func (s *googleBusiness) refresh(ctx context.Context, c gbConfig) (*oauth2.Token, error) {
	conf := &oauth2.Config{
		ClientID:     c.oauth.ClientID,
		ClientSecret: c.oauth.ClientSecret.Reveal(),
		// Google takes the client in the form; auto-detection would retry a
		// refused refresh a second time with the other style.
		Endpoint: oauth2.Endpoint{TokenURL: c.oauth.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.env.client())
	tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: c.oauth.RefreshToken.Reveal()}).Token()
	if err == nil {
		return tok, nil
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		// Network failures and unparsable answers. oauth2 may quote the
		// token endpoint's answer, never the request, so no secret here.
		return nil, fmt.Errorf("google_business: %s: refresh access token at %s: %w", c.location, Redact(c.oauth.TokenURL), redactErr(err))
	}
	return nil, gbTokenError(re)
}

// gbTokenError classifies a refused refresh. 400/401 mean the grant or
// the client was refused (RFC 6749 §5.2): ErrAuth naming the key to fix.
// Only the error code and description are quoted, never the body.
func gbTokenError(re *oauth2.RetrieveError) error {
	msg := "token endpoint refused the refresh"
	for _, part := range []string{re.ErrorCode, re.ErrorDescription} {
		if part != "" {
			msg += ": " + part
		}
	}
	resp := Response{Status: re.Response.StatusCode, Header: re.Response.Header}
	status := resp.Status
	if status >= 200 && status <= 299 {
		status = http.StatusBadRequest // an error code in a 200 answer
	}
	if status != http.StatusBadRequest && status != http.StatusUnauthorized {
		return Classify("google_business", "oauth.refresh_token", resp, func([]byte) string { return msg }, nil)
	}
	e := &APIError{Platform: "google_business", Status: status, Key: "oauth.refresh_token", kind: ErrAuth}
	switch re.ErrorCode {
	case "invalid_client", "unauthorized_client":
		e.Key = "oauth.client_id"
		e.Message = msg + "; oauth.client_id or oauth.client_secret is wrong"
	default:
		e.Message = msg + "; the refresh token was revoked or expired: create a new refresh token"
	}
	e.Message = clean(e.Message, 300)
	return e
}

// gbPage is one parsed reviews.list page.
type gbPage struct {
	Reviews []Review
	// Rating is nil when the location has no reviews or no average.
	Rating *Rating
	// Count is totalReviewCount (0 when absent).
	Count int
	// Next is nextPageToken, "" on the last page.
	Next string
}

// gbKnownKeys are ListReviewsResponse's fields; a body with none of them
// (and no reviews) is not a reviews response.
var gbKnownKeys = []string{"reviews", "averageRating", "totalReviewCount", "nextPageToken"}

// parseGoogleBusinessReviews parses one ListReviewsResponse. It is pure (no
// I/O, no clock) for fuzzing and benchmarks. No reviews is legitimate only
// in a well-formed response: "{}" (proto3 JSON omits zero fields) or a
// zero count; anything else without reviews is ErrLayout.
func parseGoogleBusinessReviews(body []byte) (gbPage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return gbPage{}, fmt.Errorf("%w: not a JSON object", ErrLayout)
	}
	if _, ok := doc["error"]; ok {
		return gbPage{}, fmt.Errorf("%w: an error object where reviews were expected: %s", ErrLayout, clean(gbParseError(body).String(), 200))
	}
	known := false
	for _, k := range gbKnownKeys {
		if _, ok := doc[k]; ok {
			known = true
		}
	}
	if len(doc) > 0 && !known {
		return gbPage{}, fmt.Errorf("%w: none of reviews, averageRating, totalReviewCount", ErrLayout)
	}

	var page gbPage
	if raw, ok := doc["nextPageToken"]; ok && !gbNull(raw) {
		if json.Unmarshal(raw, &page.Next) != nil {
			return gbPage{}, fmt.Errorf("%w: nextPageToken is not a string", ErrLayout)
		}
	}
	count, hasCount := gbNumber(doc["totalReviewCount"])
	if hasCount && (count < 0 || count > math.MaxInt32 || count != math.Trunc(count)) {
		return gbPage{}, fmt.Errorf("%w: totalReviewCount %v is not a count", ErrLayout, count)
	}
	page.Count = int(count)
	if avg, ok := gbNumber(doc["averageRating"]); ok && page.Count > 0 {
		if v, ok := Normalise(avg, 5, 1); ok {
			page.Rating = &Rating{Value: v, Count: page.Count}
		}
	}

	var raws []json.RawMessage
	if raw, ok := doc["reviews"]; ok && !gbNull(raw) {
		if json.Unmarshal(raw, &raws) != nil {
			return gbPage{}, fmt.Errorf("%w: reviews is not a list", ErrLayout)
		}
	}
	for i, raw := range raws {
		r, err := gbReview(raw)
		if err != nil {
			return gbPage{}, fmt.Errorf("%w: reviews[%d]: %v", ErrLayout, i, err)
		}
		page.Reviews = append(page.Reviews, r)
	}
	page.Reviews = Dedupe(page.Reviews)
	return page, nil
}

// gbReviewJSON is a v4 Review. starRating is raw so an unexpected type
// costs the rating, not the page.
type gbReviewJSON struct {
	Name     string `json:"name"`
	ReviewID string `json:"reviewId"`
	Reviewer struct {
		DisplayName string `json:"displayName"`
		IsAnonymous bool   `json:"isAnonymous"`
	} `json:"reviewer"`
	StarRating  json.RawMessage `json:"starRating"`
	Comment     string          `json:"comment"`
	CreateTime  string          `json:"createTime"`
	UpdateTime  string          `json:"updateTime"`
	ReviewReply *struct {
		Comment    string `json:"comment"`
		UpdateTime string `json:"updateTime"`
	} `json:"reviewReply"`
}

func gbReview(raw json.RawMessage) (Review, error) {
	if gbNull(raw) {
		return Review{}, errors.New("null where a review was expected")
	}
	var j gbReviewJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return Review{}, err
	}
	text, translation := gbSplitTranslation(j.Comment)
	r := Review{
		ID:        strings.TrimSpace(j.ReviewID),
		Author:    strings.TrimSpace(j.Reviewer.DisplayName),
		Rating:    gbStars(j.StarRating),
		Text:      text,
		Published: gbTime(j.CreateTime),
	}
	if translation != "" {
		r.Translation = &Translation{Text: translation}
	}
	if r.ID == "" {
		// name ends in the same id: accounts/*/locations/*/reviews/{reviewId}.
		if i := strings.LastIndex(j.Name, "/reviews/"); i >= 0 {
			r.ID = strings.TrimSpace(j.Name[i+len("/reviews/"):])
		}
	}
	if r.Author == "" && j.Reviewer.IsAnonymous {
		r.Author = "A Google user" // what Google shows for anonymous reviewers
	}
	// updateTime equals createTime until the author edits the review.
	if up := gbTime(j.UpdateTime); up.After(r.Published) {
		r.Updated = up
	}
	if j.ReviewReply != nil {
		if t := strings.TrimSpace(j.ReviewReply.Comment); t != "" {
			r.Reply = &Reply{Text: t, Published: gbTime(j.ReviewReply.UpdateTime)}
		}
	}
	if r.ID == "" {
		if r.Text == "" && j.CreateTime == "" && r.Author == "" {
			return Review{}, errors.New("neither reviewId nor content")
		}
		r.ID = ContentID(r.Author, r.Text, j.CreateTime)
	}
	return r, nil
}

// gbStarNames is the StarRating enum; STAR_RATING_UNSPECIFIED and anything
// else is no rating, never 0.
var gbStarNames = map[string]float64{"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}

func gbStars(raw json.RawMessage) *float64 {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if v, ok := gbStarNames[strings.ToUpper(strings.TrimSpace(s))]; ok {
			return Stars(v)
		}
		return nil
	}
	// proto3 JSON may also carry an enum as its number (ONE = 1).
	if v, ok := gbNumber(raw); ok && v >= 1 && v <= 5 && v == math.Trunc(v) {
		return Stars(v)
	}
	return nil
}

// gbTime parses an RFC 3339 timestamp into UTC; zero if absent or malformed.
func gbTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// gbNumber reads a JSON number, or a number in a string (int64 fields are
// strings in proto3 JSON); ok is false for anything else.
func gbNumber(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return f, !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if f, err := n.Float64(); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
	}
	return 0, false
}

func gbNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

const (
	gbTranslatedMark = "(Translated by Google)"
	gbOriginalMark   = "(Original)"
)

// gbSplitTranslation splits Google's machine translation off a comment.
// Google writes either "(Translated by Google) <translation>\n\n(Original)\n
// <original>" or "<original>\n\n(Translated by Google)\n<translation>". It
// returns the original and the translation (""  when there is none). A
// comment it can't split cleanly is returned whole: keeping the author's
// words matters more than a tidy split.
func gbSplitTranslation(comment string) (original, translation string) {
	c := strings.TrimSpace(strings.ReplaceAll(comment, "\r\n", "\n"))
	if rest, ok := strings.CutPrefix(c, gbTranslatedMark); ok {
		if i := strings.Index(rest, "\n"+gbOriginalMark); i >= 0 {
			after := rest[i+1+len(gbOriginalMark):]
			if after == "" || after[0] == '\n' {
				tr, orig := strings.TrimSpace(rest[:i]), strings.TrimSpace(after)
				if orig != "" {
					return orig, tr
				}
			}
		}
		return c, ""
	}
	if i := strings.LastIndex(c, "\n"+gbTranslatedMark); i >= 0 {
		after := c[i+1+len(gbTranslatedMark):]
		if after == "" || after[0] == '\n' || after[0] == ' ' {
			orig, tr := strings.TrimSpace(c[:i]), strings.TrimSpace(after)
			if orig != "" && tr != "" {
				return orig, tr
			}
		}
	}
	return c, ""
}
