package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	nethtml "golang.org/x/net/html"

	"github.com/revwatch/revwatch/sources"
)

// parseSource is one platform read from recorded real responses: each
// case is one listing whose requests the routes answer from fixture files.
type parseSource struct {
	name  string // registry name
	door  string // which door, for the figure's name
	json  bool   // JSON answers (limit: encoding/json) or HTML (limit: tokenizer)
	cases []parseCase
	// skip explains a platform left out ("" = measured).
	skip string
}

type parseCase struct {
	file    string
	listing sources.Listing
	route   func(r *http.Request) memResponse
}

// parseSources lists what ../shared/fixtures/real holds for each source.
func parseSources(dir string) []parseSource {
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return nil
		}
		return b
	}
	html := func(body []byte) func(*http.Request) memResponse {
		return func(r *http.Request) memResponse {
			if r.URL.Path == "/robots.txt" {
				return memResponse{status: http.StatusNotFound}
			}
			return memResponse{ctype: ctypeHTML, body: body}
		}
	}
	pageCases := func(sub string, listing func(file string) sources.Listing) []parseCase {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*.html"))
		var cs []parseCase
		for _, f := range files {
			if body := read(filepath.Join(sub, filepath.Base(f))); body != nil {
				cs = append(cs, parseCase{file: filepath.Join(sub, filepath.Base(f)), listing: listing(f), route: html(body)})
			}
		}
		return cs
	}
	out := []parseSource{
		{name: "schemaorg", door: "page", cases: pageCases("schema-org", func(f string) sources.Listing {
			return sources.Listing{ID: "so", Source: "schemaorg", URL: "https://www.example.com/recipe/" + strings.TrimSuffix(filepath.Base(f), ".html")}
		})},
		{name: "trustpilot", door: "page", cases: pageCases("trustpilot", func(f string) sources.Listing {
			return sources.Listing{ID: "tp", Source: "trustpilot", URL: "https://www.trustpilot.com/review/" + strings.TrimSuffix(filepath.Base(f), ".html") + ".example"}
		})},
		{name: "tripadvisor", door: "page", cases: pageCases("tripadvisor", func(f string) sources.Listing {
			return sources.Listing{ID: "ta", Source: "tripadvisor", URL: "https://www.tripadvisor.com/Attraction_Review-g274873-d8007127-Reviews-Kranj_House-Kranj.html"}
		})},
	}

	// App Store: the iTunes lookup (rating) and page 1 of the feed (reviews)
	// are what one poll reads.
	as := parseSource{name: "appstore", door: "feed+lookup", json: true}
	lookup := read("app-store/itunes-lookup-1107711722-hubspot-2017.json")
	empty := read("app-store/rss-1510826067-gb-page2-empty-2021.json")
	feeds, _ := filepath.Glob(filepath.Join(dir, "app-store", "rss-*-page1-*.json"))
	for _, f := range feeds {
		feed := read(filepath.Join("app-store", filepath.Base(f)))
		if feed == nil || lookup == nil {
			continue
		}
		as.cases = append(as.cases, parseCase{file: filepath.Join("app-store", filepath.Base(f)),
			listing: sources.Listing{ID: "as", Source: "appstore", AppID: "389801252", Country: "us", Endpoint: "https://itunes.apple.com/"},
			route: func(r *http.Request) memResponse {
				switch {
				case strings.HasSuffix(r.URL.Path, "/lookup"):
					return memResponse{ctype: ctypeJSON, body: lookup}
				case strings.Contains(r.URL.Path, "/page=1/"):
					return memResponse{ctype: ctypeJSON, body: feed}
				default:
					return memResponse{ctype: ctypeJSON, body: empty}
				}
			}})
	}
	out = append(out, as)

	gp := parseSource{name: "google_places", door: "place details", json: true}
	places, _ := filepath.Glob(filepath.Join(dir, "google-places", "*.json"))
	for _, f := range places {
		body := read(filepath.Join("google-places", filepath.Base(f)))
		if body == nil {
			continue
		}
		gp.cases = append(gp.cases, parseCase{file: filepath.Join("google-places", filepath.Base(f)),
			listing: sources.Listing{ID: "gp", Source: "google_places", PlaceID: "ChIJN1t_tDeuEmsRUsoyG83frY4", APIKey: "bench-key", Endpoint: "https://places.googleapis.com/"},
			route:   func(*http.Request) memResponse { return memResponse{ctype: ctypeJSON, body: body} }})
	}
	out = append(out, gp)

	out = append(out,
		parseSource{name: "yelp", skip: "no recorded Fusion v3 business+reviews answers (only a v2 business body and a v3 error body)"},
		parseSource{name: "google_business", skip: "no recorded real Business Profile API answers"},
		parseSource{name: "googleplay", skip: "no recorded real Play Developer API answers"},
	)
	for i := range out {
		if out[i].skip == "" && len(out[i].cases) == 0 {
			out[i].skip = "no fixture files found under " + dir
		}
	}
	return out
}

// runParse measures, per source, MB/s of its parse step
// (sources.ParseRecorded: the pure function Fetch turns each body into
// reviews and a rating with) over the bodies one Fetch reads, against
// decoding the same bytes with encoding/json (JSON sources) or running
// the x/net/html tokenizer over them (HTML sources). They run alternately
// in rounds until the parse step has run about 1 s; the whole Fetch is
// timed in the same rounds and noted.
func runParse(ctx context.Context, b *bench) ([]result, error) {
	if _, err := os.Stat(b.fixtures); err != nil {
		b.note("parse: %s is absent: every source skipped", b.fixtures)
		return nil, nil
	}
	var out []result
	for _, ps := range parseSources(b.fixtures) {
		if ps.skip != "" {
			b.note("parse: %s skipped: %s", ps.name, ps.skip)
			continue
		}
		r, err := b.parseOne(ctx, ps)
		if err != nil {
			return out, fmt.Errorf("%s: %w", ps.name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (b *bench) parseOne(ctx context.Context, ps parseSource) (result, error) {
	limitKind := "x/net/html tokenizer"
	if ps.json {
		limitKind = "encoding/json into any"
	}
	fig := fmt.Sprintf("parse %s (%s), %d real files", ps.name, ps.door, len(ps.cases))
	budget := "overhead <= 2x the " + limitKind + " (ratio >= 0.5)"
	p, err := sources.Default().Lookup(ps.name)
	if err != nil {
		return result{}, err
	}
	type body struct {
		kind, url string // for sources.ParseRecorded
		b         []byte
	}
	type prepared struct {
		src    sources.Source
		l      sources.Listing
		bodies []body // every body one Fetch reads
	}
	var cases []prepared
	var passBytes int64
	for _, c := range ps.cases {
		var seen []body
		mt := &memTransport{route: func(r *http.Request) memResponse {
			m := c.route(r)
			if len(m.body) > 0 {
				seen = append(seen, body{kind: parseKind(ps.name, r), url: r.URL.String(), b: m.body})
			}
			return m
		}}
		env := sources.NewEnv(nil)
		env.HostInterval = 0
		env.HTTP = &http.Client{Transport: mt}
		src := p.New(env)
		obs, err := src.Fetch(ctx, c.listing, sources.Options{})
		if err != nil {
			b.note("parse: %s: %s does not parse: %v", ps.name, c.file, err)
			continue
		}
		if len(obs.Reviews) == 0 && obs.Rating == nil {
			b.note("parse: %s: %s gave neither rating nor reviews", ps.name, c.file)
		}
		cases = append(cases, prepared{src: src, l: c.listing, bodies: seen})
		for _, bd := range seen {
			passBytes += int64(len(bd.b))
			if _, err := sources.ParseRecorded(ps.name, bd.kind, bd.b, bd.url); err != nil {
				return failed(fig, "MB/s", budget), fmt.Errorf("%s: parse step: %w", c.file, err)
			}
		}
	}
	if len(cases) == 0 {
		return failed(fig, "MB/s", budget), fmt.Errorf("no fixture parsed")
	}
	// Three timings alternate: the source's parse step alone (the
	// figure), the limit, and the whole Fetch (a note: it adds the Env,
	// the HTTP client, colly, robots).
	var srcTime, baseTime, fetchTime time.Duration
	var sink, passes int
	for ; srcTime < time.Second || passes < 3; passes++ {
		if err := ctx.Err(); err != nil {
			return result{}, err
		}
		t := time.Now()
		for _, c := range cases {
			for _, bd := range c.bodies {
				p, err := sources.ParseRecorded(ps.name, bd.kind, bd.b, bd.url)
				if err != nil {
					return result{}, err
				}
				sink += p.Reviews
			}
		}
		srcTime += time.Since(t)
		t = time.Now()
		for _, c := range cases {
			for _, bd := range c.bodies {
				if ps.json {
					var v any
					if err := json.Unmarshal(bd.b, &v); err != nil {
						return result{}, err
					}
				} else {
					sink += tokenize(bd.b)
				}
			}
		}
		baseTime += time.Since(t)
		t = time.Now()
		for _, c := range cases {
			if _, err := c.src.Fetch(ctx, c.l, sources.Options{}); err != nil {
				return result{}, err
			}
		}
		fetchTime += time.Since(t)
	}
	_ = sink
	mb := float64(passBytes) * float64(passes) / 1e6
	b.logf("parse: %s: %d passes over %.2f MB: parse step %.0f MB/s, %s %.0f MB/s, whole Fetch %.0f MB/s", ps.name, passes, float64(passBytes)/1e6,
		mb/srcTime.Seconds(), limitKind, mb/baseTime.Seconds(), mb/fetchTime.Seconds())
	b.note("parse: %s: the whole Fetch (Env, HTTP client, colly/robots, parse) %.1f MB/s, %.2fx the %s",
		ps.name, mb/fetchTime.Seconds(), baseTime.Seconds()/fetchTime.Seconds(), limitKind)
	return row(fig, mb/srcTime.Seconds(), "MB/s", mb/baseTime.Seconds(), budget, func(_, r float64) bool { return r >= 0.5 }), nil
}

// parseKind names the response a request reads, for sources.ParseRecorded.
func parseKind(source string, r *http.Request) string {
	switch source {
	case "appstore":
		if strings.HasSuffix(r.URL.Path, "/lookup") {
			return "lookup"
		}
		return "feed"
	case "google_places":
		return "details"
	}
	return "page"
}

// tokenize runs the x/net/html tokenizer over a page and nothing else.
func tokenize(body []byte) int {
	z := nethtml.NewTokenizer(bytes.NewReader(body))
	n := 0
	for z.Next() != nethtml.ErrorToken {
		n++
	}
	return n
}
