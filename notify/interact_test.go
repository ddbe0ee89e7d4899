package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/revwatch/revwatch/store"
)

const (
	testSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	testAppToken      = "xapp-1-A0APP-1234-SECRETAPPTOKEN"
	reviewsChannel    = "C0REVIEWS"
	stranger          = "U0STRANGER"
	groupMember       = "U0MEMBER"
	approverGroup     = "S0GROUP"
)

// fakeActions records what Interactions asks of the drafts.
type fakeActions struct {
	mu       sync.Mutex
	log      *[]string // shared order log, optional
	events   []store.DraftEvent
	checks   []string
	findings []string
	actErr   error
	drafts   map[uint64]store.Draft
}

func newFakeActions() *fakeActions {
	return &fakeActions{drafts: map[uint64]store.Draft{
		7: {ID: 7, Listing: "cafe-tp", ReviewID: "abc", Status: store.DraftPending, Text: "Dear Jane, we are sorry about your visit."},
		8: {ID: 8, Listing: "cafe-tp", ReviewID: "def", Status: store.DraftPosted, Text: "Thanks."},
	}}
}

func (f *fakeActions) Act(_ context.Context, ev store.DraftEvent) (store.Draft, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	if f.log != nil {
		*f.log = append(*f.log, fmt.Sprintf("act %s %d", ev.Action, ev.DraftID))
	}
	if f.actErr != nil {
		return store.Draft{}, f.actErr
	}
	d := f.drafts[ev.DraftID]
	return d, nil
}

func (f *fakeActions) Check(_ context.Context, _ uint64, text string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks = append(f.checks, text)
	return f.findings, nil
}

func (f *fakeActions) Draft(_ context.Context, id uint64) (store.Draft, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.drafts[id]
	if !ok {
		return d, fmt.Errorf("draft %d: %w", id, store.ErrNotFound)
	}
	return d, nil
}

func (f *fakeActions) acted() []store.DraftEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.DraftEvent(nil), f.events...)
}

// slackAPI answers the Web API methods Interactions calls.
func slackAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/usergroups.users.list":
		if r.PostForm.Get("usergroup") == approverGroup {
			fmt.Fprintf(w, `{"ok":true,"users":[%q]}`, groupMember)
			return
		}
		fmt.Fprint(w, `{"ok":false,"error":"no_such_subteam"}`)
	case "/chat.postEphemeral":
		fmt.Fprint(w, `{"ok":true,"message_ts":"1773480413.000900"}`)
	case "/views.open":
		fmt.Fprint(w, `{"ok":true,"view":{"id":"V0EDIT"}}`)
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

type testInteractions struct {
	*Interactions
	slack   *fakeSlack
	actions *fakeActions
	kicks   *atomic.Int32
	logs    *bytes.Buffer
	clock   *time.Time
}

// newTestInteractions wires Interactions to a fake Slack and fake
// Actions. The clock starts at the real time, since slack-go's verifier
// checks timestamps against it too.
func newTestInteractions(t *testing.T, edit func(c *SlackConfig)) *testInteractions {
	t.Helper()
	srv := newFakeSlack(t, slackAPI)
	cfg := SlackConfig{Token: testToken, Channel: "#reviews", APIURL: srv.URL, SigningSecret: testSigningSecret}
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewSlack(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ti := &testInteractions{slack: srv, actions: newFakeActions(), kicks: &atomic.Int32{}, logs: &bytes.Buffer{}}
	now := time.Now()
	ti.clock = &now
	log := slog.New(slog.NewJSONHandler(&syncWriter{w: ti.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	i, err := NewInteractions(cfg, ti.actions, s.API(), func() { ti.kicks.Add(1) }, log, func() time.Time { return *ti.clock })
	if err != nil {
		t.Fatal(err)
	}
	ti.Interactions = i
	t.Cleanup(func() {
		i.Wait()
		for _, secret := range []string{testSigningSecret, testAppToken, testToken} {
			if strings.Contains(ti.logs.String(), secret) {
				t.Errorf("a secret leaked into the logs:\n%s", ti.logs)
			}
		}
	})
	return ti
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (ti *testInteractions) paths() []string {
	var ps []string
	for _, r := range ti.slack.requests() {
		ps = append(ps, r.Path)
	}
	return ps
}

func (ti *testInteractions) request(path string) (posted, bool) {
	for _, r := range ti.slack.requests() {
		if r.Path == path {
			return r, true
		}
	}
	return posted{}, false
}

// blockAction is a block_actions payload as Slack sends it.
func blockAction(actionID, value, user string) string {
	return fmt.Sprintf(`{"type":"block_actions","user":{"id":%q,"name":"someone"},"api_app_id":"A0APP",
		"trigger_id":"1234.5678.abcdef","team":{"id":"T0TEAM"},
		"container":{"type":"message","message_ts":%q,"channel_id":%q,"is_ephemeral":false},
		"channel":{"id":%q,"name":"reviews"},
		"actions":[{"action_id":%q,"block_id":"draft_actions","text":{"type":"plain_text","text":"x"},"value":%q,"type":"button","action_ts":"1773480500.1"}]}`,
		user, origTS, reviewsChannel, reviewsChannel, actionID, value)
}

// viewSubmission is the edit modal's view_submission payload.
func viewSubmission(user, draftID, text string, force bool) string {
	forced := `[]`
	if force {
		forced = `[{"text":{"type":"plain_text","text":"Save even with guideline warnings"},"value":"save_with_warnings"}]`
	}
	return fmt.Sprintf(`{"type":"view_submission","user":{"id":%q},"team":{"id":"T0TEAM"},"trigger_id":"1.2.3",
		"view":{"id":"V0EDIT","type":"modal","callback_id":"draft_edit","private_metadata":%q,
		"state":{"values":{
			"draft_text":{"text":{"type":"plain_text_input","value":%q}},
			"draft_force":{"force":{"type":"checkboxes","selected_options":%s}}}}}}`,
		user, draftID, text, forced)
}

func callback(t *testing.T, payload string) slack.InteractionCallback {
	t.Helper()
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &cb); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return cb
}

// sign returns Slack's v0 signature of body at ts.
func sign(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends payload to ServeHTTP, signed at ts with secret (no headers
// when secret is "").
func (ti *testInteractions) post(t *testing.T, payload string, ts time.Time, secret string) *httptest.ResponseRecorder {
	t.Helper()
	body := url.Values{"payload": {payload}}.Encode()
	req := httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		sts := strconv.FormatInt(ts.Unix(), 10)
		req.Header.Set("X-Slack-Request-Timestamp", sts)
		req.Header.Set("X-Slack-Signature", sign(secret, sts, body))
	}
	rec := httptest.NewRecorder()
	ti.ServeHTTP(rec, req)
	ti.Wait()
	return rec
}

func TestInteractionsSignature(t *testing.T) {
	approve := blockAction(actionApprove, "7", approver)
	tests := []struct {
		name     string
		send     func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder
		wantCode int
		wantActs int
	}{
		{"valid", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			return ti.post(t, approve, *ti.clock, testSigningSecret)
		}, http.StatusOK, 1},
		{"bad signature", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			return ti.post(t, approve, *ti.clock, "not-the-secret")
		}, http.StatusUnauthorized, 0},
		{"missing headers", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			return ti.post(t, approve, *ti.clock, "")
		}, http.StatusUnauthorized, 0},
		{"stale: 6 minutes old", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			return ti.post(t, approve, ti.clock.Add(-6*time.Minute), testSigningSecret)
		}, http.StatusUnauthorized, 0},
		{"future: 6 minutes ahead", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			return ti.post(t, approve, ti.clock.Add(6*time.Minute), testSigningSecret)
		}, http.StatusUnauthorized, 0},
		{"replayed", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			if rec := ti.post(t, approve, *ti.clock, testSigningSecret); rec.Code != http.StatusOK {
				t.Fatalf("first request: %d", rec.Code)
			}
			*ti.clock = ti.clock.Add(time.Minute)
			return ti.post(t, approve, ti.clock.Add(-time.Minute), testSigningSecret)
		}, http.StatusUnauthorized, 1},
		{"body tampered", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			body := url.Values{"payload": {approve}}.Encode()
			ts := strconv.FormatInt(ti.clock.Unix(), 10)
			req := httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader(strings.Replace(body, "U0APPROVER", "U0ATTACKER", 1)))
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sign(testSigningSecret, ts, body))
			rec := httptest.NewRecorder()
			ti.ServeHTTP(rec, req)
			return rec
		}, http.StatusUnauthorized, 0},
		{"not a number timestamp", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			body := url.Values{"payload": {approve}}.Encode()
			req := httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader(body))
			req.Header.Set("X-Slack-Request-Timestamp", "yesterday")
			req.Header.Set("X-Slack-Signature", sign(testSigningSecret, "yesterday", body))
			rec := httptest.NewRecorder()
			ti.ServeHTTP(rec, req)
			return rec
		}, http.StatusUnauthorized, 0},
		{"too large", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			return ti.post(t, approve+strings.Repeat(" ", maxInteractionBody), *ti.clock, testSigningSecret)
		}, http.StatusRequestEntityTooLarge, 0},
		{"GET", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			ti.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slack/interactions", nil))
			return rec
		}, http.StatusMethodNotAllowed, 0},
		{"signed but no payload", func(t *testing.T, ti *testInteractions) *httptest.ResponseRecorder {
			body := "foo=bar"
			ts := strconv.FormatInt(ti.clock.Unix(), 10)
			req := httptest.NewRequest(http.MethodPost, "/slack/interactions", strings.NewReader(body))
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", sign(testSigningSecret, ts, body))
			rec := httptest.NewRecorder()
			ti.ServeHTTP(rec, req)
			return rec
		}, http.StatusBadRequest, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ti := newTestInteractions(t, nil)
			rec := tt.send(t, ti)
			ti.Wait()
			if rec.Code != tt.wantCode {
				t.Errorf("status = %d, want %d (%s)", rec.Code, tt.wantCode, rec.Body)
			}
			if got := len(ti.actions.acted()); got != tt.wantActs {
				t.Errorf("Act called %d times, want %d", got, tt.wantActs)
			}
			if got := int(ti.kicks.Load()); got != tt.wantActs {
				t.Errorf("kick called %d times, want %d", got, tt.wantActs)
			}
			if tt.wantCode == http.StatusOK && rec.Body.Len() != 0 {
				t.Errorf("a button's answer must be empty, got %q", rec.Body)
			}
		})
	}
}

func TestInteractionsWithoutSigningSecretRefuseHTTP(t *testing.T) {
	ti := newTestInteractions(t, func(c *SlackConfig) { c.SigningSecret, c.AppToken = "", testAppToken })
	rec := ti.post(t, blockAction(actionApprove, "7", approver), *ti.clock, testSigningSecret)
	if rec.Code != http.StatusUnauthorized || len(ti.actions.acted()) != 0 {
		t.Errorf("status %d, %d acts; want 401 and none", rec.Code, len(ti.actions.acted()))
	}
}

func TestNewInteractionsNeedsACredential(t *testing.T) {
	_, err := NewInteractions(SlackConfig{Token: testToken, Channel: "C1"}, newFakeActions(), slack.New("x"), nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "slack.signing_secret") || !strings.Contains(err.Error(), "slack.app_token") {
		t.Errorf("err = %v, want one naming slack.signing_secret and slack.app_token", err)
	}
}

func TestInteractionsButtons(t *testing.T) {
	tests := []struct {
		name string
		// payload is sent signed; the user is the third blockAction argument.
		payload   string
		approvers []string
		actErr    error
		wantEvent *store.DraftEvent // nil: Act must not be called
		wantPaths []string          // Web API calls, in order
		wantEphem string            // substring of the ephemeral text
	}{
		{name: "approve", payload: blockAction(actionApprove, "7", approver),
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionApprove, By: approver}},
		{name: "reject", payload: blockAction(actionReject, "7", approver),
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionReject, By: approver}},
		{name: "regenerate", payload: blockAction(actionRegenerate, "7", approver),
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionRegenerate, By: approver}},
		{name: "approver by user id", payload: blockAction(actionApprove, "7", approver), approvers: []string{approver, approverGroup},
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionApprove, By: approver}},
		{name: "approver by user group", payload: blockAction(actionApprove, "7", groupMember), approvers: []string{approver, approverGroup},
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionApprove, By: groupMember},
			wantPaths: []string{"/usergroups.users.list"}},
		{name: "refused: not a listed user", payload: blockAction(actionApprove, "7", stranger), approvers: []string{approver},
			wantPaths: []string{"/chat.postEphemeral"}, wantEphem: "You can't approve replies: ask <@U0APPROVER> to add you."},
		{name: "refused: not in the group", payload: blockAction(actionReject, "7", stranger), approvers: []string{approver, approverGroup},
			wantPaths: []string{"/usergroups.users.list", "/chat.postEphemeral"},
			wantEphem: "You can't approve replies: ask <@U0APPROVER> or <!subteam^S0GROUP> to add you."},
		{name: "refused: edit", payload: blockAction(actionEdit, "7", stranger), approvers: []string{approverGroup},
			wantPaths: []string{"/usergroups.users.list", "/chat.postEphemeral"}, wantEphem: "You can't approve replies"},
		{name: "group lookup fails", payload: blockAction(actionApprove, "7", stranger), approvers: []string{"S0MISSING"},
			wantPaths: []string{"/usergroups.users.list", "/chat.postEphemeral"}, wantEphem: "could not check the approver list"},
		{name: "already approved elsewhere", payload: blockAction(actionApprove, "8", approver),
			actErr:    fmt.Errorf("store: approve draft 8: it is posted: %w", store.ErrConflict),
			wantEvent: &store.DraftEvent{DraftID: 8, Action: store.ActionApprove, By: approver},
			wantPaths: []string{"/chat.postEphemeral"}, wantEphem: "Nothing changed: draft #8 is posted now"},
		{name: "store fails", payload: blockAction(actionApprove, "7", approver),
			actErr:    errors.New("store: disk full"),
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionApprove, By: approver},
			wantPaths: []string{"/chat.postEphemeral"}, wantEphem: "revwatch could not save that for draft #7"},
		{name: "reply link click", payload: blockAction(actionReplyLink, "", approver)},
		{name: "bad draft id", payload: blockAction(actionApprove, "seven", approver)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ti := newTestInteractions(t, func(c *SlackConfig) { c.Approvers = tt.approvers })
			ti.actions.actErr = tt.actErr
			rec := ti.post(t, tt.payload, *ti.clock, testSigningSecret)
			if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
				t.Fatalf("answer = %d %q, want 200 and no body", rec.Code, rec.Body)
			}
			acts := ti.actions.acted()
			switch {
			case tt.wantEvent == nil && len(acts) != 0:
				t.Errorf("Act called with %+v, want no call", acts)
			case tt.wantEvent != nil && (len(acts) != 1 || acts[0] != *tt.wantEvent):
				t.Errorf("Act called with %+v, want once with %+v", acts, *tt.wantEvent)
			}
			wantKicks := 0
			if tt.wantEvent != nil && tt.actErr == nil {
				wantKicks = 1
			}
			if got := int(ti.kicks.Load()); got != wantKicks {
				t.Errorf("kick called %d times, want %d", got, wantKicks)
			}
			if diff := cmp.Diff(tt.wantPaths, ti.paths()); diff != "" {
				t.Errorf("Web API calls (-want +got):\n%s", diff)
			}
			if tt.wantEphem != "" {
				p, _ := ti.request("/chat.postEphemeral")
				if p.Form["channel"] != reviewsChannel || p.Form["user"] != blockUser(t, tt.payload) {
					t.Errorf("ephemeral to channel %q user %q", p.Form["channel"], p.Form["user"])
				}
				if !strings.Contains(p.Form["text"], tt.wantEphem) {
					t.Errorf("ephemeral text %q lacks %q", p.Form["text"], tt.wantEphem)
				}
			}
		})
	}
}

func blockUser(t *testing.T, payload string) string { return callback(t, payload).User.ID }

func TestApproverGroupCache(t *testing.T) {
	ti := newTestInteractions(t, func(c *SlackConfig) { c.Approvers = []string{approverGroup} })
	ctx := context.Background()
	click := func() {
		ti.handle(ctx, callback(t, blockAction(actionApprove, "7", groupMember)))
		ti.Wait()
	}
	lookups := func() int {
		n := 0
		for _, p := range ti.paths() {
			if p == "/usergroups.users.list" {
				n++
			}
		}
		return n
	}
	click()
	*ti.clock = ti.clock.Add(9 * time.Minute)
	click()
	if n := lookups(); n != 1 {
		t.Errorf("%d group lookups within 10 minutes, want 1 (cached)", n)
	}
	*ti.clock = ti.clock.Add(2 * time.Minute)
	click()
	if n := lookups(); n != 2 {
		t.Errorf("%d group lookups after 11 minutes, want 2", n)
	}
	if n := len(ti.actions.acted()); n != 3 {
		t.Errorf("Act called %d times, want 3", n)
	}
}

func TestInteractionsEditOpensModal(t *testing.T) {
	tests := []struct {
		name      string
		draft     string
		wantPaths []string
		wantEphem string
	}{
		{"pending draft", "7", []string{"/views.open"}, ""},
		{"posted draft", "8", []string{"/chat.postEphemeral"}, "Draft #8 is posted: it can't be edited any more."},
		{"unknown draft", "99", []string{"/chat.postEphemeral"}, "revwatch could not open draft #99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ti := newTestInteractions(t, nil)
			rec := ti.post(t, blockAction(actionEdit, tt.draft, approver), *ti.clock, testSigningSecret)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if diff := cmp.Diff(tt.wantPaths, ti.paths()); diff != "" {
				t.Fatalf("Web API calls (-want +got):\n%s", diff)
			}
			if n := len(ti.actions.acted()); n != 0 {
				t.Errorf("Act called %d times: opening the editor changes nothing", n)
			}
			if tt.wantEphem != "" {
				p, _ := ti.request("/chat.postEphemeral")
				if !strings.Contains(p.Form["text"], tt.wantEphem) {
					t.Errorf("ephemeral %q lacks %q", p.Form["text"], tt.wantEphem)
				}
				return
			}
			p, _ := ti.request("/views.open")
			var req struct {
				TriggerID string                 `json:"trigger_id"`
				View      slack.ModalViewRequest `json:"view"`
			}
			if err := json.Unmarshal([]byte(p.Body), &req); err != nil {
				t.Fatalf("views.open body: %v\n%s", err, p.Body)
			}
			if p.Auth != "Bearer "+testToken {
				t.Errorf("views.open auth = %q", p.Auth)
			}
			if req.TriggerID != "1234.5678.abcdef" || req.View.CallbackID != "draft_edit" || req.View.PrivateMetadata != "7" || req.View.Type != slack.VTModal {
				t.Errorf("view: trigger %q callback %q metadata %q type %q", req.TriggerID, req.View.CallbackID, req.View.PrivateMetadata, req.View.Type)
			}
			var text *slack.PlainTextInputBlockElement
			var force *slack.CheckboxGroupsBlockElement
			for _, b := range req.View.Blocks.BlockSet {
				in, ok := b.(*slack.InputBlock)
				if !ok {
					continue
				}
				switch e := in.Element.(type) {
				case *slack.PlainTextInputBlockElement:
					if in.BlockID == editTextBlock && e.ActionID == editTextAction {
						text = e
					}
				case *slack.CheckboxGroupsBlockElement:
					if in.BlockID == editForceBlock && in.Optional {
						force = e
					}
				}
			}
			if text == nil || !text.Multiline || text.InitialValue != "Dear Jane, we are sorry about your visit." {
				t.Errorf("text input = %+v, want a multiline input holding the draft", text)
			}
			if force == nil || len(force.Options) != 1 || force.Options[0].Text.Text != "Save even with guideline warnings" || force.Options[0].Value != editForceValue {
				t.Errorf("checkbox = %+v", force)
			}
		})
	}
}

func TestInteractionsEditSubmission(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		findings  []string
		approvers []string
		actErr    error
		wantError string            // substring of the errors response on draft_text; "": saved
		wantEvent *store.DraftEvent // nil: nothing saved
	}{
		{name: "clean text", payload: viewSubmission(approver, "7", "  Dear Jane, sorry.  ", false),
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionEdit, By: approver, Text: "Dear Jane, sorry."}},
		{name: "findings, not ticked", payload: viewSubmission(approver, "7", "Dear Jane, you should have called.", false),
			findings:  []string{"G5: you should have", "G2: no contact offered"},
			wantError: "Guideline warnings: G5: you should have; G2: no contact offered."},
		{name: "findings, ticked", payload: viewSubmission(approver, "7", "Dear Jane, you should have called.", true),
			findings: []string{"G5: you should have"},
			wantEvent: &store.DraftEvent{DraftID: 7, Action: store.ActionEdit, By: approver, Text: "Dear Jane, you should have called.",
				Note: "saved with guideline warnings: G5: you should have"}},
		{name: "empty text", payload: viewSubmission(approver, "7", "   ", true), wantError: "Write a reply"},
		{name: "not an approver", payload: viewSubmission(stranger, "7", "Hi", false), approvers: []string{approver},
			wantError: "You can't approve replies: ask <@U0APPROVER> to add you."},
		{name: "posted meanwhile", payload: viewSubmission(approver, "8", "Hi", false),
			actErr:    fmt.Errorf("store: edit draft 8: %w", store.ErrConflict),
			wantError: "Nothing changed: draft #8 is posted now, so it can't be edited."},
		{name: "bad metadata", payload: viewSubmission(approver, "", "Hi", false), wantError: "out of date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ti := newTestInteractions(t, func(c *SlackConfig) { c.Approvers = tt.approvers })
			ti.actions.findings, ti.actions.actErr = tt.findings, tt.actErr
			rec := ti.post(t, tt.payload, *ti.clock, testSigningSecret)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			acts := ti.actions.acted()
			if tt.wantError != "" {
				var resp slack.ViewSubmissionResponse
				if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
					t.Fatalf("answer %q: %v", rec.Body, err)
				}
				if resp.ResponseAction != slack.RAErrors || !strings.Contains(resp.Errors[editTextBlock], tt.wantError) {
					t.Errorf("answer = %+v, want errors on %s containing %q", resp, editTextBlock, tt.wantError)
				}
				if rec.Header().Get("Content-Type") != "application/json" {
					t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
				}
			} else if rec.Body.Len() != 0 {
				t.Errorf("answer = %q, want an empty body (close the modal)", rec.Body)
			}
			switch {
			case tt.wantEvent == nil && tt.actErr == nil && len(acts) != 0:
				t.Errorf("saved %+v, want nothing saved", acts)
			case tt.wantEvent != nil && (len(acts) != 1 || acts[0] != *tt.wantEvent):
				t.Errorf("Act = %+v, want %+v", acts, *tt.wantEvent)
			}
			wantKicks := 0
			if tt.wantEvent != nil {
				wantKicks = 1
			}
			if got := int(ti.kicks.Load()); got != wantKicks {
				t.Errorf("kicks = %d, want %d", got, wantKicks)
			}
			for _, p := range ti.paths() {
				if p != "/usergroups.users.list" {
					t.Errorf("unexpected Web API call %s: a submission is answered in the response", p)
				}
			}
		})
	}
}

// fakeAcker records Socket Mode acknowledgements.
type fakeAcker struct {
	mu   sync.Mutex
	log  *[]string
	acks []socketmode.Response
}

func (a *fakeAcker) Ack(req socketmode.Request, payload ...any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := socketmode.Response{EnvelopeID: req.EnvelopeID}
	if len(payload) > 0 {
		r.Payload = payload[0]
	}
	a.acks = append(a.acks, r)
	*a.log = append(*a.log, "ack "+req.EnvelopeID)
	return nil
}

func TestSocketModeEvents(t *testing.T) {
	interactive := func(t *testing.T, payload string) socketmode.Event {
		return socketmode.Event{Type: socketmode.EventTypeInteractive, Data: callback(t, payload),
			Request: &socketmode.Request{Type: "interactive", EnvelopeID: "env-1", Payload: json.RawMessage(payload)}}
	}
	tests := []struct {
		name        string
		event       func(t *testing.T) socketmode.Event
		findings    []string
		approvers   []string
		wantOrder   []string // acks and acts, in order
		wantPayload string   // JSON of the ack's payload; "" none
		wantPaths   []string
	}{
		{name: "approve: ack first, then act", event: func(t *testing.T) socketmode.Event {
			return interactive(t, blockAction(actionApprove, "7", approver))
		}, wantOrder: []string{"ack env-1", "act approve 7"}},
		{name: "refused approver", event: func(t *testing.T) socketmode.Event {
			return interactive(t, blockAction(actionApprove, "7", stranger))
		}, approvers: []string{approver}, wantOrder: []string{"ack env-1"}, wantPaths: []string{"/chat.postEphemeral"}},
		{name: "edit opens the modal", event: func(t *testing.T) socketmode.Event {
			return interactive(t, blockAction(actionEdit, "7", approver))
		}, wantOrder: []string{"ack env-1"}, wantPaths: []string{"/views.open"}},
		{name: "submission with findings: errors in the ack", event: func(t *testing.T) socketmode.Event {
			return interactive(t, viewSubmission(approver, "7", "you should have", false))
		}, findings: []string{"G5: you should have"}, wantOrder: []string{"ack env-1"},
			wantPayload: `{"response_action":"errors","errors":{"draft_text":"Guideline warnings: G5: you should have. Change the reply, or tick \"Save even with guideline warnings\"."}}`},
		{name: "submission saved: act, then an empty ack", event: func(t *testing.T) socketmode.Event {
			return interactive(t, viewSubmission(approver, "7", "Better text", false))
		}, wantOrder: []string{"act edit 7", "ack env-1"}},
		{name: "events api is acknowledged", event: func(t *testing.T) socketmode.Event {
			return socketmode.Event{Type: socketmode.EventTypeEventsAPI, Request: &socketmode.Request{Type: "events_api", EnvelopeID: "env-1"}}
		}, wantOrder: []string{"ack env-1"}},
		{name: "connected", event: func(t *testing.T) socketmode.Event {
			return socketmode.Event{Type: socketmode.EventTypeConnected}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ti := newTestInteractions(t, func(c *SlackConfig) {
				c.SigningSecret, c.AppToken, c.Approvers = "", testAppToken, tt.approvers
			})
			// The acker and the actions share one log. No lock is needed: a
			// button's ack happens before handle starts the goroutine that
			// acts, and a submission acts before it is acknowledged.
			var order []string
			ti.actions.log = &order
			ti.actions.findings = tt.findings
			ack := &fakeAcker{log: &order}
			ti.socketEvent(context.Background(), tt.event(t), ack)
			ti.Wait()
			got := order
			if diff := cmp.Diff(tt.wantOrder, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			payload := ""
			if len(ack.acks) == 1 && ack.acks[0].Payload != nil {
				b, err := json.Marshal(ack.acks[0].Payload)
				if err != nil {
					t.Fatal(err)
				}
				payload = string(b)
			}
			if payload != tt.wantPayload {
				t.Errorf("ack payload = %s, want %s", payload, tt.wantPayload)
			}
			if diff := cmp.Diff(tt.wantPaths, ti.paths()); diff != "" {
				t.Errorf("Web API calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunSocketModeNeedsAppToken(t *testing.T) {
	ti := newTestInteractions(t, nil)
	if err := ti.RunSocketMode(context.Background()); err == nil || !strings.Contains(err.Error(), "slack.app_token") {
		t.Errorf("RunSocketMode = %v, want an error naming slack.app_token", err)
	}
}
