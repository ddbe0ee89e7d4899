package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/revwatch/revwatch/store"
)

var iconTrend = icon{":repeat:", "↻"}

// renderInsight renders the insight kinds (watcher/insights.go); ok is
// false for other kinds.
func renderInsight(a store.Alert) (message, bool) {
	switch a.Kind {
	case store.KindComplaintTrend:
		return renderTrend(a), true
	case store.KindReviewBombing:
		return renderBombing(a), true
	case store.KindRatingDisplay:
		return renderRatingDisplay(a), true
	case store.KindReviewFollowUp:
		m := renderEdited(a)
		m.Icon = iconInfo
		who := "The reviewer"
		if a.Review != nil && cleanLine(a.Review.Author) != "" {
			who = cleanLine(a.Review.Author)
		}
		m.Title = fmt.Sprintf("Follow-up: %s edited their review on %s after your reply", who, platformName(a))
		return m, true
	}
	return message{}, false
}

// insightSections are what an insight adds to a review or rating alert:
// its reason, the earlier review of a repeat reviewer, the rating math.
// The insight kinds show these themselves.
func insightSections(a store.Alert) []section {
	in := a.Insight
	if in == nil {
		return nil
	}
	switch a.Kind {
	case store.KindComplaintTrend, store.KindReviewBombing, store.KindRatingDisplay, store.KindReviewFollowUp:
		return nil
	}
	var out []section
	if r := clean(in.Reason); r != "" {
		out = append(out, section{Heading: "Why this matters", Text: r})
	}
	if e := in.Earlier; e != nil {
		out = append(out, section{Heading: "Their earlier review (" + refLine(*e, false) + ")", Text: clean(e.Text), Quote: true, Limit: reviewLimit / 2})
	}
	if d := in.Display; d != nil {
		out = append(out, section{Heading: "Displayed rating", Text: displayText(*d, platformName(a))})
	}
	return out
}

func renderTrend(a store.Alert) message {
	m := message{Icon: iconTrend, Footer: footer(a), Link: listingLink(a)}
	in := a.Insight
	biz := cleanLine(a.Business.Name)
	if biz == "" {
		biz = cleanLine(a.Business.ID)
	}
	if in == nil {
		m.Title = "Complaint trend at " + short(biz)
		return m
	}
	m.Title = fmt.Sprintf("Complaint trend at %s: %s in %s", short(biz), cleanLine(in.Topic), plural(in.Count, "review"))
	m.Fields = []field{{"Business", biz}, {"Topic", cleanLine(in.Topic)}, {"Reviews", fmt.Sprintf("%d within %s", in.Count, window(in.Window))},
		{"Platforms", cleanLine(strings.Join(in.Platforms, ", "))}}
	m.Sections = append(m.Sections, section{Text: clean(in.Reason)})
	m.Sections = append(m.Sections, section{Heading: "What they said", Text: quotes(in.Reviews, false), Quote: true, Limit: reviewLimit})
	m.Snippet = truncateRunes(clean(in.Reason), snippetLimit)
	return m
}

func renderBombing(a store.Alert) message {
	m := message{Icon: iconBroken, Fields: placeFields(a), Footer: footer(a), Link: listingLink(a)}
	in := a.Insight
	if in == nil {
		m.Title = fmt.Sprintf("Possible review bombing of %s on %s", short(listingName(a)), platformName(a))
		return m
	}
	m.Title = fmt.Sprintf("Possible review bombing of %s on %s: %s within %s", short(listingName(a)), platformName(a),
		plural(in.Count, "negative review"), window(in.Window))
	m.Sections = append(m.Sections, section{Text: clean(in.Reason)})
	m.Sections = append(m.Sections, section{Heading: "The reviews (the record, P2)", Text: quotes(in.Reviews, true), Quote: true, Limit: reviewLimit})
	if r := cleanLine(in.ReportRoute); r != "" {
		m.Sections = append(m.Sections, section{Heading: "Report them", Text: r})
	}
	if a.Rating != nil {
		m.Sections = append(m.Sections, section{Text: ratingChange(*a.Rating)})
	}
	if d := in.Display; d != nil {
		m.Sections = append(m.Sections, section{Heading: "Displayed rating", Text: displayText(*d, platformName(a))})
	}
	m.Snippet = truncateRunes(clean(in.Reason), snippetLimit)
	return m
}

func renderRatingDisplay(a store.Alert) message {
	m := message{Icon: iconDrop, Fields: placeFields(a), Footer: footer(a), Link: listingLink(a)}
	in := a.Insight
	if in == nil || in.Display == nil {
		m.Title = fmt.Sprintf("Displayed rating of %s on %s", short(listingName(a)), platformName(a))
		return m
	}
	d := in.Display
	if d.Before > d.Shown {
		m.Title = fmt.Sprintf("%s now shows %s for %s (was %s)", platformName(a), fmtNum(d.Shown, 1), short(listingName(a)), fmtNum(d.Before, 1))
	} else {
		m.Title = fmt.Sprintf("Early warning: one more 1-star review takes %s from %s to %s (%s)", platformName(a), fmtNum(d.Shown, 1), fmtNum(d.OneStar, 1), short(listingName(a)))
	}
	m.Sections = append(m.Sections, section{Text: clean(in.Reason)})
	if a.Rating != nil {
		m.Sections = append(m.Sections, section{Text: ratingChange(*a.Rating)})
	}
	m.Sections = append(m.Sections, section{Heading: "Displayed rating", Text: displayText(*d, platformName(a))})
	m.Snippet = truncateRunes(clean(in.Reason), snippetLimit)
	return m
}

// displayText is the rating arithmetic in words, with the recovery math.
func displayText(d store.Display, platform string) string {
	steps := "one decimal"
	if d.Step == 0.5 {
		steps = "half stars"
	}
	lines := []string{fmt.Sprintf("%s shows %s (average %s of %s, shown in %s).", platform, fmtNum(d.Shown, 1),
		trimNum(d.Average), plural(d.Count, "review"), steps)}
	if d.Before > d.Shown {
		lines = append(lines, fmt.Sprintf("It showed %s before.", fmtNum(d.Before, 1)))
	}
	if d.OneStar < d.Shown {
		lines = append(lines, fmt.Sprintf("One more 1-star review takes %s from %s to %s.", platform, fmtNum(d.Shown, 1), fmtNum(d.OneStar, 1)))
	}
	switch {
	case d.Recover < 0:
		lines = append(lines, fmt.Sprintf("No number of five-star reviews brings it to %s.", fmtNum(d.Target, 1)))
	case d.Before > d.Shown && d.Recover > 0:
		lines = append(lines, fmt.Sprintf("%s %s it back to %s.", plural(d.Recover, "five-star review"), verb(d.Recover, "brings", "bring"), fmtNum(d.Target, 1)))
	case d.OneStar < d.Shown && d.Recover > 0:
		lines = append(lines, fmt.Sprintf("After that 1-star, %s %s it back to %s.", plural(d.Recover, "five-star review"), verb(d.Recover, "brings", "bring"), fmtNum(d.Target, 1)))
	case d.Recover > 0 && d.Target > d.Shown:
		lines = append(lines, fmt.Sprintf("%s %s it up to %s.", plural(d.Recover, "five-star review"), verb(d.Recover, "takes", "take"), fmtNum(d.Target, 1)))
	}
	if d.Approx {
		lines = append(lines, "(An estimate: the platform gives a rounded or weighted score, not every star.)")
	}
	return strings.Join(lines, "\n")
}

// quotes lists reviews one a line: "“text” - Amir, 1★, Google, 2026-11-20".
func quotes(rs []store.ReviewRef, full bool) string {
	var lines []string
	for _, r := range rs {
		text := clean(r.Text)
		if text == "" {
			text = "(no text)"
		}
		lines = append(lines, "“"+strings.ReplaceAll(text, "\n", " ")+"” - "+refLine(r, full))
	}
	return strings.Join(lines, "\n")
}

// refLine names a review: author, stars, platform, date (with the time and
// link when full, for the record).
func refLine(r store.ReviewRef, full bool) string {
	parts := []string{}
	if a := cleanLine(r.Author); a != "" {
		parts = append(parts, a)
	} else {
		parts = append(parts, "anonymous")
	}
	if r.Rating != nil {
		parts = append(parts, fmtNum(*r.Rating, 0)+"★")
	}
	if p := cleanLine(r.Platform); p != "" {
		parts = append(parts, p)
	}
	if !r.Published.IsZero() {
		if full {
			parts = append(parts, fmtTime(r.Published))
		} else {
			parts = append(parts, r.Published.UTC().Format(time.DateOnly))
		}
	}
	if full {
		if u, ok := sanitizeURL(r.URL); ok {
			parts = append(parts, u)
		}
	}
	return strings.Join(parts, ", ")
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func trimNum(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func window(d time.Duration) string {
	switch {
	case d <= 0:
		return "the window"
	case d == time.Hour:
		return "an hour"
	case d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return d.String()
}
