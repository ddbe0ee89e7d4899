package notify

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testMention is the manager_mention of the tests.
const testMention = "<!subteam^S0MANAGERS>"

var (
	t0       = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	testNow  = func() time.Time { return t0 }
	evilText = "<!channel> hi <@U123> &lt;!here&gt; <http://evil|click> @here *bold* `code`\nsecond line\n> quoted"
)

// testAlert is one alert of each kind, plus hostile variants.
type namedAlert struct {
	name  string
	alert store.Alert
}

func testAlerts() []namedAlert {
	business := store.Ref{ID: "cafe", Name: "Café Test GmbH"}
	listing := store.ListingRef{ID: "cafe-tp", Name: "Café Test", Platform: "trustpilot", PlatformLabel: "Trustpilot", URL: "https://www.trustpilot.com/review/cafe.example"}
	return []namedAlert{
		{"negative_review", store.Alert{
			ID: 42, Key: "review:cafe-tp:abc", Kind: store.KindNegativeReview, Created: t0,
			Business: business, Listing: listing,
			Review: &sources.Review{
				ID: "abc", Author: "Jane D.", Rating: sources.Stars(1), Title: "Cold coffee",
				Text:      "The coffee was cold & the staff <ignored> us.\nNever again.",
				Published: time.Date(2026, 3, 13, 18, 0, 0, 0, time.UTC),
				URL:       "https://www.trustpilot.com/reviews/abc?utm=a&b=c",
			},
			Rating: &store.RatingChange{Before: sources.Rating{Value: 4.6, Count: 212}, After: sources.Rating{Value: 4.5, Count: 213}},
			Draft: &store.Draft{ID: 7, Listing: "cafe-tp", ReviewID: "abc", Status: store.DraftPending,
				Text: "Dear Jane, we are sorry about your visit. Please write to us at hello@cafe.example."},
		}},
		{"negative_review_hostile", store.Alert{
			ID: 43, Kind: store.KindNegativeReview, Created: t0,
			Business: store.Ref{ID: "cafe"},
			Listing:  store.ListingRef{ID: "evil", Name: "<!here> Evil & Co", Platform: "schemaorg", URL: "javascript:alert(1)"},
			Review: &sources.Review{
				ID: "h-1", Author: "<@U123>\x1b[31m", Rating: sources.Stars(2.5),
				Title: "<http://evil|click>", Text: evilText,
				URL: "https://evil.example/a|b<c>d e",
			},
		}},
		{"negative_review_unrated", store.Alert{
			ID: 44, Kind: store.KindNegativeReview, Created: t0,
			Business: business, Listing: listing,
			Review: &sources.Review{ID: "x", Text: "Meh."},
		}},
		{"rating_drop", store.Alert{
			ID: 45, Kind: store.KindRatingDrop, Created: t0,
			Business: business, Listing: listing,
			Rating: &store.RatingChange{Before: sources.Rating{Value: 4.6, Count: 212}, After: sources.Rating{Value: 4, Count: 220}},
		}},
		{"source_broken", store.Alert{
			ID: 46, Kind: store.KindSourceBroken, Created: t0,
			Business: business, Listing: listing,
			Failure: &store.Failure{Count: 5, Since: time.Date(2026, 3, 13, 7, 30, 0, 0, time.UTC),
				Cause: "trustpilot: fetch https://www.trustpilot.com/review/cafe.example: blocked by the platform"},
		}},
		{"source_recovered", store.Alert{
			ID: 47, Kind: store.KindSourceRecovered, Created: t0,
			Business: business, Listing: listing,
			Failure: &store.Failure{Count: 5, Since: time.Date(2026, 3, 13, 7, 30, 0, 0, time.UTC)},
		}},
		{"negative_review_approved_manual", store.Alert{
			ID: 48, Key: "review:cafe-tp:def", Kind: store.KindNegativeReview, Created: t0,
			Business: business, Listing: listing,
			Review: &sources.Review{
				ID: "def", Author: "Sam", Rating: sources.Stars(2), Text: "Slow service.",
				URL: "https://www.trustpilot.com/reviews/def",
			},
			Draft: &store.Draft{ID: 8, Listing: "cafe-tp", ReviewID: "def", Status: store.DraftApproved, Manual: true,
				Text: "Dear Sam, thank you for telling us.", UpdatedBy: "U0APPROVER", Updated: t0.Add(time.Hour)},
		}},
		{"negative_review_urgent", store.Alert{
			ID: 49, Key: "review:cafe-tp:ghi", Kind: store.KindNegativeReview, Created: t0,
			Business: business, Listing: listing, Urgent: true,
			Guidance: "The reviewer mentions food poisoning: call the shift manager, don't reply in public yet.",
			Review: &sources.Review{
				ID: "ghi", Author: "Kim", Rating: sources.Stars(1), Text: "I got food poisoning here.",
				URL: "https://www.trustpilot.com/reviews/ghi",
			},
			Draft: &store.Draft{ID: 9, Listing: "cafe-tp", ReviewID: "ghi", Status: store.DraftPending, Text: "We are sorry."},
		}},
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Great coffee", "Great coffee"},
		{"channel mention", "<!channel> hi", "&lt;!channel&gt; hi"},
		{"user mention", "<@U123>", "&lt;@U123&gt;"},
		{"already escaped here", "&lt;!here&gt;", "&amp;lt;!here&amp;gt;"},
		{"link", "<http://evil|click>", "&lt;http://evil|click&gt;"},
		{"ampersand", "Tom & Jerry", "Tom &amp; Jerry"},
		{"date token", "<!date^1392734382^{date}|x>", "&lt;!date^1392734382^{date}|x&gt;"},
		{"non-latin", "خیلی بد بود <3", "خیلی بد بود &lt;3"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitizeURL(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"https", "https://www.trustpilot.com/reviews/abc", "https://www.trustpilot.com/reviews/abc", true},
		{"http upper scheme", "HTTP://example.com/x", "http://example.com/x", true},
		{"query kept", "https://x.example/a?b=1&c=2", "https://x.example/a?b=1&c=2", true},
		{"pipe and brackets encoded", "https://x.example/a|b?q=<c>|d", "https://x.example/a%7Cb?q=%3Cc%3E%7Cd", true},
		{"space encoded", "https://x.example/?q=a b", "https://x.example/?q=a%20b", true},
		{"user info dropped", "https://www.trustpilot.com@evil.example/x", "https://evil.example/x", true},
		{"javascript", "javascript:alert(1)", "", false},
		{"data", "data:text/html,hi", "", false},
		{"mailto", "mailto:a@b.c", "", false},
		{"relative", "/reviews/abc", "", false},
		{"no host", "https:///x", "", false},
		{"pipe in host", "http://evil|click", "", false},
		{"unicode host", "https://bücher.example/", "", false},
		{"empty", "", "", false},
		{"too long", "https://x.example/" + strings.Repeat("a", 3000), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := sanitizeURL(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("sanitizeURL(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestRatingChange(t *testing.T) {
	tests := []struct {
		name string
		rc   store.RatingChange
		want string
	}{
		{"with counts", store.RatingChange{Before: sources.Rating{Value: 4.6, Count: 212}, After: sources.Rating{Value: 4.5, Count: 213}}, "Rating 4.6 → 4.5 (212 → 213 reviews)"},
		{"whole numbers", store.RatingChange{Before: sources.Rating{Value: 5}, After: sources.Rating{Value: 4}}, "Rating 5.0 → 4.0"},
		{"same count", store.RatingChange{Before: sources.Rating{Value: 4.55, Count: 1}, After: sources.Rating{Value: 4.549, Count: 1}}, "Rating 4.55 → 4.55 (1 review)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ratingChange(tt.rc); got != tt.want {
				t.Errorf("ratingChange = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTruncateRunes(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one two three", 8, "one two…"},
		{"ابتثجحخد", 4, "ابت…"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := truncateRunes(tt.in, tt.n); got != tt.want {
				t.Errorf("truncateRunes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

// TestSlackBlocksGolden pins the Block Kit JSON of every test alert.
func TestSlackBlocksGolden(t *testing.T) {
	type rendered struct {
		Text   string        `json:"text"`
		Blocks []slack.Block `json:"blocks"`
	}
	out := map[string]rendered{}
	for _, na := range testAlerts() {
		m := render(na.alert)
		if m.Urgent {
			m.Mention = testMention // as Slack.render adds it
		}
		out[na.name] = rendered{Text: slackFallback(m), Blocks: slackBlocks(m)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep < & > readable in the golden file
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	golden(t, "slack_blocks.golden.json", buf.Bytes())
}

// TestSlackBlocksInert checks the hostile alert: nothing from it can ping or link.
func TestSlackBlocksInert(t *testing.T) {
	a := testAlerts()[1].alert
	m := render(a)
	texts := slackTexts(t, slackBlocks(m))
	texts = append(texts, slackFallback(m))
	all := strings.Join(texts, "\n")
	for _, bad := range []string{"<!channel>", "<!here>", "<@U123>", "<http://evil", "\x1b", "javascript:"} {
		if strings.Contains(all, bad) {
			t.Errorf("rendered Slack text contains %q:\n%s", bad, all)
		}
	}
	for _, want := range []string{"&lt;!channel&gt; hi", "&lt;@U123&gt;", "&amp;lt;!here&amp;gt;", "&lt;http://evil|click&gt;", "<https://evil.example/a%7Cb%3Cc%3Ed%20e|"} {
		if !strings.Contains(all, want) {
			t.Errorf("rendered Slack text lacks %q:\n%s", want, all)
		}
	}
	checkInert(t, texts)
}

func TestReviewTruncatedForSlack(t *testing.T) {
	a := testAlerts()[0].alert
	long := strings.Repeat("&", 6000) // escapes to 30,000 characters
	a.Review.Text = long
	a.Draft.Text = strings.Repeat("word ", 2000)
	m := render(a)
	if got := m.Sections[0].Text; got != long {
		t.Fatalf("render cut the review text; only Slack should")
	}
	texts := slackTexts(t, slackBlocks(m))
	checkInert(t, texts)
	found := false
	for _, s := range texts {
		if strings.Contains(s, "&amp;&amp;") {
			found = true
			if !strings.HasSuffix(s, "…") {
				t.Errorf("truncated review does not end with an ellipsis: …%q", s[len(s)-20:])
			}
		}
	}
	if !found {
		t.Error("review text missing from blocks")
	}
}

// slackTexts returns every "text" string in the blocks' JSON.
func slackTexts(t testing.TB, blocks any) []string {
	t.Helper()
	b, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any, limit int)
	walk = func(v any, limit int) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, limit)
			}
		case map[string]any:
			switch x["type"] {
			case "header":
				limit = slackHeaderMax
			case "section", "context":
				limit = slackSectionMax
			}
			for k, e := range x {
				if k == "fields" {
					walk(e, slackFieldMax)
					continue
				}
				if s, ok := e.(string); ok && k == "text" {
					if n := utf16Len(s); n > limit || n == 0 {
						t.Errorf("text of %d characters (limit %d): %.60q…", n, limit, s)
					}
					out = append(out, s)
					continue
				}
				walk(e, limit)
			}
		}
	}
	walk(v, slackSectionMax)
	return out
}

// ourLink matches the kinds of "<" the renderer writes itself: a link to
// a sanitised http(s) URL, and a date token of the status line.
var (
	ourLink = regexp.MustCompile(`^<https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+\|`)
	ourDate = regexp.MustCompile(`^<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>`)
)

// checkInert fails if any "<" in texts is not one of our links or dates,
// or if a control character other than newline or tab got through.
// allowed lists raw markup the test expects (a mention of the acting
// user, the manager mention), which is removed before the check.
func checkInert(t testing.TB, texts []string, allowed ...string) {
	t.Helper()
	for _, s := range texts {
		for _, a := range allowed {
			s = strings.ReplaceAll(s, a, "")
		}
		for i := 0; i < len(s); i++ {
			if s[i] == '<' && !ourLink.MatchString(s[i:]) && !ourDate.MatchString(s[i:]) {
				t.Fatalf("unescaped '<' at %d in %q", i, s)
			}
		}
		for _, r := range s {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("control character %U in %q", r, s)
			}
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"<!channel> hi", "<@U123>", "&lt;!here&gt;", "<http://evil|click>", "a&b", "&amp;", "\x00<", "\xff<>"} {
		f.Add(s)
	}
	unescape := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if strings.ContainsAny(e, "<>") {
			t.Fatalf("Escape(%q) = %q keeps < or >", s, e)
		}
		if strings.ToValidUTF8(s, "\uFFFD") == s && unescape.Replace(e) != s {
			t.Fatalf("Escape(%q) = %q does not round-trip", s, e)
		}
	})
}

func FuzzRender(f *testing.F) {
	f.Add("Cold coffee", "The coffee was cold.", "Jane", "https://www.trustpilot.com/reviews/abc")
	f.Add("<http://evil|click>", evilText, "<@U123>", "https://evil.example/a|b<c>d")
	f.Add("<!here>", "<!channel> hi", "&lt;!here&gt;", "javascript:alert(1)")
	f.Add("", strings.Repeat("<&>", 1200), "\x1b[31mred", "http://x.example/?q=<!channel>")
	f.Add("t", "line1\r\nline2\u2028> line3\x00", "", "HTTPS://user:pw@x.example/%3C")
	f.Fuzz(func(t *testing.T, title, text, author, rawURL string) {
		a := testAlerts()[0].alert
		a.Listing.Name = title
		a.Review.Title = title
		a.Review.Text = text
		a.Review.Author = author
		a.Review.URL = rawURL
		a.Draft.Text = text
		m := render(a)
		texts := slackTexts(t, slackBlocks(m))
		checkInert(t, append(texts, slackFallback(m)))
		for _, r := range consoleText(m) {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("console output has control character %U", r)
			}
		}
	})
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./notify -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; rerun with -update if intended):\n%s", path, diff)
	}
}

// TestDraftButtons pins which buttons a draft's message carries in each
// state: action ids, values and the link, exactly.
func TestDraftButtons(t *testing.T) {
	base := testAlerts()[0].alert // draft #7, review URL set
	tests := []struct {
		name     string
		status   store.DraftStatus
		canReply bool
		manual   bool
		urgent   bool
		want     []string // "action_id=value" or "action_id→url"
		status1  string   // the status line's text
	}{
		{"pending", store.DraftPending, true, false, false,
			[]string{"draft_approve=7", "draft_edit=7", "draft_regenerate=7", "draft_reject=7"}, "pending approval"},
		{"pending, no reply API", store.DraftPending, false, false, false,
			[]string{"draft_approve=7", "draft_edit=7", "draft_regenerate=7", "draft_reject=7"}, "pending approval"},
		{"approved, reply API", store.DraftApproved, true, false, false,
			[]string{"draft_edit=7", "draft_reject=7"}, "approved - publishing on Trustpilot"},
		{"approved, no reply API", store.DraftApproved, false, false, false,
			[]string{"draft_edit=7", "draft_reject=7", "draft_reply_link→https://www.trustpilot.com/reviews/abc?utm=a&b=c"}, "approved - post manually"},
		{"approved manual", store.DraftApproved, true, true, false,
			[]string{"draft_edit=7", "draft_reject=7", "draft_reply_link→https://www.trustpilot.com/reviews/abc?utm=a&b=c"}, "approved - post manually"},
		{"rejected", store.DraftRejected, true, false, false, nil, "rejected"},
		{"posted", store.DraftPosted, true, false, false, nil, "posted on Trustpilot"},
		{"urgent", store.DraftPending, true, false, true, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := base
			d := *base.Draft
			d.Status, d.Manual = tt.status, tt.manual
			a.Draft, a.Listing.CanReply, a.Urgent = &d, tt.canReply, tt.urgent
			m := render(a)
			var got []string
			for _, b := range m.Buttons {
				if b.URL != "" {
					got = append(got, b.ActionID+"→"+b.URL)
				} else {
					got = append(got, b.ActionID+"="+b.Value)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("buttons (-want +got):\n%s", diff)
			}
			st := ""
			if m.Status != nil {
				st = m.Status.Text
			}
			if st != tt.status1 {
				t.Errorf("status = %q, want %q", st, tt.status1)
			}

			// The Block Kit form carries the same ids and values.
			blocks := slackBlocks(m)
			var ids []string
			for _, b := range blocks {
				ab, ok := b.(*slack.ActionBlock)
				if !ok {
					continue
				}
				for _, e := range ab.Elements.ElementSet {
					btn := e.(*slack.ButtonBlockElement)
					if btn.URL != "" {
						ids = append(ids, btn.ActionID+"→"+btn.URL)
					} else {
						ids = append(ids, btn.ActionID+"="+btn.Value)
					}
				}
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("Block Kit buttons (-want +got):\n%s", diff)
			}
			checkInert(t, slackTexts(t, blocks))
		})
	}
}

func TestStatusLineActor(t *testing.T) {
	tests := []struct {
		by, want string
	}{
		{"U0APPROVER", "<@U0APPROVER>"},
		{"W0ENTERPRISE", "<@W0ENTERPRISE>"},
		{"cli:amir", "cli:amir"},
		{"revwatch", "revwatch"},
		{"", "revwatch"},
		{"<!channel>", "&lt;!channel&gt;"},
		{"U123>", "U123&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			if got := slackActor(tt.by); got != tt.want {
				t.Errorf("slackActor(%q) = %q, want %q", tt.by, got, tt.want)
			}
		})
	}
	a := testAlerts()[0].alert
	a.Draft.Status, a.Draft.UpdatedBy, a.Draft.Updated = store.DraftRejected, "cli:amir", t0.Add(time.Hour)
	texts := slackTexts(t, slackBlocks(render(a)))
	want := "*Status:* rejected · by cli:amir · <!date^1773484013^{date_short_pretty} {time}|2026-03-14 10:26 UTC>"
	if !slices.Contains(texts, want) {
		t.Errorf("no status line %q in:\n%s", want, strings.Join(texts, "\n"))
	}
}

func TestInvisibleCharactersShown(t *testing.T) {
	cases := map[string]string{
		"abc\u202Edcba":       "abc[U+202E]dcba",
		"free\u200Bmoney":     "free[U+200B]money",
		"\u2066isolate\u2069": "[U+2066]isolate[U+2069]",
		"می\u200Cخواهیم":      "می\u200Cخواهیم", // Persian needs the non-joiner
		"plain":               "plain",
	}
	for in, want := range cases {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
