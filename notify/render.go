package notify

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/revwatch/revwatch/store"
)

// message is an alert rendered once, independently of the notifier. Every
// string in it is plain, unescaped text, most of it untrusted (review text,
// names from pages, causes): each output format escapes all of it, so no
// string can reach Slack without going through Escape.
type message struct {
	Icon     icon
	Title    string    // one line
	Fields   []field   // short label/value pairs
	Sections []section // longer texts, in order
	Link     link      // URL is sanitised or ""
	Footer   string    // one line: alert id
	Snippet  string    // a short excerpt for notification previews, or ""

	// Urgent marks an escalation: Slack puts Mention (a validated
	// manager_mention, the only raw markup in a message) above it.
	Urgent  bool
	Mention string
	// Status is the draft's state line (nil: no draft, or an escalation).
	Status *statusLine
	// Buttons act on the draft; only Slack shows them.
	Buttons []button
}

// statusLine is a draft's state as its message shows it: what, who, when.
type statusLine struct {
	Text string    // "pending approval", "approved - post manually", ...
	By   string    // an actor: a Slack user id ("U123"), "cli:amir", "revwatch"
	At   time.Time // zero: unknown
}

// button is a Slack button. Value carries the draft id; a link button has
// a sanitised URL instead and changes nothing.
type button struct {
	ActionID string
	Text     string
	Value    string
	URL      string
	Style    string // "primary", "danger" or ""
	Confirm  *confirm
}

// confirm is a confirmation dialog in front of a button.
type confirm struct{ Title, Text, OK, Cancel string }

// Action ids of the draft buttons (block_actions carry them back, with the
// draft id as the value).
const (
	actionApprove    = "draft_approve"
	actionEdit       = "draft_edit"
	actionReject     = "draft_reject"
	actionRegenerate = "draft_regenerate"
	actionReplyLink  = "draft_reply_link" // a link button: Slack still reports the click
)

// icon is an emoji in both outputs.
type icon struct {
	Slack   string // shortcode, ":warning:"
	Console string // a symbol
}

var (
	iconWarning   = icon{":warning:", "⚠"}
	iconDrop      = icon{":chart_with_downwards_trend:", "↘"}
	iconBroken    = icon{":rotating_light:", "✖"}
	iconRecovered = icon{":white_check_mark:", "✔"}
	iconInfo      = icon{":information_source:", "ℹ"}
	iconUrgent    = icon{":rotating_light:", "‼"}
	iconUpdate    = icon{":pencil2:", "✎"}
)

type field struct{ Label, Value string }

// section is a block of text. Quote marks text that is content from
// elsewhere (a review, a draft): Slack shows it as a quote, the console
// indents it. Limit caps Text in runes for Slack (0: only Slack's own limit);
// the store and the console keep it whole.
type section struct {
	Heading string
	Text    string
	Quote   bool
	Limit   int
}

type link struct{ URL, Text string }

// Limits of the rendered text. Slack rejects a text object over 3,000
// characters (150 in a header, 2,000 in a field) with invalid_blocks, which
// is permanent: the Slack renderer cuts escaped text to fit.
const (
	reviewLimit  = 2500 // runes of review or draft text shown in Slack
	snippetLimit = 150  // runes of review text in the notification preview
	nameLimit    = 80   // runes of a listing name in a title
	maxURL       = 2000 // bytes; longer links are dropped, not cut
)

// render turns an alert into a message. It is pure: the same alert always
// renders the same way.
func render(a store.Alert) message {
	m, ok := renderInsight(a)
	if !ok {
		m = renderKind(a)
	}
	m.Sections = append(m.Sections, insightSections(a)...)
	if a.Urgent {
		// An escalation: staff need a manager, not a reply proposal.
		m.Urgent = true
		m.Icon = iconUrgent
		m.Title = "Urgent: " + m.Title
		m.Status, m.Buttons = nil, nil
		if g := clean(a.Guidance); g != "" {
			m.Sections = append(m.Sections, section{Heading: "What to do", Text: g, Limit: reviewLimit})
		}
	}
	return m
}

func renderKind(a store.Alert) message {
	switch a.Kind {
	case store.KindNegativeReview:
		return renderNegativeReview(a)
	case store.KindRatingDrop:
		return renderRatingDrop(a)
	case store.KindSourceBroken:
		return renderSourceBroken(a)
	case store.KindSourceRecovered:
		return renderSourceRecovered(a)
	case store.KindReviewEdited, store.KindReviewImproved:
		return renderEdited(a)
	case store.KindListingChanged:
		return renderListingChanged(a)
	case store.KindStoreUnwritable, store.KindStoreWritable:
		return renderStore(a)
	default:
		m := message{
			Icon:   iconInfo,
			Title:  fmt.Sprintf("revwatch alert (%s): %s", cleanLine(string(a.Kind)), listingName(a)),
			Fields: placeFields(a),
			Link:   listingLink(a),
		}
		m.Footer = footer(a)
		return m
	}
}

func renderNegativeReview(a store.Alert) message {
	m := message{Icon: iconWarning, Fields: placeFields(a), Footer: footer(a)}
	r := a.Review
	if r == nil {
		m.Title = fmt.Sprintf("New negative review of %s on %s", short(listingName(a)), platformName(a))
		m.Sections = append(m.Sections, section{Text: "(the alert carries no review)"})
		m.Link = listingLink(a)
		return m
	}
	what := "unrated review"
	stars := "no rating"
	if r.Rating != nil {
		v := *r.Rating
		what = fmtNum(v, 0) + "★ review"
		n := max(1, int(math.Floor(v)))
		stars = strings.Repeat("★", min(n, 5)) + " (" + fmtNum(v, 0) + "/5)"
	}
	m.Title = fmt.Sprintf("New %s of %s on %s", what, short(listingName(a)), platformName(a))
	m.Fields = append(m.Fields, field{"Stars", stars})
	author := cleanLine(r.Author)
	if author == "" {
		author = "anonymous"
	}
	m.Fields = append(m.Fields, field{"Author", author})
	if !r.Published.IsZero() {
		m.Fields = append(m.Fields, field{"Date", r.Published.UTC().Format(time.DateOnly)})
	}

	text := clean(r.Text)
	title := cleanLine(r.Title)
	if text == "" && title == "" {
		text = "(no text)"
	}
	m.Sections = append(m.Sections, section{Heading: title, Text: text, Quote: text != "(no text)", Limit: reviewLimit})
	m.Snippet = truncateRunes(strings.Join(strings.Fields(text), " "), snippetLimit)
	if a.Rating != nil {
		m.Sections = append(m.Sections, section{Text: ratingChange(*a.Rating)})
	}
	if u, ok := sanitizeURL(r.URL); ok {
		m.Link = link{URL: u, Text: "View the review on " + platformName(a)}
	} else {
		m.Link = listingLink(a)
	}
	if d := a.Draft; d != nil && !a.Urgent && strings.TrimSpace(d.Text) != "" {
		m.Sections = append(m.Sections, section{
			Heading: fmt.Sprintf("Suggested reply (draft #%d, %s)", d.ID, draftState(d.Status)),
			Text:    clean(d.Text),
			Quote:   true,
			Limit:   reviewLimit,
		})
	}
	if !a.Urgent {
		m.Status, m.Buttons = draftControls(a)
	}
	return m
}

// draftControls is a draft's status line and the buttons for what is
// still possible in its state (store.ApplyDraftEvent enforces the same
// transitions): pending → approve, edit, new variant, reject; approved →
// edit, reject (and a link to reply by hand where revwatch can't post);
// rejected and posted → none.
func draftControls(a store.Alert) (*statusLine, []button) {
	d := a.Draft
	if d == nil || d.ID == 0 {
		return nil, nil
	}
	id := strconv.FormatUint(d.ID, 10)
	platform := platformName(a)
	manual := d.Manual || !a.Listing.CanReply
	st := &statusLine{By: d.UpdatedBy, At: d.Updated}
	if st.By == "" {
		st.By = "revwatch"
	}
	if st.At.IsZero() {
		st.At = d.Created
	}
	if st.At.IsZero() {
		st.At = a.Created
	}
	approve := button{ActionID: actionApprove, Text: "Approve", Value: id, Style: "primary"}
	if !manual {
		approve.Confirm = &confirm{
			Title:  "Post this reply?",
			Text:   fmt.Sprintf("revwatch will publish draft #%d on %s, where everyone can read it.", d.ID, platform),
			OK:     "Approve and post",
			Cancel: "Cancel",
		}
	}
	edit := button{ActionID: actionEdit, Text: "Edit", Value: id}
	regenerate := button{ActionID: actionRegenerate, Text: "New variant", Value: id}
	reject := button{ActionID: actionReject, Text: "Reject", Value: id, Style: "danger", Confirm: &confirm{
		Title:  "Reject this draft?",
		Text:   fmt.Sprintf("Draft #%d won't be posted, and can't be approved later.", d.ID),
		OK:     "Reject",
		Cancel: "Cancel",
	}}

	var bs []button
	switch d.Status {
	case store.DraftPending, "":
		st.Text = "pending approval"
		if d.Edited {
			st.Text = "pending approval (edited)"
		}
		bs = []button{approve, edit, regenerate, reject}
	case store.DraftApproved:
		bs = []button{edit, reject}
		switch {
		case manual:
			st.Text = "approved - post manually"
			if l := replyLink(a); l != "" {
				bs = append(bs, button{ActionID: actionReplyLink, Text: short("Reply on " + platform), URL: l})
			}
		case d.Publish.State == "failed":
			st.Text = "approved - publishing failed"
			if e := cleanLine(d.Publish.LastError); e != "" {
				st.Text += ": " + truncateRunes(e, 200)
			}
		case d.Publish.State == "done":
			st.Text = "approved - published on " + platform
		default:
			st.Text = "approved - publishing on " + platform
		}
	case store.DraftRejected:
		st.Text = "rejected"
	case store.DraftPosted:
		st.Text = "posted on " + platform
	default:
		st.Text = cleanLine(string(d.Status))
	}
	return st, bs
}

// replyLink is where staff reply by hand: the review, else the listing.
func replyLink(a store.Alert) string {
	if a.Review != nil {
		if u, ok := sanitizeURL(a.Review.URL); ok {
			return u
		}
	}
	if u, ok := sanitizeURL(a.Listing.URL); ok {
		return u
	}
	return ""
}

// updateLine says what happened to a draft (a KindDraftUpdate row), for
// the thread under the draft's message. actor formats who acted (a Slack
// mention, or plain text); esc makes untrusted text safe for the output.
func updateLine(a store.Alert, actor, esc func(string) string) string {
	u := a.Update
	if u == nil {
		return esc("The draft changed")
	}
	note := truncateRunes(cleanLine(u.Note), 500)
	platform := platformName(a)
	switch u.Action {
	case store.ActionApprove:
		s := "Approved by " + actor(u.By)
		if (a.Draft != nil && a.Draft.Manual) || !a.Listing.CanReply {
			s += esc(" - post it on " + platform + " by hand")
		}
		return s
	case store.ActionReject:
		return "Rejected by " + actor(u.By)
	case store.ActionEdit:
		s := "Edited by " + actor(u.By) + esc(fmt.Sprintf(" (draft #%d)", u.DraftID))
		if note != "" {
			s += esc(": " + note)
		}
		return s
	case store.ActionRegenerate:
		return "New variant by " + actor(u.By)
	case store.ActionPosted:
		return esc("Posted on " + platform)
	case store.ActionPublishFailed:
		if note == "" {
			note = "no reason given"
		}
		return esc("Publishing failed: " + note + " — approve again or post it by hand")
	case store.ActionRemind:
		// Only negative reviews (new or edited down) carry drafts.
		if d := a.Draft; d != nil && !d.Created.IsZero() && u.At.After(d.Created) {
			return esc("Reminder: this negative review has waited " + waited(u.At.Sub(d.Created)) + " for a reply")
		}
		return esc("Reminder: this negative review is still waiting for a reply")
	default:
		s := esc(cleanLine(string(u.Action)))
		if u.By != "" {
			s += " by " + actor(u.By)
		}
		if note != "" {
			s += esc(": " + note)
		}
		return s
	}
}

// waited reads "24h", or "3d" from three days on.
func waited(d time.Duration) string {
	h := int(d.Hours())
	if h >= 72 {
		return fmt.Sprintf("%dd", h/24)
	}
	return fmt.Sprintf("%dh", max(h, 1))
}

// renderEdited is a review alert whose title tells the change: "Amir
// changed 3★ to 1★" (or, after a reply, the good news of a rise, P3).
func renderEdited(a store.Alert) message {
	m := renderNegativeReview(a)
	if a.Review == nil || a.Edit == nil {
		return m
	}
	author := cleanLine(a.Review.Author)
	if author == "" {
		author = "A reviewer"
	}
	stars := func(v *float64) string {
		if v == nil {
			return "no rating"
		}
		return fmtNum(*v, 0) + "★"
	}
	change := fmt.Sprintf("%s changed %s to %s", author, stars(a.Edit.Before), stars(a.Edit.After))
	if a.Kind == store.KindReviewImproved {
		m.Icon = iconRecovered
		m.Title = fmt.Sprintf("Good news: %s on %s after your reply", change, platformName(a))
	} else {
		m.Title = fmt.Sprintf("%s on %s (%s)", change, platformName(a), short(listingName(a)))
	}
	if b := clean(a.Edit.BeforeText); b != "" && b != clean(a.Review.Text) {
		m.Sections = append(m.Sections, section{Heading: "Before the edit", Text: b, Quote: true, Limit: reviewLimit / 2})
	}
	return m
}

// renderListingChanged lists what changed in a listing's public details:
// listings get hijacked or wrongly edited.
func renderListingChanged(a store.Alert) message {
	m := message{Icon: iconWarning, Fields: placeFields(a), Link: listingLink(a), Footer: footer(a)}
	m.Title = fmt.Sprintf("Listing details changed: %s on %s", short(listingName(a)), platformName(a))
	d := a.Details
	if d == nil {
		return m
	}
	var lines []string
	diff := func(label, before, after string) {
		if before != after {
			lines = append(lines, fmt.Sprintf("%s: %q → %q", label, cleanLine(before), cleanLine(after)))
		}
	}
	diff("Name", d.Before.Name, d.After.Name)
	diff("Address", d.Before.Address, d.After.Address)
	diff("Phone", d.Before.Phone, d.After.Phone)
	diff("Website", d.Before.Website, d.After.Website)
	diff("Hours", strings.Join(d.Before.Hours, "; "), strings.Join(d.After.Hours, "; "))
	m.Sections = append(m.Sections, section{Text: strings.Join(lines, "\n") + "\nIf you didn't make this change, check the listing now."})
	return m
}

func renderRatingDrop(a store.Alert) message {
	m := message{Icon: iconDrop, Fields: placeFields(a), Link: listingLink(a), Footer: footer(a)}
	rc := a.Rating
	if rc == nil {
		m.Title = fmt.Sprintf("Rating dropped for %s on %s", short(listingName(a)), platformName(a))
		m.Sections = append(m.Sections, section{Text: "(the alert carries no rating)"})
		return m
	}
	m.Title = fmt.Sprintf("Rating of %s on %s dropped to %s", short(listingName(a)), platformName(a), fmtNum(rc.After.Value, 1))
	m.Fields = append(m.Fields,
		field{"Before", ratingWithCount(rc.Before.Value, rc.Before.Count)},
		field{"After", ratingWithCount(rc.After.Value, rc.After.Count)},
	)
	m.Sections = append(m.Sections, section{Text: ratingChange(*rc)})
	return m
}

func renderSourceBroken(a store.Alert) message {
	m := message{Icon: iconBroken, Fields: placeFields(a), Link: listingLink(a), Footer: footer(a)}
	m.Title = fmt.Sprintf("Source broken: %s (%s)", short(listingName(a)), platformName(a))
	text := fmt.Sprintf("Source broken: %s (%s) failed", listingName(a), platformName(a))
	if f := a.Failure; f != nil {
		text += fmt.Sprintf(" %s in a row", plural(f.Count, "poll"))
		if !f.Since.IsZero() {
			text += " since " + fmtTime(f.Since)
		}
		if k := failureWords[f.Kind]; k != "" {
			text += " (" + k + ")"
		}
		if c := cleanLine(f.Cause); c != "" {
			text += ": " + c
		}
	} else {
		text += " repeatedly"
	}
	text += ". Stored reviews are untouched."
	m.Sections = append(m.Sections, section{Text: text})
	return m
}

// failureWords says what a failure class means for the person fixing it.
var failureWords = map[string]string{
	"auth":      "the platform refused the credential: fix the config key named below",
	"quota":     "the platform's quota or rate limit is exhausted",
	"blocked":   "the platform served a challenge, login or robots.txt refusal instead of the page",
	"layout":    "the page no longer has the expected data: its layout may have changed",
	"too_large": "the response was larger than http.max_body_mb",
	"config":    "the listing's configuration is wrong",
	"http_5xx":  "the platform is having server errors",
	"http_4xx":  "the platform answered with an HTTP error",
	"timeout":   "the platform did not answer in time",
	"network":   "the platform could not be reached",
}

func renderSourceRecovered(a store.Alert) message {
	m := message{Icon: iconRecovered, Fields: placeFields(a), Link: listingLink(a), Footer: footer(a)}
	m.Title = fmt.Sprintf("Source recovered: %s (%s)", short(listingName(a)), platformName(a))
	text := fmt.Sprintf("%s (%s) is polling normally again", listingName(a), platformName(a))
	if f := a.Failure; f != nil && f.Count > 0 {
		text += fmt.Sprintf(" after %s", plural(f.Count, "failed poll"))
		if !f.Since.IsZero() {
			text += " since " + fmtTime(f.Since)
		}
	}
	text += "."
	m.Sections = append(m.Sections, section{Text: text})
	return m
}

// placeFields names the business, listing and platform of an alert.
func placeFields(a store.Alert) []field {
	var fs []field
	if b := cleanLine(a.Business.Name); b != "" {
		fs = append(fs, field{"Business", b})
	} else if b := cleanLine(a.Business.ID); b != "" {
		fs = append(fs, field{"Business", b})
	}
	return append(fs, field{"Listing", listingName(a)}, field{"Platform", platformName(a)})
}

func listingName(a store.Alert) string {
	if n := cleanLine(a.Listing.Name); n != "" {
		return n
	}
	if n := cleanLine(a.Listing.ID); n != "" {
		return n
	}
	return "unnamed listing"
}

func platformName(a store.Alert) string {
	if p := cleanLine(a.Listing.PlatformLabel); p != "" {
		return p
	}
	if p := cleanLine(a.Listing.Platform); p != "" {
		return p
	}
	return "unknown platform"
}

func listingLink(a store.Alert) link {
	if u, ok := sanitizeURL(a.Listing.URL); ok {
		return link{URL: u, Text: fmt.Sprintf("Open %s on %s", short(listingName(a)), platformName(a))}
	}
	return link{}
}

func footer(a store.Alert) string {
	return fmt.Sprintf("revwatch alert #%d · %s", a.ID, cleanLine(string(a.Kind)))
}

func draftState(s store.DraftStatus) string {
	switch s {
	case store.DraftPending, "":
		return "pending approval"
	default:
		return cleanLine(string(s))
	}
}

// ratingChange reads "Rating 4.6 → 4.5 (212 → 213 reviews)".
func ratingChange(rc store.RatingChange) string {
	s := fmt.Sprintf("Rating %s → %s", fmtNum(rc.Before.Value, 1), fmtNum(rc.After.Value, 1))
	switch b, c := rc.Before.Count, rc.After.Count; {
	case b == 0 && c == 0:
	case b == c:
		s += fmt.Sprintf(" (%s)", plural(c, "review"))
	default:
		s += fmt.Sprintf(" (%d → %s)", b, plural(c, "review"))
	}
	return s
}

func ratingWithCount(v float64, n int) string {
	if n == 0 {
		return fmtNum(v, 1)
	}
	return fmt.Sprintf("%s (%s)", fmtNum(v, 1), plural(n, "review"))
}

// fmtNum prints v with at most two decimals and at least minDec: 4.5, 4.0, 4.55.
func fmtNum(v float64, minDec int) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	if minDec > 0 && !strings.Contains(s, ".") {
		s += "." + strings.Repeat("0", minDec)
	}
	return s
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func short(s string) string { return truncateRunes(s, nameLimit) }

// truncateRunes cuts s to at most n runes, ending it with "…" when cut.
func truncateRunes(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
}

// clean makes untrusted text safe to print anywhere: valid UTF-8, "\n"
// line ends, and no control characters (a terminal escape sequence in a
// review must not reach the console). Tabs and newlines stay.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = showInvisible(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\u2028' || r == '\u2029':
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// showInvisible makes bidi overrides and invisible characters visible as
// "[U+202E]" instead of letting them reorder or hide text (a review could
// otherwise make a draft or a name read backwards). The zero-width
// (non-)joiner stays: Persian and emoji need it.
func showInvisible(s string) string {
	if !strings.ContainsFunc(s, invisible) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if invisible(r) {
			fmt.Fprintf(&b, "[U+%04X]", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func invisible(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069: // embeddings, overrides, isolates
		return true
	case r == 0x200B, r == 0x200E, r == 0x200F, r == 0x2060, r == 0xFEFF, r == 0x061C, r == 0x180E:
		return true
	}
	return false
}

// cleanLine is clean for one-line values: names, titles, causes.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// Escape makes untrusted text inert in Slack mrkdwn and plain_text: it
// replaces the three control characters & < > with &amp; &lt; &gt;, as
// Slack's formatting reference asks. After it, text can't form a mention
// (<!channel>, <@U123>), a link (<http://x|y>) or a date token, and an
// already escaped "&lt;!here&gt;" stays literal text. Every untrusted string
// goes through it before it is placed in a Slack message; the Slack
// renderer also sets verbatim so Slack doesn't turn plain "@here", URLs or
// channel names into links either.
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteString(escapeRune(r))
	}
	return b.String()
}

func escapeRune(r rune) string {
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	return string(r)
}

// sanitizeURL returns u if it is an absolute http(s) URL, normalised so it
// can sit inside Slack's <url|text> syntax: no user info, and every byte
// outside RFC 3986's URL characters (among them | < > space and quotes)
// percent-encoded. Hosts must be ASCII (punycode). ok is false for anything
// else (javascript:, relative, unparsable), and callers then show no link.
// The result is plain text: the Slack renderer still escapes its &.
func sanitizeURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURL {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host := u.Hostname()
	if host == "" {
		return "", false
	}
	for i := 0; i < len(u.Host); i++ {
		if u.Host[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	u.Scheme = scheme
	u.User = nil
	s := u.String()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlByte(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	if b.Len() > maxURL {
		return "", false
	}
	return b.String(), true
}

// urlByte reports whether c may appear in a URL as is (RFC 3986 unreserved,
// reserved and '%').
func urlByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0
}

// utf16Len is the length Slack measures text in (JavaScript characters),
// an upper bound of the rune count.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
