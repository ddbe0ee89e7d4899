package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// taSecret is the API key the stand-in expects; no error or log may show it.
const taSecret = "ta-SECRET-key-5f3a9c"

// taKranjPath is the real fixture's page path, served from loopback.
const taKranjPath = "/Attraction_Review-g644300-d7289577-Reviews-Tourist_Information_Centre_Kranj_House-Kranj_Upper_Carniola_Region.html"

// taLunaPath is the hand-written page's path.
const taLunaPath = "/Restaurant_Review-g186220-d1000001-Reviews-Trattoria_Luna-Bristol_England.html"

func taTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tripadvisor", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// taRecorder records the requests an Env sends (path?query), client side.
type taRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []string
}

func (r *taRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.URL.RequestURI())
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *taRecorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// taEnv is testEnv talking to srv through a recorder and logging everything,
// Debug included, into log.
func taEnv(srv *httptest.Server, log *bytes.Buffer) (*Env, *taRecorder) {
	e := testEnv()
	rec := &taRecorder{next: srv.Client().Transport}
	e.HTTP = &http.Client{Transport: rec, Timeout: 10 * time.Second}
	if log != nil {
		e.Log = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return e, rec
}

// taFmt renders the fields a review carries, for readable comparisons.
func taFmt(r Review) string {
	rating := "nil"
	if r.Rating != nil {
		rating = strconv.FormatFloat(*r.Rating, 'g', -1, 64)
	}
	pub := ""
	if !r.Published.IsZero() {
		pub = r.Published.Format(time.RFC3339)
	}
	reply := ""
	if r.Reply != nil {
		reply = r.Reply.Text + "@" + r.Reply.Published.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%q|%s|%s|%s|%s", r.ID, r.Author, rating, r.Title, r.Text, pub, r.Language, r.URL, reply)
}

func taFmtAll(rs []Review) string {
	var out []string
	for _, r := range rs {
		out = append(out, taFmt(r))
	}
	return strings.Join(out, "\n")
}

// taCheckObs holds for every observation the source returns.
func taCheckObs(t *testing.T, obs Observation, l Listing) {
	t.Helper()
	if obs.Platform != "tripadvisor" || obs.Listing != l.ID {
		t.Errorf("Platform/Listing = %q/%q, want tripadvisor/%q", obs.Platform, obs.Listing, l.ID)
	}
	if want := testEnv().Now(); !obs.At.Equal(want) || obs.At.Location() != time.UTC {
		t.Errorf("At = %v, want %v UTC", obs.At, want)
	}
	if obs.Complete {
		t.Error("Complete = true: neither door sees every review")
	}
	if obs.Reviews == nil {
		t.Error("Reviews is nil, want a (possibly empty) slice")
	}
	seen := map[string]bool{}
	for _, r := range obs.Reviews {
		if r.ID == "" || seen[r.ID] {
			t.Errorf("review id %q empty or duplicated", r.ID)
		}
		seen[r.ID] = true
		if r.Rating != nil && !(*r.Rating >= 1 && *r.Rating <= 5) {
			t.Errorf("review %s rating %v outside [1,5]", r.ID, *r.Rating)
		}
		for _, ts := range []time.Time{r.Published, r.Updated} {
			if !ts.IsZero() && ts.Location() != time.UTC {
				t.Errorf("review %s time %v not UTC", r.ID, ts)
			}
		}
		if r.Reply != nil && !r.Reply.Published.IsZero() && r.Reply.Published.Location() != time.UTC {
			t.Errorf("review %s reply time %v not UTC", r.ID, r.Reply.Published)
		}
	}
	if obs.Rating != nil && (!(obs.Rating.Value >= 1 && obs.Rating.Value <= 5) || obs.Rating.Count < 0) {
		t.Errorf("Rating = %+v outside [1,5] or negative count", *obs.Rating)
	}
}

// ---- public page door ----

func TestTripadvisorRealPage(t *testing.T) {
	body := realFixture(t, "tripadvisor/attraction-kranj-house-2019.html")
	srv := serve(t, "", map[string][]byte{taKranjPath: body})
	env, rec := taEnv(srv, nil)
	l := Listing{ID: "kranj", Source: "tripadvisor", URL: srv.URL + taKranjPath}

	obs, err := newTripadvisor(env).Fetch(context.Background(), l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	taCheckObs(t, obs, l)
	if reqs := rec.requests(); len(reqs) != 2 || reqs[0] != "/robots.txt" || reqs[1] != taKranjPath {
		t.Errorf("requests = %v, want robots.txt then the page", reqs)
	}
	if obs.URL != l.URL {
		t.Errorf("URL = %q, want %q", obs.URL, l.URL)
	}
	if want := "Tourist Information Centre – Kranj House"; obs.Name != want {
		t.Errorf("Name = %q, want %q", obs.Name, want)
	}
	if obs.Rating == nil || obs.Rating.Value != 4.5 || obs.Rating.Count != 34 {
		t.Errorf("Rating = %+v, want 4.5 / 34", obs.Rating)
	}
	if obs.Details == nil || obs.Details.Name != obs.Name || !strings.HasPrefix(obs.Details.Address, "Glavni trg 2") || !strings.Contains(obs.Details.Address, "Slovenia") {
		t.Errorf("Details = %+v, want the JSON-LD name and address", obs.Details)
	}
	// 10 reviews, not 12: the two recent_review highlight cards repeat the first two.
	if len(obs.Reviews) != 10 {
		t.Fatalf("reviews = %d, want 10:\n%s", len(obs.Reviews), taFmtAll(obs.Reviews))
	}
	hist := map[int]int{}
	for _, r := range obs.Reviews {
		if r.Rating == nil || r.Author == "" || r.Title == "" || r.Text == "" || r.Published.IsZero() {
			t.Errorf("review lacks a field: %s", taFmt(r))
			continue
		}
		hist[int(*r.Rating)]++
		if !strings.Contains(r.URL, "-r"+r.ID+"-") {
			t.Errorf("review %s URL = %q, want its ShowUserReviews page", r.ID, r.URL)
		}
		if strings.HasSuffix(r.Text, "More") || strings.Contains(r.Text, "read more") {
			t.Errorf("review %s text keeps the expand link: %q", r.ID, r.Text)
		}
	}
	if fmt.Sprint(hist) != fmt.Sprint(map[int]int{3: 1, 4: 1, 5: 8}) {
		t.Errorf("histogram = %v, want map[3:1 4:1 5:8]", hist)
	}
	type want struct {
		id, author, title, date string
		rating                  float64
	}
	for i, w := range []want{
		{"599246690", "123jeroens", "Kranj is small but worth a visit", "2018-07-24", 4},
		{"595277937", "vessi80", "Stop here first for the perfect day out in Kranj", "2018-07-11", 5},
	} {
		r := obs.Reviews[i]
		if r.ID != w.id || r.Author != w.author || r.Title != w.title || r.Published.Format(time.DateOnly) != w.date || *r.Rating != w.rating {
			t.Errorf("review %d = %s, want %+v", i+1, taFmt(r), w)
		}
	}
	if r := obs.Reviews[0]; !strings.HasPrefix(r.Text, "Kranj is really nice. Don't compare it w") || r.Language != "en" {
		t.Errorf("review 1 text/lang = %q/%q", r.Text, r.Language)
	}

	// Stable ids: a re-poll of the same page yields the same ids.
	again, err := newTripadvisor(env).Fetch(context.Background(), l, Options{Known: knownIDs()})
	if err != nil {
		t.Fatal(err)
	}
	if taFmtAll(again.Reviews) != taFmtAll(obs.Reviews) {
		t.Error("reviews differ between two fetches of the same page")
	}
	if n := len(rec.requests()); n != 3 {
		t.Errorf("requests after the re-poll = %d, want 3 (robots.txt cached, one page per poll)", n)
	}
}

func TestTripadvisorPage(t *testing.T) {
	luna := taTestdata(t, "page-2019.html")
	challenge := taTestdata(t, "page-challenge-datadome.html")
	notListing := taTestdata(t, "page-not-listing.html")
	jsonLDOnly := taTestdata(t, "page-jsonld-only.html")
	const lunaURLPrefix = "/Restaurant_Review-g186220-d1000001-Reviews-"

	type page struct {
		status int
		body   []byte
	}
	tests := []struct {
		name    string
		pages   map[string]page // path -> answer; others 404
		wantErr error
		status  int // *StatusError code wanted
		check   func(t *testing.T, obs Observation, base string)
	}{
		{
			name:  "hand-written-2019-layout",
			pages: map[string]page{taLunaPath: {body: luna}},
			check: func(t *testing.T, obs Observation, base string) {
				if obs.Name != "Trattoria Luna" || obs.Rating == nil || *obs.Rating != (Rating{Value: 4, Count: 1204}) {
					t.Errorf("Name/Rating = %q/%+v, want Trattoria Luna 4/1204", obs.Name, obs.Rating)
				}
				wantDet := Details{Name: "Trattoria Luna", Address: "12 King Street, BS1 4EF Bristol, United Kingdom", Phone: "+44 117 900 0000"}
				if obs.Details == nil || fmt.Sprint(*obs.Details) != fmt.Sprint(wantDet) {
					t.Errorf("Details = %+v, want %+v", obs.Details, wantDet)
				}
				want := strings.Join([]string{
					// .info_text author, "More" link dropped, <br> runs squeezed, the reply's own text and bubbles ignored.
					`700000001|pastalover|5|Best pasta in town|"The carbonara was perfect & the staff friendly.\nWe'll be back.\n\nBook ahead at weekends..."|2019-03-03T00:00:00Z|en|` +
						base + `/ShowUserReviews-g186220-d1000001-r700000001-Trattoria_Luna-Bristol_England.html|Thank you, see you soon!@2019-03-05T00:00:00Z`,
					// .scrname author, UK date, quoted .quote title, relative link; not the recent_review card's copy.
					`700000002|grumpy_g|1|Cold and slow|"Waited an hour.\nThe soup was cold."|2019-03-02T00:00:00Z|en|` +
						base + `/ShowUserReviews-g186220-d1000001-r700000002.html|`,
					// bubble_00 is no rating; date from the text; no text of its own (the reply's is not it).
					`700000003|Quiet Q|nil||""|2019-02-01T00:00:00Z|en|` + base + taLunaPath + `|We are sorry to hear that.@2019-02-02T00:00:00Z`,
				}, "\n")
				if got := taFmtAll(obs.Reviews); got != want {
					t.Errorf("reviews:\n%s\nwant:\n%s", got, want)
				}
			},
		},
		{
			name:  "jsonld-only-rating-no-reviews",
			pages: map[string]page{taLunaPath: {body: jsonLDOnly}},
			check: func(t *testing.T, obs Observation, _ string) {
				// 9.0 on 0-10 is 4.6 on 1-5.
				if obs.Rating == nil || *obs.Rating != (Rating{Value: 4.6, Count: 87}) || obs.Name != "Hotel Example" || len(obs.Reviews) != 0 {
					t.Errorf("obs = %q %+v %d reviews, want Hotel Example 4.6/87 and none", obs.Name, obs.Rating, len(obs.Reviews))
				}
				if obs.Details == nil || obs.Details.Address != "1 Sea Road, Brighton BN1 1AA, England" || obs.Details.Phone != "+44 1273 000000" {
					t.Errorf("Details = %+v", obs.Details)
				}
			},
		},
		{name: "not-a-listing-is-layout", pages: map[string]page{taLunaPath: {body: notListing}}, wantErr: ErrLayout},
		{name: "datadome-challenge-200", pages: map[string]page{taLunaPath: {body: challenge}}, wantErr: ErrBlocked},
		{name: "datadome-challenge-403", pages: map[string]page{taLunaPath: {status: http.StatusForbidden, body: challenge}}, wantErr: ErrBlocked},
		{name: "bare-403-is-blocked", pages: map[string]page{taLunaPath: {status: http.StatusForbidden, body: []byte("no")}}, wantErr: ErrBlocked},
		{
			name:    "robots-disallow",
			pages:   map[string]page{"/robots.txt": {body: []byte("User-agent: *\nDisallow: " + lunaURLPrefix + "\n")}, taLunaPath: {body: luna}},
			wantErr: ErrBlocked,
		},
		{name: "404", pages: map[string]page{}, status: http.StatusNotFound},
		{name: "503", pages: map[string]page{taLunaPath: {status: http.StatusServiceUnavailable, body: []byte("busy")}}, status: http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p, ok := tc.pages[r.URL.Path]
				if !ok {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				if p.status != 0 {
					w.WriteHeader(p.status)
				}
				w.Write(p.body)
			}))
			defer srv.Close()
			env, rec := taEnv(srv, nil)
			l := Listing{ID: "luna", Source: "tripadvisor", URL: srv.URL + taLunaPath}
			obs, err := newTripadvisor(env).Fetch(context.Background(), l, Options{Backfill: true})
			if n := len(rec.requests()); n > 2 {
				t.Errorf("requests = %v, want robots.txt and at most one page", rec.requests())
			}
			if tc.wantErr != nil || tc.status != 0 {
				if err == nil {
					t.Fatalf("no error; got %d reviews", len(obs.Reviews))
				}
				if !strings.HasPrefix(err.Error(), "tripadvisor: ") {
					t.Errorf("err = %q, want the tripadvisor: prefix", err)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("err = %v, want %v", err, tc.wantErr)
				}
				var se *StatusError
				if tc.status != 0 && (!errors.As(err, &se) || se.Code != tc.status) {
					t.Errorf("err = %v, want *StatusError %d", err, tc.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			taCheckObs(t, obs, l)
			tc.check(t, obs, srv.URL)
		})
	}
}

func TestParseTripadvisorPageEdges(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    error
		want       string // taFmtAll of the reviews
	}{
		{name: "empty", body: "", wantErr: ErrLayout},
		{name: "garbage", body: "\x00\xff<<>>", wantErr: ErrLayout},
		{name: "jsonld-malformed", body: `<script type="application/ld+json">{"aggregateRating":</script>`, wantErr: ErrLayout},
		{name: "rating-out-of-scale", body: `<script type="application/ld+json">{"@type":"Hotel","aggregateRating":{"ratingValue":"7"}}</script>`, wantErr: ErrLayout},
		{
			name: "bubble-out-of-range-and-half",
			body: `<html lang="de"><div class="reviewSelector" data-reviewid=" 1 "><span class="ui_bubble_rating bubble_60"></span><span class="ratingDate" title="24. Juli 2018">x</span></div>` +
				`<div class="reviewSelector" data-reviewid="2"><span class="ui_bubble_rating bubble_35 big"></span></div>`,
			want: "1||nil||\"\"||de|https://www.tripadvisor.com/x-Review-g1-d2.html|\n2||3.5||\"\"||de|https://www.tripadvisor.com/x-Review-g1-d2.html|",
		},
		{
			name: "javascript-link-ignored",
			body: `<div class="reviewSelector" data-reviewid="3"><div class="quote"><a href="javascript:void(0)">“Hi”</a></div></div>`,
			want: "3||nil|Hi|\"\"|||https://www.tripadvisor.com/x-Review-g1-d2.html|",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obs, err := parseTaPage([]byte(tc.body), "https://www.tripadvisor.com/x-Review-g1-d2.html")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := taFmtAll(obs.Reviews); got != tc.want {
				t.Errorf("reviews:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// ---- Content API door ----

// taAnswer is one stand-in answer.
type taAnswer struct {
	status int
	body   []byte
	header map[string]string
	// truncate declares a longer Content-Length than the body written.
	truncate bool
	// hang blocks until the client gives up.
	hang bool
	// echoKey puts the request's key into the body, as a careless proxy would.
	echoKey bool
}

// taAPIServer answers /api/v1/location/123/{details,reviews}; it refuses
// requests without the right key and language, as the real API would.
func taAPIServer(t *testing.T, prefix string, details, reviews taAnswer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a taAnswer
		switch r.URL.Path {
		case prefix + "/api/v1/location/123/details":
			a = details
		case prefix + "/api/v1/location/123/reviews":
			a = reviews
		default:
			http.NotFound(w, r)
			return
		}
		if q := r.URL.Query(); q.Get("key") != taSecret || q.Get("language") == "" {
			http.Error(w, `{"error":{"message":"bad test request","type":"Test","code":0}}`, http.StatusTeapot)
			return
		}
		if a.hang {
			<-r.Context().Done()
			return
		}
		body := a.body
		if a.echoKey {
			body = bytes.ReplaceAll(body, []byte("$KEY"), []byte(r.URL.Query().Get("key")))
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		if a.truncate {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)+500))
		}
		if a.status != 0 {
			w.WriteHeader(a.status)
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func taAPIListing(srvURL string) Listing {
	return Listing{ID: "luna-ta", Source: "tripadvisor", APIKey: taSecret, LocationID: "123", Endpoint: srvURL + "/"}
}

func TestTripadvisorAPI(t *testing.T) {
	details := taTestdata(t, "api-details.json")
	reviews := taTestdata(t, "api-reviews.json")
	const webURL = "https://www.tripadvisor.com/Restaurant_Review-g186220-d1000001-Reviews-Trattoria_Luna-Bristol_England.html?m=66827"

	srv := taAPIServer(t, "", taAnswer{body: details}, taAnswer{body: reviews})
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"first-poll", Options{}},
		{"steady-state-all-known", Options{Known: knownIDs("900000005", "900000004", "900000003", "900000001")}},
		{"backfill-changes-nothing", Options{Backfill: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			env, rec := taEnv(srv, &log)
			l := taAPIListing(srv.URL)
			obs, err := newTripadvisor(env).Fetch(context.Background(), l, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			taCheckObs(t, obs, l)
			// A poll is exactly the details call and the reviews call.
			want := []string{
				"/api/v1/location/123/details?key=" + taSecret + "&language=en",
				"/api/v1/location/123/reviews?key=" + taSecret + "&language=en",
			}
			if got := rec.requests(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("requests = %v, want %v", got, want)
			}
			if obs.Name != "Trattoria Luna" || obs.URL != webURL || obs.Rating == nil || *obs.Rating != (Rating{Value: 4.5, Count: 1204}) {
				t.Errorf("Name/URL/Rating = %q/%q/%+v", obs.Name, obs.URL, obs.Rating)
			}
			wantDet := Details{
				Name: "Trattoria Luna", Address: "12 King Street, Bristol BS1 4EF England", Phone: "+44 117 900 0000",
				Website: "https://trattoria-luna.example/", Hours: []string{"Monday: 12:00 - 22:00", "Tuesday: 12:00 - 22:00", "Wednesday: Closed"},
			}
			if obs.Details == nil || fmt.Sprintf("%q", *obs.Details) != fmt.Sprintf("%q", wantDet) {
				t.Errorf("Details = %q, want %q", obs.Details, wantDet)
			}
			wantReviews := strings.Join([]string{
				`900000005|grumpy_g|1|Cold and slow|"Waited an hour for cold soup.\nNever again."|2026-11-20T18:04:11Z|en|https://www.tripadvisor.com/ShowUserReviews-g186220-d1000001-r900000005-Trattoria_Luna-Bristol_England.html?m=66827|We are sorry, please contact us.@2026-11-21T08:00:00Z`,
				`900000004|mario_r|5|Ottimo|"Carbonara perfetta."|2026-11-18T17:00:00Z|it|https://www.tripadvisor.com/ShowUserReviews-g186220-d1000001-r900000004.html|`,
				// rating 0 is no rating; a blank owner response is none; the listing's URL stands in.
				`900000003||nil|Hmm|"No stars given."|2026-11-02T00:00:00Z|en|` + webURL + `|`,
				ContentID("no_id_nina", "2026-10-30T10:00:00Z", "Good", "Nice terrace.") + `|no_id_nina|4|Good|"Nice terrace."|2026-10-30T10:00:00Z|en|` + webURL + `|`,
				`900000001|val|4|Fine|"Good value."||en|` + webURL + `|`,
			}, "\n")
			if got := taFmtAll(obs.Reviews); got != wantReviews {
				t.Errorf("reviews:\n%s\nwant:\n%s", got, wantReviews)
			}
			if strings.Contains(log.String(), taSecret) {
				t.Errorf("log shows the key:\n%s", log.String())
			}
			if !strings.Contains(log.String(), "key=REDACTED") {
				t.Errorf("log has no redacted request line; the check above proves nothing:\n%s", log.String())
			}
		})
	}

	t.Run("language-and-endpoint-prefix", func(t *testing.T) {
		srv := taAPIServer(t, "/proxy", taAnswer{body: details}, taAnswer{body: taTestdata(t, "api-reviews-empty.json")})
		env, rec := taEnv(srv, nil)
		l := taAPIListing(srv.URL)
		l.Endpoint, l.Language = srv.URL+"/proxy", "pt_BR"
		obs, err := newTripadvisor(env).Fetch(context.Background(), l, Options{})
		if err != nil {
			t.Fatal(err)
		}
		taCheckObs(t, obs, l)
		if len(obs.Reviews) != 0 || obs.Rating == nil {
			t.Errorf("reviews = %d, rating %+v; want none and the details' rating", len(obs.Reviews), obs.Rating)
		}
		want := "/proxy/api/v1/location/123/reviews?key=" + taSecret + "&language=pt_BR"
		if got := rec.requests(); len(got) != 2 || got[1] != want {
			t.Errorf("requests = %v, want the second to be %s", got, want)
		}
	})

	t.Run("new-listing-without-rating", func(t *testing.T) {
		srv := taAPIServer(t, "", taAnswer{body: taTestdata(t, "api-details-new-listing.json")}, taAnswer{body: []byte(`{"data":[],"paging":{}}`)})
		env, _ := taEnv(srv, nil)
		l := taAPIListing(srv.URL)
		obs, err := newTripadvisor(env).Fetch(context.Background(), l, Options{})
		if err != nil {
			t.Fatal(err)
		}
		taCheckObs(t, obs, l)
		if obs.Rating != nil || obs.Name != "Brand New Bakery" || obs.Details == nil || obs.Details.Address != "3 Corn Street, Bristol" || obs.Details.Hours != nil {
			t.Errorf("obs = %q %+v %+v, want no rating, the name and the address", obs.Name, obs.Rating, obs.Details)
		}
	})
}

func TestTripadvisorAPIErrors(t *testing.T) {
	details := taTestdata(t, "api-details.json")
	reviews := taTestdata(t, "api-reviews.json")
	ok := taAnswer{body: details}
	okReviews := taAnswer{body: reviews}
	authBody := []byte(`{"error":{"message":"Invalid API key $KEY","type":"UnauthorizedException","code":401}}`)

	tests := []struct {
		name             string
		details, reviews taAnswer
		maxBody          int64
		timeout          time.Duration
		requests         int
		check            func(t *testing.T, err error)
	}{
		{
			name: "401-invalid-key", details: taAnswer{status: 401, body: authBody, echoKey: true}, requests: 1,
			check: func(t *testing.T, err error) {
				var ae *APIError
				if !errors.Is(err, ErrAuth) || !errors.As(err, &ae) || ae.Key != "api_key" {
					t.Errorf("err = %v, want ErrAuth naming api_key", err)
				}
				for _, s := range []string{"check api_key", "UnauthorizedException: Invalid API key REDACTED", "location 123 details"} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("err = %q, want it to say %q", err, s)
					}
				}
			},
		},
		{
			name: "403-gateway-deny-is-auth", details: taAnswer{status: 403, body: taTestdata(t, "api-error-gateway.json")}, requests: 1,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "api_key") || !strings.Contains(err.Error(), "explicit deny") {
					t.Errorf("err = %v, want ErrAuth naming api_key with the gateway's message", err)
				}
			},
		},
		{
			name: "403-limit-exceeded-is-quota", details: taAnswer{status: 403, body: []byte(`{"Message":"Limit Exceeded"}`)}, requests: 1,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrQuota) || errors.Is(err, ErrAuth) {
					t.Errorf("err = %v, want ErrQuota", err)
				}
			},
		},
		{
			name: "429-retry-after", details: taAnswer{status: 429, body: []byte("Too Many Requests"), header: map[string]string{"Retry-After": "120"}}, requests: 1,
			check: func(t *testing.T, err error) {
				var ae *APIError
				if !errors.Is(err, ErrQuota) || !errors.As(err, &ae) || ae.RetryAfter != 2*time.Minute {
					t.Errorf("err = %v, want ErrQuota with RetryAfter 2m", err)
				}
			},
		},
		{
			name: "429-on-reviews-after-details", details: ok, reviews: taAnswer{status: 429, body: []byte(`{"message":"Too Many Requests"}`)}, requests: 2,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrQuota) || !strings.Contains(err.Error(), "location 123 reviews") {
					t.Errorf("err = %v, want ErrQuota on the reviews call", err)
				}
			},
		},
		{
			name: "500", details: taAnswer{status: 500, body: []byte(`{"error":{"message":"Internal error","type":"InternalServerError","code":500}}`)}, requests: 1,
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 500 || !se.Temporary() || FailureKind(err) != "http_5xx" {
					t.Errorf("err = %v, want a temporary *StatusError 500", err)
				}
			},
		},
		{
			name: "500-on-reviews-is-no-partial-observation", details: ok, reviews: taAnswer{status: 502, body: []byte("<html>bad gateway</html>")}, requests: 2,
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 502 {
					t.Errorf("err = %v, want *StatusError 502", err)
				}
			},
		},
		{
			name: "400-unknown-location", details: taAnswer{status: 400, body: taTestdata(t, "api-error-location.json")}, requests: 1,
			check: func(t *testing.T, err error) {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 400 || !strings.Contains(err.Error(), "Invalid Location ID") {
					t.Errorf("err = %v, want *StatusError 400 with the API's message", err)
				}
			},
		},
		{
			name: "slow", details: taAnswer{hang: true}, timeout: 50 * time.Millisecond, requests: 1,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) || FailureKind(err) != "timeout" {
					t.Errorf("err = %v (kind %s), want a deadline", err, FailureKind(err))
				}
			},
		},
		{
			name: "truncated-details", details: taAnswer{body: details, truncate: true}, requests: 1,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), "read body") {
					t.Errorf("err = %v, want a read error", err)
				}
			},
		},
		{
			name: "truncated-reviews", details: ok, reviews: taAnswer{body: reviews, truncate: true}, requests: 2,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), "read body") {
					t.Errorf("err = %v, want a read error", err)
				}
			},
		},
		{
			name: "oversized", details: ok, maxBody: 256, requests: 1,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrTooLarge) {
					t.Errorf("err = %v, want ErrTooLarge", err)
				}
			},
		},
		{
			name: "html-instead-of-json", details: taAnswer{body: []byte("<!DOCTYPE html><html>maintenance</html>")}, requests: 1,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name: "details-without-name-or-rating", details: taAnswer{body: taTestdata(t, "api-details-empty.json")}, requests: 1,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
		{
			name: "reviews-without-data", details: ok, reviews: taAnswer{body: []byte(`{"error":null}`)}, requests: 2,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrLayout) {
					t.Errorf("err = %v, want ErrLayout", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.reviews.body == nil && tc.reviews.status == 0 && !tc.reviews.hang {
				tc.reviews = okReviews
			}
			srv := taAPIServer(t, "", tc.details, tc.reviews)
			var log bytes.Buffer
			env, rec := taEnv(srv, &log)
			if tc.maxBody > 0 {
				env.MaxBody = tc.maxBody
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			obs, err := newTripadvisor(env).Fetch(ctx, taAPIListing(srv.URL), Options{})
			if err == nil {
				t.Fatalf("no error; got %d reviews", len(obs.Reviews))
			}
			if obs.Listing != "" || obs.Reviews != nil || obs.Rating != nil {
				t.Errorf("obs = %+v, want the zero Observation with an error", obs)
			}
			if !strings.HasPrefix(err.Error(), "tripadvisor: ") {
				t.Errorf("err = %q, want the tripadvisor: prefix", err)
			}
			if strings.Contains(err.Error(), taSecret) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), taSecret) {
				t.Errorf("err shows the key: %v", err)
			}
			if strings.Contains(log.String(), taSecret) {
				t.Errorf("log shows the key:\n%s", log.String())
			}
			if n := len(rec.requests()); n != tc.requests {
				t.Errorf("requests = %d (%v), want %d", n, rec.requests(), tc.requests)
			}
			tc.check(t, err)
		})
	}
}

func TestTripadvisorAPIUnreachableHidesKey(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	env := testEnv()
	_, err := newTripadvisor(env).Fetch(context.Background(), taAPIListing(srv.URL), Options{})
	if err == nil || strings.Contains(err.Error(), taSecret) || !strings.HasPrefix(err.Error(), "tripadvisor: ") {
		t.Errorf("err = %v, want a tripadvisor: error without the key", err)
	}
}

func TestParseTripadvisorAPI(t *testing.T) {
	t.Run("details", func(t *testing.T) {
		tests := []struct {
			name, body string
			wantErr    error
			want       string // Name|URL|Rating|Details
		}{
			{name: "numbers-not-strings", body: `{"name":"N","rating":4,"num_reviews":12}`, want: "N||&{4 12}|&{N    []}"},
			{name: "rating-out-of-range", body: `{"name":"N","rating":"0.0","num_reviews":"0"}`, want: "N||<nil>|&{N    []}"},
			{name: "rating-only", body: `{"rating":"3.5","num_reviews":"1,234"}`, want: "||&{3.5 1234}|<nil>"},
			{name: "wrong-types-cost-the-field", body: `{"name":"N","address_obj":"x","hours":[1],"phone":{"a":1},"rating":[4]}`, want: "N||<nil>|&{N    []}"},
			{name: "nothing", body: `{"location_id":"1"}`, wantErr: ErrLayout},
			{name: "null", body: `null`, wantErr: ErrLayout},
			{name: "array", body: `[]`, wantErr: ErrLayout},
			{name: "not-json", body: `Limit Exceeded`, wantErr: ErrLayout},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				d, err := parseTaDetails([]byte(tc.body))
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := fmt.Sprintf("%s|%s|%v|%v", d.Name, d.URL, d.Rating, d.Details); got != tc.want {
					t.Errorf("got %s, want %s", got, tc.want)
				}
			})
		}
	})
	t.Run("reviews", func(t *testing.T) {
		tests := []struct {
			name, body string
			wantErr    error
			want       string
		}{
			{name: "empty", body: `{"data":[]}`},
			{name: "duplicates", body: `{"data":[{"id":1,"text":"a"},{"id":"1","text":"b"}]}`, want: `1||nil||"a"||||`},
			{name: "odd-items-skipped", body: `{"data":[1,"x",null,{},{"id":2,"rating":6,"published_date":"2026-01-02T03:04:05.123+02:00"}]}`, want: `2||nil||""|2026-01-02T01:04:05Z|||`},
			{name: "only-odd-items", body: `{"data":[1,"x",{}]}`, wantErr: ErrLayout},
			{name: "no-data", body: `{}`, wantErr: ErrLayout},
			{name: "data-not-list", body: `{"data":{}}`, wantErr: ErrLayout},
			{name: "not-json", body: ``, wantErr: ErrLayout},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rs, err := parseTaReviews([]byte(tc.body))
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := taFmtAll(rs); got != tc.want {
					t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
				}
			})
		}
	})
	t.Run("message", func(t *testing.T) {
		tests := []struct{ body, want string }{
			{`{"error":{"message":"Invalid key k3y","type":"UnauthorizedException","code":401}}`, "UnauthorizedException: Invalid key REDACTED"},
			{`{"error":{"type":"UnauthorizedException"}}`, "UnauthorizedException"},
			{`{"Message":"Limit Exceeded"}`, "Limit Exceeded"},
			{`{"message":"Too Many Requests"}`, "Too Many Requests"},
			{`Limit Exceeded for k3y`, "Limit Exceeded for REDACTED"},
			{`<html>k3y</html>`, ""},
			{``, ""},
		}
		for _, tc := range tests {
			if got := taMessage("k3y")([]byte(tc.body)); got != tc.want {
				t.Errorf("taMessage(%s) = %q, want %q", tc.body, got, tc.want)
			}
		}
	})
}

// ---- config ----

func TestValidateTripadvisor(t *testing.T) {
	const page = "https://www.tripadvisor.com" + taLunaPath
	tests := []struct {
		name string
		l    Listing
		keys []string // keys the error names; nil = valid
	}{
		{"api", Listing{APIKey: "k", LocationID: "123"}, nil},
		{"api-all-keys", Listing{ID: "x", Source: "tripadvisor", Name: "Luna", Schedule: "@every 24h", APIKey: "k", LocationID: "123", Endpoint: "http://127.0.0.1:1", Language: "zh_TW"}, nil},
		{"page", Listing{URL: page}, nil},
		{"page-other-types", Listing{URL: "https://www.tripadvisor.co.uk/Hotel_Review-g186338-d187686-Reviews-The_Savoy-London_England.html"}, nil},
		{"page-vacation-rental", Listing{URL: "https://www.tripadvisor.com/VacationRentalReview-g1-d2-Nice_Flat.html"}, nil},
		{"nothing", Listing{}, []string{"api_key", "location_id", "url"}},
		{"both-doors", Listing{APIKey: "k", LocationID: "1", URL: page}, []string{"url", "api_key"}},
		{"location-without-key", Listing{LocationID: "123"}, []string{"api_key"}},
		{"key-without-location", Listing{APIKey: "k"}, []string{"location_id"}},
		{"location-not-digits", Listing{APIKey: "k", LocationID: "d1000001"}, []string{"location_id"}},
		{"key-with-space", Listing{APIKey: "a b", LocationID: "1"}, []string{"api_key"}},
		{"endpoint-relative", Listing{APIKey: "k", LocationID: "1", Endpoint: "api.content.tripadvisor.com"}, []string{"endpoint"}},
		{"endpoint-query", Listing{APIKey: "k", LocationID: "1", Endpoint: "https://x.example/?a=b"}, []string{"endpoint"}},
		{"language-bad", Listing{APIKey: "k", LocationID: "1", Language: "english please"}, []string{"language"}},
		{"page-relative-url", Listing{URL: "/Restaurant_Review-g1-d2"}, []string{"url"}},
		{"page-not-a-listing", Listing{URL: "https://www.tripadvisor.com/ShowUserReviews-g644300-d7289577-r599246690-X.html"}, []string{"url"}},
		{"page-with-api-keys", Listing{URL: page, LocationID: "1", Endpoint: "http://x/", Language: "de"}, []string{"location_id", "endpoint", "language"}},
		{"other-platforms-keys", Listing{APIKey: "k", LocationID: "1", PlaceID: "p", BusinessID: "b", FullSync: "@daily"}, []string{"place_id", "business_id", "full_sync"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateTripadvisor(tc.l)
			if tc.keys == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "tripadvisor: ") {
					t.Errorf("error line %q lacks the tripadvisor: prefix", line)
				}
			}
			for _, k := range tc.keys {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("err = %q, want it to name %s", err, k)
				}
			}
			if tc.l.APIKey != "" && strings.Contains(err.Error(), tc.l.APIKey.Reveal()+" ") {
				t.Errorf("err = %q quotes the key", err)
			}
			// Fetch refuses the same listing without a request.
			env := testEnv()
			env.HTTP = &http.Client{Transport: taRoundTrip(func(*http.Request) (*http.Response, error) {
				t.Error("request made for an invalid listing")
				return nil, errors.New("no")
			})}
			if _, err := newTripadvisor(env).Fetch(context.Background(), tc.l, Options{}); !errors.Is(err, ErrConfig) {
				t.Errorf("Fetch err = %v, want ErrConfig", err)
			}
		})
	}
}

type taRoundTrip func(*http.Request) (*http.Response, error)

func (f taRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTripadvisorRegistered(t *testing.T) {
	p, err := Default().Lookup("tripadvisor")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.New(testEnv()).(*tripadvisor); !ok {
		t.Error("registry builds something else than *tripadvisor")
	}
	if _, ok := p.New(testEnv()).(Backfiller); ok {
		t.Error("tripadvisor must not be a Backfiller: neither door has history to page through")
	}
}

// ---- fuzz and benchmarks ----

func taSeeds(f *testing.F, ext string) {
	files, err := filepath.Glob(filepath.Join("testdata", "tripadvisor", "*."+ext))
	if err != nil || len(files) == 0 {
		f.Fatalf("no %s seeds in testdata/tripadvisor: %v", ext, err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// taCheckReviews holds for any parser output.
func taCheckReviews(t *testing.T, rs []Review) {
	seen := map[string]bool{}
	for _, r := range rs {
		if r.ID == "" || seen[r.ID] {
			t.Fatalf("review id %q empty or duplicated", r.ID)
		}
		seen[r.ID] = true
		if r.Rating != nil && !(*r.Rating >= 1 && *r.Rating <= 5) {
			t.Fatalf("rating %v outside [1,5]", *r.Rating)
		}
		if !r.Published.IsZero() && r.Published.Location() != time.UTC {
			t.Fatalf("Published %v not UTC", r.Published)
		}
	}
}

func FuzzTripadvisorPage(f *testing.F) {
	taSeeds(f, "html")
	for _, s := range []string{``, `<div class="reviewSelector" data-reviewid="1"><span class="ui_bubble_rating bubble_45"></span></div>`,
		`<script type="application/ld+json">[{"@graph":[{"aggregateRating":{"ratingValue":"4","bestRating":"4","worstRating":"4"}}]}]</script>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obs, err := parseTaPage(body, "https://www.tripadvisor.com/Hotel_Review-g1-d2-Reviews-X.html")
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		if obs.Rating == nil && len(obs.Reviews) == 0 {
			t.Fatal("no error, yet neither a rating nor reviews")
		}
		if obs.Rating != nil && !(obs.Rating.Value >= 1 && obs.Rating.Value <= 5) {
			t.Fatalf("aggregate %v outside [1,5]", obs.Rating.Value)
		}
		taCheckReviews(t, obs.Reviews)
	})
}

func FuzzTripadvisorDetails(f *testing.F) {
	taSeeds(f, "json")
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := parseTaDetails(body)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		if d.Name == "" && d.Rating == nil {
			t.Fatal("no error, yet neither a name nor a rating")
		}
		if d.Rating != nil && (!(d.Rating.Value >= 1 && d.Rating.Value <= 5) || d.Rating.Count < 0) {
			t.Fatalf("rating %+v out of range", *d.Rating)
		}
	})
}

func FuzzTripadvisorReviews(f *testing.F) {
	taSeeds(f, "json")
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := parseTaReviews(body)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		taCheckReviews(t, rs)
	})
}

func BenchmarkTripadvisorPage(b *testing.B) {
	for _, c := range []struct{ name, file string }{{"own-2019", "page-2019.html"}, {"real-kranj", ""}} {
		b.Run(c.name, func(b *testing.B) {
			var body []byte
			if c.file != "" {
				body = taTestdata(b, c.file)
			} else {
				body = realFixture(b, "tripadvisor/attraction-kranj-house-2019.html")
			}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := parseTaPage(body, "https://www.tripadvisor.com"+taKranjPath); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTripadvisorAPI(b *testing.B) {
	details := taTestdata(b, "api-details.json")
	reviews := taTestdata(b, "api-reviews.json")
	b.SetBytes(int64(len(details) + len(reviews)))
	for b.Loop() {
		if _, err := parseTaDetails(details); err != nil {
			b.Fatal(err)
		}
		if _, err := parseTaReviews(reviews); err != nil {
			b.Fatal(err)
		}
	}
}
