package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/revwatch/revwatch/store"
)

// Actions changes drafts on behalf of Slack users. Implementations persist the change and queue the message update.
type Actions interface {
	Act(ctx context.Context, ev store.DraftEvent) (store.Draft, error)        // approve, reject (Text empty); edit (Text set); regenerate (Text empty: the implementation writes the next variant)
	Check(ctx context.Context, draftID uint64, text string) ([]string, error) // the checker's findings for a text, each "G5: you should have"
	Draft(ctx context.Context, id uint64) (store.Draft, error)
}

// Interaction limits and timing.
const (
	// signatureWindow is how far a request's timestamp may be from now,
	// either way, and how long a signature is remembered against replays.
	signatureWindow = 5 * time.Minute
	// maxInteractionBody caps a request body.
	maxInteractionBody = 1 << 20
	// groupCacheTTL is how long user-group members are trusted.
	groupCacheTTL = 10 * time.Minute
	// workTimeout bounds the background work of one button click.
	workTimeout = 30 * time.Second
	// triggerBudget is what views.open may take after a click: Slack's
	// trigger_id expires 3s after it.
	triggerBudget = 2500 * time.Millisecond
	// submitBudget bounds a modal submission, which is answered in the
	// response itself and so must beat Slack's 3s.
	submitBudget = 2500 * time.Millisecond
	// maxErrorText caps a modal error message, in runes.
	maxErrorText = 1000
)

// The edit modal's ids.
const (
	editCallbackID  = "draft_edit"
	editTextBlock   = "draft_text"
	editTextAction  = "text"
	editForceBlock  = "draft_force"
	editForceAction = "force"
	editForceValue  = "save_with_warnings"
)

// Interactions answers the draft buttons and the edit modal, over HTTP
// (ServeHTTP, with slack.signing_secret) or Socket Mode (RunSocketMode,
// with slack.app_token). Both hand the parsed callback to one core,
// handle, which answers at once and does slow work (Actions, Slack calls)
// in the background; Wait waits for that work.
type Interactions struct {
	secret    string          // signing secret; "" refuses every HTTP request
	socket    bool            // slack.app_token is set
	users     map[string]bool // approvers: user ids
	groups    []string        // approvers: user-group ids
	approvers []string        // as configured, for the refusal message
	actions   Actions
	api       *slack.Client
	kick      func()
	log       *slog.Logger
	now       func() time.Time

	mu      sync.Mutex
	seen    map[string]time.Time // signature → when it can't be replayed any more
	members map[string]groupMembers

	wg sync.WaitGroup
}

type groupMembers struct {
	users map[string]bool
	at    time.Time
}

// NewInteractions returns the interaction handler. api is the Web API
// client (Slack.API: it carries the app-level token Socket Mode needs);
// kick wakes the dispatcher after a change (Dispatcher.Kick); now is the
// clock (time.Now when nil). It fails when the config is invalid, or
// when neither slack.signing_secret nor slack.app_token is set.
func NewInteractions(cfg SlackConfig, actions Actions, api *slack.Client, kick func(), log *slog.Logger, now func() time.Time) (*Interactions, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var errs []error
	if actions == nil {
		errs = append(errs, errors.New("notify: slack interactions: no Actions"))
	}
	if api == nil {
		errs = append(errs, errors.New("notify: slack interactions: no Slack client"))
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		errs = append(errs, errors.New("notify: slack interactions: set slack.signing_secret (HTTP) or slack.app_token (Socket Mode)"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if kick == nil {
		kick = func() {}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	i := &Interactions{
		secret:  cfg.SigningSecret.Reveal(),
		socket:  cfg.AppToken != "",
		users:   map[string]bool{},
		actions: actions,
		api:     api,
		kick:    kick,
		log:     log,
		now:     now,
		seen:    map[string]time.Time{},
		members: map[string]groupMembers{},
	}
	for _, a := range cfg.Approvers {
		i.approvers = append(i.approvers, a)
		if strings.HasPrefix(a, "S") {
			i.groups = append(i.groups, a)
		} else {
			i.users[a] = true
		}
	}
	return i, nil
}

// Errors of request verification; each answers 401.
var (
	errMissingSignature = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	errBadTimestamp     = errors.New("X-Slack-Request-Timestamp is not a Unix time")
	errStale            = errors.New("request timestamp more than 5 minutes from now")
	errReplay           = errors.New("signature already seen: a replayed request")
)

// ServeHTTP answers POST /slack/interactions. It reads at most 1 MiB,
// verifies Slack's v0 signature before parsing anything (401 for a
// missing or bad signature, a timestamp more than 5 minutes off, or a
// signature already seen in that window), then parses the payload form
// field and answers within Slack's 3 seconds: 200 with an empty body, or
// a view_submission response (errors on the edit modal).
func (i *Interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := i.verify(r.Header, body); err != nil {
		i.log.Warn("notify: slack interaction refused", "err", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "bad request: no payload", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "bad request: payload is not an interaction", http.StatusBadRequest)
		return
	}
	resp := i.handle(r.Context(), cb)
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		i.log.Debug("notify: slack interaction: write response", "err", err)
	}
}

// verify checks a request's timestamp and v0 signature, and that the
// signature wasn't seen before. It records the signature only once the
// request is proven to come from Slack, so junk can't fill the cache.
func (i *Interactions) verify(h http.Header, body []byte) error {
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return errMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errBadTimestamp
	}
	now := i.now()
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > signatureWindow || d < -signatureWindow {
		return errStale
	}
	sv, err := slack.NewSecretsVerifier(h, i.secret)
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	if _, err := sv.Write(body); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	if err := sv.Ensure(); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	for k, until := range i.seen {
		if !now.Before(until) {
			delete(i.seen, k)
		}
	}
	if _, ok := i.seen[sig]; ok {
		return errReplay
	}
	// A timestamp up to 5 minutes ahead stays valid for 5 minutes after it.
	until := now.Add(signatureWindow)
	if at.After(now) {
		until = at.Add(signatureWindow)
	}
	i.seen[sig] = until
	return nil
}

// acker acknowledges a Socket Mode request (*socketmode.Client).
type acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// RunSocketMode receives interactions over Socket Mode until ctx ends
// (then it returns nil). It needs slack.app_token, and api from
// Slack.API, which carries it. Each interaction is acknowledged at once
// (a modal submission with its answer) and handled like an HTTP one.
func (i *Interactions) RunSocketMode(ctx context.Context) error {
	if !i.socket {
		return errors.New("notify: slack socket mode: slack.app_token is not set")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	smc := socketmode.New(i.api, socketmode.OptionLog(stdlog.New(slogWriter{i.log}, "", 0)))
	errc := make(chan error, 1)
	go func() { errc <- smc.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("notify: slack socket mode: %w", err)
		case evt := <-smc.Events:
			i.socketEvent(ctx, evt, smc)
		}
	}
}

// socketEvent handles one Socket Mode event.
func (i *Interactions) socketEvent(ctx context.Context, evt socketmode.Event, a acker) {
	ack := func(payload ...any) {
		if evt.Request == nil {
			return
		}
		if err := a.Ack(*evt.Request, payload...); err != nil {
			i.log.Warn("notify: slack socket mode: ack", "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnected:
		i.log.Info("notify: slack socket mode connected")
	case socketmode.EventTypeConnectionError:
		i.log.Warn("notify: slack socket mode: connection failed, retrying", "err", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		i.log.Error("notify: slack socket mode: Slack refused slack.app_token")
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			ack()
			return
		}
		if cb.Type == slack.InteractionTypeViewSubmission {
			// The answer (errors, or close) travels in the ack.
			if resp := i.handle(ctx, cb); resp != nil {
				ack(resp)
			} else {
				ack()
			}
			return
		}
		ack()
		i.handle(ctx, cb)
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand:
		ack() // not subscribed to; acknowledge so Slack doesn't retry
	}
}

// slogWriter sends socketmode's own log lines to slog at Debug.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.log.Debug("notify: slack socket mode: " + strings.TrimSpace(string(p)))
	return len(p), nil
}

// handle is the core shared by HTTP and Socket Mode. It returns at once:
// a button click's work runs in the background (Wait waits for it). Only
// a modal submission is answered here, within submitBudget, since its
// answer (nil to close, or errors to show) is the response itself.
func (i *Interactions) handle(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			if act != nil {
				i.blockAction(ctx, cb, *act)
			}
		}
		return nil
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == editCallbackID {
			return i.submitEdit(ctx, cb)
		}
	}
	i.log.Debug("notify: slack interaction ignored", "type", string(cb.Type))
	return nil
}

// Wait blocks until the background work of earlier interactions is done;
// each piece is bounded by its own timeout. Call it at shutdown, after
// the HTTP server and RunSocketMode have stopped.
func (i *Interactions) Wait() { i.wg.Wait() }

// spawn runs fn in the background with its own timeout, detached from
// ctx (an HTTP request's context ends with the response).
func (i *Interactions) spawn(ctx context.Context, timeout time.Duration, fn func(ctx context.Context)) {
	i.wg.Add(1)
	go func() {
		defer i.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		fn(ctx)
	}()
}

// blockAction starts the work of one button click.
func (i *Interactions) blockAction(ctx context.Context, cb slack.InteractionCallback, act slack.BlockAction) {
	var action store.DraftAction
	switch act.ActionID {
	case actionApprove:
		action = store.ActionApprove
	case actionReject:
		action = store.ActionReject
	case actionRegenerate:
		action = store.ActionRegenerate
	case actionEdit:
		action = store.ActionEdit
	default:
		return // the reply link, or not ours: nothing to do
	}
	id, err := strconv.ParseUint(act.Value, 10, 64)
	if err != nil || id == 0 {
		i.log.Warn("notify: slack button without a draft id", "err", fmt.Errorf("action %s: value %q", act.ActionID, truncateRunes(act.Value, 40)))
		return
	}
	user := cb.User.ID
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if action == store.ActionEdit {
		trigger := cb.TriggerID
		i.spawn(ctx, triggerBudget, func(ctx context.Context) {
			if i.mayAct(ctx, user, channel) {
				i.openEditor(ctx, trigger, id, user, channel)
			}
		})
		return
	}
	i.spawn(ctx, workTimeout, func(ctx context.Context) {
		if i.mayAct(ctx, user, channel) {
			i.act(ctx, store.DraftEvent{DraftID: id, Action: action, By: user}, channel)
		}
	})
}

// mayAct checks the approvers; when the user isn't one, it tells them so
// in an ephemeral message and returns false.
func (i *Interactions) mayAct(ctx context.Context, user, channel string) bool {
	ok, err := i.approver(ctx, user)
	if err != nil {
		i.log.Warn("notify: slack approvers: group lookup failed", "err", err)
		i.ephemeral(ctx, channel, user, "revwatch could not check the approver list just now: try again in a minute.")
		return false
	}
	if !ok {
		i.ephemeral(ctx, channel, user, i.refusal())
	}
	return ok
}

// refusal is the message for someone who isn't an approver.
func (i *Interactions) refusal() string {
	return "You can't approve replies: ask " + i.approverList() + " to add you."
}

// approverList names the approvers as mentions: "<@U1>, <@U2> or <!subteam^S1>".
func (i *Interactions) approverList() string {
	var names []string
	for _, a := range i.approvers {
		if strings.HasPrefix(a, "S") {
			names = append(names, "<!subteam^"+a+">")
		} else {
			names = append(names, "<@"+a+">")
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// approver reports whether user may act on drafts: anyone when no
// approvers are configured, else a listed user or a member of a listed
// group (members cached for 10 minutes). A failed group lookup is an
// error unless another entry already admits the user.
func (i *Interactions) approver(ctx context.Context, user string) (bool, error) {
	if len(i.approvers) == 0 {
		return true, nil
	}
	if user == "" {
		return false, nil
	}
	if i.users[user] {
		return true, nil
	}
	var errs []error
	for _, g := range i.groups {
		m, err := i.groupMembers(ctx, g)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m[user] {
			return true, nil
		}
	}
	return false, errors.Join(errs...)
}

// groupMembers returns a user group's members, from the cache when it is
// younger than groupCacheTTL, else from usergroups.users.list.
func (i *Interactions) groupMembers(ctx context.Context, group string) (map[string]bool, error) {
	now := i.now()
	i.mu.Lock()
	c, ok := i.members[group]
	i.mu.Unlock()
	if ok && now.Sub(c.at) < groupCacheTTL {
		return c.users, nil
	}
	users, err := i.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("usergroups.users.list %s: %w", group, err)
	}
	m := make(map[string]bool, len(users))
	for _, u := range users {
		m[u] = true
	}
	i.mu.Lock()
	i.members[group] = groupMembers{users: m, at: now}
	i.mu.Unlock()
	return m, nil
}

// ephemeral shows text to user only, in channel.
func (i *Interactions) ephemeral(ctx context.Context, channel, user, text string) {
	if channel == "" || user == "" {
		i.log.Debug("notify: slack ephemeral without a channel", "err", errors.New(text))
		return
	}
	_, err := i.api.PostEphemeralContext(ctx, channel, user,
		slack.MsgOptionText(text, false),
		slack.MsgOptionParse(false),
		slack.MsgOptionLinkNames(false),
	)
	if err != nil {
		i.log.Warn("notify: slack ephemeral message failed", "err", err)
	}
}

// act applies a button's event and wakes the dispatcher, which edits the
// message. Failures are told to the user.
func (i *Interactions) act(ctx context.Context, ev store.DraftEvent, channel string) {
	d, err := i.actions.Act(ctx, ev)
	if err != nil {
		i.ephemeral(ctx, channel, ev.By, i.actFailed(ctx, ev, err))
		return
	}
	i.log.Info("notify: draft "+string(ev.Action)+" from slack", "listing", d.Listing, "review_id", d.ReviewID)
	i.kick()
}

// actFailed logs a failed action and says what happened, for the user.
func (i *Interactions) actFailed(ctx context.Context, ev store.DraftEvent, err error) string {
	if errors.Is(err, store.ErrConflict) {
		i.log.Info("notify: draft "+string(ev.Action)+" from slack refused", "err", err)
		if d, derr := i.actions.Draft(ctx, ev.DraftID); derr == nil {
			return fmt.Sprintf("Nothing changed: draft #%d is %s now, so it can't be %s.", ev.DraftID, draftState(d.Status), pastTense(ev.Action))
		}
		return fmt.Sprintf("Nothing changed: draft #%d can't be %s in its current state.", ev.DraftID, pastTense(ev.Action))
	}
	i.log.Error("notify: draft "+string(ev.Action)+" from slack failed", "err", err)
	return fmt.Sprintf("revwatch could not save that for draft #%d: try again in a minute.", ev.DraftID)
}

func pastTense(a store.DraftAction) string {
	switch a {
	case store.ActionApprove:
		return "approved"
	case store.ActionReject:
		return "rejected"
	case store.ActionEdit:
		return "edited"
	case store.ActionRegenerate:
		return "rewritten"
	}
	return "changed"
}

// openEditor opens the edit modal on the draft's current text.
func (i *Interactions) openEditor(ctx context.Context, trigger string, id uint64, user, channel string) {
	d, err := i.actions.Draft(ctx, id)
	if err != nil {
		i.log.Error("notify: slack edit: read draft", "err", err)
		i.ephemeral(ctx, channel, user, fmt.Sprintf("revwatch could not open draft #%d: try again in a minute.", id))
		return
	}
	if d.Status != store.DraftPending && d.Status != store.DraftApproved {
		i.ephemeral(ctx, channel, user, fmt.Sprintf("Draft #%d is %s: it can't be edited any more.", id, draftState(d.Status)))
		return
	}
	if _, err := i.api.OpenViewContext(ctx, trigger, editModal(d)); err != nil {
		i.log.Warn("notify: slack views.open failed", "err", err)
		i.ephemeral(ctx, channel, user, fmt.Sprintf("Slack could not open the editor for draft #%d: press Edit again.", id))
	}
}

// editModal is the edit form: the draft's text in a multiline input,
// and a checkbox to save despite guideline warnings.
func editModal(d store.Draft) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(nil, editTextAction).WithInitialValue(d.Text)
	input.Multiline = true
	text := slack.NewInputBlock(editTextBlock,
		slack.NewTextBlockObject(slack.PlainTextType, "Reply", false, false),
		slack.NewTextBlockObject(slack.PlainTextType, "Saving checks the reply against your guidelines and puts the draft back to pending approval.", false, false),
		input)
	force := slack.NewInputBlock(editForceBlock,
		slack.NewTextBlockObject(slack.PlainTextType, "Guideline check", false, false),
		nil,
		slack.NewCheckboxGroupsBlockElement(editForceAction, slack.NewOptionBlockObject(editForceValue,
			slack.NewTextBlockObject(slack.PlainTextType, "Save even with guideline warnings", false, false), nil)),
	).WithOptional(true)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      editCallbackID,
		PrivateMetadata: strconv.FormatUint(d.ID, 10),
		Title:           slack.NewTextBlockObject(slack.PlainTextType, truncateRunes(fmt.Sprintf("Edit draft #%d", d.ID), 24), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{text, force}},
	}
}

// submitEdit answers the edit modal: errors on the text field (nothing
// saved) for an empty text, for guideline findings unless the checkbox is
// ticked, or when saving fails; nil (close the modal) once saved.
func (i *Interactions) submitEdit(ctx context.Context, cb slack.InteractionCallback) *slack.ViewSubmissionResponse {
	ctx, cancel := context.WithTimeout(ctx, submitBudget)
	defer cancel()
	fail := func(msg string) *slack.ViewSubmissionResponse {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{editTextBlock: truncateRunes(msg, maxErrorText)})
	}
	id, err := strconv.ParseUint(cb.View.PrivateMetadata, 10, 64)
	if err != nil || id == 0 || cb.View.State == nil {
		return fail("This form is out of date: close it and press Edit again.")
	}
	user := cb.User.ID
	switch ok, err := i.approver(ctx, user); {
	case err != nil:
		i.log.Warn("notify: slack approvers: group lookup failed", "err", err)
		return fail("revwatch could not check the approver list just now: try again in a minute.")
	case !ok:
		return fail(i.refusal())
	}
	values := cb.View.State.Values
	text := strings.TrimSpace(values[editTextBlock][editTextAction].Value)
	force := false
	for _, o := range values[editForceBlock][editForceAction].SelectedOptions {
		force = force || o.Value == editForceValue
	}
	if text == "" {
		return fail("Write a reply, or close this form and press Reject.")
	}
	findings, err := i.actions.Check(ctx, id, text)
	if err != nil {
		i.log.Error("notify: slack edit: guideline check failed", "err", err)
		return fail("revwatch could not check the reply: try again in a minute.")
	}
	if len(findings) > 0 && !force {
		return fail("Guideline warnings: " + strings.Join(findings, "; ") + `. Change the reply, or tick "Save even with guideline warnings".`)
	}
	ev := store.DraftEvent{DraftID: id, Action: store.ActionEdit, By: user, Text: text}
	if len(findings) > 0 {
		ev.Note = "saved with guideline warnings: " + strings.Join(findings, "; ")
	}
	d, err := i.actions.Act(ctx, ev)
	if err != nil {
		return fail(i.actFailed(ctx, ev, err))
	}
	i.log.Info("notify: draft edit from slack", "listing", d.Listing, "review_id", d.ReviewID)
	i.kick()
	return nil
}
