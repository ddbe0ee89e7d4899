package main

import (
	"cmp"
	"strings"
	"time"

	"github.com/revwatch/revwatch/digest"
	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/watcher"
)

// DigestConfig is a business's `digest:` section.
type DigestConfig struct {
	// Schedule is a cron spec in the business's timezone, or "off".
	// Default: Monday 09:00 ("0 9 * * 1").
	Schedule string `yaml:"schedule,omitempty" json:"schedule,omitempty"`
	// Channel receives the digest; default slack.channel.
	Channel string `yaml:"channel,omitempty" json:"channel,omitempty"`
}

// defaultDigestSchedule is Monday 09:00 in the business's time zone.
const defaultDigestSchedule = "0 9 * * 1"

// location is the business's time zone (validated at load; UTC when unset).
func (b Business) location() *time.Location {
	if loc, err := time.LoadLocation(cmp.Or(b.Timezone, "UTC")); err == nil {
		return loc
	}
	return time.UTC
}

// digestSpec is the cron spec of the business's digest with its time zone
// (CRON_TZ=...), and false when the digest is off.
func (b Business) digestSpec() (string, bool) {
	spec := strings.TrimSpace(cmp.Or(b.Digest.Schedule, defaultDigestSchedule))
	if spec == "off" {
		return "", false
	}
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		return spec, true
	}
	return "CRON_TZ=" + b.location().String() + " " + spec, true
}

// validateDigest checks timezone and digest, naming each bad key.
func (b *Business) validateDigest(bp string, bad func(path, format string, a ...any)) {
	if b.Timezone != "" {
		if _, err := time.LoadLocation(b.Timezone); err != nil || strings.EqualFold(b.Timezone, "local") {
			bad(bp+".timezone", "%q is not an IANA time zone name (e.g. Europe/Rome, America/New_York, UTC)", b.Timezone)
			b.Timezone = ""
		}
	}
	if spec, on := b.digestSpec(); on {
		if _, err := watcher.ParseSchedule(spec); err != nil {
			bad(bp+".digest.schedule", "%v (or off)", err)
		}
	}
	if strings.TrimSpace(b.Digest.Channel) != b.Digest.Channel || (b.Digest.Channel != "" && strings.ContainsAny(b.Digest.Channel, " \t")) {
		bad(bp+".digest.channel", "%q: a channel ID like C0123456789, or #name", b.Digest.Channel)
	}
}

// digestListings are the business's listings as the digest shows them,
// in config order.
func (b Business) digestListings(reg sources.Registry) []digest.Listing {
	var out []digest.Listing
	for _, l := range b.Listings {
		dl := digest.Listing{ID: l.ID, Name: l.Name, Platform: l.Source, URL: l.URL, Competitor: l.Competitor}
		if p, err := reg.Lookup(l.Source); err == nil {
			dl.PlatformLabel = p.Label
		}
		out = append(out, dl)
	}
	return out
}

// withStoredNames fills names and platform labels the store learned from
// the pages (a listing's name is often not in the config).
func withStoredNames(ls []digest.Listing, infos []store.ListingInfo) []digest.Listing {
	byID := map[string]store.ListingInfo{}
	for _, i := range infos {
		byID[i.ID] = i
	}
	for k := range ls {
		if i, ok := byID[ls[k].ID]; ok {
			ls[k].Name = cmp.Or(ls[k].Name, i.Name)
			ls[k].PlatformLabel = cmp.Or(ls[k].PlatformLabel, i.PlatformLabel)
		}
	}
	return ls
}
