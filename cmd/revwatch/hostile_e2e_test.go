package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileReview is a schema.org review object with a title.
func hostileReview(author, title, body string, stars int) string {
	b, _ := json.Marshal(map[string]any{"@type": "Review", "author": map[string]string{"name": author},
		"name": title, "datePublished": "2026-11-22", "reviewBody": body, "reviewRating": map[string]any{"ratingValue": stars}})
	return string(b)
}

// TestHostileReviewsEndToEnd serves one-star reviews full of hostile text
// from a loopback site, polls with the real CLI into a loopback Slack, and
// checks every post and the store. The business's own config fields hold
// template syntax too. Each case's marker word finds its post.
func TestHostileReviewsEndToEnd(t *testing.T) {
	big := strings.Repeat("The soup was cold & the bill was wrong. ", 2560) // 102,400 bytes
	tests := []struct {
		marker, author, title, body string
		want                        []string // in the post, exactly
		never                       []string // nowhere in the post
		// stored is the review as the store keeps it, when the source
		// normalises it (schema.org text is HTML: tags dropped, white
		// space folded); "" means exactly as served.
		stored *struct{ author, title, text string }
	}{
		{marker: "case-mentions", author: "<@U123> Eve", title: "<!channel> look", body: "<!here> and <!subteam^S1> and <#C123|general> and <@W999>",
			want:  []string{"&lt;@U123&gt; Eve", "&lt;!channel&gt; look", "&lt;!here&gt;", "&lt;!subteam^S1&gt;", "&lt;#C123|general&gt;", "&lt;@W999&gt;"},
			never: []string{"<@U123>", "<!channel>", "<!here>", "<!subteam", "<#C123", "<@W999>"}},
		{marker: "case-mrkdwn", author: "*Bold* Bob", title: "_italic_ ~strike~", body: "*bold* ```fence``` `code` > quote\n```\nmore\n```",
			// Slack has no escape for * _ ~ `: they stay as text, inside the quote, and can't link or ping.
			want:   []string{"*bold* ```fence``` `code` &gt; quote", "*Bold* Bob", "_italic_ ~strike~"},
			stored: &struct{ author, title, text string }{"*Bold* Bob", "_italic_ ~strike~", "case-mrkdwn *bold* ```fence``` `code` > quote ``` more ```"}},
		{marker: "case-script", author: "<script>alert(1)</script>", title: "<img src=x onerror=alert(1)>", body: "<script>document.location='https://evil.example'</script>",
			want:   []string{"&lt;img src=x onerror=alert(1)&gt;", "anonymous"},
			never:  []string{"<script>", "script&gt;", "<img", "evil.example"},
			stored: &struct{ author, title, text string }{"", "<img src=x onerror=alert(1)>", "case-script"}},
		{marker: "case-invisible", author: "Ann\u202Egnirts", title: "zero\u200Bwidth", body: "price\u2066 100\u2069 \u202Bright\u202C \uFEFFbom \u200Fmark",
			want:  []string{"Ann[U+202E]gnirts", "zero[U+200B]width", "price[U+2066] 100[U+2069]", "[U+202B]right[U+202C]", "[U+FEFF]bom", "[U+200F]mark"},
			never: []string{"\u202E", "\u200B", "\u2066", "\u2069", "\u202B", "\u202C", "\uFEFF", "\u200F"}},
		{marker: "case-template", author: "{{.Business.Contact}}", title: `{{template "en/close" .}}`, body: `{{define "en/close"}}HACKED{{end}} {{printf "%s" "EXEC"}} {{.Business.Signature}}`,
			want:  []string{`{{define "en/close"}}HACKED{{end}}`, `{{printf "%s" "EXEC"}}`},
			never: []string{"EXEC\n", "HACKED\n"}},
		{marker: "case-big", author: "Long Lou", title: "A long one", body: big,
			want: []string{"[cut for Slack: ", "characters in all; revwatch keeps the whole text]", "…"}},
	}
	site := &reviewSite{rating: "4.6", count: 100, reviews: []string{jsonReview("Giulia", "2026-11-01", "Best carbonara in town.", 5)}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	slack := newFakeSlack(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	// The business's own fields carry template syntax: config is data to
	// the reply templates as well.
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./revwatch.db
http: {host_interval: 1ms}
slack: {token: "${E2E_SLACK_TOKEN}", channel: "#reviews", api_url: %q}
businesses:
  - id: luna
    name: 'Luna {{template "en/apology" .}}'
    signature: 'Maria {{.Business.Contact}}'
    contact: 'maria@luna.example {{printf "%%s" "EXEC"}}'
    listings: [{id: luna-site, source: schemaorg, url: "%s/reviews", schedule: "@every 30m"}]
# Six 1-star reviews in one poll would be a review bomb (one folded alert);
# this test wants each review's own post.
rules: {bomb_min: 10}
`, slack.srv.URL+"/", srv.URL)), 0o600)
	t.Setenv("E2E_SLACK_TOKEN", "xoxb-test-token")
	if code, _, errOut := cli(t, "poll", "--config", cfgPath, "--log-level", "error"); code != 0 {
		t.Fatalf("baseline poll: exit %d %s", code, errOut)
	}
	site.set(func(s *reviewSite) {
		for _, tt := range tests {
			s.reviews = append(s.reviews, hostileReview(tt.author, tt.title, tt.marker+" "+tt.body, 1))
		}
	})
	if code, _, errOut := cli(t, "poll", "--config", cfgPath, "--log-level", "error"); code != 0 {
		t.Fatalf("poll: exit %d %s", code, errOut)
	}
	posts := slack.all()

	code, out, errOut := cli(t, "reviews", "--config", cfgPath, "--format", "json")
	if code != 0 {
		t.Fatalf("reviews: exit %d %s", code, errOut)
	}
	var stored []struct{ Author, Title, Text string }
	if err := json.Unmarshal([]byte(out), &stored); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cli(t, "drafts", "--config", cfgPath, "--format", "json")
	var drafts []struct {
		ReviewID string `json:"review_id"`
		Text     string `json:"text"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &drafts) != nil || len(drafts) != len(tests) {
		t.Fatalf("drafts: exit %d, %d drafts for %d reviews %s %s", code, len(drafts), len(tests), out, errOut)
	}
	literal := `maria@luna.example {{printf "%s" "EXEC"}}`
	for _, d := range drafts {
		// Drafts come from the templates alone: template syntax from the
		// review or from the config is printed as the text it is, never
		// executed (HACKED and a bare EXEC would be the executed forms).
		if strings.Contains(d.Text, "HACKED") || strings.Count(d.Text, "EXEC") != strings.Count(d.Text, literal) {
			t.Errorf("a draft executed injected template text:\n%s", d.Text)
		}
		if strings.Count(d.Text, literal) != 1 || !strings.HasSuffix(d.Text, "Maria {{.Business.Contact}}") {
			t.Errorf("the config's contact and signature are not in the draft literally:\n%s", d.Text)
		}
		if strings.Contains(d.Text, "{{.Business.Contact}},") && !strings.HasPrefix(d.Text, "Hello {{.Business.Contact}},") && !strings.HasPrefix(d.Text, "Hi {{.Business.Contact}},") {
			t.Errorf("the author's template syntax changed form:\n%s", d.Text)
		}
	}
	for _, tt := range tests {
		t.Run(tt.marker, func(t *testing.T) {
			var post string
			for _, p := range posts {
				if strings.Contains(p, tt.marker) {
					if post != "" {
						t.Fatalf("two posts carry %s", tt.marker)
					}
					post = p
				}
			}
			if post == "" {
				t.Fatalf("no Slack post carries %s (%d posts)", tt.marker, len(posts))
			}
			// Read the post as Slack does: the JSON strings decoded.
			texts := jsonStrings(t, post)
			for _, w := range tt.want {
				if !strings.Contains(texts, w) {
					t.Errorf("post lacks %q", w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(texts, n) {
					t.Errorf("post contains %q", n)
				}
			}
			for i := 0; i < len(texts); i++ {
				if texts[i] == '<' && !strings.HasPrefix(texts[i:], "<http") && !strings.HasPrefix(texts[i:], "<!date^") {
					t.Fatalf("post has raw markup at %d: %.40q", i, texts[i:])
				}
			}
			if tt.marker == "case-big" {
				if utf8.RuneCountInString(texts) > 20000 {
					t.Errorf("the 100 KB review went to Slack nearly whole: %d characters", utf8.RuneCountInString(texts))
				}
				if !strings.Contains(texts, fmt.Sprintf("[cut for Slack: %d characters", utf8.RuneCountInString(tt.marker+" "+strings.TrimSpace(big)))) {
					t.Errorf("the cut note does not give the full length %d", len(tt.marker+" "+big))
				}
				found := false
				for _, s := range stored {
					if s.Text == strings.TrimSpace(tt.marker+" "+big) {
						found = true
					}
				}
				if !found {
					t.Errorf("the store does not keep the 100 KB review whole")
				}
				return
			}
			for _, s := range stored {
				if strings.HasPrefix(s.Text, tt.marker) {
					want := struct{ author, title, text string }{tt.author, tt.title, tt.marker + " " + tt.body}
					if tt.stored != nil {
						want = *tt.stored
					}
					if s.Text != want.text || s.Author != want.author || s.Title != want.title {
						t.Errorf("stored %+v, want the review as served", s)
					}
					return
				}
			}
			t.Errorf("review %s not stored", tt.marker)
		})
	}
}

// jsonStrings decodes a fake-Slack post (channel, text, blocks JSON) into
// the text Slack would render: every JSON string, one per line.
func jsonStrings(t *testing.T, post string) string {
	t.Helper()
	channel, rest, _ := strings.Cut(post, "\n")
	text, blocks, _ := strings.Cut(rest, "\n")
	var v any
	if err := json.Unmarshal([]byte(blocks), &v); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	var b strings.Builder
	b.WriteString(channel + "\n" + text + "\n")
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "text" || k == "value" || k == "url") {
					b.WriteString(s + "\n")
					continue
				}
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
