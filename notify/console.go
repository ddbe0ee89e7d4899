package notify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/revwatch/revwatch/store"
)

// Console writes alerts as readable text blocks, for when no Slack token is
// configured and for the demo. Text is shown whole (no Slack limits) with
// control characters removed, so a review can't drive the terminal.
type Console struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

var _ Notifier = (*Console)(nil)

// NewConsole returns a Console writing to w.
func NewConsole(w io.Writer) *Console {
	return &Console{w: w, now: time.Now}
}

// Name returns "console".
func (c *Console) Name() string { return "console" }

// Deliver writes one alert in a single Write; a draft update is one line.
// A failed write is retryable.
func (c *Console) Deliver(ctx context.Context, a store.Alert) (store.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return store.Receipt{}, err
	}
	var text string
	if a.Kind == store.KindDraftUpdate {
		text = consoleUpdate(a)
	} else {
		text = consoleText(render(a))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, text); err != nil {
		return store.Receipt{}, fmt.Errorf("console: write alert %d: %w", a.ID, err)
	}
	return store.Receipt{Notifier: "console", At: c.now()}, nil
}

const consoleRule = "────────────────────────────────────────────────────────────────────────"

// consoleText lays a message out as plain text.
func consoleText(m message) string {
	var b strings.Builder
	b.WriteString(consoleRule + "\n")
	fmt.Fprintf(&b, "%s %s\n", m.Icon.Console, m.Title)
	width := 0
	for _, f := range m.Fields {
		width = max(width, len([]rune(f.Label)))
	}
	for _, f := range m.Fields {
		fmt.Fprintf(&b, "  %-*s %s\n", width+1, f.Label+":", f.Value)
	}
	for _, s := range m.Sections {
		b.WriteString("\n")
		if s.Heading != "" {
			b.WriteString(s.Heading + "\n")
		}
		if s.Quote {
			for line := range strings.SplitSeq(s.Text, "\n") {
				b.WriteString(strings.TrimRight("  │ "+line, " ") + "\n")
			}
		} else {
			b.WriteString(s.Text + "\n")
		}
	}
	if m.Link.URL != "" {
		fmt.Fprintf(&b, "\n%s: %s\n", m.Link.Text, m.Link.URL)
	}
	fmt.Fprintf(&b, "\n%s\n", m.Footer)
	return b.String()
}

// consoleUpdate is one line for a draft update:
// "✎ draft #7 · Café Test on Trustpilot: Approved by U123".
func consoleUpdate(a store.Alert) string {
	id := uint64(0)
	if a.Update != nil {
		id = a.Update.DraftID
	}
	actor := func(by string) string {
		if by = cleanLine(by); by != "" {
			return by
		}
		return "revwatch"
	}
	// updateLine cleans every untrusted piece itself; no escaping needed.
	line := updateLine(a, actor, func(s string) string { return s })
	return fmt.Sprintf("%s draft #%d · %s on %s: %s\n", iconUpdate.Console, id, listingName(a), platformName(a), line)
}
