package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// SlackConfig is the notify.slack section of the config.
type SlackConfig struct {
	// Token is a bot token (xoxb-…) with the chat:write scope.
	Token sources.Secret `yaml:"token" json:"token"`
	// Channel is a channel ID (C0123456789) or name (#reviews). Invite the
	// bot to it.
	Channel string `yaml:"channel" json:"channel"`
	// APIURL is an optional base URL for Slack's Web API (proxies, tests);
	// "" means Slack's own.
	APIURL string `yaml:"api_url" json:"api_url"`
}

// Validate reports every problem with the section, each naming its key.
func (c SlackConfig) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Token.Reveal()) == "" {
		errs = append(errs, errors.New("slack.token: missing (a bot token, xoxb-…, e.g. ${SLACK_BOT_TOKEN})"))
	}
	if strings.TrimSpace(c.Channel) == "" {
		errs = append(errs, errors.New("slack.channel: missing (a channel ID like C0123456789, or #name)"))
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("slack.api_url: not an http(s) URL"))
		}
	}
	return errors.Join(errs...)
}

// slackTimeout bounds one chat.postMessage call.
const slackTimeout = 15 * time.Second

var errSlackTimeout = errors.New("no answer within 15s")

// Slack posts alerts to a Slack channel with chat.postMessage.
type Slack struct {
	api     *slack.Client
	channel string
	token   string // only to redact it from errors that echo it
	log     *slog.Logger
	now     func() time.Time
}

var _ Notifier = (*Slack)(nil)

// NewSlack returns a Slack notifier. It fails when the token or channel is
// missing. It makes no request: a bad token shows at the first delivery.
func NewSlack(cfg SlackConfig, log *slog.Logger) (*Slack, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := []slack.Option{
		// The dispatcher owns retries: no slack.OptionRetry here.
		slack.OptionHTTPClient(bearerClient{&http.Client{}}),
	}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	return &Slack{
		api:     slack.New(cfg.Token.Reveal(), opts...),
		channel: strings.TrimSpace(cfg.Channel),
		token:   cfg.Token.Reveal(),
		log:     log,
		now:     time.Now,
	}, nil
}

// Name returns "slack".
func (s *Slack) Name() string { return "slack" }

// Deliver posts the alert as a new message. Errors follow the Notifier
// contract: rate limits carry Retry-After, 5xx and network errors are
// retryable, and Slack's configuration errors (bad token, unknown channel,
// bot not in channel) wrap ErrPermanent with a hint.
func (s *Slack) Deliver(ctx context.Context, a store.Alert) (store.Receipt, error) {
	m := render(a)
	ctx, cancel := context.WithTimeoutCause(ctx, slackTimeout, errSlackTimeout)
	defer cancel()
	start := time.Now()
	channel, ts, err := s.api.PostMessageContext(ctx, s.channel,
		slack.MsgOptionBlocks(slackBlocks(m)...),
		slack.MsgOptionText(slackFallback(m), false),
		slack.MsgOptionParse(false),
		slack.MsgOptionLinkNames(false),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
		slack.MsgOptionMetadata(slack.SlackMetadata{
			EventType:    "revwatch_alert",
			EventPayload: map[string]any{"alert_id": a.ID, "kind": string(a.Kind)},
		}),
	)
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, errSlackTimeout) {
			err = fmt.Errorf("%w: %w", errSlackTimeout, err)
		}
		return store.Receipt{}, s.redact(s.classify(err))
	}
	s.log.Debug("slack: posted", "alert_id", a.ID, "duration", time.Since(start))
	return store.Receipt{Notifier: "slack", Channel: channel, TS: ts, At: s.now()}, nil
}

// permanentSlackErrors are Slack API error codes a retry can't fix, with what
// the operator should do about them.
var permanentSlackErrors = map[string]string{
	"invalid_auth":            "check slack.token: Slack rejects it",
	"not_authed":              "check slack.token: no token reached Slack",
	"account_inactive":        "the token's bot or user was deactivated; reinstall the app and update slack.token",
	"token_revoked":           "the token was revoked; reinstall the app and update slack.token",
	"token_expired":           "the token expired; update slack.token",
	"no_permission":           "the token lacks permission; reinstall the app with the chat:write scope",
	"missing_scope":           "the token lacks the chat:write scope; add it and reinstall the app",
	"not_allowed_token_type":  "use a bot token (xoxb-…) in slack.token",
	"channel_not_found":       "check slack.channel, or invite the bot to it (/invite @yourbot) if it is private",
	"not_in_channel":          "invite the bot to the channel (/invite @yourbot)",
	"is_archived":             "the channel is archived; unarchive it or change slack.channel",
	"restricted_action":       "the workspace does not let the bot post there",
	"team_access_not_granted": "the token has no access to this workspace",
	"msg_too_long":            "Slack refused the message's size (a revwatch bug: please report it with the alert id)",
	"invalid_blocks":          "Slack refused the message's blocks (a revwatch bug: please report it with the alert id)",
	"invalid_blocks_format":   "Slack refused the message's blocks (a revwatch bug: please report it with the alert id)",
	"no_text":                 "Slack refused an empty message (a revwatch bug: please report it with the alert id)",
	"invalid_arguments":       "Slack refused the request's arguments (a revwatch bug: please report it with the alert id)",
	"invalid_metadata_format": "Slack refused the message metadata (a revwatch bug: please report it)",
}

// classify turns a slack-go error into one that follows the Notifier
// contract.
func (s *Slack) classify(err error) error {
	where := "slack: post to " + s.channel
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return fmt.Errorf("%s: %w", where, &rateLimitError{after: rl.RetryAfter, err: err})
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		switch c := sc.Code; {
		case c >= 500, c == http.StatusTooManyRequests, c == http.StatusRequestTimeout:
			return fmt.Errorf("%s: %w", where, err)
		default:
			// Slack answers API errors with 200; any other status comes
			// from a wrong api_url or a proxy, and resending won't help.
			return fmt.Errorf("%s: %w (check slack.api_url and any proxy): %w", where, err, ErrPermanent)
		}
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		if hint, ok := permanentSlackErrors[se.Err]; ok {
			if se.Needed != "" {
				hint += " (needs " + se.Needed + ")"
			}
			return fmt.Errorf("%s: %w: %s: %w", where, err, hint, ErrPermanent)
		}
	}
	// Everything else (network errors, timeouts, Slack's internal_error,
	// ratelimited without Retry-After): retry with backoff.
	return fmt.Errorf("%s: %w", where, err)
}

// redact hides the token should an error echo it (a proxy or a fake
// server repeating the request). The result keeps only what the
// dispatcher needs from the chain (ErrPermanent, RetryAfter), since the
// original errors would still carry the token.
func (s *Slack) redact(err error) error {
	if err == nil || s.token == "" || !strings.Contains(err.Error(), s.token) {
		return err
	}
	e := &redactedError{msg: strings.ReplaceAll(err.Error(), s.token, "REDACTED")}
	if errors.Is(err, ErrPermanent) {
		e.causes = append(e.causes, ErrPermanent)
	}
	if rl, ok := errors.AsType[*rateLimitError](err); ok {
		e.causes = append(e.causes, rl)
	}
	return e
}

type redactedError struct {
	msg    string
	causes []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.causes }

// bearerClient moves the token that slack-go puts in form bodies
// (chat.postMessage sends token=… as a form field) into an Authorization:
// Bearer header, as Slack recommends, so the token never sits in a request
// body that a proxy or a debug dump might log.
type bearerClient struct{ c *http.Client }

func (b bearerClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Header.Get("Authorization") != "" ||
		!strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return b.c.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	form, perr := url.ParseQuery(string(body))
	if tok := form.Get("token"); perr == nil && tok != "" {
		form.Del("token")
		req.Header.Set("Authorization", "Bearer "+tok)
		body = []byte(form.Encode())
	}
	req.Body = io.NopCloser(strings.NewReader(string(body)))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(body))), nil }
	return b.c.Do(req)
}

// Slack's limits for text objects, in characters.
const (
	slackHeaderMax  = 150
	slackFieldMax   = 2000
	slackSectionMax = 3000
	slackMaxFields  = 10
)

// slackBlocks lays a message out in Block Kit. Every string from m goes
// through Escape (via mrkdwn.text) and every text object is verbatim.
func slackBlocks(m message) []slack.Block {
	var blocks []slack.Block

	h := newMrkdwn(slackHeaderMax)
	h.raw(m.Icon.Slack + " ")
	h.text(m.Title, false)
	blocks = append(blocks, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, h.String(), true, false)))

	var fields []*slack.TextBlockObject
	for _, f := range m.Fields[:min(len(m.Fields), slackMaxFields)] {
		w := newMrkdwn(slackFieldMax)
		w.raw("*")
		w.text(f.Label, false)
		w.raw("*\n")
		w.text(f.Value, false)
		fields = append(fields, mrkdwnObject(w.String()))
	}
	if len(fields) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	}

	for i, sec := range m.Sections {
		if sec.Quote && i > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		w := newMrkdwn(slackSectionMax)
		if sec.Heading != "" {
			w.raw("*")
			w.text(sec.Heading, false)
			w.raw("*\n")
		}
		text := sec.Text
		if sec.Limit > 0 {
			text = truncateRunes(text, sec.Limit)
		}
		if sec.Quote {
			w.raw("> ")
		}
		w.text(text, sec.Quote)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwnObject(w.String()), nil, nil))
	}

	if m.Link.URL != "" {
		w := newMrkdwn(slackSectionMax)
		w.raw(":link: <")
		w.url(m.Link.URL)
		w.raw("|")
		w.text(m.Link.Text, false)
		w.raw(">")
		blocks = append(blocks, slack.NewSectionBlock(mrkdwnObject(w.String()), nil, nil))
	}

	w := newMrkdwn(slackSectionMax)
	w.text(m.Footer, false)
	blocks = append(blocks, slack.NewContextBlock("", mrkdwnObject(w.String())))
	return blocks
}

// slackFallback is the message's top-level text: what notifications and
// screen readers show. It is escaped like the blocks.
func slackFallback(m message) string {
	w := newMrkdwn(slackSectionMax)
	w.raw(m.Icon.Slack + " ")
	w.text(m.Title, false)
	if m.Snippet != "" {
		w.raw(": ")
		w.text(m.Snippet, false)
	}
	return w.String()
}

func mrkdwnObject(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

// mrkdwn builds Slack text within a length limit: raw appends our own
// markup, text appends escaped untrusted text. When the next piece would
// not fit it writes "…" and ignores the rest, so a message never fails
// with invalid_blocks for its length, whatever the review holds.
type mrkdwn struct {
	b        strings.Builder
	n, limit int
	full     bool
}

func newMrkdwn(limit int) *mrkdwn { return &mrkdwn{limit: limit} }

func (w *mrkdwn) put(s string) bool {
	if w.full {
		return false
	}
	n := utf16Len(s)
	if w.n+n > w.limit-1 { // keep room for "…"
		w.b.WriteString("…")
		w.full = true
		return false
	}
	w.b.WriteString(s)
	w.n += n
	return true
}

func (w *mrkdwn) raw(s string) { w.put(s) }

// text appends Escape(s); with quote, each new line starts a quote line.
func (w *mrkdwn) text(s string, quote bool) {
	for _, r := range s {
		p := escapeRune(r)
		if quote && r == '\n' {
			p = "\n> "
		}
		if !w.put(p) {
			return
		}
	}
}

// url appends a URL from sanitizeURL; only its & needs escaping.
func (w *mrkdwn) url(u string) { w.put(strings.ReplaceAll(u, "&", "&amp;")) }

func (w *mrkdwn) String() string {
	if w.b.Len() == 0 {
		return " "
	}
	return w.b.String()
}
