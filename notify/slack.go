package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// SlackConfig is the notify.slack section of the config.
type SlackConfig struct {
	// Token is a bot token (xoxb-…) with the chat:write scope (and
	// usergroups:read when Approvers names user groups).
	Token sources.Secret `yaml:"token" json:"token"`
	// Channel is a channel ID (C0123456789) or name (#reviews). Invite the
	// bot to it.
	Channel string `yaml:"channel" json:"channel"`
	// APIURL is an optional base URL for Slack's Web API (proxies, tests);
	// "" means Slack's own.
	APIURL string `yaml:"api_url" json:"api_url"`
	// SigningSecret verifies button clicks posted to /slack/interactions
	// (the app's Basic Information page shows it). Optional: without it
	// and without AppToken, messages carry buttons that nobody answers.
	SigningSecret sources.Secret `yaml:"signing_secret" json:"signing_secret"`
	// AppToken (xapp-…, with connections:write) receives button clicks
	// over Socket Mode instead: no public URL needed.
	AppToken sources.Secret `yaml:"app_token" json:"app_token"`
	// Approvers may act on drafts: user ids (U…, W…) and user-group ids
	// (S…). Empty: everyone in the channel may.
	Approvers []string `yaml:"approvers" json:"approvers"`
	// EscalationChannel receives urgent alerts; "" means Channel.
	EscalationChannel string `yaml:"escalation_channel" json:"escalation_channel"`
	// ManagerMention heads urgent alerts: "<@U0123ABCD>" or
	// "<!subteam^S0123ABCD>".
	ManagerMention string `yaml:"manager_mention" json:"manager_mention"`
}

var (
	// mentionPattern is a user or user-group mention, the two forms
	// manager_mention accepts.
	mentionPattern = regexp.MustCompile(`^(<@[UW][A-Z0-9]{2,}>|<!subteam\^S[A-Z0-9]{2,}(\|@?[A-Za-z0-9._-]+)?>)$`)
	// approverPattern is a user id (U…, W…) or a user-group id (S…).
	approverPattern = regexp.MustCompile(`^[UWS][A-Z0-9]{2,}$`)
	// slackUserPattern is a Slack user id: an actor shown as a mention.
	slackUserPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
)

// Validate reports every problem with the section, each naming its key.
// Secrets are never quoted back.
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
	if v := c.SigningSecret.Reveal(); v != "" && (strings.TrimSpace(v) != v || strings.ContainsAny(v, " \t\r\n")) {
		errs = append(errs, errors.New("slack.signing_secret: contains spaces (copy the Signing Secret from the app's Basic Information page)"))
	}
	if v := c.AppToken.Reveal(); v != "" && !strings.HasPrefix(v, "xapp-") {
		errs = append(errs, errors.New("slack.app_token: not an app-level token (it starts with xapp-; create one with the connections:write scope under Basic Information)"))
	}
	for i, a := range c.Approvers {
		if !approverPattern.MatchString(a) {
			errs = append(errs, fmt.Errorf("slack.approvers[%d]: %q is not a user id (U…, W…) or a user-group id (S…)", i, cleanLine(a)))
		}
	}
	if c.EscalationChannel != "" && strings.TrimSpace(c.EscalationChannel) == "" {
		errs = append(errs, errors.New("slack.escalation_channel: blank (a channel ID like C0123456789, or #name; omit it to use slack.channel)"))
	}
	if c.ManagerMention != "" && !mentionPattern.MatchString(c.ManagerMention) {
		errs = append(errs, fmt.Errorf("slack.manager_mention: %q is not a mention: use \"<@U0123ABCD>\" for a person or \"<!subteam^S0123ABCD>\" for a user group", cleanLine(c.ManagerMention)))
	}
	return errors.Join(errs...)
}

// slackTimeout bounds one Web API call.
const slackTimeout = 15 * time.Second

var errSlackTimeout = errors.New("no answer in time")

// Slack posts alerts to a Slack channel with chat.postMessage, and edits
// them with chat.update when their draft changes.
type Slack struct {
	api        *slack.Client
	channel    string
	escalation string   // channel for urgent alerts
	mention    string   // validated manager_mention, or ""
	secrets    []string // only to redact them from errors that echo them
	log        *slog.Logger
	now        func() time.Time

	mu       sync.Mutex
	channels map[string]bool // channel ids messages went to (for Find)

	// Timeout bounds one Web API call; zero means 15 s. Tests of a Slack
	// outage shorten it so a hanging Slack costs milliseconds.
	Timeout time.Duration
}

func (s *Slack) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return slackTimeout
}

var (
	_ Notifier = (*Slack)(nil)
	_ Finder   = (*Slack)(nil)
)

// NewSlack returns a Slack notifier. It fails when the config is invalid
// (SlackConfig.Validate). It makes no request: a bad token shows at the
// first delivery.
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
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken.Reveal()))
	}
	escalation := strings.TrimSpace(cfg.EscalationChannel)
	if escalation == "" {
		escalation = strings.TrimSpace(cfg.Channel)
	}
	var secrets []string
	for _, v := range []sources.Secret{cfg.Token, cfg.AppToken, cfg.SigningSecret} {
		if v != "" {
			secrets = append(secrets, v.Reveal())
		}
	}
	return &Slack{
		api:        slack.New(cfg.Token.Reveal(), opts...),
		channel:    strings.TrimSpace(cfg.Channel),
		escalation: escalation,
		mention:    cfg.ManagerMention,
		secrets:    secrets,
		log:        log,
		now:        time.Now,
	}, nil
}

// API returns the Web API client the notifier posts with: bot token,
// api_url, and the app-level token for Socket Mode when slack.app_token is
// set. Give it to NewInteractions.
func (s *Slack) API() *slack.Client { return s.api }

// Name returns "slack".
func (s *Slack) Name() string { return "slack" }

// Deliver posts the alert as a new message: urgent alerts to the
// escalation channel, headed by the manager mention. A KindDraftUpdate row
// instead edits the original message (chat.update, to the channel and ts
// of a.Original's receipt) to show the draft as it is now, and records the
// step in the message's thread; it returns the thread reply's receipt.
// When the original message was never delivered (or is gone), the update
// is posted as a message of its own.
//
// Errors follow the Notifier contract: rate limits carry Retry-After, 5xx
// and network errors are retryable, and Slack's configuration errors (bad
// token, unknown channel, bot not in channel) wrap ErrPermanent with a
// hint.
func (s *Slack) Deliver(ctx context.Context, a store.Alert) (store.Receipt, error) {
	if a.Kind == store.KindDraftUpdate {
		return s.deliverUpdate(ctx, a)
	}
	channel := s.channel
	if a.Urgent {
		channel = s.escalation
	}
	m := s.render(a)
	return s.post(ctx, "slack: post to "+channel, a.ID, channel,
		slack.MsgOptionBlocks(slackBlocks(m)...),
		slack.MsgOptionText(slackFallback(m), false),
		alertMetadata(a),
	)
}

// render is render(a) plus what only the Slack config knows.
func (s *Slack) render(a store.Alert) message {
	m := render(a)
	if m.Urgent {
		m.Mention = s.mention
	}
	return m
}

func alertMetadata(a store.Alert) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{
		EventType:    "revwatch_alert",
		EventPayload: map[string]any{"alert_id": a.ID, "kind": string(a.Kind)},
	})
}

// post sends one chat.postMessage (a thread reply with MsgOptionTS) and
// returns its receipt. where prefixes errors.
func (s *Slack) post(ctx context.Context, where string, alertID uint64, channel string, opts ...slack.MsgOption) (store.Receipt, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, s.timeout(), errSlackTimeout)
	defer cancel()
	start := time.Now()
	opts = append(opts,
		slack.MsgOptionParse(false),
		slack.MsgOptionLinkNames(false),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	)
	ch, ts, err := s.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return store.Receipt{}, s.fail(ctx, where, err)
	}
	s.Learn([]store.Receipt{{Channel: ch}})
	s.log.Debug("slack: posted", "alert_id", alertID, "duration", time.Since(start))
	return store.Receipt{Notifier: "slack", Channel: ch, TS: ts, At: s.now()}, nil
}

// Learn records channel ids messages went to (from receipts kept in the
// store), so Find knows where to look after a restart.
func (s *Slack) Learn(rs []store.Receipt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.channels == nil {
		s.channels = map[string]bool{}
	}
	for _, r := range rs {
		if r.Channel != "" {
			s.channels[r.Channel] = true
		}
	}
}

// Find looks for an alert's message (its metadata carries the alert id) in
// the channels revwatch posts to, or for an update in the original
// message's thread: a delivery interrupted by a crash is then recorded, not
// posted twice. It needs channels:history (groups:history for private
// channels); without it, or without a known channel id, it reports not
// found and the message is posted again.
func (s *Slack) Find(ctx context.Context, a store.Alert) (store.Receipt, bool, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, s.timeout(), errSlackTimeout)
	defer cancel()
	match := func(msgs []slack.Message, channel string) (store.Receipt, bool) {
		for _, m := range msgs {
			if m.Metadata.EventType != "revwatch_alert" {
				continue
			}
			if id, ok := m.Metadata.EventPayload["alert_id"].(float64); ok && uint64(id) == a.ID {
				return store.Receipt{Notifier: "slack", Channel: channel, TS: m.Timestamp, At: s.now()}, true
			}
		}
		return store.Receipt{}, false
	}
	if a.Kind == store.KindDraftUpdate && a.Original != nil && a.Original.Delivery.Receipt != nil {
		rc := a.Original.Delivery.Receipt
		msgs, _, _, err := s.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: rc.Channel, Timestamp: rc.TS, Limit: 200, IncludeAllMetadata: true})
		if err != nil {
			return store.Receipt{}, false, s.fail(ctx, "slack: look for an interrupted thread reply", err)
		}
		r, ok := match(msgs, rc.Channel)
		return r, ok, nil
	}
	s.mu.Lock()
	var channels []string
	for c := range s.channels {
		channels = append(channels, c)
	}
	s.mu.Unlock()
	for _, c := range []string{s.channel, s.escalation} {
		if isChannelID(c) && !slices.Contains(channels, c) {
			channels = append(channels, c)
		}
	}
	oldest := a.Created.Add(-time.Minute)
	for _, c := range channels {
		h, err := s.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: c, Oldest: fmt.Sprintf("%d.000000", oldest.Unix()), Limit: 200, IncludeAllMetadata: true})
		if err != nil {
			return store.Receipt{}, false, s.fail(ctx, "slack: look for an interrupted message in "+c, err)
		}
		if r, ok := match(h.Messages, c); ok {
			return r, true, nil
		}
	}
	return store.Receipt{}, false, nil
}

// isChannelID tells a channel id (C…, G…, D…) from a name ("#reviews").
func isChannelID(c string) bool {
	return len(c) > 1 && strings.ContainsRune("CGD", rune(c[0])) && strings.ToUpper(c) == c && !strings.HasPrefix(c, "#")
}

// fail classifies and redacts a Web API error.
func (s *Slack) fail(ctx context.Context, where string, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, errSlackTimeout) {
		err = fmt.Errorf("%w: %w", errSlackTimeout, err)
	}
	return s.redact(classify(where, err))
}

// goneErrors are chat.update answers meaning the original message can't be
// edited any more: the update is then posted on its own.
var goneErrors = map[string]bool{
	"message_not_found":   true,
	"cant_update_message": true,
	"edit_window_closed":  true,
	"thread_not_found":    true,
}

// deliverUpdate edits the message of a draft's alert and replies in its
// thread.
func (s *Slack) deliverUpdate(ctx context.Context, a store.Alert) (store.Receipt, error) {
	o := a.Original
	if o == nil || o.Delivery.Receipt == nil || o.Delivery.Receipt.Channel == "" || o.Delivery.Receipt.TS == "" ||
		(o.Delivery.Receipt.Notifier != "" && o.Delivery.Receipt.Notifier != "slack") {
		return s.postUpdateAlone(ctx, a, "")
	}
	rc := o.Delivery.Receipt
	orig := *o
	if a.Draft != nil {
		orig.Draft = a.Draft
	}
	m := s.render(orig)
	where := "slack: update message " + rc.TS + " in " + rc.Channel
	uctx, cancel := context.WithTimeoutCause(ctx, s.timeout(), errSlackTimeout)
	_, _, _, err := s.api.UpdateMessageContext(uctx, rc.Channel, rc.TS,
		slack.MsgOptionBlocks(slackBlocks(m)...),
		slack.MsgOptionText(slackFallback(m), false),
		slack.MsgOptionParse(false),
		slack.MsgOptionLinkNames(false),
		alertMetadata(orig),
	)
	if err != nil {
		err = s.fail(uctx, where, err)
	}
	cancel()
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && goneErrors[se.Err] {
		s.log.Info("slack: original message gone, posting the update on its own", "alert_id", a.ID, "err", se.Err)
		return s.postUpdateAlone(ctx, a, rc.Channel)
	}
	if err != nil {
		return store.Receipt{}, err
	}
	line := updateLine(a, slackActor, Escape)
	w := newMrkdwn(slackSectionMax)
	w.raw(line)
	return s.post(ctx, "slack: reply in thread "+rc.TS+" in "+rc.Channel, a.ID, rc.Channel,
		slack.MsgOptionTS(rc.TS),
		slack.MsgOptionBlocks(slack.NewSectionBlock(mrkdwnObject(w.String()), nil, nil)),
		slack.MsgOptionText(w.String(), false),
		alertMetadata(a),
	)
}

// postUpdateAlone posts a draft update as a message of its own, for when
// there is no original message to edit: to channel when known, else where
// the alert would have gone.
func (s *Slack) postUpdateAlone(ctx context.Context, a store.Alert, channel string) (store.Receipt, error) {
	if channel == "" {
		channel = s.channel
		if a.Urgent {
			channel = s.escalation
		}
	}
	blocks, text := slackUpdateBlocks(a)
	return s.post(ctx, "slack: post to "+channel, a.ID, channel,
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionText(text, false),
		alertMetadata(a),
	)
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
	"message_not_found":       "the original message was deleted",
	"cant_update_message":     "the original message can't be edited by the bot",
	"edit_window_closed":      "the original message is too old to edit",
}

// classify turns a slack-go error into one that follows the Notifier
// contract; where prefixes it ("slack: post to #reviews").
func classify(where string, err error) error {
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

// redact hides the credentials should an error echo them (a proxy or a
// fake server repeating the request). The result keeps only what the
// dispatcher needs from the chain (ErrPermanent, RetryAfter, Slack's
// error code), since the original errors would still carry the secret.
func (s *Slack) redact(err error) error { return redactSecrets(err, s.secrets) }

func redactSecrets(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, v := range secrets {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, "REDACTED")
		}
	}
	if msg == err.Error() {
		return err
	}
	e := &redactedError{msg: msg}
	if errors.Is(err, ErrPermanent) {
		e.causes = append(e.causes, ErrPermanent)
	}
	if rl, ok := errors.AsType[*rateLimitError](err); ok {
		e.causes = append(e.causes, rl)
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && goneErrors[se.Err] {
		e.causes = append(e.causes, slack.SlackErrorResponse{Err: se.Err})
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

	if m.Mention != "" {
		// The one raw mention: from the validated config, never from an alert.
		w := newMrkdwn(slackSectionMax)
		w.raw(m.Mention + " " + iconUrgent.Slack + " *Urgent: a manager is needed*")
		blocks = append(blocks, slack.NewSectionBlock(mrkdwnObject(w.String()), nil, nil))
	}

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
		if text != sec.Text || w.full {
			// Say so in words: an ellipsis alone is easy to miss.
			n := newMrkdwn(slackSectionMax)
			n.text(fmt.Sprintf("[cut for Slack: %d characters in all; revwatch keeps the whole text]", utf8.RuneCountInString(sec.Text)), false)
			blocks = append(blocks, slack.NewContextBlock("", mrkdwnObject(n.String())))
		}
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

	if st := m.Status; st != nil {
		w := newMrkdwn(slackSectionMax)
		w.raw("*Status:* ")
		w.text(st.Text, false)
		w.raw(" · by " + slackActor(st.By))
		if !st.At.IsZero() {
			w.raw(" · " + slackDate(st.At))
		}
		blocks = append(blocks, slack.NewContextBlock("draft_status", mrkdwnObject(w.String())))
	}

	if len(m.Buttons) > 0 {
		var elems []slack.BlockElement
		for _, b := range m.Buttons {
			elems = append(elems, slackButton(b))
		}
		blocks = append(blocks, slack.NewActionBlock("draft_actions", elems...))
	}

	w := newMrkdwn(slackSectionMax)
	w.text(m.Footer, false)
	blocks = append(blocks, slack.NewContextBlock("", mrkdwnObject(w.String())))
	return blocks
}

// Slack's limits for buttons and confirmation dialogs, in characters.
const (
	slackButtonTextMax   = 75
	slackConfirmTitleMax = 100
	slackConfirmTextMax  = 300
	slackConfirmBtnMax   = 30
)

func slackButton(b button) *slack.ButtonBlockElement {
	e := slack.NewButtonBlockElement(b.ActionID, b.Value, plainText(b.Text, slackButtonTextMax))
	if b.URL != "" {
		e.WithURL(b.URL)
	}
	switch b.Style {
	case "primary":
		e.WithStyle(slack.StylePrimary)
	case "danger":
		e.WithStyle(slack.StyleDanger)
	}
	if c := b.Confirm; c != nil {
		e.WithConfirm(slack.NewConfirmationBlockObject(
			plainText(c.Title, slackConfirmTitleMax),
			plainText(c.Text, slackConfirmTextMax),
			plainText(c.OK, slackConfirmBtnMax),
			plainText(c.Cancel, slackConfirmBtnMax),
		))
	}
	return e
}

// plainText is a plain_text object of escaped text within limit.
func plainText(s string, limit int) *slack.TextBlockObject {
	w := newMrkdwn(limit)
	w.text(s, false)
	return slack.NewTextBlockObject(slack.PlainTextType, w.String(), false, false)
}

// slackActor shows who acted on a draft: a Slack user id as a mention,
// anything else ("cli:amir", "revwatch") as escaped text.
func slackActor(by string) string {
	if slackUserPattern.MatchString(by) {
		return "<@" + by + ">"
	}
	if by = cleanLine(by); by == "" {
		by = "revwatch"
	}
	return Escape(truncateRunes(by, nameLimit))
}

// slackDate is a date token: Slack shows t in the reader's time zone, and
// the fallback in UTC where it can't.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), fmtTime(t))
}

// slackUpdateBlocks lays out a draft update that has no message to edit:
// what happened, to which review, and the review's link.
func slackUpdateBlocks(a store.Alert) ([]slack.Block, string) {
	title := fmt.Sprintf("Reply draft for %s on %s", short(listingName(a)), platformName(a))
	if a.Update != nil {
		title = fmt.Sprintf("Reply draft #%d for %s on %s", a.Update.DraftID, short(listingName(a)), platformName(a))
	}
	h := newMrkdwn(slackHeaderMax)
	h.raw(iconUpdate.Slack + " ")
	h.text(title, false)
	blocks := []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, h.String(), true, false))}

	w := newMrkdwn(slackSectionMax)
	w.raw(updateLine(a, slackActor, Escape))
	line := w.String()
	blocks = append(blocks, slack.NewSectionBlock(mrkdwnObject(line), nil, nil))

	l := listingLink(a)
	if a.Review != nil {
		if u, ok := sanitizeURL(a.Review.URL); ok {
			l = link{URL: u, Text: "View the review on " + platformName(a)}
		}
	}
	if l.URL != "" {
		w := newMrkdwn(slackSectionMax)
		w.raw(":link: <")
		w.url(l.URL)
		w.raw("|")
		w.text(l.Text, false)
		w.raw(">")
		blocks = append(blocks, slack.NewSectionBlock(mrkdwnObject(w.String()), nil, nil))
	}
	f := newMrkdwn(slackSectionMax)
	f.text(footer(a)+" (no earlier message to update)", false)
	blocks = append(blocks, slack.NewContextBlock("", mrkdwnObject(f.String())))

	fb := newMrkdwn(slackSectionMax)
	fb.raw(iconUpdate.Slack + " ")
	fb.text(title, false)
	fb.raw(": " + line)
	return blocks, fb.String()
}

// slackFallback is the message's top-level text: what notifications and
// screen readers show. It is escaped like the blocks.
func slackFallback(m message) string {
	w := newMrkdwn(slackSectionMax)
	if m.Mention != "" {
		w.raw(m.Mention + " ")
	}
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
