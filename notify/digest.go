package notify

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/revwatch/revwatch/digest"
	"github.com/revwatch/revwatch/store"
)

// DigestSender delivers a business's weekly digest.
//
// SendDigest posts the digest to channel ("" means the notifier's own) and,
// when chart is not empty, the PNG chart after it. The receipt is the
// digest message's. An error means the digest message did not go out (a
// retry may help unless it wraps ErrPermanent); a chart that fails to
// upload after the message went out is reported through ChartErr, so the
// caller doesn't post the whole digest twice.
type DigestSender interface {
	SendDigest(ctx context.Context, d digest.Digest, channel string, chart []byte) (store.Receipt, error)
}

var (
	_ DigestSender = (*Slack)(nil)
	_ DigestSender = (*Console)(nil)
)

// ChartError is returned with a valid receipt when the digest message was
// posted but its chart could not be uploaded.
type ChartError struct{ Err error }

func (e *ChartError) Error() string { return "chart upload: " + e.Err.Error() }
func (e *ChartError) Unwrap() error { return e.Err }

// digestLines caps each list in the digest (unanswered, removed).
const digestLines = 10

// SendDigest posts the digest as Block Kit (chat.postMessage) and uploads
// the chart with files upload v2 (files.getUploadURLExternal, the upload,
// files.completeUploadExternal) to the channel the message went to, so it
// appears right under it. Needs the files:write scope for the chart.
func (s *Slack) SendDigest(ctx context.Context, d digest.Digest, channel string, chart []byte) (store.Receipt, error) {
	channel = cmp.Or(strings.TrimSpace(channel), s.channel)
	blocks, fallback := digestBlocks(d, len(chart) > 0)
	r, err := s.post(ctx, "slack: post digest to "+channel, 0, channel,
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionText(fallback, false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "revwatch_digest",
			EventPayload: map[string]any{"business": d.Business, "period_end": d.To.UTC().Format(time.RFC3339)}}),
	)
	if err != nil || len(chart) == 0 {
		return r, err
	}
	uctx, cancel := context.WithTimeoutCause(ctx, 4*slackTimeout, errSlackTimeout)
	defer cancel()
	name := fmt.Sprintf("rating-%s-%s.png", d.Business, d.To.UTC().Format("2006-01-02"))
	_, err = s.api.UploadFileContext(uctx, slack.UploadFileParameters{
		Reader:   bytes.NewReader(chart),
		FileSize: len(chart),
		Filename: name,
		Title:    "Rating history, " + fmt.Sprint(digest.HistoryDays) + " days",
		AltTxt:   "Rating history over " + fmt.Sprint(digest.HistoryDays) + " days of every listing and competitor of " + Escape(cleanLine(cmp.Or(d.BusinessName, d.Business))),
		Channel:  r.Channel,
	})
	if err != nil {
		return r, &ChartError{Err: s.fail(uctx, "slack: upload chart to "+r.Channel, err)}
	}
	s.log.Debug("slack: digest chart uploaded", "business", d.Business, "bytes", len(chart))
	return r, nil
}

// digestBlocks lays the digest out in Block Kit; every untrusted string
// (names, review text, authors) goes through Escape.
func digestBlocks(d digest.Digest, withChart bool) ([]slack.Block, string) {
	name := cmp.Or(d.BusinessName, d.Business)
	title := "Weekly digest: " + cleanLine(name)
	var blocks []slack.Block
	blocks = append(blocks, slack.NewHeaderBlock(plainText(title, slackHeaderMax)))
	ctxLine := newMrkdwn(slackSectionMax)
	ctxLine.text(d.Period(), false)
	blocks = append(blocks, slack.NewContextBlock("", mrkdwnObject(ctxLine.String())))

	section := func(heading string, lines []string) {
		w := newMrkdwn(slackSectionMax)
		w.raw("*" + heading + "*")
		for _, l := range lines {
			w.raw("\n" + l)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwnObject(w.String()), nil, nil))
	}
	var own, rivals []string
	for _, l := range d.Listings {
		line := listingLine(l)
		if l.Competitor {
			rivals = append(rivals, line)
		} else {
			own = append(own, line)
		}
	}
	section("Ratings", orNone(own))
	if len(rivals) > 0 {
		section("Competitors", rivals)
	}
	reviews := fmt.Sprintf("%d new %s", d.NewReviews, pluralWord(d.NewReviews, "review", "reviews"))
	if d.NewReviews > 0 {
		reviews += ": " + digest.StarsText(d.Stars, d.Unrated)
	}
	section("This week", []string{reviews, digest.ResponsesText(d.Responses)})

	var topics []string
	for _, t := range d.Topics {
		w := newMrkdwn(600)
		w.raw("• *")
		w.text(t.Topic, false)
		w.raw(fmt.Sprintf("* ×%d: “", t.Count))
		w.text(cleanLine(t.Quote.Text), false)
		w.raw("” (")
		w.text(cmp.Or(cleanLine(t.Quote.Author), "anonymous")+", "+t.Quote.Listing, false)
		w.raw(")")
		topics = append(topics, w.String())
	}
	section("Complaint topics", orNone(topics))
	section("Unanswered negative reviews", reviewLines(d.Unanswered, func(r digest.ReviewRef) string {
		return digest.Age(d.To.Sub(r.Published)) + " old"
	}))
	if len(d.Removed) > 0 {
		section("Removed reviews", reviewLines(d.Removed, func(r digest.ReviewRef) string {
			return "removed " + r.Removed.UTC().Format("2006-01-02")
		}))
	}
	if withChart {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwnObject(fmt.Sprintf(":chart_with_downwards_trend: Rating history of the last %d days: chart below.", digest.HistoryDays))))
	}
	fb := newMrkdwn(slackSectionMax)
	fb.text(title+", "+d.Period()+": "+reviews, false)
	return blocks, fb.String()
}

// listingLine is "*Name* (Platform): 4.4★ (-0.1) · 104 reviews (+4)".
func listingLine(l digest.ListingSummary) string {
	w := newMrkdwn(600)
	w.raw("• *")
	w.text(short(cleanLine(cmp.Or(l.Name, l.ID))), false)
	w.raw("* (")
	w.text(cmp.Or(l.PlatformLabel, l.Platform), false)
	w.raw("): ")
	if l.Rating == nil {
		w.raw("no rating yet")
		return w.String()
	}
	w.raw(digest.RatingText(l.Rating) + "★ (" + digest.ChangeText(l) + ")")
	w.raw(fmt.Sprintf(" · %d reviews", l.Count))
	if l.RatingBefore != nil && l.CountChange() != 0 {
		w.raw(fmt.Sprintf(" (%+d)", l.CountChange()))
	}
	return w.String()
}

// reviewLines lists reviews with a link each, at most digestLines.
func reviewLines(rs []digest.ReviewRef, when func(digest.ReviewRef) string) []string {
	var out []string
	for i, r := range rs {
		if i == digestLines {
			out = append(out, fmt.Sprintf("…and %d more (`revwatch report`)", len(rs)-digestLines))
			break
		}
		w := newMrkdwn(600)
		w.raw("• " + digest.StarText(r.Stars) + " ")
		w.text(cmp.Or(cleanLine(r.Author), "anonymous")+", "+r.Listing+", "+when(r)+": “", false)
		w.text(cleanLine(r.Text), false)
		w.raw("”")
		if u, ok := sanitizeURL(r.URL); ok {
			w.raw(" <")
			w.url(u)
			w.raw("|open>")
		}
		out = append(out, w.String())
	}
	return orNone(out)
}

func orNone(lines []string) []string {
	if len(lines) == 0 {
		return []string{"none"}
	}
	return lines
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// SendDigest writes the digest's text to the console; the chart is not
// shown there (`revwatch chart` writes it to a file).
func (c *Console) SendDigest(ctx context.Context, d digest.Digest, _ string, _ []byte) (store.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return store.Receipt{}, err
	}
	var b bytes.Buffer
	b.WriteString(consoleRule + "\n")
	if err := d.WriteText(&b); err != nil {
		return store.Receipt{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.w.Write(b.Bytes()); err != nil {
		return store.Receipt{}, fmt.Errorf("console: write digest: %w", err)
	}
	return store.Receipt{Notifier: "console", At: c.now()}, nil
}
