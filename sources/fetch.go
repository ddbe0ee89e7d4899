package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"
	"golang.org/x/time/rate"
)

// DefaultUserAgent names revwatch honestly, with a link, as polite crawlers do.
const DefaultUserAgent = "revwatch/0.1 (+https://github.com/revwatch/revwatch; self-hosted review monitor)"

// DefaultMaxBody caps every response body. Review pages run to ~1 MB; 8 MiB
// leaves room without letting a broken server fill memory.
const DefaultMaxBody = 8 << 20

// Env is what every source shares: one HTTP client, one polite limiter per
// host, a robots.txt cache. It is safe for concurrent use.
type Env struct {
	HTTP      *http.Client
	UserAgent string
	Log       *slog.Logger
	Now       func() time.Time
	// MaxBody caps each response body; over it a fetch fails with ErrTooLarge.
	MaxBody int64
	// HostInterval is the minimum time between two requests to one host.
	HostInterval time.Duration

	mu         sync.Mutex
	validators map[string]validator // by URL: what a conditional GET sends
	seed       maphash.Seed         // for validator.sum; set with the first validator
	limits     map[string]*rate.Limiter
	robots     map[string]robotsEntry
	robotsT    time.Duration
}

// validator is what a parsed page answered with: its If-None-Match and
// If-Modified-Since values, and sum, a hash of its final URL and body.
// Most sites send no validators; sum lets a byte-identical page count as
// "not modified" without being parsed again.
type validator struct {
	etag, lastModified string
	sum                uint64
	at                 time.Time // when it was remembered
}

// pageRefresh is how long a remembered page may stand in for the real one:
// after it, the page is read and parsed in full again, so an unchanged
// listing still gets its daily rating snapshot (store: "at least daily")
// and nothing rests on in-memory state for longer than a day.
const pageRefresh = 24 * time.Hour

type robotsEntry struct {
	data    *robotstxt.RobotsData
	fetched time.Time
}

// NewEnv returns an Env with sane defaults: a 30 s timeout, the default user
// agent, a 1 s interval per host and the default body cap.
func NewEnv(log *slog.Logger) *Env {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Env{
		HTTP:         &http.Client{Timeout: 30 * time.Second},
		UserAgent:    DefaultUserAgent,
		Log:          log,
		Now:          time.Now,
		MaxBody:      DefaultMaxBody,
		HostInterval: time.Second,
	}
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// logger never returns nil, so sources can log without checks.
func (e *Env) logger() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (e *Env) maxBody() int64 {
	if e.MaxBody > 0 {
		return e.MaxBody
	}
	return DefaultMaxBody
}

// wait blocks until the host's limiter lets one more request through.
func (e *Env) wait(ctx context.Context, host string) error {
	if e.HostInterval <= 0 {
		return nil
	}
	e.mu.Lock()
	if e.limits == nil {
		e.limits = map[string]*rate.Limiter{}
	}
	l, ok := e.limits[host]
	if !ok {
		l = rate.NewLimiter(rate.Every(e.HostInterval), 1)
		e.limits[host] = l
	}
	e.mu.Unlock()
	return l.Wait(ctx)
}

// Page is a fetched HTML page.
type Page struct {
	URL    *url.URL // after redirects
	Status int
	Body   []byte
	// requested, etag and lastModified let ReadPage arm a conditional GET.
	requested, etag, lastModified string
}

// validatorOf is what ReadPage remembers of a parsed page: a later read
// of the same URL sends its validators, and a 304 answer, or a 2xx answer
// byte for byte the same page, becomes ErrNotModified.
func (e *Env) validatorOf(p Page) validator {
	e.mu.Lock()
	if e.validators == nil {
		e.validators = map[string]validator{}
		e.seed = maphash.MakeSeed()
	}
	seed := e.seed
	e.mu.Unlock()
	return validator{etag: p.etag, lastModified: p.lastModified, sum: pageSum(seed, p), at: e.now()}
}

func (e *Env) remember(requested string, v validator) {
	if requested == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.validators[requested] = v
}

// pageSum hashes what a page's parse depends on: where it ended up and its
// bytes. maphash runs at memory speed, a small part of reading the page.
func pageSum(seed maphash.Seed, p Page) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	if p.URL != nil {
		h.WriteString(p.URL.String())
	}
	h.WriteByte(0)
	h.Write(p.Body)
	return h.Sum64()
}

// ReadPage fetches a public page with colly (robots.txt, the host limiter,
// the body cap; non-2xx answers, login redirects and oversized bodies are
// errors) and hands it to parse. For a page parse accepts it returns
// remember, which arms the next ReadPage of the URL (see validatorOf); the
// caller calls it once what the page held is stored (Observation.Stored). fresh skips the conditional request and
// its remember does nothing: a backfill reads every page whatever a poll
// saw.
//
// The page is searched for challenge markers only when parse fails (or the
// status is an error): a page the listing's data was read from is the
// listing, and the search cost a sweep of 10,000 listings more than the
// parse did. A failed parse of a challenge page is ErrBlocked, naming the
// marker, not the parser's ErrLayout.
func (e *Env) ReadPage(ctx context.Context, rawURL string, fresh bool, parse func(Page) error) (remember func(), err error) {
	page, err := e.fetchPage(ctx, rawURL, !fresh)
	if err != nil {
		return nil, err
	}
	if err := parse(page); err != nil {
		if cerr := challenge(rawURL, page.Status, page.Body); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	if fresh {
		return func() {}, nil
	}
	v := e.validatorOf(page) // now: the closure must not keep the body alive
	return func() { e.remember(page.requested, v) }, nil
}

// fetchPage is ReadPage's fetch, without the challenge search of a 2xx
// page: errors for bad URLs,
// robots.txt, transport failures, oversized bodies, login redirects and
// non-2xx statuses (searched for challenge markers: a 503 challenge is
// ErrBlocked), and ErrNotModified for a 304 or, when conditional, a page
// byte-identical to the remembered one.
func (e *Env) fetchPage(ctx context.Context, rawURL string, conditional bool) (Page, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Page{}, fmt.Errorf("%w: url %q is not an absolute http(s) URL", ErrConfig, rawURL)
	}
	if err := e.allowedByRobots(ctx, u); err != nil {
		return Page{}, err
	}
	if err := e.wait(ctx, u.Host); err != nil {
		return Page{}, err
	}
	limit := e.maxBody()
	// A new collector per fetch: colly's visited-URL memory would refuse the
	// next poll of the same URL. robots.txt is checked above with a cache,
	// because colly's own check refetches it for every new collector.
	c := colly.NewCollector(
		colly.StdlibContext(ctx),
		colly.UserAgent(e.ua()),
		colly.MaxBodySize(int(limit)+1), // +1: colly truncates silently; one byte more tells us it did
		colly.IgnoreRobotsTxt(),
		colly.ParseHTTPErrorResponse(),
		colly.AllowURLRevisit(),
	)
	c.SetClient(e.client())
	var v validator
	var seed maphash.Seed
	if conditional {
		e.mu.Lock()
		v, conditional = e.validators[rawURL]
		seed = e.seed
		e.mu.Unlock()
		conditional = conditional && e.now().Sub(v.at) < pageRefresh
	}
	asked := conditional && (v.etag != "" || v.lastModified != "")
	if asked {
		c.OnRequest(func(r *colly.Request) {
			if v.etag != "" {
				r.Headers.Set("If-None-Match", v.etag)
			}
			if v.lastModified != "" {
				r.Headers.Set("If-Modified-Since", v.lastModified)
			}
		})
	}
	var page Page
	c.OnResponse(func(r *colly.Response) {
		page = Page{URL: r.Request.URL, Status: r.StatusCode, Body: r.Body, requested: rawURL}
		if r.Headers != nil {
			page.etag, page.lastModified = r.Headers.Get("ETag"), r.Headers.Get("Last-Modified")
		}
	})
	start := time.Now()
	err = c.Visit(u.String())
	if err != nil && page.Body == nil {
		return Page{}, fmt.Errorf("GET %s: %w", Redact(u.String()), err)
	}
	e.logger().Debug("fetched page", "url", Redact(u.String()), "status", page.Status, "bytes", len(page.Body), "duration", time.Since(start))
	if int64(len(page.Body)) > limit {
		return Page{}, fmt.Errorf("GET %s: %w (%d bytes)", Redact(u.String()), ErrTooLarge, limit)
	}
	if page.Status == http.StatusNotModified && asked {
		return Page{}, fmt.Errorf("GET %s: %w", Redact(u.String()), ErrNotModified)
	}
	if err := classify(u.String(), page.URL, page.Status, nil); err != nil {
		if cerr := challenge(u.String(), page.Status, page.Body); cerr != nil {
			return Page{}, cerr
		}
		return Page{}, err
	}
	if conditional && v.sum != 0 && pageSum(seed, page) == v.sum {
		return Page{}, fmt.Errorf("GET %s: %w (the same page as last time)", Redact(u.String()), ErrNotModified)
	}
	return page, nil
}

// GetJSON fetches an API response with net/http (no robots.txt: APIs are
// meant for programs), honouring the host limiter and the body cap.
func (e *Env) GetJSON(ctx context.Context, rawURL string, hdr http.Header) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: url %q is not absolute", ErrConfig, Redact(rawURL))
	}
	if err := e.wait(ctx, u.Host); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", Redact(rawURL), err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", e.ua())
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := e.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", Redact(rawURL), redactErr(err))
	}
	defer resp.Body.Close()
	limit := e.maxBody()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: read body: %w", Redact(rawURL), err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: %w (%d bytes)", Redact(rawURL), ErrTooLarge, limit)
	}
	if err := classify(rawURL, resp.Request.URL, resp.StatusCode, body); err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '<' {
		return nil, fmt.Errorf("GET %s: %w: HTML where JSON was expected", Redact(rawURL), ErrLayout)
	}
	return body, nil
}

func (e *Env) ua() string {
	if e.UserAgent != "" {
		return e.UserAgent
	}
	return DefaultUserAgent
}

func (e *Env) client() *http.Client {
	if e.HTTP != nil {
		return e.HTTP
	}
	return http.DefaultClient
}

// allowedByRobots checks robots.txt, cached per host for robotsTTL. A
// missing or broken robots.txt allows everything, as crawlers agree.
func (e *Env) allowedByRobots(ctx context.Context, u *url.URL) error {
	const robotsTTL = 6 * time.Hour
	host := u.Scheme + "://" + u.Host
	e.mu.Lock()
	if e.robots == nil {
		e.robots = map[string]robotsEntry{}
	}
	ent, ok := e.robots[host]
	e.mu.Unlock()
	if !ok || e.now().Sub(ent.fetched) > robotsTTL {
		data, err := e.fetchRobots(ctx, host)
		if err != nil {
			return err
		}
		ent = robotsEntry{data: data, fetched: e.now()}
		e.mu.Lock()
		e.robots[host] = ent
		e.mu.Unlock()
	}
	if ent.data == nil {
		return nil
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !ent.data.TestAgent(path, e.ua()) {
		return fmt.Errorf("GET %s: %w: disallowed by %s/robots.txt", Redact(u.String()), ErrBlocked, host)
	}
	return nil
}

func (e *Env) fetchRobots(ctx context.Context, host string) (*robotstxt.RobotsData, error) {
	if err := e.wait(ctx, strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://")); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, host+"/robots.txt", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", e.ua())
	resp, err := e.client().Do(req)
	if err != nil {
		// Unreachable robots.txt: the page fetch will fail the same way and
		// say so; don't mask that error with this one.
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512<<10))
	if resp.StatusCode != http.StatusOK {
		// 4xx: no rules; 5xx: robots says "assume full disallow", but a
		// flaky robots.txt should not stop monitoring one's own page.
		return nil, nil
	}
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		return nil, nil
	}
	return data, nil
}

// challengeMarkers are strings only challenge, consent or bot-wall pages
// carry; a listing page never does. Cloudflare's bot-detection script
// (/cdn-cgi/challenge-platform/scripts/...) appears on normal pages too,
// so only the challenge's own paths and options count.
var challengeMarkers = []string{
	"cf_chl_opt", "/cdn-cgi/challenge-platform/h/", "cf-chl-", "<title>Just a moment...</title>",
	"Attention Required! | Cloudflare", "captcha-delivery.com", "px-captcha", "/distil_r_captcha",
	"AwsWafIntegration", "awsWafCookieDomainList", "consent.google.com",
	"Please enable JS and disable any ad blocker",
}

// challenge reports a challenge, consent or bot-wall page: ErrBlocked
// naming the marker found in the first 64 KiB of an HTML body.
func challenge(requested string, status int, body []byte) error {
	head := body
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	// Only HTML can be a challenge page: a JSON body quoting a review that
	// says "Just a moment..." is still data.
	if t := bytes.TrimSpace(head); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return nil
	}
	for _, m := range challengeMarkers {
		if bytes.Contains(head, []byte(m)) {
			return fmt.Errorf("GET %s: %w: challenge page (HTTP %d, %q)", Redact(requested), ErrBlocked, status, m)
		}
	}
	return nil
}

// classify turns a response that isn't the listing into an error: a
// challenge page (see challenge), a redirect to a login or consent page, a
// non-2xx status.
func classify(requested string, final *url.URL, status int, body []byte) error {
	if err := challenge(requested, status, body); err != nil {
		return err
	}
	if final != nil && final.String() != requested {
		p := strings.ToLower(final.Path + " " + final.Host)
		for _, m := range []string{"login", "signin", "sign-in", "consent."} {
			if strings.Contains(p, m) && !strings.Contains(strings.ToLower(requested), m) {
				return fmt.Errorf("GET %s: %w: redirected to %s", Redact(requested), ErrBlocked, Redact(final.String()))
			}
		}
	}
	if status == http.StatusForbidden || status == http.StatusUnauthorized {
		return fmt.Errorf("GET %s: %w: %w", Redact(requested), ErrBlocked, &StatusError{URL: Redact(requested), Code: status})
	}
	if status < 200 || status > 299 {
		return &StatusError{URL: Redact(requested), Code: status}
	}
	return nil
}

// secretParams are query parameters that carry credentials.
var secretParams = []string{"key", "api_key", "apikey", "access_token", "token", "client_secret", "signature", "sig"}

// Redact hides credentials in a URL (query keys and userinfo), for errors and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable url)"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	q := u.Query()
	changed := false
	for k := range q {
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				q.Set(k, "REDACTED")
				changed = true
			}
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactErr strips the URL net/http puts into *url.Error (it may carry a key).
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
