package sources

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	gplayTestPkg   = "com.example.app"
	gplayTestEmail = "revwatch@revwatch-test.iam.gserviceaccount.com"
	gplayAPIPath   = "/androidpublisher/v3/applications/" + gplayTestPkg + "/reviews"
)

// gplayTestKey is generated once: RSA generation is slow under -race.
var gplayTestKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func gplayPEM(t testing.TB, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// gplayKeyJSON is a service-account key file as Google issues it, with
// token_uri pointing at the stand-in; edit changes fields before writing.
func gplayKeyJSON(t testing.TB, tokenURL string, edit func(map[string]any)) []byte {
	t.Helper()
	m := map[string]any{
		"type":                        "service_account",
		"project_id":                  "revwatch-test",
		"private_key_id":              "test-key-1",
		"private_key":                 gplayPEM(t, gplayTestKey()),
		"client_email":                gplayTestEmail,
		"client_id":                   "100000000000000000001",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   tokenURL,
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"universe_domain":             "googleapis.com",
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gplayWriteFile(t testing.TB, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "play-key.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// gplayStandIn is a loopback Google: a token endpoint that checks the
// signed JWT assertion, and the reviews API that checks the bearer token.
type gplayStandIn struct {
	srv *httptest.Server
	// api answers an authorised reviews request; nil answers 404.
	api func(w http.ResponseWriter, r *http.Request)
	// token, when set, answers the token endpoint instead of the default.
	token func(w http.ResponseWriter, r *http.Request)

	mu        sync.Mutex
	issued    map[string]bool
	tokenReqs int
	queries   []string // RawQuery of each authorised API request
	problems  []string // what the stand-in refused, for the test to report
}

func newGplayStandIn(t *testing.T, api func(w http.ResponseWriter, r *http.Request)) *gplayStandIn {
	t.Helper()
	g := &gplayStandIn{api: api, issued: map[string]bool{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gplayStandIn) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/token":
		g.mu.Lock()
		g.tokenReqs++
		custom := g.token
		g.mu.Unlock()
		if custom != nil {
			custom(w, r)
			return
		}
		g.serveToken(w, r)
	case r.URL.Path == gplayAPIPath:
		g.mu.Lock()
		ok := g.issued[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if ok {
			g.queries = append(g.queries, r.URL.RawQuery)
		} else {
			g.problems = append(g.problems, "API request without an issued token: "+r.Header.Get("Authorization"))
		}
		api := g.api
		g.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`))
			return
		}
		if api == nil {
			http.NotFound(w, r)
			return
		}
		api(w, r)
	default:
		http.NotFound(w, r)
	}
}

// serveToken checks the JWT bearer grant as Google does (signature by the
// key in the key file, issuer, scope, audience) and issues a token.
func (g *gplayStandIn) serveToken(w http.ResponseWriter, r *http.Request) {
	refuse := func(why string) {
		g.mu.Lock()
		g.problems = append(g.problems, "token: "+why)
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"invalid_grant","error_description":%q}`, why)
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		refuse("not a form POST")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		refuse("grant_type " + gt)
		return
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(parts) != 3 {
		refuse("assertion is not a JWT")
		return
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err != nil || rsa.VerifyPKCS1v15(&gplayTestKey().PublicKey, crypto.SHA256, sum[:], sig) != nil {
		refuse("Invalid JWT Signature.")
		return
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct{ Iss, Scope, Aud string }
	json.Unmarshal(payload, &claims)
	if claims.Iss != gplayTestEmail || claims.Scope != gplayScope || claims.Aud != g.srv.URL+"/token" {
		refuse(fmt.Sprintf("claims %+v", claims))
		return
	}
	g.mu.Lock()
	tok := "ya29.gplay-test-" + strconv.Itoa(len(g.issued)+1)
	g.issued[tok] = true
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3599}`, tok)
}

func (g *gplayStandIn) counts() (tokenReqs int, queries []string, problems []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokenReqs, append([]string(nil), g.queries...), append([]string(nil), g.problems...)
}

// listing is a valid listing against the stand-in, with a fresh key file.
func (g *gplayStandIn) listing(t *testing.T) Listing {
	t.Helper()
	return Listing{
		ID:                 "play-app",
		Source:             "googleplay",
		PackageName:        gplayTestPkg,
		ServiceAccountFile: gplayWriteFile(t, gplayKeyJSON(t, g.srv.URL+"/token", nil)),
		Endpoint:           g.srv.URL + "/",
	}
}

func gplayFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "googleplay", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gplayTestPage is a reviews.list page holding ids, newest first, each
// review an hour older than the last, starting at start.
func gplayTestPage(start time.Time, next string, ids ...string) []byte {
	type ts struct {
		Seconds string `json:"seconds"`
		Nanos   int    `json:"nanos"`
	}
	type uc struct {
		Text         string `json:"text"`
		LastModified ts     `json:"lastModified"`
		StarRating   int    `json:"starRating"`
	}
	type comment struct {
		UserComment uc `json:"userComment"`
	}
	type review struct {
		ReviewID   string    `json:"reviewId"`
		AuthorName string    `json:"authorName"`
		Comments   []comment `json:"comments"`
	}
	doc := struct {
		Reviews         []review          `json:"reviews,omitempty"`
		TokenPagination map[string]string `json:"tokenPagination,omitempty"`
	}{}
	for i, id := range ids {
		at := start.Add(-time.Duration(i) * time.Hour)
		doc.Reviews = append(doc.Reviews, review{ReviewID: id, AuthorName: "user " + id, Comments: []comment{{uc{
			Text: "text " + id, LastModified: ts{Seconds: strconv.FormatInt(at.Unix(), 10)}, StarRating: 1 + i%5,
		}}}})
	}
	if next != "" {
		doc.TokenPagination = map[string]string{"nextPageToken": next}
	}
	b, _ := json.Marshal(doc)
	return b
}

// gplayThreePages answers "" -> a1,a2 (next t2), t2 -> b1,b2 (next t3),
// t3 -> c1 (last), each page older than the one before.
func gplayThreePages() (api func(w http.ResponseWriter, r *http.Request), start time.Time) {
	start = time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	pages := map[string][]byte{
		"":   gplayTestPage(start, "t2", "a1", "a2"),
		"t2": gplayTestPage(start.Add(-2*time.Hour), "t3", "b1", "b2"),
		"t3": gplayTestPage(start.Add(-4*time.Hour), "", "c1"),
	}
	return func(w http.ResponseWriter, r *http.Request) {
		b, ok := pages[r.URL.Query().Get("token")]
		if !ok || r.URL.Query().Get("maxResults") != "100" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":{"code":400,"message":"bad token or maxResults","status":"INVALID_ARGUMENT"}}`))
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Write(b)
	}, start
}

func gplayIDs(rs []Review) []string {
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// checkGplayObservation holds for every observation the source returns.
func checkGplayObservation(t *testing.T, obs Observation, l Listing) {
	t.Helper()
	const url = "https://play.google.com/store/apps/details?id=" + gplayTestPkg
	if obs.Platform != "googleplay" || obs.Listing != l.ID || obs.URL != url {
		t.Errorf("Platform/Listing/URL = %q/%q/%q", obs.Platform, obs.Listing, obs.URL)
	}
	if obs.Rating != nil || obs.Complete || !obs.Since.IsZero() || obs.Details != nil {
		t.Errorf("Rating/Complete/Since/Details = %v/%v/%v/%v, want nil/false/zero/nil: the API gives 7 days of reviews with text only", obs.Rating, obs.Complete, obs.Since, obs.Details)
	}
	if want := testEnv().Now(); !obs.At.Equal(want) {
		t.Errorf("At = %v, want %v", obs.At, want)
	}
	if obs.Reviews == nil {
		t.Error("Reviews is nil, want a (possibly empty) slice")
	}
	for _, r := range obs.Reviews {
		if r.URL != url {
			t.Errorf("review %s URL = %q", r.ID, r.URL)
		}
		if !r.Published.IsZero() {
			t.Errorf("review %s Published = %v, want zero (the API doesn't say)", r.ID, r.Published)
		}
	}
}

func TestGplayBackfill(t *testing.T) {
	api, start := gplayThreePages()
	type call struct {
		ids  []string
		next string
	}
	tests := []struct {
		name    string
		cursor  string
		since   time.Time
		failAt  int // page callback fails on this call (1-based); 0 never
		calls   []call
		queries []string
	}{
		{
			name:    "from-the-start",
			calls:   []call{{[]string{"a1", "a2"}, "t2"}, {[]string{"b1", "b2"}, "t3"}, {[]string{"c1"}, ""}},
			queries: []string{"maxResults=100", "maxResults=100&token=t2", "maxResults=100&token=t3"},
		},
		{
			name:    "resume-from-cursor",
			cursor:  "t2",
			calls:   []call{{[]string{"b1", "b2"}, "t3"}, {[]string{"c1"}, ""}},
			queries: []string{"maxResults=100&token=t2", "maxResults=100&token=t3"},
		},
		{
			// b1 is 2h older than a1, b2 3h: since between them cuts page 2.
			name:    "since-cuts-page-2",
			since:   start.Add(-150 * time.Minute),
			calls:   []call{{[]string{"a1", "a2"}, "t2"}, {[]string{"b1"}, ""}},
			queries: []string{"maxResults=100", "maxResults=100&token=t2"},
		},
		{
			name:    "callback-error-stops",
			failAt:  2,
			calls:   []call{{[]string{"a1", "a2"}, "t2"}, {[]string{"b1", "b2"}, "t3"}},
			queries: []string{"maxResults=100", "maxResults=100&token=t2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGplayStandIn(t, api)
			l := g.listing(t)
			src := newGooglePlay(testEnv()).(*googlePlay)
			stop := errors.New("stop here")
			var calls []call
			err := src.Backfill(context.Background(), l, tc.since, tc.cursor, func(obs Observation, next string) error {
				checkGplayObservation(t, obs, l)
				calls = append(calls, call{gplayIDs(obs.Reviews), next})
				if len(calls) == tc.failAt {
					return stop
				}
				return nil
			})
			if tc.failAt > 0 {
				if err != stop {
					t.Errorf("err = %v, want the callback's error as is", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.calls, calls, cmp.AllowUnexported(call{})); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
			tokens, queries, problems := g.counts()
			if diff := cmp.Diff(tc.queries, queries); diff != "" {
				t.Errorf("API queries (-want +got):\n%s", diff)
			}
			if tokens != 1 || len(problems) > 0 {
				t.Errorf("token requests = %d (want 1), stand-in problems: %v", tokens, problems)
			}
		})
	}
}

func TestGplayFetchPaging(t *testing.T) {
	api, _ := gplayThreePages()
	tests := []struct {
		name     string
		o        Options
		requests int
		ids      []string
	}{
		{"known-nil-page-1-only", Options{}, 1, []string{"a1", "a2"}},
		{"known-on-page-1", Options{Known: knownIDs("a2")}, 1, []string{"a1", "a2"}},
		{"known-on-page-2", Options{Known: knownIDs("b1")}, 2, []string{"a1", "a2", "b1", "b2"}},
		{"none-known-reads-all", Options{Known: knownIDs()}, 3, []string{"a1", "a2", "b1", "b2", "c1"}},
		{"backfill-reads-all", Options{Backfill: true, Known: knownIDs("a1")}, 3, []string{"a1", "a2", "b1", "b2", "c1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGplayStandIn(t, api)
			l := g.listing(t)
			obs, err := newGooglePlay(testEnv()).Fetch(context.Background(), l, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			checkGplayObservation(t, obs, l)
			if diff := cmp.Diff(tc.ids, gplayIDs(obs.Reviews)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if _, queries, _ := g.counts(); len(queries) != tc.requests {
				t.Errorf("API requests = %v, want %d", queries, tc.requests)
			}
		})
	}
}

// A steady-state poll (nothing new) costs one API request, and the token
// is minted once and reused across polls.
func TestGplaySteadyStatePoll(t *testing.T) {
	api, _ := gplayThreePages()
	g := newGplayStandIn(t, api)
	l := g.listing(t)
	src := newGooglePlay(testEnv())
	for poll := 1; poll <= 3; poll++ {
		obs, err := src.Fetch(context.Background(), l, Options{Known: knownIDs("a1", "a2")})
		if err != nil {
			t.Fatal(err)
		}
		checkGplayObservation(t, obs, l)
		tokens, queries, problems := g.counts()
		if len(queries) != poll || tokens != 1 || len(problems) > 0 {
			t.Fatalf("after poll %d: API requests = %d, token requests = %d, problems %v; want %d, 1, none", poll, len(queries), tokens, problems, poll)
		}
	}
}

func TestGplayConcurrentPollsShareOneToken(t *testing.T) {
	api, _ := gplayThreePages()
	g := newGplayStandIn(t, api)
	l := g.listing(t)
	src := newGooglePlay(testEnv())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := src.Fetch(context.Background(), l, Options{}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if tokens, queries, _ := g.counts(); tokens != 1 || len(queries) != 8 {
		t.Errorf("token requests = %d, API requests = %d; want 1, 8", tokens, len(queries))
	}
}

func TestGplayKeyRotationMintsNewToken(t *testing.T) {
	api, _ := gplayThreePages()
	g := newGplayStandIn(t, api)
	l := g.listing(t)
	src := newGooglePlay(testEnv())
	if _, err := src.Fetch(context.Background(), l, Options{}); err != nil {
		t.Fatal(err)
	}
	rotated := gplayKeyJSON(t, g.srv.URL+"/token", func(m map[string]any) { m["private_key_id"] = "test-key-2" })
	if err := os.WriteFile(l.ServiceAccountFile, rotated, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Fetch(context.Background(), l, Options{}); err != nil {
		t.Fatal(err)
	}
	if tokens, _, _ := g.counts(); tokens != 2 {
		t.Errorf("token requests = %d, want 2: a rotated key gets its own token", tokens)
	}
}

func TestGplayFetchFixtures(t *testing.T) {
	tests := []struct {
		name, file, language, query string
		check                       func(t *testing.T, rs []Review)
	}{
		{
			name: "reply-and-title", file: "reviews.json", query: "maxResults=100",
			check: func(t *testing.T, rs []Review) {
				if len(rs) != 3 {
					t.Fatalf("reviews = %d, want 3", len(rs))
				}
				want := &Reply{
					Text:      "Thanks Tomás! Sync over mobile data is batched to save battery; 4.12 makes it faster.",
					Published: time.Date(2026, 11, 22, 11, 0, 0, 250000000, time.UTC),
				}
				if diff := cmp.Diff(want, rs[1].Reply); diff != "" {
					t.Errorf("reply (-want +got):\n%s", diff)
				}
				if rs[0].Reply != nil || rs[2].Reply != nil {
					t.Error("reviews without a developer comment have a Reply")
				}
				if rs[2].Title != "Great app" || !strings.HasPrefix(rs[2].Text, "I use it every day") {
					t.Errorf("title/text = %q/%q, want the tab-separated title split off", rs[2].Title, rs[2].Text)
				}
			},
		},
		{
			name: "translation", file: "translated.json", language: "en", query: "maxResults=100&translationLanguage=en",
			check: func(t *testing.T, rs []Review) {
				if len(rs) != 3 {
					t.Fatalf("reviews = %d, want 3", len(rs))
				}
				if rs[0].Text != "Die App ist gut, aber die Benachrichtigungen kommen zu spät." || rs[0].Language != "de" {
					t.Errorf("text/language = %q/%q, want the German original", rs[0].Text, rs[0].Language)
				}
				if diff := cmp.Diff(&Translation{Text: "The app is good, but the notifications come too late.", Language: "en"}, rs[0].Translation); diff != "" {
					t.Errorf("translation (-want +got):\n%s", diff)
				}
				if rs[2].Translation != nil {
					t.Errorf("untranslated review has Translation %+v", rs[2].Translation)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := gplayFixture(t, tc.file)
			g := newGplayStandIn(t, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
			l := g.listing(t)
			l.Language = tc.language
			obs, err := newGooglePlay(testEnv()).Fetch(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkGplayObservation(t, obs, l)
			if _, queries, _ := g.counts(); len(queries) != 1 || queries[0] != tc.query {
				t.Errorf("queries = %v, want [%s]", queries, tc.query)
			}
			tc.check(t, obs.Reviews)
		})
	}
}

// gplayAnswer answers with a status, headers and a body.
func gplayAnswer(status int, body []byte, hdr ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(status)
		w.Write(body)
	}
}

func TestGplayAPIErrors(t *testing.T) {
	tests := []struct {
		name string
		api  func(w http.ResponseWriter, r *http.Request)
		// token replaces the token endpoint's answer.
		token    func(w http.ResponseWriter, r *http.Request)
		class    error    // errors.Is
		kind     string   // FailureKind
		contains []string // in the error text
		check    func(t *testing.T, err error)
	}{
		{
			name: "401", api: gplayAnswer(401, gplayFixture(t, "error-401.json")),
			class: ErrAuth, kind: "auth", contains: []string{"HTTP 401", "UNAUTHENTICATED", "check service_account_file"},
		},
		{
			name: "403-no-access-to-the-app", api: gplayAnswer(403, gplayFixture(t, "error-403-permission.json")),
			class: ErrAuth, kind: "auth",
			contains: []string{"HTTP 403", "insufficient permissions", "check package_name", "Play Console", gplayTestEmail, gplayTestPkg},
		},
		{
			name: "403-api-disabled", api: gplayAnswer(403, gplayFixture(t, "error-403-disabled.json")),
			class: ErrAuth, kind: "auth", contains: []string{"SERVICE_DISABLED", "check service_account_file", "enable the Google Play Android Developer API"},
		},
		{
			name: "403-daily-quota", api: gplayAnswer(403, gplayFixture(t, "error-403-quota.json")),
			class: ErrQuota, kind: "quota", contains: []string{"dailyLimitExceeded"},
		},
		{
			name: "429-retry-after", api: gplayAnswer(429, gplayFixture(t, "error-429.json"), "Retry-After", "30"),
			class: ErrQuota, kind: "quota", contains: []string{"RESOURCE_EXHAUSTED", "retry after 30s"},
			check: func(t *testing.T, err error) {
				var ae *APIError
				if !errors.As(err, &ae) || ae.RetryAfter != 30*time.Second {
					t.Errorf("err = %#v, want an *APIError with RetryAfter 30s", err)
				}
			},
		},
		{
			name: "404-unknown-app", api: gplayAnswer(404, gplayFixture(t, "error-404.json")),
			class: ErrConfig, kind: "config", contains: []string{"package_name:", gplayTestPkg, "Package not found"},
		},
		{
			name: "500", api: gplayAnswer(500, gplayFixture(t, "error-500.json")),
			kind: "http_5xx", contains: []string{"HTTP 500", "Internal error encountered."},
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 500 || !se.Temporary() {
					t.Errorf("err = %v, want a temporary *StatusError 500", err)
				}
			},
		},
		{
			name: "200-html", api: gplayAnswer(200, []byte("<!doctype html><title>Sign in</title>")),
			class: ErrLayout, kind: "layout",
		},
		{
			name: "200-error-object", api: gplayAnswer(200, gplayFixture(t, "error-500.json")),
			class: ErrLayout, kind: "layout",
		},
		{
			name:  "token-invalid-grant",
			token: gplayAnswer(400, []byte(`{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)),
			class: ErrAuth, kind: "auth", contains: []string{"HTTP 400", "invalid_grant", "Invalid JWT Signature.", "check service_account_file"},
		},
		{
			name:  "token-endpoint-429",
			token: gplayAnswer(429, []byte(`{"error":"rate_limit_exceeded"}`), "Retry-After", "7"),
			class: ErrQuota, kind: "quota", contains: []string{"retry after 7s"},
		},
		{
			name:  "token-endpoint-503",
			token: gplayAnswer(503, []byte(`unavailable`)),
			kind:  "http_5xx", contains: []string{"HTTP 503", "token endpoint unavailable"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGplayStandIn(t, tc.api)
			g.token = tc.token
			l := g.listing(t)
			key, _ := os.ReadFile(l.ServiceAccountFile)
			obs, err := newGooglePlay(testEnv()).Fetch(context.Background(), l, Options{Known: knownIDs()})
			if err == nil {
				t.Fatalf("no error; got %d reviews", len(obs.Reviews))
			}
			t.Log(err)
			if !strings.HasPrefix(err.Error(), "googleplay: ") {
				t.Errorf("err = %q, want the googleplay: prefix", err)
			}
			if tc.class != nil && !errors.Is(err, tc.class) {
				t.Errorf("err = %v, want %v", err, tc.class)
			}
			if got := FailureKind(err); got != tc.kind {
				t.Errorf("FailureKind = %q, want %q (err %v)", got, tc.kind, err)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("err = %q, want it to say %q", err, s)
				}
			}
			gplayNoSecrets(t, err, key)
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

// gplayNoSecrets: no error text carries a token or key material.
func gplayNoSecrets(t *testing.T, err error, keyFile []byte) {
	t.Helper()
	msg := err.Error()
	var k struct {
		PrivateKey string `json:"private_key"`
	}
	json.Unmarshal(keyFile, &k)
	for _, line := range strings.Split(k.PrivateKey, "\n") {
		if len(line) > 16 && strings.Contains(msg, line) {
			t.Errorf("error text carries key material: %q", msg)
			break
		}
	}
	if strings.Contains(msg, "ya29.") || strings.Contains(msg, "PRIVATE KEY") || strings.Contains(msg, "assertion") {
		t.Errorf("error text carries a credential: %q", msg)
	}
}

func TestGplay401DropsCachedToken(t *testing.T) {
	// Read up front: handlers run on server goroutines, where t.Fatal is not allowed.
	refused, empty := gplayAnswer(401, gplayFixture(t, "error-401.json")), gplayFixture(t, "empty.json")
	var mu sync.Mutex
	status := 401
	g := newGplayStandIn(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := status
		mu.Unlock()
		if s == 401 {
			refused(w, r)
			return
		}
		w.Write(empty)
	})
	l := g.listing(t)
	src := newGooglePlay(testEnv())
	if _, err := src.Fetch(context.Background(), l, Options{}); !errors.Is(err, ErrAuth) {
		t.Fatalf("first poll err = %v, want ErrAuth", err)
	}
	mu.Lock()
	status = 200
	mu.Unlock()
	obs, err := src.Fetch(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(obs.Reviews) != 0 || obs.Reviews == nil {
		t.Errorf("reviews = %#v, want an empty list", obs.Reviews)
	}
	if tokens, _, _ := g.counts(); tokens != 2 {
		t.Errorf("token requests = %d, want 2: a refused token is not reused", tokens)
	}
}

func TestGplayTransportFailures(t *testing.T) {
	t.Run("slow-api", func(t *testing.T) {
		release := make(chan struct{})
		g := newGplayStandIn(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		t.Cleanup(func() { close(release) }) // runs before the server's Close
		l := g.listing(t)
		src := newGooglePlay(testEnv())
		// Mint the token first, so the deadline lands on the API call.
		gp, c := src.(*googlePlay), gplayConfig{pkg: l.PackageName, keyFile: l.ServiceAccountFile}
		auth, err := gp.tokenSource(l, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gp.token(context.Background(), c, auth); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = src.Fetch(ctx, l, Options{})
		if !errors.Is(err, context.DeadlineExceeded) || FailureKind(err) != "timeout" || !strings.HasPrefix(err.Error(), "googleplay: ") {
			t.Errorf("err = %v (kind %q), want a googleplay: deadline error", err, FailureKind(err))
		}
	})
	t.Run("slow-token-endpoint", func(t *testing.T) {
		release := make(chan struct{})
		g := newGplayStandIn(t, nil)
		g.token = func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			w.WriteHeader(503)
		}
		t.Cleanup(func() { close(release) })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := newGooglePlay(testEnv()).Fetch(ctx, g.listing(t), Options{})
		if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "googleplay: ") {
			t.Errorf("err = %v, want a googleplay: deadline error", err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		body := gplayFixture(t, "reviews.json")[:200]
		g := newGplayStandIn(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write(body)
		})
		obs, err := newGooglePlay(testEnv()).Fetch(context.Background(), g.listing(t), Options{})
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(obs.Reviews) != 0 {
			t.Errorf("err = %v, %d reviews; want unexpected EOF and no observation", err, len(obs.Reviews))
		}
	})
	t.Run("oversized", func(t *testing.T) {
		body := gplayFixture(t, "reviews.json")
		g := newGplayStandIn(t, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
		env := testEnv()
		env.MaxBody = 512
		_, err := newGooglePlay(env).Fetch(context.Background(), g.listing(t), Options{})
		if !errors.Is(err, ErrTooLarge) || FailureKind(err) != "too_large" {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("later-page-fails-the-poll", func(t *testing.T) {
		start := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
		failed := gplayAnswer(500, gplayFixture(t, "error-500.json"))
		g := newGplayStandIn(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("token") == "" {
				w.Write(gplayTestPage(start, "t2", "a1"))
				return
			}
			failed(w, r)
		})
		obs, err := newGooglePlay(testEnv()).Fetch(context.Background(), g.listing(t), Options{Known: knownIDs()})
		var se *StatusError
		if !errors.As(err, &se) || len(obs.Reviews) != 0 {
			t.Errorf("err = %v, %d reviews; want the 500, no partial observation", err, len(obs.Reviews))
		}
	})
	t.Run("repeated-page-token", func(t *testing.T) {
		start := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
		g := newGplayStandIn(t, func(w http.ResponseWriter, r *http.Request) {
			w.Write(gplayTestPage(start, "same", "x"+r.URL.Query().Get("token")))
		})
		_, err := newGooglePlay(testEnv()).Fetch(context.Background(), g.listing(t), Options{Backfill: true})
		if !errors.Is(err, ErrLayout) {
			t.Errorf("err = %v, want ErrLayout for a page token that loops", err)
		}
		if _, queries, _ := g.counts(); len(queries) != 2 {
			t.Errorf("requests = %d, want 2", len(queries))
		}
	})
}

func TestGplayBadKeyFile(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name     string
		path     func(t *testing.T, tokenURL string) string
		contains string
	}{
		{"missing", func(t *testing.T, _ string) string { return filepath.Join(dir, "nope.json") }, "does not exist"},
		{"directory", func(t *testing.T, _ string) string { return dir }, "cannot read"},
		{"not-json", func(t *testing.T, _ string) string { return gplayWriteFile(t, []byte("client_email: x")) }, "not a service-account JSON key"},
		{"oauth-client-file", func(t *testing.T, u string) string {
			return gplayWriteFile(t, []byte(`{"installed":{"client_id":"x.apps.googleusercontent.com","client_secret":"s3cr3t"}}`))
		}, `expected "service_account"`},
		{"user-credentials", func(t *testing.T, u string) string {
			return gplayWriteFile(t, gplayKeyJSON(t, u, func(m map[string]any) { m["type"] = "authorized_user" }))
		}, `expected "service_account"`},
		{"no-client-email", func(t *testing.T, u string) string {
			return gplayWriteFile(t, gplayKeyJSON(t, u, func(m map[string]any) { delete(m, "client_email") }))
		}, `no "client_email"`},
		{"no-private-key", func(t *testing.T, u string) string {
			return gplayWriteFile(t, gplayKeyJSON(t, u, func(m map[string]any) { m["private_key"] = "" }))
		}, `no "private_key"`},
		{"private-key-not-pem", func(t *testing.T, u string) string {
			return gplayWriteFile(t, gplayKeyJSON(t, u, func(m map[string]any) { m["private_key"] = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" }))
		}, `"private_key" is not PEM`},
		{"private-key-garbage", func(t *testing.T, u string) string {
			return gplayWriteFile(t, gplayKeyJSON(t, u, func(m map[string]any) {
				m["private_key"] = "-----BEGIN PRIVATE KEY-----\nZm9vYmFyYmF6cXV4\n-----END PRIVATE KEY-----\n"
			}))
		}, "not an RSA private key"},
		{"private-key-ecdsa", func(t *testing.T, u string) string {
			return gplayWriteFile(t, gplayKeyJSON(t, u, func(m map[string]any) { m["private_key"] = gplayPEM(t, ecKey) }))
		}, "not an RSA private key"},
		{"token-uri-not-http", func(t *testing.T, u string) string {
			return gplayWriteFile(t, gplayKeyJSON(t, u, func(m map[string]any) { m["token_uri"] = "ftp://oauth2.example/token" }))
		}, `"token_uri"`},
		{"huge-file", func(t *testing.T, _ string) string {
			return gplayWriteFile(t, []byte(`{"type":"service_account","x":"`+strings.Repeat("a", 70<<10)+`"}`))
		}, "not a service-account key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGplayStandIn(t, gplayAnswer(200, []byte(`{}`)))
			l := g.listing(t)
			l.ServiceAccountFile = tc.path(t, g.srv.URL+"/token")
			content, _ := os.ReadFile(l.ServiceAccountFile)
			_, err := newGooglePlay(testEnv()).Fetch(context.Background(), l, Options{})
			if !errors.Is(err, ErrConfig) || FailureKind(err) != "config" {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			t.Log(err)
			msg := err.Error()
			for _, s := range []string{"googleplay: ", "service_account_file: ", l.ServiceAccountFile, tc.contains} {
				if !strings.Contains(msg, s) {
					t.Errorf("err = %q, want it to say %q", msg, s)
				}
			}
			if strings.Contains(msg, "s3cr3t") {
				t.Errorf("err = %q carries the file's secret", msg)
			}
			gplayNoSecrets(t, err, content)
			if tokens, queries, _ := g.counts(); tokens+len(queries) != 0 {
				t.Errorf("%d token and %d API requests made with a bad key file", tokens, len(queries))
			}
		})
	}
}

func TestValidateGooglePlay(t *testing.T) {
	ok := Listing{ID: "x", Source: "googleplay", PackageName: "com.example.app", ServiceAccountFile: "/etc/revwatch/play.json"}
	with := func(edit func(*Listing)) Listing {
		l := ok
		edit(&l)
		return l
	}
	tests := []struct {
		name string
		l    Listing
		keys []string // keys named, in order; nil = valid
	}{
		{"minimal", ok, nil},
		{"all-keys", with(func(l *Listing) { l.Endpoint = "http://127.0.0.1:8080"; l.Language = "pt-BR"; l.Schedule = "@every 1h" }), nil},
		{"package-underscores-digits", with(func(l *Listing) { l.PackageName = "org.example_2.app3" }), nil},
		{"language-underscore", with(func(l *Listing) { l.Language = "en_US" }), nil},
		{"missing-package", with(func(l *Listing) { l.PackageName = "" }), []string{"package_name"}},
		{"package-one-segment", with(func(l *Listing) { l.PackageName = "example" }), []string{"package_name"}},
		{"package-store-url", with(func(l *Listing) { l.PackageName = "https://play.google.com/store/apps/details?id=com.x.y" }), []string{"package_name"}},
		{"package-digit-segment", with(func(l *Listing) { l.PackageName = "com.1example.app" }), []string{"package_name"}},
		{"package-trailing-dot", with(func(l *Listing) { l.PackageName = "com.example." }), []string{"package_name"}},
		{"package-space", with(func(l *Listing) { l.PackageName = " com.example.app" }), []string{"package_name"}},
		{"missing-key-file", with(func(l *Listing) { l.ServiceAccountFile = "" }), []string{"service_account_file"}},
		{"key-contents-instead-of-path", with(func(l *Listing) {
			l.ServiceAccountFile = `{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\nMIIE"}`
		}), []string{"service_account_file"}},
		{"endpoint-no-scheme", with(func(l *Listing) { l.Endpoint = "androidpublisher.googleapis.com/" }), []string{"endpoint"}},
		{"endpoint-query", with(func(l *Listing) { l.Endpoint = "https://androidpublisher.googleapis.com/?key=abc" }), []string{"endpoint"}},
		{"language-sentence", with(func(l *Listing) { l.Language = "English please" }), []string{"language"}},
		{"other-platform-keys", with(func(l *Listing) { l.PlaceID = "ChIJ"; l.APIKey = "k" }), []string{"api_key", "place_id"}},
		{"everything-wrong", Listing{ID: "x", Source: "googleplay", AppID: "123", Language: "?"}, []string{"app_id", "package_name", "service_account_file", "language"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateGooglePlay(tc.l)
			if tc.keys == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			// Each error on its own, starting with the key after ErrConfig's
			// text: how the config loader files it under the key's path.
			var keys []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if !errors.Is(e, ErrConfig) {
					t.Errorf("%v does not wrap ErrConfig", e)
				}
				key, _, _ := strings.Cut(strings.TrimPrefix(e.Error(), ErrConfig.Error()+": "), ":")
				keys = append(keys, key)
			}
			if diff := cmp.Diff(tc.keys, keys); diff != "" {
				t.Errorf("keys named (-want +got):\n%s\nerr: %v", diff, err)
			}
			if strings.Contains(err.Error(), "BEGIN PRIVATE KEY") || strings.Contains(err.Error(), "key=abc") {
				t.Errorf("err = %q echoes a credential", err)
			}
			// Fetch refuses the same listing without a request.
			env := testEnv()
			env.HTTP = &http.Client{Transport: gplayRoundTrip(func(*http.Request) (*http.Response, error) {
				t.Error("request made for an invalid listing")
				return nil, errors.New("no")
			})}
			_, err = newGooglePlay(env).Fetch(context.Background(), tc.l, Options{})
			if !errors.Is(err, ErrConfig) || !strings.HasPrefix(err.Error(), "googleplay: ") {
				t.Errorf("Fetch err = %v, want ErrConfig prefixed googleplay:", err)
			}
		})
	}
	t.Run("registered", func(t *testing.T) {
		p, err := Default().Lookup("googleplay")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.New(testEnv()).(*googlePlay); !ok {
			t.Errorf("registry builds %T, want *googlePlay", p.New(testEnv()))
		}
		if _, ok := p.New(testEnv()).(Backfiller); !ok {
			t.Error("googleplay is not a Backfiller")
		}
	})
}

type gplayRoundTrip func(*http.Request) (*http.Response, error)

func (f gplayRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// gplayFmt renders what the parser sets, for readable comparisons.
func gplayFmt(r Review) string {
	rating := "nil"
	if r.Rating != nil {
		rating = strconv.FormatFloat(*r.Rating, 'g', -1, 64)
	}
	tm := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339Nano)
	}
	s := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", r.ID, r.Author, rating, r.Title, r.Text, r.Language, tm(r.Updated))
	if r.Translation != nil {
		s += fmt.Sprintf("|tr:%s:%s", r.Translation.Language, r.Translation.Text)
	}
	if r.Reply != nil {
		s += fmt.Sprintf("|re:%s:%s", r.Reply.Text, tm(r.Reply.Published))
	}
	return s
}

func TestParseGooglePlay(t *testing.T) {
	tests := []struct {
		name, lang string
		body       []byte
		want       []string
		next       string
		wantErr    error
	}{
		{
			name: "reviews", body: gplayFixture(t, "reviews.json"),
			next: "CjAKLGdwOkFPcXBUT0dxOEx3MlZkNUtzOVBqWHlackIzbkhjN3VFMXRZYTBmTWlObxAB",
			want: []string{
				"gp:AOqpTOFz3c0bW9aLx1YqEwK2NnUu7s1Hn0pZk5JdTq8Rr4mVb6eC|Priya Raman|1||Crashes every time I open the camera screen since the last update. Please fix!|en|2026-11-22T18:42:07.512Z",
				"6b1f2a0c-3d4e-4f5a-9b8c-7d6e5f4a3b2c|Tomás Oliveira|4||Works well, but the sync takes a while on mobile data.|en_GB|2026-11-22T09:15:00Z" +
					"|re:Thanks Tomás! Sync over mobile data is batched to save battery; 4.12 makes it faster.:2026-11-22T11:00:00.25Z",
				"gp:AOqpTOGq8Lw2Vd5Ks9PjXyZrB3nHc7uE1tYa0fMiNo6Wg4Qe2Rs|A Google user|5|Great app|I use it every day for my shop's bookings. Only wish it had a dark mode.|en|2026-11-21T20:03:41Z",
			},
		},
		{
			name: "translated", lang: "en", body: gplayFixture(t, "translated.json"),
			want: []string{
				"gp:AOqpTOHd7Yb4Pq1Zx8Wm3Kc6Vn2Rs9Tf5Lg0Jh4Ua7Ei3Oo1Bk|Jürgen Bauer|3||Die App ist gut, aber die Benachrichtigungen kommen zu spät.|de|2026-11-21T08:30:00Z" +
					"|tr:en:The app is good, but the notifications come too late.",
				"gp:AOqpTOEm5Nc8Vb3Xz6Lk1Jh9Gf4Ds2Aq7Wp0Oi5Uy8Tr3Ee6Wq|Camille Martin|5|Simple|Facile à utiliser et bien conçue.|fr|2026-11-20T14:11:52Z" +
					"|tr:en:Simple\nEasy to use and nicely designed.|re:Merci Camille !:2026-11-20T15:53:20Z",
				"gp:AOqpTOBx2Cv5Bn8Mm1Ll4Kk7Jj0Hh3Gg6Ff9Dd2Ss5Aa8Qq1Ww|Sam Lee|4||Already in English, so nothing to translate.|en|2026-11-19T07:45:10Z",
			},
		},
		{
			name: "edge-cases", body: gplayFixture(t, "edge-cases.json"),
			want: []string{
				"edge-rating-zero|zero|nil||rating zero||2026-11-17T12:00:00Z",
				"edge-rating-six|six|nil||rating six||",
				"edge-rating-string|string|2||rating as a string||2026-11-17T12:00:00.000000005Z",
				ContentID("no id", "", "hash me") + "|no id|3||hash me||",
				"edge-bad-times|padded|5||padded text|||re:reply with a bad time:",
				"edge-rfc3339|rfc|4||time as a string||2026-11-17T12:00:00Z",
				"edge-bad-nanos|nanos|nil||nanos out of range||2026-11-17T12:00:00Z",
				"edge-two-replies|twice answered|2|title only|||" + "|re:edited reply:2026-11-17T13:00:00Z",
				"edge-wrong-types|42|nil||||",
			},
		},
		{name: "empty-week", body: gplayFixture(t, "empty.json")},
		{name: "reviews-null", body: []byte(`{"reviews":null}`)},
		{name: "reviews-empty-with-token", body: []byte(`{"reviews":[],"tokenPagination":{"nextPageToken":"n"}}`), next: "n"},
		{name: "token-of-wrong-type", body: []byte(`{"tokenPagination":"n"}`)},
		{name: "error-object", body: gplayFixture(t, "error-401.json"), wantErr: ErrLayout},
		{name: "reviews-not-list", body: []byte(`{"reviews":{"reviewId":"x"}}`), wantErr: ErrLayout},
		{name: "no-usable-review", body: []byte(`{"reviews":[{"reviewId":"x","comments":[]},1]}`), wantErr: ErrLayout},
		{name: "top-level-array", body: []byte(`[]`), wantErr: ErrLayout},
		{name: "null", body: []byte(`null`), wantErr: ErrLayout},
		{name: "html", body: []byte(`<html></html>`), wantErr: ErrLayout},
		{name: "empty-body", body: nil, wantErr: ErrLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseGooglePlay(tc.body, tc.lang)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.Reviews {
				got = append(got, gplayFmt(r))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reviews (-want +got):\n%s", diff)
			}
			if p.Next != tc.next {
				t.Errorf("Next = %q, want %q", p.Next, tc.next)
			}
		})
	}
}

// FuzzParseGooglePlay: no input panics, and whatever parses keeps the
// invariants. Run longer with:
// go test ./sources -run '^$' -fuzz FuzzParseGooglePlay -fuzztime 20s -fuzzminimizetime=50x
func FuzzParseGooglePlay(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "googleplay", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/googleplay: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "en")
	}
	for _, s := range []string{``, `{}`, `null`, `{"reviews":[{}]}`, `{"reviews":[{"comments":[{"userComment":{"text":"\t"}}]}]}`,
		`{"reviews":[{"comments":[{"userComment":{"lastModified":{"seconds":"9223372036854775807","nanos":-1}}}]}]}`} {
		f.Add([]byte(s), "")
	}
	f.Fuzz(func(t *testing.T, body []byte, lang string) {
		p, err := parseGooglePlay(body, lang)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		for _, r := range p.Reviews {
			if r.ID == "" {
				t.Fatal("review without id")
			}
			if r.Rating != nil && (!(*r.Rating >= 1 && *r.Rating <= 5) || *r.Rating != float64(int(*r.Rating))) {
				t.Fatalf("rating %v is not a whole star count in [1,5]", *r.Rating)
			}
			for _, tm := range []time.Time{r.Published, r.Updated} {
				if !tm.IsZero() && (tm.Location() != time.UTC || tm.Year() > 9999) {
					t.Fatalf("time %v not UTC or out of range", tm)
				}
			}
			if r.Reply != nil && (r.Reply.Text == "" || (!r.Reply.Published.IsZero() && r.Reply.Published.Location() != time.UTC)) {
				t.Fatalf("reply %+v empty or not UTC", r.Reply)
			}
			if r.Translation != nil && r.Translation.Language != lang {
				t.Fatalf("translation language %q, asked for %q", r.Translation.Language, lang)
			}
		}
	})
}

func BenchmarkParseGooglePlay(b *testing.B) {
	b.Run("fixture-3-reviews", func(b *testing.B) {
		body := gplayFixture(b, "reviews.json")
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseGooglePlay(body, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("full-page-100-reviews", func(b *testing.B) {
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = fmt.Sprintf("gp:AOqpTO%040d", i)
		}
		body := gplayTestPage(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), "next", ids...)
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseGooglePlay(body, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
