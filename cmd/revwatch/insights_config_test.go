package main

import (
	"strings"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
)

// The insight rules' keys read from `rules:`; a bad one is named.
func TestInsightRuleKeys(t *testing.T) {
	base := `businesses:
  - id: luna
    name: Luna
    listings:
      - {id: luna-site, source: schemaorg, url: "https://luna.example/reviews"}
rules:
`
	cases := []struct {
		name, rules, err string
		check            func(t *testing.T, c *Config)
	}{
		{name: "defaults", rules: "  negative_at_or_below: 2\n", check: func(t *testing.T, c *Config) {
			r := c.Rules
			if r.TrendMin != 3 || time.Duration(r.TrendWindow) != 14*24*time.Hour || r.BombMin != 5 || time.Duration(r.BombWindow) != time.Hour {
				t.Errorf("rules = %+v", r)
			}
		}},
		{name: "set", rules: "  trend_min: 4\n  trend_window: 7d\n  bomb_min: 8\n  bomb_window: 2h\n", check: func(t *testing.T, c *Config) {
			r := c.Rules
			if r.TrendMin != 4 || time.Duration(r.TrendWindow) != 7*24*time.Hour || r.BombMin != 8 || time.Duration(r.BombWindow) != 2*time.Hour {
				t.Errorf("rules = %+v", r)
			}
		}},
		{name: "one review is not a trend", rules: "  trend_min: 1\n", err: "rules.trend_min"},
		{name: "one review is not a burst", rules: "  bomb_min: 1\n", err: "rules.bomb_min"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(base+c.rules), sources.Default(), func(string) (string, bool) { return "", false })
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one naming %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, cfg)
		})
	}
}
