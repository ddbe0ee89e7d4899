package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revwatch/revwatch/sources"
)

// FuzzParseConfig feeds the config loader arbitrary YAML/JSON: it must
// never panic, and a config it accepts must be usable as is: a store,
// a listen address, at least one business, and every business and listing
// id well formed and unique (the store and the CLI key on them).
func FuzzParseConfig(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "config", "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/config: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(sampleConfig)
	for _, s := range []string{``, `{}`, `null`, `[]`, `---`, `businesses: [{}]`,
		"businesses:\n- id: a\n  listings:\n  - {id: b, source: schemaorg, url: '${URL:-http://x}'}\n",
		"a: &a [*a, *a]\nbusinesses: *a\n",
		"slack: {token: '${SLACK_BOT_TOKEN}', channel: '#r', api_url: '${X:-::}'}\nbusinesses: []\n",
		"listen: ${SLACK_BOT_TOKEN}\nslack: {api_url: '${SLACK_BOT_TOKEN}'}\nbusinesses:\n- id: '${SLACK_BOT_TOKEN}'\n",
		"businesses:\n- id: a\n  listings:\n  - {id: a, source: trustpilot, url: 'https://www.trustpilot.com/review/x', schedule: '@every 0s'}\n  - {id: a, source: nope}\n"} {
		f.Add([]byte(s))
	}
	lookup := func(k string) (string, bool) {
		if k == "SLACK_BOT_TOKEN" {
			return "xoxb-fuzz-secret", true
		}
		return "", false
	}
	reg := sources.Default()
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := ParseConfig(raw, reg, lookup)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error message")
			}
			if strings.Contains(err.Error(), "xoxb-fuzz-secret") {
				t.Fatalf("a config error shows the token from the environment: %v", err)
			}
			return
		}
		if strings.TrimSpace(cfg.Store) == "" || cfg.Listen == "" || len(cfg.Businesses) == 0 {
			t.Fatalf("accepted an unusable config: store %q, listen %q, %d businesses", cfg.Store, cfg.Listen, len(cfg.Businesses))
		}
		ids := map[string]bool{}
		for _, b := range cfg.Businesses {
			if !idPattern.MatchString(b.ID) || len(b.Listings) == 0 {
				t.Fatalf("accepted business %q with %d listings", b.ID, len(b.Listings))
			}
			for _, l := range b.Listings {
				if !idPattern.MatchString(l.ID) || ids[l.ID] || l.Business != b.ID || l.Schedule == "" {
					t.Fatalf("accepted listing %+v (duplicate: %v)", l, ids[l.ID])
				}
				ids[l.ID] = true
			}
		}
	})
}
