package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revwatch/revwatch/sources"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-secret-123"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cases := []struct {
		file    string
		wantErr []string // substrings that must all appear
	}{
		{file: "good.yaml"},
		{file: "good.json"},
		{file: "bad-unknown-key.yaml", wantErr: []string{"line 9", "shedule"}},
		{file: "bad-values.yaml", wantErr: []string{
			"businesses[0].listings[0].schedule (line 8)",
			"businesses[0].listings[1].id (line 9)", "already used",
			"businesses[0].listings[1].source (line 10)", "yelpish",
			"rules.negative_at_or_below (line 12)",
			"rules.failures_before_alert (line 14)",
		}},
		{file: "bad-type.yaml", wantErr: []string{"line 9", "two"}},
		{file: "bad-drafts.yaml", wantErr: []string{
			`businesses[0].language (line 4): "it": drafts are written in en, es`,
			`businesses[0].tone (line 5): "friendly": want warm or formal`,
			`businesses[0].privacy (line 6)`,
			`businesses[0].fixes.parking`, "unknown topic",
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "config", c.file))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := ParseConfig(raw, sources.Default(), lookup)
			if len(c.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if cfg.Slack.Token.Reveal() != "xoxb-secret-123" {
					t.Errorf("token not expanded from the environment")
				}
				if cfg.Businesses[0].Listings[0].Business != "luna" || cfg.Businesses[0].Listings[0].Schedule != "@every 30m" {
					t.Errorf("listing not completed: %+v", cfg.Businesses[0].Listings[0])
				}
				if cfg.Rules.NegativeAtOrBelow != 2 || cfg.Rules.FailuresBeforeAlert != 3 {
					t.Errorf("rules = %+v", cfg.Rules)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %v", c.wantErr)
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "xoxb-secret-123") {
				t.Errorf("error leaks the token")
			}
		})
	}
}

func TestEnvExpansionIsNotTextual(t *testing.T) {
	// A secret with YAML syntax in it must stay one string.
	raw := []byte(`
slack: {token: "${TOK}", channel: "#r"}
businesses:
  - id: b
    listings: [{id: l, source: schemaorg, url: "https://x.example/"}]
`)
	lookup := func(string) (string, bool) { return "xoxb-a: b\n#c", true }
	cfg, err := ParseConfig(raw, sources.Default(), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.Token.Reveal() != "xoxb-a: b\n#c" {
		t.Fatalf("token = %q", cfg.Slack.Token.Reveal())
	}
}

func TestUnsetTokenMeansConsole(t *testing.T) {
	raw, _ := os.ReadFile(filepath.Join("testdata", "config", "good.yaml"))
	cfg, err := ParseConfig(raw, sources.Default(), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.Token != "" {
		t.Fatalf("token = %q, want empty", cfg.Slack.Token)
	}
}

func TestSampleConfigLoads(t *testing.T) {
	if _, err := ParseConfig(sampleConfig, sources.Default(), func(string) (string, bool) { return "", false }); err != nil {
		t.Fatalf("the sample written by `revwatch init` must load: %v", err)
	}
}

func TestListingKeyOf(t *testing.T) {
	cases := []struct{ source, msg, key, rest string }{
		{"yelp", "bad listing config: business_id: is required", "business_id", "is required"},
		{"appstore", "appstore: bad listing config: app_id is required", "app_id", "is required"},
		{"google_business", "bad listing config: oauth.refresh_token: is required", "oauth.refresh_token", "is required"},
		{"schemaorg", "schemaorg: url \"x\" is not an absolute http(s) URL: bad listing config", "url", "\"x\" is not an absolute http(s) URL: bad listing config"},
		{"yelp", "something else entirely", "", "something else entirely"},
	}
	for _, c := range cases {
		key, rest := listingKeyOf(c.source, c.msg)
		if key != c.key || rest != c.rest {
			t.Errorf("listingKeyOf(%q) = %q, %q; want %q, %q", c.msg, key, rest, c.key, c.rest)
		}
	}
}

func TestWorldReadableLiteralSecret(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, token string
		mode        os.FileMode
		refused     bool
	}{
		{"literal, world-readable", "xoxb-literal-123", 0o644, true},
		{"literal, private", "xoxb-literal-123", 0o600, false},
		{"from the environment, world-readable", "${SOME_TOKEN}", 0o644, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
			os.WriteFile(p, []byte("slack: {token: \""+c.token+"\", channel: \"#r\"}\nbusinesses:\n  - id: b\n    listings: [{id: l, source: schemaorg, url: \"https://x.example/\"}]\n"), c.mode)
			os.Chmod(p, c.mode)
			_, err := LoadConfig(p, sources.Default())
			if (err != nil) != c.refused {
				t.Fatalf("err = %v, refused want %v", err, c.refused)
			}
			if err != nil && (!strings.Contains(err.Error(), "slack.token") || strings.Contains(err.Error(), "literal-123")) {
				t.Errorf("error must name the key and not the secret: %v", err)
			}
		})
	}
}
