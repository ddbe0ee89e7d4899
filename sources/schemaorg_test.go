package sources

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const schemaOrgTestdata = "testdata/schemaorg"

func schemaOrgPage(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(schemaOrgTestdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fetchSchemaOrg serves body on a loopback server and fetches it through
// the registered Source, as the watcher would.
func fetchSchemaOrg(t *testing.T, body []byte) (Observation, Listing, error) {
	t.Helper()
	srv := serve(t, "", map[string][]byte{"/page": body})
	l := Listing{ID: "site", Source: "schemaorg", URL: srv.URL + "/page"}
	obs, err := newSchemaOrg(testEnv()).Fetch(context.Background(), l, Options{})
	return obs, l, err
}

// checkSchemaOrgInvariants holds for every observation: ratings on 1-5,
// times in UTC, ids present and unique.
func checkSchemaOrgInvariants(t testing.TB, obs Observation) {
	t.Helper()
	if obs.Rating != nil && (!(obs.Rating.Value >= 1 && obs.Rating.Value <= 5) || obs.Rating.Count < 0) {
		t.Errorf("aggregate %+v out of range", *obs.Rating)
	}
	seen := map[string]bool{}
	for i, r := range obs.Reviews {
		if r.ID == "" || seen[r.ID] {
			t.Errorf("review %d: empty or duplicate id %q", i, r.ID)
		}
		seen[r.ID] = true
		if r.Rating != nil && !(*r.Rating >= 1 && *r.Rating <= 5) {
			t.Errorf("review %d (%s): rating %v out of [1,5]", i, r.ID, *r.Rating)
		}
		if !r.Published.IsZero() && r.Published.Location() != time.UTC {
			t.Errorf("review %d (%s): published %v not UTC", i, r.ID, r.Published)
		}
	}
}

func ratingsOf(rs []Review) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		if r.Rating != nil {
			out[i] = *r.Rating
		}
	}
	return out
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestSchemaOrgRealFixtures checks the recorded real pages against the facts
// in ../shared/fixtures/real/PROVENANCE.md, fetched through the Source.
func TestSchemaOrgRealFixtures(t *testing.T) {
	tests := []struct {
		file    string
		name    string
		rating  float64
		count   int
		reviews int
		check   func(t *testing.T, obs Observation)
	}{
		{
			file: "schema-org/allrecipes-recipe-jsonld.html", name: "Four Cheese Margherita Pizza",
			rating: 4.8, count: 489, reviews: 10,
			check: func(t *testing.T, obs Observation) {
				want := []any{5.0, 4.0, 5.0, 5.0, 5.0, 4.0, 5.0, 5.0, 5.0, 5.0}
				if diff := cmp.Diff(want, ratingsOf(obs.Reviews)); diff != "" {
					t.Errorf("ratings (-want +got):\n%s", diff)
				}
				first := obs.Reviews[0]
				if first.Author != "G8RTCHR" || !first.Published.IsZero() ||
					!strings.HasPrefix(first.Text, "This was great - even if I just used the") {
					t.Errorf("first review = %+v", first)
				}
				if got := obs.Reviews[1]; got.Author != "Sue" || !got.Published.Equal(day("2024-03-01T23:02:55.425Z")) {
					t.Errorf("second review = %s %v", got.Author, got.Published)
				}
			},
		},
		{
			file: "schema-org/williams-sonoma-product-microdata.html", name: "Double Chocolate Layer Cake",
			rating: 4, count: 8, reviews: 8,
			check: func(t *testing.T, obs Observation) {
				first := obs.Reviews[0]
				want := Review{
					ID: "220700866", Author: "Donnagar10", Rating: Stars(1), Title: "Chocolate Cake?",
					Text:      "While the cake came out looking great, it tasted just like a Devil Dog, Very commercial tasting....Tasted too much like coco powder and not decadent at all. I will stick to Vanilla.",
					Language:  "en",
					Published: day("2022-10-30T00:00:00Z"),
					URL:       first.URL, // the loopback address
				}
				if diff := cmp.Diff(want, first); diff != "" {
					t.Errorf("first review (-want +got):\n%s", diff)
				}
				if got := obs.Reviews[1]; got.ID != "198007217" || got.Author != "CocinarteYYC" || *got.Rating != 5 {
					t.Errorf("second review = %+v", got)
				}
				for _, r := range obs.Reviews {
					if strings.HasPrefix(r.ID, "h-") {
						t.Errorf("review %q: content id, want data-reviewid", r.Author)
					}
				}
			},
		},
		{
			file: "schema-org/recept-se-recipe-jsonld-sv.html", name: "Chokladbollar – grundrecept",
			rating: 4.4, count: 197, reviews: 5,
			check: func(t *testing.T, obs Observation) {
				for _, r := range obs.Reviews {
					if r.Rating != nil {
						t.Errorf("review %q: rating %v, want nil", r.Author, *r.Rating)
					}
				}
				first := obs.Reviews[0]
				if first.Author != "Tage" || !first.Published.Equal(day("2024-01-26T00:00:00Z")) ||
					!strings.HasPrefix(first.Text, "Jag tycker att dessa chokladbollar blev v") {
					t.Errorf("first review = %+v", first)
				}
				// The page says lang="se" (Northern Sami) though it is Swedish;
				// we report what the page says.
				if first.Language != "se" {
					t.Errorf("language = %q, want the page's %q", first.Language, "se")
				}
				if got := obs.Reviews[1]; got.Author != "Parvin" || got.Text != "Hej igen . Kan man frysa in dem?" {
					t.Errorf("second review = %+v", got)
				}
			},
		},
		{
			file: "schema-org/seriouseats-recipe-jsonld.html", name: "Buttery, Flaky Pie Crust Recipe",
			rating: 4.5, count: 72, reviews: 5,
			check: func(t *testing.T, obs Observation) {
				want := []any{nil, nil, 5.0, nil, nil}
				if diff := cmp.Diff(want, ratingsOf(obs.Reviews)); diff != "" {
					t.Errorf("ratings (-want +got):\n%s", diff)
				}
				if got := obs.Reviews[0]; got.Author != "Mark Chais" || !strings.HasPrefix(got.Text, "Just tried the pie again this morning, a") {
					t.Errorf("first review = %+v", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			body := realFixture(t, tt.file)
			obs, l, err := fetchSchemaOrg(t, body)
			if err != nil {
				t.Fatal(err)
			}
			if obs.Platform != "schemaorg" || obs.Listing != l.ID || obs.URL != l.URL || !obs.At.Equal(testEnv().now()) {
				t.Errorf("stamp = %q %q %q %v", obs.Platform, obs.Listing, obs.URL, obs.At)
			}
			if obs.Name != tt.name {
				t.Errorf("name = %q, want %q", obs.Name, tt.name)
			}
			if diff := cmp.Diff(&Rating{Value: tt.rating, Count: tt.count}, obs.Rating); diff != "" {
				t.Errorf("rating (-want +got):\n%s", diff)
			}
			if len(obs.Reviews) != tt.reviews {
				t.Fatalf("%d reviews, want %d", len(obs.Reviews), tt.reviews)
			}
			checkSchemaOrgInvariants(t, obs)
			tt.check(t, obs)
		})
	}
}

// TestSchemaOrgParse pins the full output for the hand-written pages.
func TestSchemaOrgParse(t *testing.T) {
	tests := []struct {
		file, pageURL string
		want          Observation
	}{
		{
			file: "scale10.html", pageURL: "https://example.test/chair",
			want: Observation{
				Name:   "Oak Chair",
				Rating: &Rating{Value: 4.44, Count: 1234}, // 8.6 on 0-10
				Reviews: []Review{
					{ID: ContentID("Ann", "2025-03-02T00:00:00Z", "", "Perfect chair."), Author: "Ann", Rating: Stars(5),
						Text: "Perfect chair.", Language: "en", Published: day("2025-03-02T00:00:00Z"), URL: "https://example.test/chair"},
					{ID: ContentID("Ben", "2025-03-01T08:30:00Z", "", "Broke in a week."), Author: "Ben", Rating: Stars(1),
						Text: "Broke in a week.", Language: "en", Published: day("2025-03-01T08:30:00Z"), URL: "https://example.test/chair"},
					{ID: ContentID("Cy, Di", "2025-02-28T12:00:00Z", "Middling", "It is a chair."), Author: "Cy, Di", Rating: Stars(3),
						Title: "Middling", Text: "It is a chair.", Language: "en", Published: day("2025-02-28T12:00:00.123456Z"), URL: "https://example.test/chair"},
					{ID: ContentID("Eve", "2025-02-27T00:00:00Z", "", "Zero on a scale that starts at 1 is no rating."), Author: "Eve",
						Text: "Zero on a scale that starts at 1 is no rating.", Language: "en", Published: day("2025-02-27T00:00:00Z"), URL: "https://example.test/chair"},
				},
			},
		},
		{
			file: "graph.html", pageURL: "https://example.test/cafe",
			want: Observation{
				Name:   "Café Lumière",
				Rating: &Rating{Value: 4.25, Count: 12}, // ratingCount wins over reviewCount
				Reviews: []Review{
					{ID: "r-2", Author: "Jonas Weber", Rating: Stars(3), Text: "Guter Kaffee, wenig Platz.", Language: "de",
						Published: day("2024-05-01T08:00:00Z"), URL: "https://example.test/cafe"},
					{ID: "https://example.test/cafe#review-1", Author: "Anna Berg", Rating: Stars(4), Title: "Très bien",
						Text: "Great coffee. Friendly staff.", Language: "fr", Published: day("2024-04-01T09:00:00Z"), URL: "https://example.test/cafe"},
				},
			},
		},
		{
			file: "duplicate.html", pageURL: "https://example.test/tart",
			want: Observation{
				Name:   "Lemon Tart",
				Rating: &Rating{Value: 4.5, Count: 20},
				Reviews: []Review{
					{ID: ContentID("Kim", "2024-06-01T00:00:00Z", "", "Tangy and crisp."), Author: "Kim", Rating: Stars(5),
						Text: "Tangy and crisp.", Language: "en", Published: day("2024-06-01T00:00:00Z"), URL: "https://example.test/tart"},
					{ID: "https://example.test/tart#c-77", Author: "Lee", Rating: Stars(2),
						Text: "Too sweet for me.", Language: "en", Published: day("2024-05-20T00:00:00Z"), URL: "https://example.test/tart"},
					// Two different reviews sharing one @id: content ids instead.
					{ID: ContentID("Max", "2024-05-10T00:00:00Z", "", "Lovely."), Author: "Max", Rating: Stars(4),
						Text: "Lovely.", Language: "en", Published: day("2024-05-10T00:00:00Z"), URL: "https://example.test/tart"},
					{ID: ContentID("Noor", "2024-05-09T00:00:00Z", "", "Fine."), Author: "Noor", Rating: Stars(3),
						Text: "Fine.", Language: "en", Published: day("2024-05-09T00:00:00Z"), URL: "https://example.test/tart"},
					// url is the page itself: not an id.
					{ID: ContentID("Ola", "2024-05-01T00:00:00Z", "", "Made it twice."), Author: "Ola", Rating: Stars(5),
						Text: "Made it twice.", Language: "en", Published: day("2024-05-01T00:00:00Z"), URL: "https://example.test/tart"},
					{ID: ContentID("Pia", "2024-04-30T00:00:00Z", "", "Crust too thick."), Author: "Pia", Rating: Stars(3),
						Text: "Crust too thick.", Language: "en", Published: day("2024-04-30T00:00:00Z"), URL: "https://example.test/tart"},
				},
			},
		},
		{
			file: "norating.html", pageURL: "https://example.test/bakery",
			want: Observation{
				Name: "De Bakkerij",
				Reviews: []Review{
					{ID: ContentID("Joost", "2024-02-02T00:00:00Z", "", "Lekker brood."), Author: "Joost", Text: "Lekker brood.",
						Language: "nl", Published: day("2024-02-02T00:00:00Z"), URL: "https://example.test/bakery"},
					{ID: ContentID("Sanne", "2024-02-01T00:00:00Z", "", "Aardig."), Author: "Sanne", Text: "Aardig.",
						Language: "nl", Published: day("2024-02-01T00:00:00Z"), URL: "https://example.test/bakery"},
					{ID: ContentID("Bram", "2024-01-31T00:00:00Z", "", "Gaat wel."), Author: "Bram", Text: "Gaat wel.",
						Language: "nl", Published: day("2024-01-31T00:00:00Z"), URL: "https://example.test/bakery"},
					{ID: ContentID("Fleur", "2024-01-30T00:00:00Z", "", "Nul?"), Author: "Fleur", Text: "Nul?",
						Language: "nl", Published: day("2024-01-30T00:00:00Z"), URL: "https://example.test/bakery"},
				},
			},
		},
		{
			file: "malformed.html", pageURL: "https://example.test/teapot",
			want: Observation{
				Name:   "Blue Teapot",
				Rating: &Rating{Value: 4.2, Count: 15}, // "4,2": decimal comma
				Reviews: []Review{
					{ID: ContentID("Ivo", "2023-09-09T10:11:12Z", "", "Pours well. Lid rattles."), Author: "Ivo", Rating: Stars(4),
						Text: "Pours well. Lid rattles.", Language: "en", Published: day("2023-09-09T10:11:12Z"), URL: "https://example.test/teapot"},
				},
			},
		},
		{
			file: "microdata.html", pageURL: "https://example.test/desk",
			want: Observation{
				Name:   "Walnut Desk",
				Rating: &Rating{Value: 4.6, Count: 31},
				Reviews: []Review{
					{ID: ContentID("Piotr", "2025-06-03T00:00:00Z", "", "Blat trochę się rysuje."), Author: "Piotr",
						Text: "Blat trochę się rysuje.", Language: "pl", Published: day("2025-06-03T00:00:00Z"), URL: "https://example.test/desk"},
					{ID: "m-1", Author: "Olga", Rating: Stars(4.6), Title: "Sturdy & handsome", Text: "Solid build. Easy to assemble.",
						Language: "en", Published: day("2025-06-01T08:00:00Z"), URL: "https://example.test/desk"},
				},
			},
		},
		{
			file: "mixed.html", pageURL: "https://example.test/plum",
			want: Observation{
				Name:   "Plum Cake",
				Rating: &Rating{Value: 4, Count: 2},
				Reviews: []Review{
					{ID: "502", Author: "Rosa", Rating: Stars(5), Title: "Perfect", Text: "Made it for a birthday.",
						Language: "en", Published: day("2023-04-04T00:00:00Z"), URL: "https://example.test/plum"},
					{ID: "501", Author: "Quinn", Rating: Stars(2), Title: "Dry", Text: "Too dry for us.",
						Language: "en", Published: day("2023-03-03T00:00:00Z"), URL: "https://example.test/plum"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := parseSchemaOrg(schemaOrgPage(t, tt.file), tt.pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseSchemaOrg (-want +got):\n%s", diff)
			}
			checkSchemaOrgInvariants(t, got)
		})
	}
}

// TestSchemaOrgParseEdges covers markup variants too small for a page each.
func TestSchemaOrgParseEdges(t *testing.T) {
	page := func(lang, ld string) []byte {
		return []byte(`<html lang="` + lang + `"><head><script type="application/ld+json">` + ld + `</script></head><body></body></html>`)
	}
	tests := []struct {
		name  string
		body  []byte
		check func(t *testing.T, obs Observation)
	}{
		{
			name: "standalone reviews, no item",
			body: page("und", `[{"@type":"http://schema.org/Review","itemReviewed":{"@type":"Thing","name":"Gizmo"},
				"author":"A","reviewBody":"ok","reviewRating":4},
				{"@type":"Review","author":"B","reviewBody":"meh","@id":"_:b1"}]`),
			check: func(t *testing.T, obs Observation) {
				if obs.Name != "Gizmo" || obs.Rating != nil || len(obs.Reviews) != 2 {
					t.Fatalf("got %+v", obs)
				}
				if r := obs.Reviews[0]; r.Rating == nil || *r.Rating != 4 || r.Language != "" {
					t.Errorf("bare reviewRating / und language: %+v", r)
				}
				if r := obs.Reviews[1]; r.ID != ContentID("B", "", "", "meh") {
					t.Errorf("blank-node @id used as id: %q", r.ID)
				}
			},
		},
		{
			name: "undated reviews keep their slot",
			body: page("en", `{"@type":"Product","name":"P","review":[
				{"author":"old","datePublished":"2020-01-01","reviewBody":"1"},
				{"author":"pinned","reviewBody":"2"},
				{"author":"new","datePublished":"2021-01-01","reviewBody":"3"}]}`),
			check: func(t *testing.T, obs Observation) {
				var got []string
				for _, r := range obs.Reviews {
					got = append(got, r.Author)
				}
				if diff := cmp.Diff([]string{"new", "pinned", "old"}, got); diff != "" {
					t.Errorf("order (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "aggregate from microdata when JSON-LD has only reviews",
			body: []byte(`<html><head><script type="application/ld+json">{"@type":"Product","review":{"author":"Z","reviewBody":"fine"}}</script></head>
				<body><div itemprop="aggregateRating" itemscope><span itemprop="ratingValue">3.5</span><span itemprop="ratingCount">9 ratings</span></div></body></html>`),
			check: func(t *testing.T, obs Observation) {
				if diff := cmp.Diff(&Rating{Value: 3.5, Count: 9}, obs.Rating); diff != "" || len(obs.Reviews) != 1 {
					t.Errorf("rating (-want +got):\n%s reviews %d", diff, len(obs.Reviews))
				}
			},
		},
		{
			// x/net/html refuses > 512 open elements; JSON-LD must survive it.
			name: "JSON-LD on a page too deep for the DOM",
			body: append(page("en", `{"@type":"Product","name":"Deep","review":{"author":"W","reviewBody":"ok"}}`),
				strings.Repeat("<div>", 600)...),
			check: func(t *testing.T, obs Observation) {
				if obs.Name != "Deep" || len(obs.Reviews) != 1 || obs.Rating != nil {
					t.Errorf("got %+v", obs)
				}
			},
		},
		{
			name: "relative review url and item inLanguage",
			body: page("en", `{"@type":"Product","name":"P","inLanguage":{"@type":"Language","alternateName":"es"},
				"aggregateRating":{"ratingValue":"4.0"},"review":{"author":"Y","reviewBody":"bien","url":"/r/9"}}`),
			check: func(t *testing.T, obs Observation) {
				r := obs.Reviews[0]
				if r.ID != "/r/9" || r.URL != "https://example.test/r/9" || r.Language != "es" || obs.Rating.Count != 0 {
					t.Errorf("got %+v, rating %+v", r, *obs.Rating)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, err := parseSchemaOrg(tt.body, "https://example.test/p")
			if err != nil {
				t.Fatal(err)
			}
			checkSchemaOrgInvariants(t, obs)
			tt.check(t, obs)
		})
	}
}

// TestSchemaOrgFetchErrors: pages that aren't a listing are errors the
// watcher can tell apart, never an empty Observation.
func TestSchemaOrgFetchErrors(t *testing.T) {
	tests := []struct {
		name     string
		pages    map[string][]byte
		path     string
		want     error
		contains string
	}{
		{name: "no rating or reviews", pages: map[string][]byte{"/p": schemaOrgPage(t, "empty.html")}, path: "/p", want: ErrLayout, contains: "/p"},
		{name: "zero rating is no rating", pages: map[string][]byte{"/p": schemaOrgPage(t, "zero.html")}, path: "/p", want: ErrLayout},
		{name: "only a malformed block", pages: map[string][]byte{"/p": schemaOrgPage(t, "allmalformed.html")}, path: "/p", want: ErrLayout, contains: "1 malformed"},
		{name: "too deep to read", pages: map[string][]byte{"/p": []byte(strings.Repeat("<div>", 600))}, path: "/p", want: ErrLayout, contains: "microdata unreadable"},
		{name: "challenge page", pages: map[string][]byte{"/p": schemaOrgPage(t, "challenge.html")}, path: "/p", want: ErrBlocked, contains: "challenge"},
		{
			name: "robots.txt disallows",
			pages: map[string][]byte{
				"/robots.txt":     []byte("User-agent: *\nDisallow: /private/\n"),
				"/private/p.html": schemaOrgPage(t, "scale10.html"),
			},
			path: "/private/p.html", want: ErrBlocked, contains: "robots.txt",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, "", tt.pages)
			l := Listing{ID: "site", Source: "schemaorg", URL: srv.URL + tt.path}
			obs, err := newSchemaOrg(testEnv()).Fetch(context.Background(), l, Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v (obs %+v)", err, tt.want, obs)
			}
			if !strings.HasPrefix(err.Error(), "schemaorg: ") || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("err = %q, want prefix %q containing %q", err, "schemaorg: ", tt.contains)
			}
		})
	}
}

func TestValidateSchemaOrg(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://example.test/recipe", true},
		{"http://example.test/", true},
		{"", false},
		{"example.test/recipe", false},
		{"/recipe", false},
		{"ftp://example.test/recipe", false},
		{"https://", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := validateSchemaOrg(Listing{ID: "x", Source: "schemaorg", URL: tt.url})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "url") || !strings.HasPrefix(err.Error(), "schemaorg: ") {
				t.Fatalf("err = %v, want ErrConfig naming url", err)
			}
			// Fetch refuses it the same way, without a request.
			if _, err := newSchemaOrg(testEnv()).Fetch(context.Background(), Listing{ID: "x", URL: tt.url}, Options{}); !errors.Is(err, ErrConfig) {
				t.Fatalf("Fetch err = %v, want ErrConfig", err)
			}
		})
	}
}

// TestSchemaOrgStableIDs: two polls of the same page yield the same ids (no
// duplicate alerts), and every observation keeps the invariants.
func TestSchemaOrgStableIDs(t *testing.T) {
	pages := map[string][]byte{}
	for _, f := range []string{"scale10.html", "graph.html", "duplicate.html", "norating.html", "malformed.html", "microdata.html", "mixed.html"} {
		pages["/own/"+f] = schemaOrgPage(t, f)
	}
	for _, f := range []string{"allrecipes-recipe-jsonld.html", "williams-sonoma-product-microdata.html", "recept-se-recipe-jsonld-sv.html", "seriouseats-recipe-jsonld.html"} {
		if b, err := os.ReadFile(filepath.Join(realDir, "schema-org", f)); err == nil {
			pages["/real/"+f] = b
		}
	}
	srv := serve(t, "", pages)
	for path := range pages {
		t.Run(path, func(t *testing.T) {
			l := Listing{ID: "site", Source: "schemaorg", URL: srv.URL + path}
			var ids [2][]string
			for i := range ids {
				// A new Env each time (a restart): the same one would
				// answer the unchanged page with ErrNotModified.
				src := newSchemaOrg(testEnv())
				obs, err := src.Fetch(context.Background(), l, Options{})
				if err != nil {
					t.Fatal(err)
				}
				checkSchemaOrgInvariants(t, obs)
				if obs.Platform != "schemaorg" || obs.Listing != l.ID || obs.URL != l.URL || !obs.At.Equal(testEnv().now()) {
					t.Errorf("stamp = %q %q %q %v", obs.Platform, obs.Listing, obs.URL, obs.At)
				}
				for _, r := range obs.Reviews {
					ids[i] = append(ids[i], r.ID)
				}
			}
			if len(ids[0]) == 0 {
				t.Fatal("no reviews")
			}
			if diff := cmp.Diff(ids[0], ids[1]); diff != "" {
				t.Errorf("ids changed between fetches (-first +second):\n%s", diff)
			}
		})
	}
}

func TestSchemaOrgValues(t *testing.T) {
	t.Run("dates", func(t *testing.T) {
		for in, want := range map[string]string{
			"2024-03-01T23:02:55.425Z":        "2024-03-01T23:02:55.425Z",
			"2021-05-10T09:00:00.000000Z":     "2021-05-10T09:00:00Z",
			"2016-06-04T09:42:02.000-04:00":   "2016-06-04T13:42:02Z",
			"2023-09-09T10:11:12+0000":        "2023-09-09T10:11:12Z",
			"2024-01-26":                      "2024-01-26T00:00:00Z",
			"2024-01-26 14:05:00":             "2024-01-26T14:05:00Z",
			"2024-01-26T14:05":                "2024-01-26T14:05:00Z",
			"Mon, 02 Jan 2006 15:04:05 -0700": "2006-01-02T22:04:05Z",
			"January 2, 2006":                 "2006-01-02T00:00:00Z",
			"2 Jan 2006":                      "2006-01-02T00:00:00Z",
			"26.01.2024":                      "2024-01-26T00:00:00Z",
			"1700000000":                      "2023-11-14T22:13:20Z",
			"":                                "",
			"yesterday":                       "",
		} {
			got := soDate(in)
			if got.IsZero() != (want == "") || (want != "" && !got.Equal(day(want))) || got.Location() != time.UTC {
				t.Errorf("soDate(%q) = %v, want %s", in, got, want)
			}
		}
	})
	t.Run("stars", func(t *testing.T) {
		for _, tt := range []struct {
			v, best, worst string
			want           any
		}{
			{"4.8", "", "", 4.8}, {"5", "5", "1", 5.0}, {"1", "", "", 1.0},
			{"0", "", "", nil}, {"6", "", "", nil}, {"", "", "", nil}, {"n/a", "", "", nil},
			{"NaN", "", "", nil}, {"Infinity", "", "", nil}, {"4", "5", "5", nil},
			{"10", "10", "0", 5.0}, {"0", "10", "0", 1.0}, {"7.5", "10", "0", 4.0}, {"4,5", "", "", 4.5},
			{"4.5 out of 5", "", "", 4.5},
		} {
			var got any
			if s := soStars(tt.v, tt.best, tt.worst); s != nil {
				got = *s
			}
			if got != tt.want {
				t.Errorf("soStars(%q, %q, %q) = %v, want %v", tt.v, tt.best, tt.worst, got, tt.want)
			}
		}
	})
	t.Run("counts", func(t *testing.T) {
		for in, want := range map[string]int{"489": 489, "489.0": 489, "1,234": 1234, "1 234": 1234, "1.234": 1234, "197 ratings": 197, "": 0, "-3": 0, "many": 0} {
			if got, _ := soCount(in); got != want {
				t.Errorf("soCount(%q) = %d, want %d", in, got, want)
			}
		}
	})
	t.Run("language", func(t *testing.T) {
		for in, want := range map[string]string{"sv-SE": "sv", "EN": "en", "pt_BR": "pt", "se": "se", "und": "", "x-default": "", "English": "", "": ""} {
			if got := soLangTag(in); got != want {
				t.Errorf("soLangTag(%q) = %q, want %q", in, got, want)
			}
		}
	})
	t.Run("text", func(t *testing.T) {
		for in, want := range map[string]string{
			"that&#39;s  it": "that's it",
			"&lt;p&gt;Moist&lt;/p&gt;&lt;p&gt;it&amp;rsquo;s&lt;/p&gt;": "Moist it’s",
			"line one<br/>line two":   "line one line two",
			"I <3 it & 5 > 4":         "I <3 it & 5 > 4",
			"a<b then c":              "a<b then c",
			"\n\t spaced \u00a0 out ": "spaced out",
		} {
			if got := soCleanText(in); got != want {
				t.Errorf("soCleanText(%q) = %q, want %q", in, got, want)
			}
		}
	})
}

func FuzzParseSchemaOrg(f *testing.F) {
	entries, err := os.ReadDir(schemaOrgTestdata)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		f.Add(schemaOrgPage(f, e.Name()))
	}
	f.Add([]byte(`<script type="application/ld+json">{"@graph":[{"@id":"a","review":{"@id":"a"},"aggregateRating":{"@id":"a"}}]}</script>`))
	f.Add([]byte(`<div itemprop="review"><div itemprop="review" data-reviewid="1"><span itemprop="author">x</span></div></div>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		obs, err := parseSchemaOrg(body, "https://example.test/p")
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v does not wrap ErrLayout", err)
			}
			return
		}
		if obs.Rating == nil && len(obs.Reviews) == 0 {
			t.Fatal("empty observation without ErrLayout")
		}
		checkSchemaOrgInvariants(t, obs)
	})
}

func BenchmarkParseSchemaOrg(b *testing.B) {
	body := schemaOrgPage(b, "graph.html")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseSchemaOrg(body, "https://example.test/cafe"); err != nil {
			b.Fatal(err)
		}
	}
}
