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
}

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
	if d := a.Draft; d != nil && strings.TrimSpace(d.Text) != "" {
		m.Sections = append(m.Sections, section{
			Heading: fmt.Sprintf("Suggested reply (draft #%d, %s)", d.ID, draftState(d.Status)),
			Text:    clean(d.Text),
			Quote:   true,
			Limit:   reviewLimit,
		})
	}
	return m
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
