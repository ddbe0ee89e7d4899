package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// hostileAlert is an alert of the given kind in which every string that
// comes from outside (a platform, a reviewer, a business's page, a Slack
// user's edit note) holds s, and by acts on the draft.
func hostileAlert(kind store.AlertKind, s, by string, urgent bool) store.Alert {
	d := sources.Details{Name: s, Address: s, Phone: s, Website: s, Hours: []string{s}}
	draft := &store.Draft{ID: 7, Listing: s, ReviewID: s, Status: store.DraftStatus(s), Text: s,
		UpdatedBy: by, Updated: t0, Created: t0.Add(-time.Hour)}
	draft.Publish.LastError = s
	a := store.Alert{
		ID: 1, Key: s, Kind: kind, Created: t0, Urgent: urgent, Guidance: s,
		Business: store.Ref{ID: s, Name: s},
		Listing:  store.ListingRef{ID: s, Name: s, Platform: s, PlatformLabel: s, URL: s},
		Review: &sources.Review{ID: s, Author: s, Title: s, Text: s, URL: s, Rating: sources.Stars(1),
			Translation: &sources.Translation{Language: s, Text: s}, Reply: &sources.Reply{Text: s}},
		Rating:  &store.RatingChange{Before: sources.Rating{Value: 4.5, Count: 10}, After: sources.Rating{Value: 4, Count: 11}},
		Failure: &store.Failure{Count: 3, Since: t0, Cause: s},
		Edit:    &store.ReviewEdit{Before: sources.Stars(4), After: sources.Stars(1), BeforeText: s + s},
		Details: &store.DetailsChange{Before: d, After: sources.Details{Name: s + "x"}},
		Draft:   draft,
		Update:  &store.Update{DraftID: 7, Action: store.DraftAction(s), By: by, At: t0, Note: s},
	}
	if kind == store.KindDraftUpdate {
		orig := a
		orig.Kind = store.KindNegativeReview
		a.Original = &orig
	}
	return a
}

var hostileKinds = []store.AlertKind{
	store.KindNegativeReview, store.KindRatingDrop, store.KindSourceBroken, store.KindSourceRecovered,
	store.KindReviewEdited, store.KindReviewImproved, store.KindListingChanged, store.KindDraftUpdate, "other",
}

// FuzzRenderAlert renders every alert kind, escalated or not, with a
// fuzzed string in every untrusted field, through the Slack blocks, the
// fallback text, the draft-update thread message and the console. The
// property: no output carries markup that did not come from revwatch
// itself (checkInert: every "<" is our link or date token, so no "<!",
// "<@" or "<#" from the input), no control characters, and no bidi
// override or invisible character is applied.
func FuzzRenderAlert(f *testing.F) {
	for _, s := range []string{"Cold coffee", evilText, "<!channel>", "<@U123>", "<#C123|general>", "<!subteam^S1>",
		"*bold* _it_ ~s~ ```fence```", "<script>alert(1)</script>", "a\u202Eevil\u202C b\u200B\u2066x\u2069",
		"{{.Business.Name}} {{template \"x\"}}", "&lt;!here&gt;", "\x00\x1b[2J\r\n", strings.Repeat("<&>", 1500)} {
		f.Add(s, "U0APPROVER", uint8(0), false)
	}
	f.Add("x", "<@U1>", uint8(7), true)
	f.Add("https://x.example/a?b=<!channel>", "cli:amir", uint8(6), false)
	f.Fuzz(func(t *testing.T, s, by string, kind uint8, urgent bool) {
		a := hostileAlert(hostileKinds[int(kind)%len(hostileKinds)], s, by, urgent)
		var allowed []string
		if slackUserPattern.MatchString(by) {
			allowed = append(allowed, "<@"+by+">") // the acting Slack user, by design
		}
		var texts []string
		if a.Kind == store.KindDraftUpdate {
			blocks, fallback := slackUpdateBlocks(a)
			texts = append(slackTexts(t, blocks), fallback)
			checkPlain(t, consoleUpdate(a))
		} else {
			m := render(a)
			texts = append(slackTexts(t, slackBlocks(m)), slackFallback(m))
			checkPlain(t, consoleText(m))
		}
		checkInert(t, texts, allowed...)
		for _, txt := range texts {
			checkPlain(t, txt)
		}
	})
}

// checkPlain fails on a control character (other than newline and tab) or
// a bidi override, embedding, isolate or zero-width space that would be
// applied rather than shown as [U+...].
func checkPlain(t testing.TB, s string) {
	t.Helper()
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\n' && r != '\t') || invisible(r) {
			t.Fatalf("output holds %U: %q", r, s)
		}
	}
}

// TestSlackCutNote: a review or draft too long for Slack ends in "…" and a
// note in words with the full length; a short one gets no note. The
// message keeps the whole text (render does not cut; only Slack does).
func TestSlackCutNote(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantNote string
	}{
		{"short", "Cold coffee.", ""},
		{"over the rune limit", strings.Repeat("word ", 20000) + "end", "[cut for Slack: 100003 characters in all; revwatch keeps the whole text]"},
		{"escaping overflows the block", strings.Repeat("<", reviewLimit), fmt.Sprintf("[cut for Slack: %d characters in all; revwatch keeps the whole text]", reviewLimit)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testAlerts()[0].alert
			r := *a.Review
			r.Text = tt.text
			a.Review = &r
			m := render(a)
			if m.Sections[0].Text != tt.text {
				t.Fatal("render cut the review text; only Slack may")
			}
			all := strings.Join(slackTexts(t, slackBlocks(m)), "\n")
			if n := strings.Count(all, "[cut for Slack"); (tt.wantNote == "") != (n == 0) || (n > 0 && !strings.Contains(all, tt.wantNote)) {
				t.Errorf("cut notes: %d, want %q in:\n%.300s", n, tt.wantNote, all)
			}
		})
	}
}
