package digest

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
)

// WriteText writes the digest for a terminal: the same sections as the
// Slack digest, in plain text. Review text and names are untrusted:
// control characters are dropped so a review can't drive the terminal.
func (d Digest) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	p := func(format string, a ...any) { fmt.Fprintf(ew, format, a...) }
	p("%s\n%s\n\n", safe(d.Title()), strings.Repeat("=", min(72, len([]rune(safe(d.Title()))))))

	p("Ratings\n")
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  LISTING\tNAME\tPLATFORM\tRATING\tCHANGE\tREVIEWS\tCHANGE\tNEW")
	for _, l := range d.Listings {
		name := safe(l.Name)
		if l.Competitor {
			name = strings.TrimSpace(name + " (competitor)")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", l.ID, cmp.Or(name, "-"), safe(cmp.Or(l.PlatformLabel, l.Platform)), RatingText(l.Rating),
			ChangeText(l), countText(l), countChangeText(l), l.NewReviews)
	}
	tw.Flush()
	p("\nThis period: %d new %s", d.NewReviews, plural(d.NewReviews, "review", "reviews"))
	if d.NewReviews > 0 {
		p("  %s", StarsText(d.Stars, d.Unrated))
	}
	p("\n")
	if d.NewReviews > 0 {
		for s := 5; s >= 1; s-- {
			p("  %d★ %-24s %d\n", s, strings.Repeat("█", bar(d.Stars[s-1], d.Stars)), d.Stars[s-1])
		}
	}

	p("\nComplaint topics\n")
	if len(d.Topics) == 0 {
		p("  none this period\n")
	}
	for _, t := range d.Topics {
		p("  %s: %d  \"%s\" (%s, %s)\n", t.Topic, t.Count, safe(t.Quote.Text), safe(cmp.Or(t.Quote.Author, "anonymous")), t.Quote.Listing)
	}

	p("\nReplies\n  %s\n", ResponsesText(d.Responses))

	p("\nUnanswered negative reviews (P1)\n")
	if len(d.Unanswered) == 0 {
		p("  none\n")
	}
	for _, r := range d.Unanswered {
		p("  %s  %s  %s  %s, %s old: \"%s\"\n", r.Listing, StarText(r.Stars), safe(cmp.Or(r.Author, "anonymous")), r.Published.In(d.location()).Format("2006-01-02"),
			Age(d.To.Sub(r.Published)), safe(r.Text))
	}

	p("\nRemoved reviews\n")
	if len(d.Removed) == 0 {
		p("  none\n")
	}
	for _, r := range d.Removed {
		p("  %s  %s  %s  removed %s: \"%s\"\n", r.Listing, StarText(r.Stars), safe(cmp.Or(r.Author, "anonymous")), r.Removed.In(d.location()).Format("2006-01-02"), safe(r.Text))
	}
	return ew.err
}

// RatingText formats a rating with two decimals at most ("4.45", "4.5"), "-" for none.
func RatingText(r *float64) string {
	if r == nil {
		return "-"
	}
	return strconv.FormatFloat(float64(int(*r*100+0.5))/100, 'f', -1, 64)
}

// ChangeText is the period's rating change: "+0.1", "-0.05", "=", or "new"
// when the listing had no rating at the start.
func ChangeText(l ListingSummary) string {
	switch {
	case l.Rating == nil:
		return "-"
	case l.RatingBefore == nil:
		return "new"
	}
	c := float64(int(l.RatingChange()*100+sign(l.RatingChange())*0.5)) / 100
	if c == 0 {
		return "="
	}
	return fmt.Sprintf("%+g", c)
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

func countText(l ListingSummary) string {
	if l.Rating == nil {
		return "-"
	}
	return strconv.Itoa(l.Count)
}

func countChangeText(l ListingSummary) string {
	switch {
	case l.Rating == nil:
		return "-"
	case l.RatingBefore == nil:
		return "new"
	case l.CountChange() == 0:
		return "="
	}
	return fmt.Sprintf("%+d", l.CountChange())
}

// StarsText is the distribution on one line: "5★ 3 · 4★ 1 · 3★ 0 · 2★ 0 · 1★ 2".
func StarsText(stars [5]int, unrated int) string {
	var parts []string
	for s := 5; s >= 1; s-- {
		parts = append(parts, fmt.Sprintf("%d★ %d", s, stars[s-1]))
	}
	if unrated > 0 {
		parts = append(parts, fmt.Sprintf("no stars %d", unrated))
	}
	return strings.Join(parts, " · ")
}

// StarText is one review's stars: "2★", or "-".
func StarText(r *float64) string {
	if r == nil {
		return "-"
	}
	return strconv.FormatFloat(*r, 'f', -1, 64) + "★"
}

// ResponsesText is the replies line.
func ResponsesText(r Responses) string {
	if r.Reviews == 0 {
		return "no reviews this period"
	}
	s := fmt.Sprintf("%d of %d reviews answered (%d%%)", r.Replied, r.Reviews, int(r.Rate()*100+0.5))
	if r.Timed > 0 {
		s += fmt.Sprintf("; median time to reply %s", Age(r.Median))
	}
	return s
}

// Age is a duration for people: "45m", "5h", "3d".
func Age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// bar scales a count to at most 24 blocks.
func bar(n int, all [5]int) int {
	top := 0
	for _, v := range all {
		top = max(top, v)
	}
	if top == 0 {
		return 0
	}
	return (n*24 + top - 1) / top
}

// safe drops control characters (terminal escapes) and bidi overrides
// from untrusted text.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return ' '
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
