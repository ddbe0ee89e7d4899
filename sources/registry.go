package sources

import (
	"fmt"
	"sort"
	"time"
)

// Platform describes one registered source.
type Platform struct {
	// Name is the config's `source:` value.
	Name string
	// Label is the platform's name for people ("Trustpilot").
	Label string
	// Validate checks a listing's keys at config load; errors name the key.
	Validate func(l Listing) error
	// New builds the source on the shared Env.
	New func(env *Env) Source
	// DefaultSchedule fits the platform's quota; used when a listing names none.
	DefaultSchedule string
	// Limit states what the platform gives at most, shown by backfill
	// ("the public App Store feed gives at most 500 reviews per country").
	Limit string
	// Retention is how long the platform's terms let review text be kept
	// (0: no limit); a listing's `retention` key may shorten it.
	Retention time.Duration
}

// Registry is the explicit table of platforms. Adding a platform is one
// file and one line here; the conformance test picks it up.
type Registry map[string]Platform

// Default returns every built-in platform.
func Default() Registry {
	r := Registry{}
	for _, p := range []Platform{
		{Name: "schemaorg", Label: "Website", Validate: validateSchemaOrg, New: newSchemaOrg,
			DefaultSchedule: "@every 30m", Limit: "a web page gives only the reviews it shows"},
		{Name: "trustpilot", Label: "Trustpilot", Validate: validateTrustpilot, New: newTrustpilot,
			DefaultSchedule: "@every 1h", Limit: "the public Trustpilot page gives 20 reviews a page and backfill reads at most 50 pages; with api_key and business_unit_id the Business API gives every review, 100 a page"},
		{Name: "appstore", Label: "App Store", Validate: validateAppStore, New: newAppStore,
			DefaultSchedule: "@every 2h", Limit: "the public App Store feed gives at most 500 reviews (10 pages of 50) per country; with an App Store Connect key, every review"},
		{Name: "google_business", Label: "Google", Validate: validateGoogleBusiness, New: newGoogleBusiness,
			DefaultSchedule: "@every 15m", Limit: "the Business Profile API gives every review of the location, 50 a page"},
		{Name: "google_places", Label: "Google Maps", Validate: validateGooglePlaces, New: newGooglePlaces,
			DefaultSchedule: "@every 6h", Limit: "the Places API gives at most 5 reviews; there is no history to backfill",
			Retention: 30 * 24 * time.Hour},
		{Name: "yelp", Label: "Yelp", Validate: validateYelp, New: newYelp,
			DefaultSchedule: "@every 6h", Limit: "the Yelp Fusion API gives at most 3 review excerpts; there is no history to backfill"},
		{Name: "tripadvisor", Label: "Tripadvisor", Validate: validateTripadvisor, New: newTripadvisor,
			DefaultSchedule: "@every 12h", Limit: "the Tripadvisor Content API gives at most 5 reviews; there is no history to backfill"},
		{Name: "googleplay", Label: "Google Play", Validate: validateGooglePlay, New: newGooglePlay,
			DefaultSchedule: "@every 1h", Limit: "the Play Developer API gives only reviews with text from the last 7 days"},
	} {
		if _, dup := r[p.Name]; dup {
			panic("sources: duplicate platform " + p.Name)
		}
		r[p.Name] = p
	}
	return r
}

// Lookup returns the named platform, or an error listing the known names.
func (r Registry) Lookup(name string) (Platform, error) {
	p, ok := r[name]
	if !ok {
		return Platform{}, fmt.Errorf("unknown source %q (known: %v)", name, r.Names())
	}
	return p, nil
}

// Names lists the registered platform names, sorted.
func (r Registry) Names() []string {
	out := make([]string, 0, len(r))
	for n := range r {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
