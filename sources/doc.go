// Package sources turns review platforms into observations: a listing's
// aggregate rating and its reviews, normalised (stars on 1-5, stable ids,
// UTC times). It holds revwatch's domain types and imports no other
// revwatch package; everything else builds on it.
//
// # Where it sits
//
// The watcher calls Source.Fetch for a listing on its schedule and hands
// the Observation to the store, which diffs it against what it has. A
// source never decides what is news; it only reports what the platform
// shows, or an error. A page that is not the listing (a challenge, consent
// or login page, a changed layout) is an error wrapping ErrBlocked or
// ErrLayout, never an empty Observation: an empty listing would read as
// "all reviews deleted".
//
// # Fetching
//
// Env is shared by every source: one HTTP client, a real User-Agent, one
// rate limiter per host, a robots.txt cache, a body-size cap (over it a
// fetch fails with ErrTooLarge rather than silently parsing half a page),
// and challenge detection. Scraped pages go through Env.ReadPage (colly),
// APIs through Env.GetJSON (net/http). Parsers are pure functions over
// bytes, so they are fuzzed and benchmarked without a network.
//
// # Adding a platform
//
//  1. Write sources/<name>.go: an unexported type with Fetch, a
//     validate<Name>(Listing) error naming each bad key ("url: ..."), and
//     a new<Name>(*Env) Source constructor.
//  2. Add one line to Default in registry.go.
//  3. Add sources/testdata/<name>/ with hand-written fixtures (including a
//     challenge or error page) and <name>_test.go serving them from
//     httptest. Recorded real responses stay in ../shared/fixtures/real and
//     are read from there, skipping when absent.
//
// Example:
//
//	env := sources.NewEnv(logger)
//	p, _ := sources.Default().Lookup("schemaorg")
//	obs, err := p.New(env).Fetch(ctx, sources.Listing{ID: "luna-site", URL: u}, sources.Options{})
package sources
