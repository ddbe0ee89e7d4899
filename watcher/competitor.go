package watcher

import (
	"fmt"
	"strings"
	"time"
)

// quiet reports whether a target never alerts: a competitor's listing is
// polled and stored (reviews, rating history) for the digest and charts,
// but no rule runs on it, so it gets no alert, no draft and no "source
// broken" message. This is the one place that decides it.
func (t Target) quiet() bool { return t.Info.Competitor }

// CompetitorSchedule is the default schedule of a competitor listing: four
// times the platform's default interval ("@every 30m" becomes "@every 2h"),
// or daily when the default isn't an "@every" interval. Competitors change
// slowly and aren't worth a platform's quota.
func CompetitorSchedule(platformDefault string) string {
	if d, ok := strings.CutPrefix(strings.TrimSpace(platformDefault), "@every "); ok {
		if iv, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && iv > 0 {
			return "@every " + shortDuration(4*iv)
		}
	}
	return "@daily"
}

// shortDuration formats whole hours and minutes without the zero units
// time.Duration.String adds ("2h", not "2h0m0s").
func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
