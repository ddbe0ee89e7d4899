package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/watcher"
)

// pollCase is one listing polled until steady, against loopback answers.
type pollCase struct {
	name     string
	listing  sources.Listing
	min      int    // the platform's minimum requests for rating and reviews
	why      string // what the minimum is made of
	pageSize int    // one page: the answers of the minimum requests
}

// runPoll polls each listing three times through watcher.Poll (a real
// store, so known reviews are known) and counts what the third poll, with
// nothing new, costs on the wire: requests and body bytes, beside the
// platform's minimum (one request; two where the platform splits rating
// and reviews) and one page of bytes.
func runPoll(ctx context.Context, b *bench) ([]result, error) {
	var requests, body atomic.Int64
	mux := http.NewServeMux()
	serve := func(path, ctype string, data []byte, validators bool) {
		sum := sha256.Sum256(data)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			if validators {
				w.Header().Set("ETag", etag)
				w.Header().Set("Last-Modified", "Mon, 05 Jan 2026 10:00:00 GMT")
				if r.Header.Get("If-None-Match") == etag {
					w.WriteHeader(http.StatusNotModified)
					return
				}
			}
			w.Header().Set("Content-Type", ctype)
			cw := countingWriter{w, &body}
			cw.Write(data)
		})
	}
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// schema.org: a generated 120 KB page, with and without validators.
	s := &site{head: pageHead("Trattoria Luna"), blocks: fillerBlocks(256)}
	g := newTextGen(5)
	page := append([]byte(nil), s.head...)
	for k := 0; len(page) < 120_000; k++ {
		page = append(page, s.blocks[k%len(s.blocks)]...)
	}
	page = appendLD(page, "Trattoria Luna", 4.4, 212, genLDReviews(g, 1, 12, srv.URL+"/site/etag.html"))
	page = append(page, pageFoot...)
	serve("/site/etag.html", ctypeHTML, page, true)
	serve("/site/plain.html", ctypeHTML, page, false)
	cases := []pollCase{
		{name: "schemaorg page with ETag", min: 1, why: "one page", pageSize: len(page),
			listing: sources.Listing{ID: "so-etag", Source: "schemaorg", URL: srv.URL + "/site/etag.html"}},
		{name: "schemaorg page without validators", min: 1, why: "one page", pageSize: len(page),
			listing: sources.Listing{ID: "so-plain", Source: "schemaorg", URL: srv.URL + "/site/plain.html"}},
	}
	read := func(rel string) []byte {
		data, err := os.ReadFile(filepath.Join(b.fixtures, rel))
		if err != nil {
			return nil
		}
		return data
	}
	if tp := read("trustpilot/calo-uk-review-page.html"); tp != nil {
		serve("/review/calo.example", ctypeHTML, tp, true)
		cases = append(cases, pollCase{name: "trustpilot page (real)", min: 1, why: "page 1", pageSize: len(tp),
			listing: sources.Listing{ID: "tp", Source: "trustpilot", URL: srv.URL + "/review/calo.example"}})
	}
	if ta := read("tripadvisor/attraction-kranj-house-2019.html"); ta != nil {
		serve("/Attraction_Review-g274873-d8007127-Reviews-Kranj_House-Kranj.html", ctypeHTML, ta, true)
		cases = append(cases, pollCase{name: "tripadvisor page (real)", min: 1, why: "one page", pageSize: len(ta),
			listing: sources.Listing{ID: "ta", Source: "tripadvisor", URL: srv.URL + "/Attraction_Review-g274873-d8007127-Reviews-Kranj_House-Kranj.html"}})
	}
	if gp := read("google-places/new-v1-details-la-v-vietnamese-fusion.json"); gp != nil {
		serve("/v1/places/ChIJN1t_tDeuEmsRUsoyG83frY4", ctypeJSON, gp, false)
		cases = append(cases, pollCase{name: "google_places (real)", min: 1, why: "one Place Details call", pageSize: len(gp),
			listing: sources.Listing{ID: "gp", Source: "google_places", PlaceID: "ChIJN1t_tDeuEmsRUsoyG83frY4", APIKey: "bench-key", Endpoint: srv.URL + "/"}})
	}
	feed, lookup := read("app-store/rss-389801252-us-page1-2025.json"), read("app-store/itunes-lookup-1107711722-hubspot-2017.json")
	if feed != nil && lookup != nil {
		serve("/lookup", ctypeJSON, lookup, false)
		serve("/us/rss/customerreviews/page=1/id=389801252/sortby=mostrecent/json", ctypeJSON, feed, false)
		cases = append(cases, pollCase{name: "appstore feed (real)", min: 2, why: "the lookup (rating) and feed page 1 (reviews)", pageSize: len(feed) + len(lookup),
			listing: sources.Listing{ID: "as", Source: "appstore", AppID: "389801252", Country: "us", Endpoint: srv.URL + "/"}})
	}
	if len(cases) < 6 {
		b.note("poll: some real fixtures are absent under %s; only the generated schema.org page and what exists were polled", b.fixtures)
	}

	db, err := store.Open(filepath.Join(b.dir, "poll.db"), store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	w := watcher.New(db, watcher.DefaultRules(), nil, nil)
	env := sources.NewEnv(nil)
	env.HostInterval = 0
	reg := sources.Default()
	var out []result
	for _, c := range cases {
		p, err := reg.Lookup(c.listing.Source)
		if err != nil {
			return out, err
		}
		if err := p.Validate(c.listing); err != nil {
			return out, fmt.Errorf("%s: %w", c.name, err)
		}
		t := watcher.Target{Listing: &c.listing, Source: p.New(env),
			Info: store.ListingInfo{ID: c.listing.ID, Business: "bench", Platform: p.Name, PlatformLabel: p.Label}}
		var reqs, bytes int64
		for poll := 1; poll <= 3; poll++ {
			r0, b0 := requests.Load(), body.Load()
			res, err := w.Poll(ctx, t, watcher.Live)
			if err != nil {
				return out, err
			}
			if res.Err != nil {
				return out, fmt.Errorf("%s: poll %d: %w", c.name, poll, res.Err)
			}
			if poll == 3 && res.New+res.Edited > 0 {
				return out, fmt.Errorf("%s: the steady poll found %d new and %d edited reviews", c.name, res.New, res.Edited)
			}
			reqs, bytes = requests.Load()-r0, body.Load()-b0
		}
		fig := "steady-state poll, " + c.name
		out = append(out,
			row(fig+": requests", float64(reqs), "requests", float64(c.min), fmt.Sprintf("exactly %d (%s)", c.min, c.why),
				func(v, _ float64) bool { return int(v) == c.min }),
			row(fig+": body bytes", float64(bytes), "bytes", float64(c.pageSize), "at most one page of bytes",
				func(v, _ float64) bool { return v <= float64(c.pageSize) }))
		if bytes == 0 {
			b.note("poll: %s: the steady poll is a conditional GET answered 304 (no body)", c.name)
		} else if strings.Contains(c.name, "without validators") {
			b.note("poll: %s: no validators, so the page (%d bytes) is downloaded; being the same bytes as the stored poll's, it is not parsed again", c.name, bytes)
		}
	}
	return out, nil
}
