package sources

import (
	"fmt"
	"sort"
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
}

// Registry is the explicit table of platforms. Adding a platform is one
// file and one line here; the conformance test picks it up.
type Registry map[string]Platform

// Default returns every built-in platform.
func Default() Registry {
	r := Registry{}
	for _, p := range []Platform{
		{Name: "schemaorg", Label: "Website", Validate: validateSchemaOrg, New: newSchemaOrg},
		{Name: "trustpilot", Label: "Trustpilot", Validate: validateTrustpilot, New: newTrustpilot},
		{Name: "appstore", Label: "App Store", Validate: validateAppStore, New: newAppStore},
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
