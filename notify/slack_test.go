package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

const testToken = "xoxb-1111-2222-TOPSECRETtoken"

// posted is one Web API request as the fake Slack saw it.
type posted struct {
	Path, Auth string
	Form       map[string]string // form requests
	Body       string            // the raw body (JSON requests: views.open)
}

// fakeSlack serves Slack's Web API with reply and records requests.
type fakeSlack struct {
	*httptest.Server
	mu    sync.Mutex
	posts []posted
}

// webAPIScopes lists every Web API method revwatch calls, with the bot
// scope it needs ("" for none). The fake Slack fails a test that calls
// anything else, and TestManifestScopes checks the manifest asks for
// exactly these scopes.
var webAPIScopes = map[string]string{
	"chat.postMessage":      "chat:write",
	"chat.update":           "chat:write",
	"chat.postEphemeral":    "chat:write",
	"views.open":            "",
	"usergroups.users.list": "usergroups:read",
	"conversations.history": "channels:history",
	"conversations.replies": "channels:history",
	// The weekly digest's chart (files upload v2; the upload itself goes
	// to the URL getUploadURLExternal returns).
	"files.getUploadURLExternal":   "files:write",
	"files.completeUploadExternal": "files:write",
}

func newFakeSlack(t *testing.T, reply http.HandlerFunc) *fakeSlack {
	t.Helper()
	f := &fakeSlack{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := webAPIScopes[strings.TrimPrefix(r.URL.Path, "/")]; !ok {
			t.Errorf("revwatch called %s, which webAPIScopes (and the manifest) don't list", r.URL.Path)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p := posted{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Form: map[string]string{}, Body: string(body)}
		for k := range r.PostForm {
			p.Form[k] = r.PostForm.Get(k)
		}
		f.mu.Lock()
		f.posts = append(f.posts, p)
		f.mu.Unlock()
		reply(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSlack) requests() []posted {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]posted(nil), f.posts...)
}

func okReply(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"ok":true,"channel":"C0REVIEWS","ts":"1773480413.000100"}`)
}

func slackErrorReply(code string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
	}
}

func newTestSlack(t *testing.T, apiURL string, log *slog.Logger) *Slack {
	t.Helper()
	s, err := NewSlack(SlackConfig{Token: testToken, Channel: "#reviews", APIURL: apiURL}, log)
	if err != nil {
		t.Fatal(err)
	}
	s.now = testNow
	return s
}

func TestSlackDeliver(t *testing.T) {
	srv := newFakeSlack(t, okReply)
	s := newTestSlack(t, srv.URL, nil) // no trailing slash: NewSlack adds it
	a := testAlerts()[0].alert
	a.Review.Text = "<!channel> hi, the coffee was cold & bitter"

	r, err := s.Deliver(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.Receipt{Notifier: "slack", Channel: "C0REVIEWS", TS: "1773480413.000100", At: t0}); r != want {
		t.Errorf("receipt = %+v, want %+v", r, want)
	}
	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	p := reqs[0]
	checks := []struct {
		name string
		ok   bool
		got  any
	}{
		{"path", p.Path == "/chat.postMessage", p.Path},
		{"bearer token", p.Auth == "Bearer "+testToken, p.Auth},
		{"no token in body", p.Form["token"] == "", p.Form["token"]},
		{"channel", p.Form["channel"] == "#reviews", p.Form["channel"]},
		{"parse none", p.Form["parse"] == "none", p.Form["parse"]},
		{"no unfurl", p.Form["unfurl_links"] == "false", p.Form["unfurl_links"]},
		{"escaped fallback", strings.Contains(p.Form["text"], "&lt;!channel&gt; hi") && !strings.Contains(p.Form["text"], "<!"), p.Form["text"]},
		{"metadata", strings.Contains(p.Form["metadata"], `"alert_id":42`), p.Form["metadata"]},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("got %q", c.got)
			}
		})
	}

	var blocks []any
	if err := json.Unmarshal([]byte(p.Form["blocks"]), &blocks); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	texts := slackTexts(t, blocks)
	all := strings.Join(texts, "\n")
	for _, want := range []string{
		"> &lt;!channel&gt; hi, the coffee was cold &amp; bitter",
		"*Suggested reply (draft #7, pending approval)*\n> Dear Jane",
		"Rating 4.6 → 4.5 (212 → 213 reviews)",
		"<https://www.trustpilot.com/reviews/abc?utm=a&amp;b=c|View the review on Trustpilot>",
		"revwatch alert #42",
	} {
		t.Run("blocks contain "+want, func(t *testing.T) {
			if !strings.Contains(all, want) {
				t.Errorf("blocks lack %q:\n%s", want, all)
			}
		})
	}
	checkInert(t, texts)
}

func TestSlackErrors(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close() // nothing listens there any more

	tests := []struct {
		name       string
		reply      http.HandlerFunc // nil: connection refused
		permanent  bool
		retryAfter time.Duration // 0: none
		contains   string
	}{
		{name: "rate limited", reply: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}, retryAfter: 7 * time.Second, contains: "rate limit"},
		{name: "rate limited without Retry-After", reply: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
		}, contains: "429"},
		{name: "server error", reply: func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "<html>oops</html>", http.StatusInternalServerError)
		}, contains: "500"},
		{name: "bad gateway", reply: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		}, contains: "502"},
		{name: "not found (wrong api_url)", reply: http.NotFoundHandler().ServeHTTP, permanent: true, contains: "api_url"},
		{name: "channel_not_found", reply: slackErrorReply("channel_not_found"), permanent: true, contains: "channel_not_found: check slack.channel"},
		{name: "not_in_channel", reply: slackErrorReply("not_in_channel"), permanent: true, contains: "invite the bot"},
		{name: "invalid_auth", reply: slackErrorReply("invalid_auth"), permanent: true, contains: "invalid_auth"},
		{name: "token_revoked", reply: slackErrorReply("token_revoked"), permanent: true, contains: "token_revoked"},
		{name: "missing_scope", reply: func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `{"ok":false,"error":"missing_scope","needed":"chat:write"}`)
		}, permanent: true, contains: "needs chat:write"},
		{name: "is_archived", reply: slackErrorReply("is_archived"), permanent: true, contains: "archived"},
		{name: "invalid_blocks", reply: slackErrorReply("invalid_blocks"), permanent: true, contains: "invalid_blocks"},
		{name: "msg_too_long", reply: slackErrorReply("msg_too_long"), permanent: true, contains: "msg_too_long"},
		{name: "internal_error", reply: slackErrorReply("internal_error"), contains: "internal_error"},
		{name: "ratelimited in body", reply: slackErrorReply("ratelimited"), contains: "ratelimited"},
		{name: "connection refused", contains: "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := refusedURL
			if tt.reply != nil {
				u = newFakeSlack(t, tt.reply).URL
			}
			s := newTestSlack(t, u+"/", nil)
			_, err := s.Deliver(context.Background(), testAlerts()[0].alert)
			if err == nil {
				t.Fatal("Deliver succeeded, want an error")
			}
			if got := errors.Is(err, ErrPermanent); got != tt.permanent {
				t.Errorf("errors.Is(err, ErrPermanent) = %v, want %v (err: %v)", got, tt.permanent, err)
			}
			ra, ok := RetryAfter(err)
			if tt.retryAfter != 0 && (!ok || ra != tt.retryAfter) {
				t.Errorf("RetryAfter = %v, %v; want %v (err: %v)", ra, ok, tt.retryAfter, err)
			}
			if tt.retryAfter == 0 && ok {
				t.Errorf("unexpected RetryAfter %v (err: %v)", ra, err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q lacks %q", err, tt.contains)
			}
			if !strings.HasPrefix(err.Error(), "slack: post to #reviews: ") {
				t.Errorf("error %q lacks the slack prefix", err)
			}
		})
	}
}

func TestNewSlackValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  SlackConfig
		want []string // substrings of the error; none: valid
	}{
		{"valid", SlackConfig{Token: "xoxb-1", Channel: "C1"}, nil},
		{"valid with api_url", SlackConfig{Token: "xoxb-1", Channel: "C1", APIURL: "http://127.0.0.1:1/api"}, nil},
		{"empty", SlackConfig{}, []string{"slack.token", "slack.channel"}},
		{"no channel", SlackConfig{Token: "xoxb-1", Channel: "  "}, []string{"slack.channel"}},
		{"bad api_url", SlackConfig{Token: "xoxb-1", Channel: "C1", APIURL: "ftp://x"}, []string{"slack.api_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSlack(tt.cfg, nil)
			if len(tt.want) == 0 {
				if err != nil || s == nil {
					t.Fatalf("NewSlack = %v, %v", s, err)
				}
				return
			}
			if err == nil {
				t.Fatal("NewSlack succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestSlackTokenNeverLeaks drives deliveries that fail in every way, through
// the dispatcher, with debug logging on, and looks for the token in the
// logs, the errors and the causes stored in the outbox.
func TestSlackTokenNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	replies := []http.HandlerFunc{
		okReply,
		func(w http.ResponseWriter, r *http.Request) { // a proxy echoing the request
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":false,"error":"invalid_auth for %s"}`, r.Header.Get("Authorization"))
		},
		func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream said: "+r.Header.Get("Authorization"), http.StatusBadGateway)
		},
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":false,"error":"internal_error","warning":%q}`, r.Header.Get("Authorization"))
		},
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		slackErrorReply("invalid_auth"),
	}
	var errs []string
	var causes []string
	for i, reply := range replies {
		srv := newFakeSlack(t, reply)
		s := newTestSlack(t, srv.URL, log)
		_, err := s.Deliver(context.Background(), testAlerts()[0].alert)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%v | %+v | %#v", err, err, err))
		}
		ob := newFakeOutbox(testAlerts()[0].alert)
		d := NewDispatcher(ob, s, log, testNow)
		if err := d.Flush(context.Background()); err != nil {
			t.Fatalf("reply %d: Flush: %v", i, err)
		}
		causes = append(causes, ob.causes()...)
	}
	// Config printed or logged by mistake.
	cfg := SlackConfig{Token: testToken, Channel: "#reviews", SigningSecret: "TOPSECRETsigning", AppToken: "xapp-TOPSECRETapp"}
	log.Info("config", "slack", cfg)
	errs = append(errs, fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg))

	if len(causes) < 4 {
		t.Fatalf("expected failures to be recorded, got causes %q", causes)
	}
	for name, s := range map[string]string{
		"logs":   logs.String(),
		"errors": strings.Join(errs, "\n"),
		"causes": strings.Join(causes, "\n"),
	} {
		if strings.Contains(s, testToken) || strings.Contains(s, "TOPSECRET") {
			t.Errorf("the token leaked into %s:\n%s", name, s)
		}
	}
	if !strings.Contains(logs.String(), `"alert_id":42`) {
		t.Errorf("logs lack the failures:\n%s", logs.String())
	}
}

func TestSlackConfigYAMLShape(t *testing.T) {
	// The JSON form (and so `revwatch config` output) hides the token.
	b, err := json.Marshal(SlackConfig{Token: sources.Secret(testToken), Channel: "C1", SigningSecret: "s3cret", AppToken: "xapp-1", Approvers: []string{"U1"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"token":"REDACTED","channel":"C1","api_url":"","signing_secret":"REDACTED","app_token":"REDACTED","approvers":["U1"],"escalation_channel":"","manager_mention":""}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
}

func TestRedactKeepsClassification(t *testing.T) {
	tests := []struct {
		name      string
		reply     http.HandlerFunc
		permanent bool
	}{
		{"permanent", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"ok":false,"error":"missing_scope","needed":%q}`, r.Header.Get("Authorization"))
		}, true},
		{"retryable", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"ok":false,"error":%q}`, r.Header.Get("Authorization"))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSlack(t, newFakeSlack(t, tt.reply).URL, nil)
			_, err := s.Deliver(context.Background(), testAlerts()[0].alert)
			if err == nil {
				t.Fatal("Deliver succeeded")
			}
			if msg := fmt.Sprintf("%v %#v", err, err); strings.Contains(msg, testToken) || !strings.Contains(msg, "REDACTED") {
				t.Errorf("error not redacted: %s", msg)
			}
			if got := errors.Is(err, ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tt.permanent, err)
			}
		})
	}
}
