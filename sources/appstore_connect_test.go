package sources

import (
	"bytes"
	"context"
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
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ascTestKeys is one P-256 key per test binary: made at run time, so no
// private key is ever committed.
var ascTestKeys = sync.OnceValues(func() (*ecdsa.PrivateKey, string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
})

// ascTestKey is the test key and its .p8 text.
func ascTestKey(t testing.TB) (*ecdsa.PrivateKey, string) {
	t.Helper()
	return ascTestKeys()
}

// ascTestOtherKey is a PEM key App Store Connect would not issue: "rsa"
// (PKCS#8 RSA), "p384" (PKCS#8 EC P-384) or "sec1" (P-256 as EC PRIVATE KEY).
func ascTestOtherKey(t testing.TB, kind string) string {
	t.Helper()
	var block *pem.Block
	switch kind {
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	case "p384":
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	case "sec1":
		k, _ := ascTestKey(t)
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
	default:
		t.Fatalf("unknown key kind %q", kind)
	}
	return string(pem.EncodeToMemory(block))
}

const (
	ascTestKeyID  = "ABC123DEFG"
	ascTestIssuer = "57246542-96fe-1a63-e053-0824d011072a"
)

// ascVerifyJWT checks an App Store Connect token as Apple would: the
// header, the claims, and the ES256 signature against pub. It returns the
// claims.
func ascVerifyJWT(tok string, pub *ecdsa.PublicKey, now time.Time) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%d parts, want 3", len(parts))
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, fmt.Errorf("part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, fmt.Errorf("part %d: %v", i, err)
		}
	}
	if len(header) != 3 || header["alg"] != "ES256" || header["kid"] != ascTestKeyID || header["typ"] != "JWT" {
		return nil, fmt.Errorf("header = %v", header)
	}
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	if len(claims) != 4 || claims["iss"] != ascTestIssuer || claims["aud"] != "appstoreconnect-v1" ||
		exp-iat != 1200 || int64(iat) > now.Unix() || int64(exp) <= now.Unix() {
		return nil, fmt.Errorf("claims = %v (now %d)", claims, now.Unix())
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, fmt.Errorf("signature: %d bytes, %v; want 64 (r||s)", len(sig), err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return nil, errors.New("ES256 signature does not verify")
	}
	return claims, nil
}

func TestASCSignToken(t *testing.T) {
	key, pemText := ascTestKey(t)
	cr, err := ascCredentialsOf(Listing{KeyID: ascTestKeyID, IssuerID: ascTestIssuer, PrivateKey: Secret(pemText)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tok, err := ascSign(cr, now)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := ascVerifyJWT(tok.jwt, &key.PublicKey, now)
	if err != nil {
		t.Fatal(err)
	}
	if claims["iat"] != float64(now.Unix()) || !tok.exp.Equal(now.Add(20*time.Minute)) {
		t.Errorf("iat = %v, exp = %v; want %d, %v", claims["iat"], tok.exp, now.Unix(), now.Add(20*time.Minute))
	}
	t.Run("verifier-rejects-tampering", func(t *testing.T) {
		parts := strings.Split(tok.jwt, ".")
		other, _ := json.Marshal(map[string]any{"iss": "someone-else", "iat": now.Unix(), "exp": now.Unix() + 1200, "aud": "appstoreconnect-v1"})
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(other) + "." + parts[2]
		if _, err := ascVerifyJWT(forged, &key.PublicKey, now); err == nil {
			t.Error("a token with swapped claims verified")
		}
		stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if _, err := ascVerifyJWT(tok.jwt, &stranger.PublicKey, now); err == nil {
			t.Error("the token verified against another key")
		}
	})
}

func TestASCTokenCache(t *testing.T) {
	_, pemText := ascTestKey(t)
	l := Listing{KeyID: ascTestKeyID, IssuerID: ascTestIssuer, PrivateKey: Secret(pemText)}
	cr, err := ascCredentialsOf(l)
	if err != nil {
		t.Fatal(err)
	}
	l.IssuerID = "another-issuer"
	other, err := ascCredentialsOf(l)
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv()
	start := env.Now()
	now := start
	env.Now = func() time.Time { return now }
	s := newAppStore(env).(*appStore)
	first, err := s.token(cr)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		after time.Duration
		cr    *ascCredentials
		same  bool
	}{
		{"same-moment", 0, cr, true},
		{"18m59s-later", 18*time.Minute + 59*time.Second, cr, true},
		{"19m-later-a-minute-before-expiry", 19 * time.Minute, cr, false},
		{"other-credentials", 0, other, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now = start.Add(tc.after)
			got, err := s.token(tc.cr)
			if err != nil {
				t.Fatal(err)
			}
			if (got == first) != tc.same {
				t.Errorf("same token = %v, want %v", got == first, tc.same)
			}
		})
	}
}

// ascReview is one review a stand-in page holds.
type ascReview struct {
	id, territory string
	rating        int
	created       time.Time
	reply         string // "" none; a "pending:" prefix is an unpublished reply
}

// ascPageBody renders a customerReviews page with include=response.
func ascPageBody(reviews []ascReview, next string) []byte {
	type obj = map[string]any
	data := []obj{}
	included := []obj{}
	for _, r := range reviews {
		item := obj{
			"type": "customerReviews", "id": r.id,
			"attributes": obj{
				"rating": r.rating, "title": "title " + r.id, "body": "body " + r.id,
				"reviewerNickname": "nick " + r.id, "createdDate": r.created.Format(time.RFC3339), "territory": r.territory,
			},
			"relationships": obj{"response": obj{"data": nil}},
		}
		if r.reply != "" {
			rid := "resp-" + r.id
			item["relationships"] = obj{"response": obj{"data": obj{"type": "customerReviewResponses", "id": rid}}}
			state, text := "PUBLISHED", r.reply
			if rest, ok := strings.CutPrefix(r.reply, "pending:"); ok {
				state, text = "PENDING_PUBLISH", rest
			}
			included = append(included, obj{"type": "customerReviewResponses", "id": rid, "attributes": obj{
				"responseBody": text, "lastModifiedDate": r.created.Add(time.Hour).Format(time.RFC3339), "state": state,
			}})
		}
		data = append(data, item)
	}
	doc := obj{"data": data, "links": obj{"self": "x"}}
	if len(included) > 0 {
		doc["included"] = included
	}
	if next != "" {
		doc["links"] = obj{"self": "x", "next": next}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// ascPageReviews makes k reviews for page n, ids pN-1..pN-k, newest first.
func ascPageReviews(n, k int) []ascReview {
	rs := make([]ascReview, k)
	for i := range rs {
		rs[i] = ascReview{
			id: fmt.Sprintf("p%d-%d", n, i+1), territory: "USA", rating: 1 + i%5,
			created: time.Date(2025, 11, 30-n, 12-i, 0, 0, 0, time.UTC),
		}
	}
	return rs
}

// ascFake is a stand-in for api.appstoreconnect.apple.com (and the iTunes
// Lookup API) serving app 123. It checks every bearer token like Apple.
type ascFake struct {
	t   *testing.T
	srv *httptest.Server
	pub *ecdsa.PublicKey
	now time.Time
	// page answers the reviews request carrying ?cursor=c ("" for page 1).
	page func(f *ascFake, cursor string, q url.Values) appStoreFakePage
	// lookup answers /lookup (nil: a rated app).
	lookup func(cc string) appStoreFakePage

	mu       sync.Mutex
	requests []string // path?query, lookups included
	tokens   []string
	badJWT   []string
}

func newASCFake(t *testing.T, page func(f *ascFake, cursor string, q url.Values) appStoreFakePage) *ascFake {
	t.Helper()
	key, _ := ascTestKey(t)
	f := &ascFake{t: t, pub: &key.PublicKey, now: testEnv().Now(), page: page}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// nextURL is the links.next of the page before cursor.
func (f *ascFake) nextURL(cursor string) string {
	return f.srv.URL + "/v1/apps/123/customerReviews?cursor=" + cursor + "&include=response&limit=200&sort=-createdDate"
}

func (f *ascFake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
	f.mu.Unlock()
	var p appStoreFakePage
	switch r.URL.Path {
	case "/lookup":
		p = appStoreFakePage{body: appStoreLookupBody("Connect App", 4, 200)}
		if f.lookup != nil {
			p = f.lookup(r.URL.Query().Get("country"))
		}
	case "/v1/apps/123/customerReviews":
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		f.tokens = append(f.tokens, tok)
		f.mu.Unlock()
		if _, err := ascVerifyJWT(tok, f.pub, f.now); !ok || err != nil {
			f.mu.Lock()
			f.badJWT = append(f.badJWT, fmt.Sprint(err))
			f.mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(appStoreFixedBody("asc-error-401.json"))
			return
		}
		p = f.page(f, r.URL.Query().Get("cursor"), r.URL.Query())
	default:
		http.NotFound(w, r)
		return
	}
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
	w.Write(p.body)
}

// appStoreFixedBody reads a testdata file where t.Fatal can't run.
func appStoreFixedBody(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "appstore", name))
	if err != nil {
		return []byte(err.Error())
	}
	return b
}

func (f *ascFake) seen() (requests []string, badJWT []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...), append([]string(nil), f.badJWT...)
}

// listing is an App Store Connect listing for app 123 on the stand-in.
func (f *ascFake) listing(countries ...string) Listing {
	_, pemText := ascTestKey(f.t)
	return Listing{ID: "asc", Source: "appstore", AppID: "123", Countries: countries, Endpoint: f.srv.URL + "/",
		KeyID: ascTestKeyID, IssuerID: ascTestIssuer, PrivateKey: Secret(pemText)}
}

// source is an appStore talking to the stand-in for the API and the lookup.
func (f *ascFake) source(log *bytes.Buffer) *appStore {
	env := testEnv()
	if log != nil {
		env.Log = appStoreLogger(log)
	}
	s := newAppStore(env).(*appStore)
	s.lookupEndpoint = f.srv.URL + "/"
	return s
}

// ascPaged serves pages 1..len(pages): page i links to cursor "c<i+1>".
func ascPaged(pages ...[]ascReview) func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
	return func(f *ascFake, cursor string, _ url.Values) appStoreFakePage {
		n := 1
		if cursor != "" {
			var err error
			if n, err = strconv.Atoi(strings.TrimPrefix(cursor, "c")); err != nil || n < 1 || n > len(pages) {
				return appStoreFakePage{status: http.StatusBadRequest, body: []byte(`{"errors":[{"code":"PARAMETER_ERROR.INVALID"}]}`)}
			}
		}
		next := ""
		if n < len(pages) {
			next = f.nextURL("c" + strconv.Itoa(n+1))
		}
		return appStoreFakePage{body: ascPageBody(pages[n-1], next)}
	}
}

func TestASCFetch(t *testing.T) {
	day := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	page := []ascReview{
		{id: "r1", territory: "USA", rating: 1, created: day, reply: "We fixed it in 4.2.1."},
		{id: "r2", territory: "GBR", rating: 5, created: day.Add(-time.Hour), reply: "pending:Thanks!"},
		{id: "r3", territory: "FRA", rating: 3, created: day.Add(-2 * time.Hour)},
		{id: "r4", territory: "", rating: 4, created: day.Add(-3 * time.Hour)},
	}
	tests := []struct {
		name       string
		countries  []string
		wantFilter string // filter[territory], "" = absent
		wantLookup []string
		wantRating Rating
		wantURL    string
	}{
		{name: "all-territories", wantLookup: []string{"us"}, wantRating: Rating{4, 200}, wantURL: "https://apps.apple.com/us/app/id123"},
		{name: "one-country", countries: []string{"GB"}, wantFilter: "GBR", wantLookup: []string{"gb"}, wantRating: Rating{4, 200}, wantURL: "https://apps.apple.com/gb/app/id123"},
		{
			name: "three-countries", countries: []string{"us", "gb", "de"}, wantFilter: "USA,GBR,DEU",
			wantLookup: []string{"us", "gb", "de"}, wantRating: Rating{(4*100 + 2*50) / 150.0, 150}, wantURL: "https://apps.apple.com/us/app/id123",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newASCFake(t, func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
				return appStoreFakePage{body: ascPageBody(page, "")}
			})
			f.lookup = func(cc string) appStoreFakePage {
				switch {
				case len(tc.countries) < 3:
					return appStoreFakePage{body: appStoreLookupBody("Connect App", 4, 200)}
				case cc == "us":
					return appStoreFakePage{body: appStoreLookupBody("Connect App", 4, 100)}
				case cc == "gb":
					return appStoreFakePage{body: appStoreLookupBody("Connect App UK", 2, 50)}
				}
				return appStoreFakePage{body: appStoreFixedBody("lookup-no-ratings.json")}
			}
			l := f.listing(tc.countries...)
			obs, err := f.source(nil).Fetch(context.Background(), l, Options{})
			if err != nil {
				t.Fatal(err)
			}
			reqs, bad := f.seen()
			if len(bad) > 0 {
				t.Errorf("tokens refused: %v", bad)
			}
			if len(reqs) != len(tc.wantLookup)+1 {
				t.Fatalf("requests = %v, want %d lookups + 1 page", reqs, len(tc.wantLookup))
			}
			for i, cc := range tc.wantLookup {
				if want := appStoreLookupPath(cc, "123"); reqs[i] != want {
					t.Errorf("request %d = %s, want %s", i, reqs[i], want)
				}
			}
			u, _ := url.Parse(reqs[len(reqs)-1])
			q := u.Query()
			if u.Path != "/v1/apps/123/customerReviews" || q.Get("sort") != "-createdDate" || q.Get("limit") != "200" ||
				q.Get("include") != "response" || q.Get("filter[territory]") != tc.wantFilter || q.Has("filter[territory]") != (tc.wantFilter != "") {
				t.Errorf("reviews request = %s, want sort/limit/include and filter[territory]=%q", reqs[len(reqs)-1], tc.wantFilter)
			}
			if obs.Platform != "appstore" || obs.Listing != "asc" || obs.URL != tc.wantURL || obs.Name != "Connect App" || obs.At != testEnv().Now() {
				t.Errorf("obs = %s/%s/%s/%q/%v", obs.Platform, obs.Listing, obs.URL, obs.Name, obs.At)
			}
			if obs.Rating == nil || obs.Rating.Count != tc.wantRating.Count || fmt.Sprintf("%.6f", obs.Rating.Value) != fmt.Sprintf("%.6f", tc.wantRating.Value) {
				t.Errorf("Rating = %v, want %v", obs.Rating, tc.wantRating)
			}
			if !obs.Complete {
				t.Error("Complete = false; the only page was read")
			}
			var got []string
			for _, r := range obs.Reviews {
				reply := "-"
				if r.Reply != nil {
					reply = r.Reply.Text + "@" + r.Reply.Published.Format(time.RFC3339)
				}
				got = append(got, fmt.Sprintf("%s|%s|%v|%s|%s|%s|%s|%s", r.ID, r.Author, *r.Rating, r.Title, r.Text, r.Published.Format(time.RFC3339), r.URL, reply))
			}
			want := []string{
				"r1|nick r1|1|title r1|body r1|2025-11-20T00:00:00Z|https://apps.apple.com/us/app/id123|We fixed it in 4.2.1.@2025-11-20T01:00:00Z",
				"r2|nick r2|5|title r2|body r2|2025-11-19T23:00:00Z|https://apps.apple.com/gb/app/id123|-",
				"r3|nick r3|3|title r3|body r3|2025-11-19T22:00:00Z|https://apps.apple.com/fr/app/id123|-",
				"r4|nick r4|4|title r4|body r4|2025-11-19T21:00:00Z|" + tc.wantURL + "|-",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("reviews:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestASCPaging(t *testing.T) {
	three := ascPaged(ascPageReviews(1, 3), ascPageReviews(2, 3), ascPageReviews(3, 2))
	tests := []struct {
		name     string
		page     func(f *ascFake, cursor string, q url.Values) appStoreFakePage
		o        Options
		cursors  []string // the cursor of each reviews request
		reviews  int
		complete bool
		warn     string // what the warning says ("" = none)
	}{
		{name: "known-nil-page-1-only", page: three, cursors: []string{""}, reviews: 3},
		// The steady state: one lookup and one page.
		{name: "steady-state-known-on-page-1", page: three, o: Options{Known: knownIDs("p1-1")}, cursors: []string{""}, reviews: 3},
		{name: "known-on-page-2", page: three, o: Options{Known: knownIDs("p2-3")}, cursors: []string{"", "c2"}, reviews: 6},
		{name: "none-known-reads-to-the-end", page: three, o: Options{Known: knownIDs()}, cursors: []string{"", "c2", "c3"}, reviews: 8, complete: true},
		{name: "backfill-reads-to-the-end", page: three, o: Options{Backfill: true, Known: knownIDs("p1-1")}, cursors: []string{"", "c2", "c3"}, reviews: 8, complete: true},
		{name: "no-reviews", page: ascPaged(nil), o: Options{Backfill: true}, cursors: []string{""}, reviews: 0, complete: true},
		{
			name: "page-2-500-keeps-page-1", o: Options{Backfill: true}, cursors: []string{"", "c2"}, reviews: 3, warn: "later page failed",
			page: func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
				if cursor == "c2" {
					return appStoreFakePage{status: http.StatusInternalServerError, body: []byte(`{"errors":[{"code":"INTERNAL"}]}`)}
				}
				return three(f, cursor, q)
			},
		},
		{
			name: "next-off-host-not-followed", o: Options{Backfill: true}, cursors: []string{""}, reviews: 3, warn: "leaves the endpoint",
			page: func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
				return appStoreFakePage{body: ascPageBody(ascPageReviews(1, 3), "http://evil.example/v1/apps/123/customerReviews?cursor=c2")}
			},
		},
		{
			name: "next-loop-stops", o: Options{Backfill: true}, cursors: []string{"", "c2"}, reviews: 6, warn: "loops",
			page: func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
				if cursor == "" {
					return appStoreFakePage{body: ascPageBody(ascPageReviews(1, 3), f.nextURL("c2"))}
				}
				return appStoreFakePage{body: ascPageBody(ascPageReviews(2, 3), f.nextURL("c2"))}
			},
		},
		{
			name: "relative-next", o: Options{Backfill: true}, cursors: []string{"", "c2"}, reviews: 5, complete: true,
			page: func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
				if cursor == "" {
					return appStoreFakePage{body: ascPageBody(ascPageReviews(1, 3), "/v1/apps/123/customerReviews?cursor=c2")}
				}
				return appStoreFakePage{body: ascPageBody(ascPageReviews(2, 2), "")}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newASCFake(t, tc.page)
			var log bytes.Buffer
			obs, err := f.source(&log).Fetch(context.Background(), f.listing(), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			reqs, bad := f.seen()
			if len(bad) > 0 {
				t.Errorf("tokens refused: %v", bad)
			}
			var cursors []string
			for _, r := range reqs[1:] {
				u, _ := url.Parse(r)
				cursors = append(cursors, u.Query().Get("cursor"))
			}
			if reqs[0] != appStoreLookupPath("us", "123") || fmt.Sprintf("%q", cursors) != fmt.Sprintf("%q", tc.cursors) {
				t.Errorf("requests = %v, want the lookup, then cursors %q", reqs, tc.cursors)
			}
			if len(obs.Reviews) != tc.reviews || obs.Complete != tc.complete {
				t.Errorf("reviews/complete = %d/%v, want %d/%v", len(obs.Reviews), obs.Complete, tc.reviews, tc.complete)
			}
			if obs.Reviews == nil {
				t.Error("Reviews is nil, want a (possibly empty) slice")
			}
			if warned := strings.Contains(log.String(), "level=WARN"); warned != (tc.warn != "") || !strings.Contains(log.String(), tc.warn) {
				t.Errorf("warned = %v, want %q; log:\n%s", warned, tc.warn, log.String())
			}
			if strings.Contains(log.String(), "Bearer") || strings.Contains(log.String(), "eyJ") {
				t.Errorf("log carries a token:\n%s", log.String())
			}
		})
	}
}

func TestASCFetchErrors(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name    string
		page    func(w http.ResponseWriter, r *http.Request) // nil: the stand-in's own (token check)
		l       func(l Listing) Listing
		maxBody int64
		timeout time.Duration
		check   func(t *testing.T, err error)
	}{
		{
			name: "401-wrong-key-names-private-key",
			l: func(l Listing) Listing {
				l.PrivateKey = Secret(ascTestOtherP256(t))
				return l
			},
			check: func(t *testing.T, err error) {
				var ae *APIError
				if !errors.Is(err, ErrAuth) || !errors.As(err, &ae) || ae.Key != "private_key" || ae.Status != 401 {
					t.Errorf("err = %v, want ErrAuth naming private_key", err)
				}
				if !strings.Contains(err.Error(), "key_id") || !strings.Contains(err.Error(), "NOT_AUTHORIZED") {
					t.Errorf("err = %v, want key_id and Apple's code named", err)
				}
			},
		},
		{
			name: "401-key-file-names-private-key-file",
			l: func(l Listing) Listing {
				p := filepath.Join(t.TempDir(), "AuthKey.p8")
				os.WriteFile(p, []byte(ascTestOtherP256(t)), 0o600)
				l.PrivateKey, l.PrivateKeyFile = "", p
				return l
			},
			check: func(t *testing.T, err error) {
				var ae *APIError
				if !errors.Is(err, ErrAuth) || !errors.As(err, &ae) || ae.Key != "private_key_file" {
					t.Errorf("err = %v, want ErrAuth naming private_key_file", err)
				}
			},
		},
		{
			name: "403-names-issuer-and-role",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusForbidden)
				w.Write([]byte(`{"errors":[{"status":"403","code":"FORBIDDEN_ERROR","title":"This request is forbidden for security reasons","detail":"The API key in use does not allow this request"}]}`))
			},
			check: func(t *testing.T, err error) {
				var ae *APIError
				if !errors.Is(err, ErrAuth) || !errors.As(err, &ae) || ae.Key != "issuer_id" || !strings.Contains(err.Error(), "role") {
					t.Errorf("err = %v, want ErrAuth naming issuer_id with a hint about the key's role", err)
				}
			},
		},
		{
			name: "429-quota-with-retry-after",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
				w.Write([]byte(`{"errors":[{"status":"429","code":"RATE_LIMIT_EXCEEDED","title":"The request rate limit has been reached."}]}`))
			},
			check: func(t *testing.T, err error) {
				var ae *APIError
				if !errors.Is(err, ErrQuota) || !errors.As(err, &ae) || ae.RetryAfter != 30*time.Second {
					t.Errorf("err = %v, want ErrQuota retrying after 30s", err)
				}
			},
		},
		{
			name: "500",
			page: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 500 || !se.Temporary() || errors.Is(err, ErrAuth) {
					t.Errorf("err = %v, want a temporary *StatusError 500", err)
				}
			},
		},
		{
			name: "404-unknown-app",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotFound)
				w.Write([]byte(`{"errors":[{"status":"404","code":"NOT_FOUND","detail":"There is no resource of type 'apps' with id '123'"}]}`))
			},
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 404 || !strings.Contains(err.Error(), "NOT_FOUND") {
					t.Errorf("err = %v, want *StatusError 404 with Apple's message", err)
				}
			},
		},
		{
			name: "html-instead-of-json",
			page: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html><body>maintenance</body></html>")) },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name: "json-without-data",
			page: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"links":{}}`)) },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name: "truncated",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "5000")
				w.Write([]byte(`{"data":[{"type":"customerReviews","id":"1"`))
			},
			check: func(t *testing.T, err error) {
				if err == nil || errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want a read error, not a partial page", err)
				}
			},
		},
		{
			name:    "oversized",
			maxBody: 512,
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Write(ascPageBody(ascPageReviews(1, 20), ""))
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrTooLarge) {
					t.Errorf("err = %v, want ErrTooLarge", err)
				}
			},
		},
		{
			name:    "slow",
			timeout: 50 * time.Millisecond,
			page: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) && FailureKind(err) != "timeout" {
					t.Errorf("err = %v (%s), want a timeout", err, FailureKind(err))
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newASCFake(t, func(*ascFake, string, url.Values) appStoreFakePage {
				return appStoreFakePage{body: ascPageBody(ascPageReviews(1, 2), "")}
			})
			if tc.page != nil {
				own := f.srv.Config.Handler
				f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/lookup" {
						own.ServeHTTP(w, r)
						return
					}
					tc.page(w, r)
				})
			}
			l := f.listing()
			if tc.l != nil {
				l = tc.l(l)
			}
			s := f.source(nil)
			if tc.maxBody > 0 {
				s.env.MaxBody = tc.maxBody
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			obs, err := s.Fetch(ctx, l, Options{Backfill: true})
			if err == nil {
				t.Fatalf("no error; got %d reviews", len(obs.Reviews))
			}
			if !strings.HasPrefix(err.Error(), "appstore: app 123 (App Store Connect): ") {
				t.Errorf("err = %q, want the appstore: app 123 (App Store Connect): prefix", err)
			}
			tc.check(t, err)
			_, pemText := ascTestKey(t)
			if strings.Contains(err.Error(), "eyJ") || strings.Contains(err.Error(), strings.Split(pemText, "\n")[1]) {
				t.Errorf("error carries a token or the key: %v", err)
			}
		})
	}
}

// ascTestOtherP256 is a valid .p8 that is not the stand-in's key.
func ascTestOtherP256(t testing.TB) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestASCUnknownApp(t *testing.T) {
	f := newASCFake(t, ascPaged(ascPageReviews(1, 1)))
	f.lookup = func(string) appStoreFakePage {
		return appStoreFakePage{body: appStoreFixedBody("lookup-not-found.json")}
	}
	_, err := f.source(nil).Fetch(context.Background(), f.listing("us", "gb"), Options{})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "app_id") || !strings.Contains(err.Error(), "no such app in the us store") {
		t.Errorf("err = %v, want ErrConfig naming app_id", err)
	}
	if reqs, _ := f.seen(); len(reqs) != 1 {
		t.Errorf("requests = %v, want the one lookup: an unknown app reads no reviews", reqs)
	}
}

// ascBackfillCall is one page callback: its review ids and next cursor.
type ascBackfillCall struct {
	ids  string
	next string
}

func TestASCBackfill(t *testing.T) {
	pages := [][]ascReview{ascPageReviews(1, 2), ascPageReviews(2, 2), ascPageReviews(3, 1)}
	stop := errors.New("stop here")
	tests := []struct {
		name    string
		cursor  func(f *ascFake) string
		since   time.Time
		stopAt  int // page callback returning stop (0: never)
		want    func(f *ascFake) []ascBackfillCall
		wantErr error
		warn    bool
	}{
		{
			name: "from-the-start",
			want: func(f *ascFake) []ascBackfillCall {
				return []ascBackfillCall{{"p1-1,p1-2", f.nextURL("c2")}, {"p2-1,p2-2", f.nextURL("c3")}, {"p3-1", ""}}
			},
		},
		{
			name:   "resume-from-cursor",
			cursor: func(f *ascFake) string { return f.nextURL("c3") },
			want:   func(f *ascFake) []ascBackfillCall { return []ascBackfillCall{{"p3-1", ""}} },
		},
		{
			name:   "foreign-host-cursor-restarts",
			cursor: func(f *ascFake) string { return "http://evil.example/v1/apps/123/customerReviews?cursor=c3" },
			warn:   true,
			want: func(f *ascFake) []ascBackfillCall {
				return []ascBackfillCall{{"p1-1,p1-2", f.nextURL("c2")}, {"p2-1,p2-2", f.nextURL("c3")}, {"p3-1", ""}}
			},
		},
		{
			name:   "feed-cursor-restarts",
			cursor: func(f *ascFake) string { return "us:3" },
			warn:   true,
			want: func(f *ascFake) []ascBackfillCall {
				return []ascBackfillCall{{"p1-1,p1-2", f.nextURL("c2")}, {"p2-1,p2-2", f.nextURL("c3")}, {"p3-1", ""}}
			},
		},
		{
			// Page 2's reviews are from Nov 28, 12:00 and 11:00.
			name:  "since-stops",
			since: time.Date(2025, 11, 28, 11, 30, 0, 0, time.UTC),
			want: func(f *ascFake) []ascBackfillCall {
				return []ascBackfillCall{{"p1-1,p1-2", f.nextURL("c2")}, {"p2-1", ""}}
			},
		},
		{
			name: "page-error-returned-as-is", stopAt: 2, wantErr: stop,
			want: func(f *ascFake) []ascBackfillCall {
				return []ascBackfillCall{{"p1-1,p1-2", f.nextURL("c2")}, {"p2-1,p2-2", f.nextURL("c3")}}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newASCFake(t, ascPaged(pages...))
			var log bytes.Buffer
			cursor := ""
			if tc.cursor != nil {
				cursor = tc.cursor(f)
			}
			var calls []ascBackfillCall
			err := f.source(&log).Backfill(context.Background(), f.listing(), tc.since, cursor, func(obs Observation, next string) error {
				calls = append(calls, ascBackfillCall{strings.Join(appStoreIDs(obs.Reviews), ","), next})
				if obs.Rating == nil || *obs.Rating != (Rating{4, 200}) || obs.Complete || obs.Reviews == nil {
					t.Errorf("page obs Rating/Complete = %v/%v, want the lookup's aggregate, not complete", obs.Rating, obs.Complete)
				}
				if len(calls) == tc.stopAt {
					return stop
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got, want := fmt.Sprint(calls), fmt.Sprint(tc.want(f)); got != want {
				t.Errorf("calls:\n%s\nwant:\n%s", got, want)
			}
			if warned := strings.Contains(log.String(), "level=WARN"); warned != tc.warn {
				t.Errorf("warned = %v, want %v; log:\n%s", warned, tc.warn, log.String())
			}
			if _, bad := f.seen(); len(bad) > 0 {
				t.Errorf("tokens refused: %v", bad)
			}
		})
	}

	t.Run("failed-page-is-an-error", func(t *testing.T) {
		f := newASCFake(t, func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
			if cursor == "c2" {
				return appStoreFakePage{status: http.StatusBadGateway}
			}
			return ascPaged(pages...)(f, cursor, q)
		})
		var nexts []string
		err := f.source(nil).Backfill(context.Background(), f.listing(), time.Time{}, "", func(obs Observation, next string) error {
			nexts = append(nexts, next)
			return nil
		})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusBadGateway || len(nexts) != 1 || nexts[0] != f.nextURL("c2") {
			t.Errorf("err = %v, cursors %v; want a 502 after handing out page 2's cursor to resume from", err, nexts)
		}
	})
	t.Run("next-off-host-is-an-error", func(t *testing.T) {
		f := newASCFake(t, func(f *ascFake, cursor string, q url.Values) appStoreFakePage {
			return appStoreFakePage{body: ascPageBody(ascPageReviews(1, 1), "http://evil.example/v1/x")}
		})
		err := f.source(nil).Backfill(context.Background(), f.listing(), time.Time{}, "", func(Observation, string) error { return nil })
		if !errors.Is(err, ErrLayout) {
			t.Errorf("err = %v, want ErrLayout: the token must not follow links.next off the endpoint", err)
		}
	})
}

func TestParseASCReviews(t *testing.T) {
	tests := []struct {
		name        string
		body        []byte
		want        []string // appStoreFmtReview + "|" + reply
		territories []string
		next        string
		wantErr     error
	}{
		{
			name: "apple-shaped-page", body: appStoreTestdata(t, "asc-reviews.json"),
			want: []string{
				"00000028-b08c-0014-729e-fbd500000001|Anne Johnson|1|Crashes since the update|Opens, then closes.\nEvery time since 4.2.|2025-11-15T16:10:34Z|Sorry about that: 4.2.1 fixes the crash.@2025-11-16T17:00:00Z",
				"00000028-b08c-0014-729e-fbd500000002|Juan Chavez|5|Brilliant|Does what it says.|2025-11-14T18:00:00Z|-",
				"00000028-b08c-0014-729e-fbd500000003|Zoë|3||Meh.|2025-11-13T10:00:00Z|-",
				"00000028-b08c-0014-729e-fbd500000004|edge|nil||rating out of range, odd territory, bad date||-",
			},
			territories: []string{"USA", "GBR", "FRA", "ZZZ"},
			next:        "https://api.appstoreconnect.apple.com/v1/apps/123/customerReviews?cursor=eyJvZmZzZXQiOiIyMDAifQ&include=response&limit=200&sort=-createdDate",
		},
		{name: "empty-data", body: []byte(`{"data":[],"links":{"self":"x"}}`)},
		{name: "null-data", body: []byte(`{"data":null}`)},
		{
			name: "rating-as-string-no-id", body: []byte(`{"data":[{"attributes":{"rating":"4","body":"b","reviewerNickname":"n","territory":"usa"}}]}`),
			want: []string{ContentID("n", "", "b") + "|n|4||b||-"}, territories: []string{"USA"},
		},
		{
			name: "reply-without-include", body: []byte(`{"data":[{"id":"1","type":"customerReviews","relationships":{"response":{"data":{"id":"r"}}}}]}`),
			want: []string{"1||nil||||-"}, territories: []string{""},
		},
		{
			name: "broken-included-ignored", body: []byte(`{"data":[{"id":"1","relationships":{"response":{"data":{"id":"r"}}}}],"included":[1,"x",{"type":"customerReviewResponses","id":"r","attributes":{"responseBody":"   "}}]}`),
			want: []string{"1||nil||||-"}, territories: []string{""},
		},
		{name: "errors-document", body: appStoreTestdata(t, "asc-error-401.json"), wantErr: ErrLayout},
		{name: "data-object", body: []byte(`{"data":{"id":"1"}}`), wantErr: ErrLayout},
		{name: "data-item-not-object", body: []byte(`{"data":[1]}`), wantErr: ErrLayout},
		{name: "top-level-array", body: []byte(`[]`), wantErr: ErrLayout},
		{name: "not-json", body: []byte(`<html>`), wantErr: ErrLayout},
		{name: "empty-body", wantErr: ErrLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseASCReviews(tc.body)
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
				reply := "-"
				if r.Reply != nil {
					reply = r.Reply.Text + "@" + r.Reply.Published.Format(time.RFC3339)
				}
				got = append(got, appStoreFmtReview(r)+"|"+reply)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("reviews:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if fmt.Sprintf("%q", p.Territories) != fmt.Sprintf("%q", tc.territories) || p.Next != tc.next {
				t.Errorf("territories/next = %q/%q, want %q/%q", p.Territories, p.Next, tc.territories, tc.next)
			}
		})
	}
}

func TestASCTerritories(t *testing.T) {
	if len(ascTerritories) != len(ascAlpha2) || len(ascTerritories) < 240 {
		t.Fatalf("%d alpha-2 codes, %d alpha-3: want a one-to-one table of every ISO country", len(ascTerritories), len(ascAlpha2))
	}
	for a2, a3 := range ascTerritories {
		if len(a2) != 2 || strings.ToLower(a2) != a2 || len(a3) != 3 || strings.ToUpper(a3) != a3 {
			t.Errorf("%s:%s is not alpha-2 lower : alpha-3 upper", a2, a3)
		}
	}
	for a2, a3 := range map[string]string{"us": "USA", "gb": "GBR", "fr": "FRA", "de": "DEU", "jp": "JPN", "ch": "CHE", "kr": "KOR", "cn": "CHN", "nl": "NLD", "za": "ZAF"} {
		if ascTerritories[a2] != a3 || ascAlpha2[a3] != a2 {
			t.Errorf("%s = %s/%s, want %s", a2, ascTerritories[a2], ascAlpha2[a3], a3)
		}
	}
}

func FuzzParseASCReviews(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "appstore", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/appstore: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(ascPageBody(ascPageReviews(1, 3), "https://api.appstoreconnect.apple.com/v1/x"))
	for _, s := range []string{``, `{}`, `null`, `{"data":[]}`, `{"data":[{}]}`, `{"data":[{"relationships":{"response":{"data":{"id":"r"}}}}],"included":[{"type":"customerReviewResponses","id":"r","attributes":{"responseBody":"x"}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseASCReviews(body)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		if len(p.Territories) != len(p.Reviews) {
			t.Fatalf("%d territories for %d reviews", len(p.Territories), len(p.Reviews))
		}
		for _, r := range p.Reviews {
			if r.ID == "" {
				t.Fatal("review without id")
			}
			if r.Rating != nil && !(*r.Rating >= 1 && *r.Rating <= 5) {
				t.Fatalf("rating %v outside [1,5]", *r.Rating)
			}
			if !r.Published.IsZero() && r.Published.Location() != time.UTC {
				t.Fatalf("Published %v not UTC", r.Published)
			}
			if r.Reply != nil && (r.Reply.Text == "" || (!r.Reply.Published.IsZero() && r.Reply.Published.Location() != time.UTC)) {
				t.Fatalf("reply %+v empty or not UTC", *r.Reply)
			}
		}
	})
}

func BenchmarkParseASCReviews(b *testing.B) {
	b.Run("own-apple-shaped", func(b *testing.B) {
		body := appStoreTestdata(b, "asc-reviews.json")
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseASCReviews(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("full-page-200-with-replies", func(b *testing.B) {
		rs := ascPageReviews(1, 200)
		for i := range rs {
			if i%3 == 0 {
				rs[i].reply = "Thanks for the feedback, we are on it."
			}
		}
		body := ascPageBody(rs, "https://api.appstoreconnect.apple.com/v1/x")
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := parseASCReviews(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
