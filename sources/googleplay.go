package sources

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

const (
	// gplayDefaultEndpoint is the Play Developer API's host.
	gplayDefaultEndpoint = "https://androidpublisher.googleapis.com/"
	// gplayScope is the one OAuth scope the Play Developer API takes.
	gplayScope = "https://www.googleapis.com/auth/androidpublisher"
	// gplayPageSize is asked for on every page; fewer pages, fewer requests.
	gplayPageSize = 100
	// gplayMaxPages bounds one fetch or backfill run (10,000 reviews in a
	// week is more than any app gets) so a server handing out fresh tokens
	// forever cannot loop us.
	gplayMaxPages = 100
	// gplayMaxKeyFile caps the key file read: a service-account key is
	// about 2.3 KB; anything far larger is the wrong file.
	gplayMaxKeyFile = 64 << 10
)

// googlePlay reads an Android app's reviews through the Google Play
// Developer API (androidpublisher v3 reviews.list), authenticated as a
// service account whose JSON key file the listing names.
//
// Limits, all Google's: the API returns only reviews that carry text and
// were written or edited in the last 7 days, production track only, newest
// edit first; star-only ratings and older reviews are not reachable, and
// neither is the app's aggregate rating. So observations have a nil
// Rating, are never Complete, and Published is left zero (the API gives
// only each review's last edit, in Updated; the store keeps first-seen).
// Backfill follows the API's page tokens, so it too reaches back only 7
// days.
type googlePlay struct {
	env *Env

	mu   sync.Mutex
	auth map[string]*gplayAuth // by listing ID and key file path
}

var (
	_ Source     = (*googlePlay)(nil)
	_ Backfiller = (*googlePlay)(nil)
)

// gplayAuth is a listing's cached token source. keyHash ties it to the key
// file's content, so a rotated key gets a fresh source on the next fetch.
type gplayAuth struct {
	keyHash [sha256.Size]byte
	email   string
	ts      oauth2.TokenSource
}

func newGooglePlay(env *Env) Source {
	if env == nil {
		env = NewEnv(nil)
	}
	return &googlePlay{env: env, auth: map[string]*gplayAuth{}}
}

// gplayConfig is a listing's keys, checked and defaulted.
type gplayConfig struct {
	pkg      string
	keyFile  string
	endpoint string // absolute http(s), ends in "/"
	language string
}

// gplayPackagePattern is Android's applicationId rule: two or more
// dot-separated segments, each starting with a letter.
var gplayPackagePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)

// gplayLanguagePattern accepts BCP-47-like tags ("en", "en-US", "pt_BR",
// "zh-Hant-TW") without judging which ones Google translates to.
var gplayLanguagePattern = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`)

func validateGooglePlay(l Listing) error {
	_, err := gplayConfigOf(l)
	return err
}

// gplayConfigOf is shared by validation and Fetch so a listing that passes
// config load is exactly the one fetched. Messages start with the key name
// after ErrConfig's text, which is how the config loader files them.
func gplayConfigOf(l Listing) (gplayConfig, error) {
	c := gplayConfig{pkg: l.PackageName, keyFile: l.ServiceAccountFile, endpoint: l.Endpoint, language: l.Language}
	var errs []error
	// Flattened, so the config loader files each foreign key on its own.
	if err := CheckKeys(l, "package_name", "service_account_file", "endpoint", "language"); err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = append(errs, j.Unwrap()...)
		} else {
			errs = append(errs, err)
		}
	}
	switch {
	case c.pkg == "":
		errs = append(errs, fmt.Errorf("%w: package_name: is required (the app's id, e.g. com.example.app)", ErrConfig))
	case !gplayPackagePattern.MatchString(c.pkg):
		errs = append(errs, fmt.Errorf("%w: package_name: %q is not an Android package name (like com.example.app)", ErrConfig, c.pkg))
	}
	switch {
	case c.keyFile == "":
		errs = append(errs, fmt.Errorf("%w: service_account_file: is required (path to the service account's JSON key)", ErrConfig))
	case strings.HasPrefix(strings.TrimSpace(c.keyFile), "{") || strings.Contains(c.keyFile, "PRIVATE KEY") || strings.ContainsAny(c.keyFile, "\n\r"):
		// Never echo it: it looks like the key itself.
		errs = append(errs, fmt.Errorf("%w: service_account_file: must be the path to the JSON key file, not the key's contents", ErrConfig))
	}
	if c.language != "" && !gplayLanguagePattern.MatchString(c.language) {
		errs = append(errs, fmt.Errorf("%w: language: %q is not a language tag (like en or pt-BR)", ErrConfig, c.language))
	}
	if c.endpoint == "" {
		c.endpoint = gplayDefaultEndpoint
	}
	if err := CheckURL("endpoint", c.endpoint, true); err != nil {
		errs = append(errs, err)
	} else if u, _ := url.Parse(c.endpoint); u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// The API path is appended to the endpoint; a query would swallow it.
		errs = append(errs, fmt.Errorf("%w: endpoint: %q must not carry a query or fragment", ErrConfig, Redact(c.endpoint)))
	}
	if !strings.HasSuffix(c.endpoint, "/") {
		c.endpoint += "/"
	}
	return c, errors.Join(errs...)
}

func (c gplayConfig) pageURL(cursor string) string {
	q := url.Values{"maxResults": {strconv.Itoa(gplayPageSize)}}
	if cursor != "" {
		q.Set("token", cursor)
	}
	if c.language != "" {
		q.Set("translationLanguage", c.language)
	}
	return c.endpoint + "androidpublisher/v3/applications/" + url.PathEscape(c.pkg) + "/reviews?" + q.Encode()
}

// publicURL is the app's store page: the API gives no per-review link.
func (c gplayConfig) publicURL() string {
	return "https://play.google.com/store/apps/details?id=" + url.QueryEscape(c.pkg)
}

// Fetch reads page 1, and further pages only while Options.NextPage says
// so. Any failed page fails the whole poll: keeping page 1 without page 2
// would let the next poll stop at page 1's now-known reviews and never
// read page 2's.
func (s *googlePlay) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	c, err := gplayConfigOf(l)
	if err != nil {
		return Observation{}, fmt.Errorf("googleplay: %w", err)
	}
	auth, err := s.tokenSource(l, c)
	if err != nil {
		return Observation{}, err
	}
	obs := s.observation(l, c)
	var all []Review
	cursor := ""
	for n := 1; ; n++ {
		page, err := s.page(ctx, l, c, auth, cursor)
		if err != nil {
			return Observation{}, err
		}
		all = append(all, page.Reviews...)
		if page.Next == "" || !o.NextPage(page.Reviews) {
			break
		}
		if n >= gplayMaxPages {
			s.env.logger().Warn("googleplay: page cap reached; later pages left for the next run",
				"listing", l.ID, "package_name", c.pkg, "pages", n)
			break
		}
		cursor = page.Next
	}
	obs.Reviews = Dedupe(all)
	if obs.Reviews == nil {
		obs.Reviews = []Review{}
	}
	return obs, nil
}

// Backfill pages through the last 7 days (all the API keeps) from cursor,
// a pagination token from an earlier call ("" = the newest page). Reviews
// come newest edit first, so the page reaching past since is cut there and
// handed over as the last one. A run stops after gplayMaxPages pages with
// the next cursor handed over, so the caller can resume.
func (s *googlePlay) Backfill(ctx context.Context, l Listing, since time.Time, cursor string, page func(obs Observation, next string) error) error {
	c, err := gplayConfigOf(l)
	if err != nil {
		return fmt.Errorf("googleplay: %w", err)
	}
	auth, err := s.tokenSource(l, c)
	if err != nil {
		return err
	}
	for n := 1; n <= gplayMaxPages; n++ {
		p, err := s.page(ctx, l, c, auth, cursor)
		if err != nil {
			return err
		}
		next := p.Next
		if !since.IsZero() {
			kept := p.Reviews[:0:0]
			for _, r := range p.Reviews {
				// A review with no time can't be placed; keep it rather than lose it.
				if r.Updated.IsZero() || !r.Updated.Before(since) {
					kept = append(kept, r)
				} else {
					next = "" // everything after this is older still
				}
			}
			p.Reviews = kept
		}
		obs := s.observation(l, c)
		obs.Reviews = Dedupe(p.Reviews)
		if obs.Reviews == nil {
			obs.Reviews = []Review{}
		}
		if err := page(obs, next); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	s.env.logger().Warn("googleplay: backfill page cap reached; resume from the last cursor",
		"listing", l.ID, "package_name", c.pkg, "pages", gplayMaxPages)
	return nil
}

func (s *googlePlay) observation(l Listing, c gplayConfig) Observation {
	return Observation{
		Listing:  l.ID,
		Platform: "googleplay",
		At:       s.env.now(),
		URL:      c.publicURL(),
	}
}

// page fetches and parses one page of reviews.
func (s *googlePlay) page(ctx context.Context, l Listing, c gplayConfig, auth *gplayAuth, cursor string) (gplayPage, error) {
	tok, err := s.token(ctx, c, auth)
	if err != nil {
		return gplayPage{}, err
	}
	u := c.pageURL(cursor)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return gplayPage{}, fmt.Errorf("googleplay: GET %s: %w", Redact(u), err)
	}
	tok.SetAuthHeader(req)
	resp, err := s.env.Do(ctx, req)
	if err != nil {
		return gplayPage{}, fmt.Errorf("googleplay: app %s: %w", c.pkg, err)
	}
	if err := s.apiError(l, c, auth, resp); err != nil {
		return gplayPage{}, err
	}
	p, err := parseGooglePlay(resp.Body, c.language)
	if err != nil {
		return gplayPage{}, fmt.Errorf("googleplay: app %s: GET %s: %w", c.pkg, Redact(u), err)
	}
	if p.Next != "" && p.Next == cursor {
		return gplayPage{}, fmt.Errorf("googleplay: app %s: %w: the API returned the page token it was given", c.pkg, ErrLayout)
	}
	for i := range p.Reviews {
		p.Reviews[i].URL = c.publicURL()
	}
	return p, nil
}

// apiError classifies a non-2xx answer, with the fix each one needs.
func (s *googlePlay) apiError(l Listing, c gplayConfig, auth *gplayAuth, resp Response) error {
	if resp.Status >= 200 && resp.Status <= 299 {
		return nil
	}
	msg := gplayErrMessage(resp.Body)
	disabled := gplayServiceDisabled(msg)
	key := "service_account_file"
	if resp.Status == http.StatusForbidden && !disabled {
		// Play answers 403 PERMISSION_DENIED when the service account has
		// no access to this app: the app, not the key, is what to check.
		key = "package_name"
	}
	err := Classify("googleplay", key, resp, gplayErrMessage, gplayQuota)
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case resp.Status == http.StatusUnauthorized:
		// The cached token was revoked or expired early: mint a new one next time.
		s.forget(l, c)
		return err
	case resp.Status == http.StatusNotFound:
		return fmt.Errorf("googleplay: %w: package_name: app %q not found (HTTP 404: %s); check it is published and belongs to the Play account the service account was invited to", ErrConfig, c.pkg, ae.Message)
	case errors.Is(err, ErrAuth) && disabled:
		return fmt.Errorf("%w; enable the Google Play Android Developer API in the Google Cloud project of the service account in service_account_file", err)
	case errors.Is(err, ErrAuth) && resp.Status == http.StatusForbidden:
		return fmt.Errorf("%w; in Play Console (Users and permissions) invite the service account %s and give it the \"Reply to reviews\" permission for %s", err, cmp.Or(auth.email, "of service_account_file"), c.pkg)
	}
	return err
}

// tokenSource returns the listing's cached token source, reading the key
// file on every call (it is small) so a rotated key takes effect at once.
func (s *googlePlay) tokenSource(l Listing, c gplayConfig) (*gplayAuth, error) {
	raw, err := gplayReadKey(c.keyFile)
	if err != nil {
		return nil, err
	}
	cfg, err := google.JWTConfigFromJSON(raw, gplayScope)
	if err != nil {
		// The oauth2 and JSON errors name a field or a character, never a value.
		return nil, fmt.Errorf("googleplay: %w: service_account_file: %s is not a service-account JSON key: %v", ErrConfig, c.keyFile, err)
	}
	if err := gplayCheckKey(cfg.Email, cfg.PrivateKey, cfg.TokenURL); err != nil {
		return nil, fmt.Errorf("googleplay: %w: service_account_file: %s: %v", ErrConfig, c.keyFile, err)
	}
	hash := sha256.Sum256(raw)
	key := l.ID + "\x00" + c.keyFile
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.auth[key]; a != nil && a.keyHash == hash {
		return a, nil
	}
	// The token source keeps the context it was built with for every
	// refresh, so it gets one that outlives this poll; it carries only the
	// shared client, for the limiter-free token POST and for tests.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, s.env.client())
	a := &gplayAuth{keyHash: hash, email: cfg.Email, ts: cfg.TokenSource(ctx)}
	if s.auth == nil {
		s.auth = map[string]*gplayAuth{}
	}
	s.auth[key] = a
	return a, nil
}

func (s *googlePlay) forget(l Listing, c gplayConfig) {
	s.mu.Lock()
	delete(s.auth, l.ID+"\x00"+c.keyFile)
	s.mu.Unlock()
}

// token returns a valid access token, minting one only when the cached one
// is missing or about to expire. The token POST itself can't take a
// context (oauth2's jwt source doesn't pass one), so waiting for it is
// bounded by ctx here; an abandoned POST ends with the client's timeout
// and its token is still cached for the next poll.
func (s *googlePlay) token(ctx context.Context, c gplayConfig, auth *gplayAuth) (*oauth2.Token, error) {
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		tok, err := auth.ts.Token()
		ch <- result{tok, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		return nil, fmt.Errorf("googleplay: app %s: service-account token: %w", c.pkg, ctx.Err())
	}
	if r.err == nil {
		return r.tok, nil
	}
	var re *oauth2.RetrieveError
	if !errors.As(r.err, &re) || re.Response == nil {
		return nil, fmt.Errorf("googleplay: app %s: service-account token: %w", c.pkg, redactErr(r.err))
	}
	resp := Response{Status: re.Response.StatusCode, Header: re.Response.Header, Body: re.Body}
	err := Classify("googleplay", "service_account_file", resp, func(body []byte) string {
		// oauth2's jwt source leaves the RFC 6749 fields unparsed.
		oe := struct {
			Code string `json:"error"`
			Desc string `json:"error_description"`
		}{re.ErrorCode, re.ErrorDescription}
		if oe.Code == "" {
			json.Unmarshal(body, &oe)
		}
		m := "token endpoint refused the service-account key"
		if resp.Status >= 500 {
			m = "token endpoint unavailable"
		}
		for _, s := range []string{oe.Code, oe.Desc} {
			if s != "" {
				m += ": " + s
			}
		}
		return m
	}, nil)
	var ae *APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusForbidden) {
		// OAuth token endpoints answer 400 invalid_grant for a wrong,
		// deleted or disabled key (RFC 6749 5.2): a credential problem.
		ae.kind = ErrAuth
	}
	return nil, err
}

// gplayReadKey reads the key file with a size cap; errors name the key
// and the path, never the content.
func gplayReadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("googleplay: %w: service_account_file: %s does not exist", ErrConfig, path)
		}
		return nil, fmt.Errorf("googleplay: %w: service_account_file: cannot read %s: %v", ErrConfig, path, errors.Unwrap(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, gplayMaxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("googleplay: %w: service_account_file: cannot read %s: %v", ErrConfig, path, errors.Unwrap(err))
	}
	if len(b) > gplayMaxKeyFile {
		return nil, fmt.Errorf("googleplay: %w: service_account_file: %s is over %d KiB, not a service-account key", ErrConfig, path, gplayMaxKeyFile>>10)
	}
	return b, nil
}

// gplayCheckKey catches a broken key at read time with a clear message,
// rather than as a PEM parse error at the first token request.
func gplayCheckKey(email string, key []byte, tokenURL string) error {
	if email == "" {
		return errors.New(`no "client_email"`)
	}
	if len(key) == 0 {
		return errors.New(`no "private_key"`)
	}
	block, _ := pem.Decode(key)
	if block == nil {
		return errors.New(`"private_key" is not PEM`)
	}
	// The same two forms oauth2's jwt signer accepts; it signs RS256 only.
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	if _, rsaKey := k.(*rsa.PrivateKey); err != nil || !rsaKey {
		return errors.New(`"private_key" is not an RSA private key`)
	}
	if u, err := url.Parse(tokenURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return errors.New(`"token_uri" is not an absolute http(s) URL`)
	}
	return nil
}

// gplayErrMessage reads Google's error body ({"error":{"code","message",
// "status","errors":[{"reason"}],"details":[{"reason"}]}}) into
// "STATUS (reason): message", "" when the body is something else.
func gplayErrMessage(body []byte) string {
	var doc struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
			Errors  []struct {
				Reason string `json:"reason"`
			} `json:"errors"`
			Details []struct {
				Reason string `json:"reason"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	e := doc.Error
	var reasons []string
	for _, r := range e.Errors {
		reasons = append(reasons, r.Reason)
	}
	for _, r := range e.Details {
		reasons = append(reasons, r.Reason)
	}
	var b strings.Builder
	b.WriteString(e.Status)
	if rs := strings.Join(gplayNonEmpty(reasons), ", "); rs != "" && rs != e.Status {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("(" + rs + ")")
	}
	if e.Message != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Message)
	}
	return b.String()
}

func gplayNonEmpty(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// gplayQuota tells a 403 about quota (legacy reasons, RESOURCE_EXHAUSTED)
// from one about permissions.
func gplayQuota(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"resource_exhausted", "ratelimitexceeded", "quotaexceeded", "dailylimitexceeded", "quota", "rate limit"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// gplayServiceDisabled spots the 403 Google sends when the API is not
// enabled in the service account's Cloud project.
func gplayServiceDisabled(msg string) bool {
	return strings.Contains(msg, "SERVICE_DISABLED") || strings.Contains(msg, "accessNotConfigured") ||
		strings.Contains(msg, "has not been used in project")
}

// gplayPage is one parsed reviews.list answer.
type gplayPage struct {
	Reviews []Review
	// Next is tokenPagination.nextPageToken, "" on the last page.
	Next string
}

// parseGooglePlay parses one reviews.list answer. It is pure (no I/O, no
// clock) for fuzzing and benchmarks. lang is the translationLanguage asked
// for, recorded on translations. Google omits empty lists, so "{}" is a
// page without reviews (none in the last 7 days), not an error; a body that
// isn't a JSON object, or whose reviews all lack a user comment, is
// ErrLayout. Fields are decoded leniently: a field of an unexpected type
// costs that field (or that review), not the page.
func parseGooglePlay(body []byte, lang string) (gplayPage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return gplayPage{}, fmt.Errorf("%w: not a JSON object: %v", ErrLayout, err)
	}
	if doc == nil {
		return gplayPage{}, fmt.Errorf("%w: null instead of a reviews list", ErrLayout)
	}
	if _, ok := doc["error"]; ok {
		return gplayPage{}, fmt.Errorf("%w: an error object in a successful answer", ErrLayout)
	}
	var page gplayPage
	var next struct {
		NextPageToken gplayStr `json:"nextPageToken"`
	}
	if raw, ok := doc["tokenPagination"]; ok && json.Unmarshal(raw, &next) == nil {
		page.Next = strings.TrimSpace(string(next.NextPageToken))
	}
	var entries []json.RawMessage
	if raw := bytes.TrimSpace(doc["reviews"]); len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
		if err := json.Unmarshal(raw, &entries); err != nil {
			return gplayPage{}, fmt.Errorf("%w: \"reviews\" is not a list", ErrLayout)
		}
	}
	for _, raw := range entries {
		if r, ok := gplayReview(raw, lang); ok {
			page.Reviews = append(page.Reviews, r)
		}
	}
	if len(entries) > 0 && len(page.Reviews) == 0 {
		return gplayPage{}, fmt.Errorf("%w: none of the %d reviews carries a user comment", ErrLayout, len(entries))
	}
	return page, nil
}

type gplayUserComment struct {
	Text             gplayStr  `json:"text"`
	OriginalText     gplayStr  `json:"originalText"`
	LastModified     gplayTime `json:"lastModified"`
	StarRating       gplayNum  `json:"starRating"`
	ReviewerLanguage gplayStr  `json:"reviewerLanguage"`
}

type gplayDevComment struct {
	Text         gplayStr  `json:"text"`
	LastModified gplayTime `json:"lastModified"`
}

// gplayReview turns one review entry into a Review; ok is false when the
// entry isn't an object or has no user comment (nothing to show).
func gplayReview(raw json.RawMessage, lang string) (Review, bool) {
	var e struct {
		ReviewID   gplayStr          `json:"reviewId"`
		AuthorName gplayStr          `json:"authorName"`
		Comments   []json.RawMessage `json:"comments"`
	}
	if json.Unmarshal(raw, &e) != nil {
		return Review{}, false
	}
	var user *gplayUserComment
	var dev *gplayDevComment
	for _, c := range e.Comments {
		var cm struct {
			User json.RawMessage `json:"userComment"`
			Dev  json.RawMessage `json:"developerComment"`
		}
		if json.Unmarshal(c, &cm) != nil {
			continue
		}
		var u gplayUserComment
		if user == nil && len(cm.User) > 0 && json.Unmarshal(cm.User, &u) == nil {
			user = &u
		}
		var d gplayDevComment
		// The conversation is in order: the last reply is the current one.
		if len(cm.Dev) > 0 && json.Unmarshal(cm.Dev, &d) == nil && strings.TrimSpace(string(d.Text)) != "" {
			dev = &d
		}
	}
	if user == nil {
		return Review{}, false
	}
	r := Review{
		ID:       strings.TrimSpace(string(e.ReviewID)),
		Author:   strings.TrimSpace(string(e.AuthorName)),
		Rating:   gplayStars(user.StarRating),
		Language: strings.TrimSpace(string(user.ReviewerLanguage)),
		Updated:  user.LastModified.t,
	}
	text, orig := string(user.Text), string(user.OriginalText)
	if strings.TrimSpace(orig) != "" {
		// text is then Google's translation into lang; the review is orig.
		r.Title, r.Text = gplaySplitTitle(orig)
		if tt, tx := gplaySplitTitle(text); tt != "" || tx != "" {
			r.Translation = &Translation{Text: strings.TrimSpace(tt + "\n" + tx), Language: lang}
		}
	} else {
		r.Title, r.Text = gplaySplitTitle(text)
	}
	if dev != nil {
		r.Reply = &Reply{Text: strings.TrimSpace(string(dev.Text)), Published: dev.LastModified.t}
	}
	if r.ID == "" {
		r.ID = ContentID(r.Author, r.Title, r.Text)
	}
	return r, true
}

// gplaySplitTitle splits Google's "title<TAB>body" (reviews written when
// Play had separate titles) into its parts.
func gplaySplitTitle(s string) (title, body string) {
	if t, b, ok := strings.Cut(s, "\t"); ok {
		return strings.TrimSpace(t), strings.TrimSpace(b)
	}
	return "", strings.TrimSpace(s)
}

// gplayStars maps starRating (1-5) to stars; anything else is no rating.
func gplayStars(n gplayNum) *float64 {
	if !n.ok || n.v < 1 || n.v > 5 {
		return nil
	}
	return Stars(float64(n.v))
}

// gplayStr decodes a JSON string (or number, as text); anything else is "".
type gplayStr string

func (s *gplayStr) UnmarshalJSON(b []byte) error {
	*s = gplayStr(gplayScalar(b))
	return nil
}

func gplayScalar(raw []byte) string {
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

// gplayNum decodes an integer given as a JSON number or a string (Google
// sends int64 fields as strings); anything else is "not set".
type gplayNum struct {
	v  int64
	ok bool
}

func (n *gplayNum) UnmarshalJSON(b []byte) error {
	*n = gplayNum{}
	s := strings.TrimSpace(gplayScalar(b))
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = gplayNum{v: v, ok: true}
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		*n = gplayNum{v: int64(f), ok: true}
	}
	return nil
}

// gplayTime decodes the API's {"seconds": "...", "nanos": n} timestamp
// (and an RFC 3339 string, should it switch to the standard JSON form)
// into UTC; anything unusable is the zero time.
type gplayTime struct{ t time.Time }

// gplayMaxSeconds is year 10000: later "times" are garbage.
const gplayMaxSeconds = 253402300800

func (t *gplayTime) UnmarshalJSON(b []byte) error {
	t.t = time.Time{}
	var ts struct {
		Seconds gplayNum `json:"seconds"`
		Nanos   gplayNum `json:"nanos"`
	}
	if json.Unmarshal(b, &ts) == nil {
		if ts.Seconds.ok && ts.Seconds.v > 0 && ts.Seconds.v < gplayMaxSeconds {
			var ns int64
			if ts.Nanos.ok && ts.Nanos.v >= 0 && ts.Nanos.v < 1e9 {
				ns = ts.Nanos.v
			}
			t.t = time.Unix(ts.Seconds.v, ns).UTC()
		}
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		if p, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil && p.Unix() > 0 && p.Unix() < gplayMaxSeconds {
			t.t = p.UTC()
		}
	}
	return nil
}
