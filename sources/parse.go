package sources

import "fmt"

// Parsed is what ParseRecorded found in one response body.
type Parsed struct {
	Reviews int
	Rated   bool
}

// ParseRecorded runs the parse step of a platform's source on one
// recorded response body: the same pure function its Fetch calls to turn
// the body into reviews and a rating, without the HTTP client, robots.txt,
// the challenge check or the paging around it. kind names the response:
// "page" (schemaorg, trustpilot, tripadvisor; pageURL is where it was
// read), "feed" and "lookup" (appstore), "details" (google_places). It is
// the seam the benchmark harness measures parsing through
// (cmd/revwatch-bench, BENCHMARKS.md "parse").
func ParseRecorded(platform, kind string, body []byte, pageURL string) (Parsed, error) {
	switch platform + "/" + kind {
	case "schemaorg/page":
		obs, err := parseSchemaOrg(body, pageURL)
		return Parsed{Reviews: len(obs.Reviews), Rated: obs.Rating != nil}, err
	case "trustpilot/page":
		p, err := parseTrustpilot(body, pageURL)
		return Parsed{Reviews: len(p.Reviews), Rated: p.Rating != nil}, err
	case "tripadvisor/page":
		obs, err := parseTaPage(body, pageURL)
		return Parsed{Reviews: len(obs.Reviews), Rated: obs.Rating != nil}, err
	case "appstore/feed":
		p, err := parseAppStoreFeed(body)
		return Parsed{Reviews: len(p.Reviews)}, err
	case "appstore/lookup":
		l, err := parseAppStoreLookup(body)
		return Parsed{Rated: l.Rating != nil}, err
	case "google_places/details":
		p, err := parseGooglePlaces(body)
		return Parsed{Reviews: len(p.Reviews), Rated: p.Rating != nil}, err
	}
	return Parsed{}, fmt.Errorf("sources: no parse step %q for %s", kind, platform)
}
