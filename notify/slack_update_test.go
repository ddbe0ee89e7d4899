package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/revwatch/revwatch/store"
)

const (
	origChannel = "C0ORIG"
	origTS      = "1773480413.000100"
	threadTS    = "1773484013.000200"
	approver    = "U0APPROVER"
)

// byPath answers chat.update and chat.postMessage like Slack does.
func byPath(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/chat.update":
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q,"text":""}`, r.PostForm.Get("channel"), r.PostForm.Get("ts"))
	case "/chat.postMessage":
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.PostForm.Get("channel"), threadTS)
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

// draftUpdate is the update row store.Due hands the dispatcher after ev:
// the original alert (#42, delivered to C0ORIG) and the draft as it is now.
func draftUpdate(action store.DraftAction, by, note string, edit func(d *store.Draft)) store.Alert {
	orig := testAlerts()[0].alert
	orig.Delivery = store.Delivery{State: store.DeliverySent, Attempts: 1,
		Receipt: &store.Receipt{Notifier: "slack", Channel: origChannel, TS: origTS, At: t0}}
	d := *orig.Draft
	d.Created = t0
	d.UpdatedBy, d.Updated = by, t0.Add(24*time.Hour)
	if edit != nil {
		edit(&d)
	}
	return store.Alert{
		ID: 60, Key: "draft:7:1", Kind: store.KindDraftUpdate, Created: t0.Add(24 * time.Hour),
		Business: orig.Business, Listing: orig.Listing, Review: orig.Review,
		Update:   &store.Update{DraftID: 7, Action: action, By: by, At: t0.Add(24 * time.Hour), Note: note},
		Original: &orig, Draft: &d,
	}
}

// actionIDs returns the action ids in a blocks form field.
func actionIDs(t *testing.T, blocksJSON string) []string {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocksJSON), &blocks); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	var ids []string
	for _, b := range blocks {
		if b.Type != "actions" {
			continue
		}
		for _, e := range b.Elements {
			ids = append(ids, e.ActionID+"="+e.Value)
		}
	}
	return ids
}

func TestSlackDraftUpdate(t *testing.T) {
	tests := []struct {
		name       string
		action     store.DraftAction
		by, note   string
		canReply   bool
		edit       func(d *store.Draft)
		wantLine   string
		wantStatus string
		wantIDs    []string
	}{
		{name: "approve, reply API", action: store.ActionApprove, by: approver, canReply: true,
			edit:     func(d *store.Draft) { d.Status, d.Publish.State = store.DraftApproved, "pending" },
			wantLine: "Approved by <@U0APPROVER>", wantStatus: "approved - publishing on Trustpilot",
			wantIDs: []string{"draft_edit=7", "draft_reject=7"}},
		{name: "approve, by hand", action: store.ActionApprove, by: approver,
			edit:     func(d *store.Draft) { d.Status, d.Manual = store.DraftApproved, true },
			wantLine: "Approved by <@U0APPROVER> - post it on Trustpilot by hand", wantStatus: "approved - post manually",
			wantIDs: []string{"draft_edit=7", "draft_reject=7", "draft_reply_link="}},
		{name: "reject", action: store.ActionReject, by: approver,
			edit:     func(d *store.Draft) { d.Status = store.DraftRejected },
			wantLine: "Rejected by <@U0APPROVER>", wantStatus: "rejected"},
		{name: "edit with warnings", action: store.ActionEdit, by: approver, note: "saved with guideline warnings: G5: you should have",
			edit:     func(d *store.Draft) { d.Text, d.Edited = "New text", true },
			wantLine: "Edited by <@U0APPROVER> (draft #7): saved with guideline warnings: G5: you should have", wantStatus: "pending approval (edited)",
			wantIDs: []string{"draft_approve=7", "draft_edit=7", "draft_regenerate=7", "draft_reject=7"}},
		{name: "edit from the CLI", action: store.ActionEdit, by: "cli:amir",
			wantLine: "Edited by cli:amir (draft #7)", wantStatus: "pending approval",
			wantIDs: []string{"draft_approve=7", "draft_edit=7", "draft_regenerate=7", "draft_reject=7"}},
		{name: "regenerate", action: store.ActionRegenerate, by: approver,
			wantLine: "New variant by <@U0APPROVER>", wantStatus: "pending approval",
			wantIDs: []string{"draft_approve=7", "draft_edit=7", "draft_regenerate=7", "draft_reject=7"}},
		{name: "posted", action: store.ActionPosted, by: "revwatch", canReply: true,
			edit:     func(d *store.Draft) { d.Status = store.DraftPosted },
			wantLine: "Posted on Trustpilot", wantStatus: "posted on Trustpilot"},
		{name: "publish failed", action: store.ActionPublishFailed, by: "revwatch", note: "trustpilot: 403 <forbidden> & more", canReply: true,
			edit: func(d *store.Draft) {
				d.Status, d.Publish = store.DraftApproved, store.Publish{State: "failed", LastError: "403"}
			},
			wantLine: "Publishing failed: trustpilot: 403 &lt;forbidden&gt; &amp; more — approve again or post it by hand", wantStatus: "approved - publishing failed: 403",
			wantIDs: []string{"draft_edit=7", "draft_reject=7"}},
		{name: "reminder", action: store.ActionRemind, by: "revwatch",
			edit:     func(d *store.Draft) { d.UpdatedBy, d.Updated = "", time.Time{} },
			wantLine: "Reminder: this negative review has waited 24h for a reply", wantStatus: "pending approval",
			wantIDs: []string{"draft_approve=7", "draft_edit=7", "draft_regenerate=7", "draft_reject=7"}},
		{name: "hostile actor", action: store.ActionReject, by: "<!channel>",
			edit:     func(d *store.Draft) { d.Status = store.DraftRejected },
			wantLine: "Rejected by &lt;!channel&gt;", wantStatus: "rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeSlack(t, byPath)
			s := newTestSlack(t, srv.URL, nil)
			a := draftUpdate(tt.action, tt.by, tt.note, tt.edit)
			a.Listing.CanReply = tt.canReply
			a.Original.Listing.CanReply = tt.canReply

			r, err := s.Deliver(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			if want := (store.Receipt{Notifier: "slack", Channel: origChannel, TS: threadTS, At: t0}); r != want {
				t.Errorf("receipt = %+v, want the thread reply's %+v", r, want)
			}
			reqs := srv.requests()
			if len(reqs) != 2 {
				t.Fatalf("got %d requests, want chat.update and chat.postMessage", len(reqs))
			}
			up, reply := reqs[0], reqs[1]
			if up.Path != "/chat.update" || up.Form["channel"] != origChannel || up.Form["ts"] != origTS {
				t.Errorf("first request = %s channel=%q ts=%q, want chat.update of %s/%s", up.Path, up.Form["channel"], up.Form["ts"], origChannel, origTS)
			}
			if !strings.Contains(up.Form["blocks"], `"text":"*Status:* `+tt.wantStatus+` · by `) {
				t.Errorf("updated message lacks status %q:\n%s", tt.wantStatus, up.Form["blocks"])
			}
			if !strings.Contains(up.Form["blocks"], "Cold coffee") {
				t.Error("updated message lost the review")
			}
			if ids := actionIDs(t, up.Form["blocks"]); !cmp.Equal(ids, tt.wantIDs) {
				t.Errorf("updated buttons = %q, want %q", ids, tt.wantIDs)
			}
			if reply.Path != "/chat.postMessage" || reply.Form["channel"] != origChannel || reply.Form["thread_ts"] != origTS {
				t.Errorf("second request = %s channel=%q thread_ts=%q, want a reply in %s's thread", reply.Path, reply.Form["channel"], reply.Form["thread_ts"], origTS)
			}
			if reply.Form["text"] != tt.wantLine {
				t.Errorf("thread reply = %q, want %q", reply.Form["text"], tt.wantLine)
			}
			texts := slackTexts(t, json.RawMessage(reply.Form["blocks"]))
			checkInert(t, append(texts, reply.Form["text"]), "<@"+approver+">")
		})
	}
}

func TestSlackDraftUpdateWithoutOriginalMessage(t *testing.T) {
	tests := []struct {
		name        string
		alert       func() store.Alert
		reply       http.HandlerFunc
		wantChannel string
		wantPaths   []string
	}{
		{"original failed", func() store.Alert {
			a := draftUpdate(store.ActionApprove, approver, "", nil)
			a.Original, a.Draft = nil, nil // what Due hands over when the original failed
			return a
		}, byPath, "#reviews", []string{"/chat.postMessage"}},
		{"urgent original failed", func() store.Alert {
			a := draftUpdate(store.ActionRemind, "revwatch", "", nil)
			a.Original, a.Draft, a.Urgent = nil, nil, true
			return a
		}, byPath, "C0ESCALATE", []string{"/chat.postMessage"}},
		{"original deleted", func() store.Alert {
			return draftUpdate(store.ActionReject, approver, "", nil)
		}, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/chat.update" {
				slackErrorReply("message_not_found")(w, r)
				return
			}
			byPath(w, r)
		}, origChannel, []string{"/chat.update", "/chat.postMessage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeSlack(t, tt.reply)
			s, err := NewSlack(SlackConfig{Token: testToken, Channel: "#reviews", EscalationChannel: "C0ESCALATE", APIURL: srv.URL}, nil)
			if err != nil {
				t.Fatal(err)
			}
			a := tt.alert()
			if _, err := s.Deliver(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			reqs := srv.requests()
			var paths []string
			for _, r := range reqs {
				paths = append(paths, r.Path)
			}
			if !cmp.Equal(paths, tt.wantPaths) {
				t.Fatalf("requests = %q, want %q", paths, tt.wantPaths)
			}
			p := reqs[len(reqs)-1]
			if p.Form["channel"] != tt.wantChannel || p.Form["thread_ts"] != "" {
				t.Errorf("posted to %q (thread %q), want a message of its own in %q", p.Form["channel"], p.Form["thread_ts"], tt.wantChannel)
			}
			if !strings.Contains(p.Form["text"], "Reply draft #7 for Café Test on Trustpilot") {
				t.Errorf("text = %q", p.Form["text"])
			}
			if strings.Contains(p.Form["blocks"], `"actions"`) {
				t.Error("a message of its own must not carry buttons (the draft isn't known)")
			}
			checkInert(t, slackTexts(t, json.RawMessage(p.Form["blocks"])), "<@"+approver+">")
		})
	}
}

func TestSlackDraftUpdateErrors(t *testing.T) {
	tests := []struct {
		name      string
		reply     http.HandlerFunc
		wantPaths int
		permanent bool
	}{
		{"chat.update rate limited", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 1, false},
		{"thread reply fails", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/chat.postMessage" {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			byPath(w, r)
		}, 2, false},
		{"bot removed from channel", slackErrorReply("not_in_channel"), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeSlack(t, tt.reply)
			s := newTestSlack(t, srv.URL, nil)
			_, err := s.Deliver(context.Background(), draftUpdate(store.ActionApprove, approver, "", nil))
			if err == nil {
				t.Fatal("Deliver succeeded, want an error")
			}
			if got := len(srv.requests()); got != tt.wantPaths {
				t.Errorf("%d requests, want %d", got, tt.wantPaths)
			}
			if got := errorsIsPermanent(err); got != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tt.permanent, err)
			}
			if !strings.HasPrefix(err.Error(), "slack: ") || !strings.Contains(err.Error(), origChannel) {
				t.Errorf("error %q doesn't say where", err)
			}
		})
	}
}

func TestSlackEscalation(t *testing.T) {
	urgent := testAlerts()[7].alert // negative_review_urgent
	if !urgent.Urgent {
		t.Fatal("testAlerts()[7] is not the urgent alert")
	}
	tests := []struct {
		name        string
		cfg         SlackConfig
		alert       store.Alert
		wantChannel string
		wantMention string
	}{
		{"urgent to the escalation channel", SlackConfig{EscalationChannel: "C0ESCALATE", ManagerMention: "<!subteam^S0MANAGERS>"}, urgent, "C0ESCALATE", "<!subteam^S0MANAGERS>"},
		{"urgent, no escalation channel", SlackConfig{ManagerMention: "<@U0BOSS>"}, urgent, "#reviews", "<@U0BOSS>"},
		{"urgent, no mention", SlackConfig{EscalationChannel: "C0ESCALATE"}, urgent, "C0ESCALATE", ""},
		{"not urgent", SlackConfig{EscalationChannel: "C0ESCALATE", ManagerMention: "<@U0BOSS>"}, testAlerts()[0].alert, "#reviews", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeSlack(t, okReply)
			cfg := tt.cfg
			cfg.Token, cfg.Channel, cfg.APIURL = testToken, "#reviews", srv.URL
			s, err := NewSlack(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Deliver(context.Background(), tt.alert); err != nil {
				t.Fatal(err)
			}
			p := srv.requests()[0]
			if p.Form["channel"] != tt.wantChannel {
				t.Errorf("channel = %q, want %q", p.Form["channel"], tt.wantChannel)
			}
			texts := slackTexts(t, json.RawMessage(p.Form["blocks"]))
			if tt.wantMention != "" {
				if !strings.HasPrefix(texts[0], tt.wantMention+" ") || !strings.HasPrefix(p.Form["text"], tt.wantMention+" ") {
					t.Errorf("the mention %q doesn't head the message: %q / %q", tt.wantMention, texts[0], p.Form["text"])
				}
			} else if strings.Contains(p.Form["blocks"], "<@U0BOSS>") || strings.Contains(p.Form["blocks"], "subteam") {
				t.Error("unexpected mention")
			}
			all := strings.Join(texts, "\n")
			if tt.alert.Urgent {
				if ids := actionIDs(t, p.Form["blocks"]); len(ids) != 0 {
					t.Errorf("an escalation has buttons %q", ids)
				}
				for _, want := range []string{"Urgent: New 1★ review", "*What to do*\nThe reviewer mentions food poisoning"} {
					if !strings.Contains(all, want) {
						t.Errorf("escalation lacks %q:\n%s", want, all)
					}
				}
				if strings.Contains(all, "Suggested reply") || strings.Contains(all, "Status:") {
					t.Errorf("an escalation shows the draft:\n%s", all)
				}
			} else if ids := actionIDs(t, p.Form["blocks"]); len(ids) != 4 {
				t.Errorf("buttons = %q, want four", ids)
			}
			checkInert(t, texts, tt.wantMention)
		})
	}
}

func TestSlackConfigValidateInteractionKeys(t *testing.T) {
	base := SlackConfig{Token: "xoxb-1", Channel: "C1"}
	tests := []struct {
		name string
		edit func(c *SlackConfig)
		want []string // substrings of the error; none: valid
	}{
		{"all set", func(c *SlackConfig) {
			c.SigningSecret, c.AppToken = "8f742231b10e8888abcd99yyyzzz85a5", "xapp-1-A1-2-abc"
			c.Approvers = []string{"U0123ABCD", "W0123ABCD", "S0123ABCD"}
			c.EscalationChannel, c.ManagerMention = "#escalations", "<!subteam^S0123ABCD>"
		}, nil},
		{"user mention", func(c *SlackConfig) { c.ManagerMention = "<@U0123ABCD>" }, nil},
		{"group mention with handle", func(c *SlackConfig) { c.ManagerMention = "<!subteam^S0123ABCD|@managers>" }, nil},
		{"bot token as app token", func(c *SlackConfig) { c.AppToken = "xoxb-SECRETVALUE" }, []string{"slack.app_token: not an app-level token"}},
		{"approvers", func(c *SlackConfig) { c.Approvers = []string{"U0123ABCD", "@bob", "C0123ABCD"} },
			[]string{`slack.approvers[1]: "@bob"`, `slack.approvers[2]: "C0123ABCD"`}},
		{"mention by name", func(c *SlackConfig) { c.ManagerMention = "@managers" }, []string{"slack.manager_mention", "<@U0123ABCD>"}},
		{"mention of everyone", func(c *SlackConfig) { c.ManagerMention = "<!channel>" }, []string{"slack.manager_mention"}},
		{"mention with a trailer", func(c *SlackConfig) { c.ManagerMention = "<@U0123ABCD> <!here>" }, []string{"slack.manager_mention"}},
		{"blank escalation channel", func(c *SlackConfig) { c.EscalationChannel = "  " }, []string{"slack.escalation_channel"}},
		{"signing secret with a newline", func(c *SlackConfig) { c.SigningSecret = "SECRETVALUE\n" }, []string{"slack.signing_secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Errorf("error quotes a secret: %v", err)
			}
		})
	}
}

func TestConsoleDraftUpdate(t *testing.T) {
	var buf bytes.Buffer
	c := NewConsole(&buf)
	for _, a := range []store.Alert{
		draftUpdate(store.ActionApprove, approver, "", nil),
		draftUpdate(store.ActionEdit, "cli:amir", "saved with guideline warnings: G5: you should have", nil),
		draftUpdate(store.ActionPosted, "revwatch", "", nil),
	} {
		if _, err := c.Deliver(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	want := "✎ draft #7 · Café Test on Trustpilot: Approved by U0APPROVER - post it on Trustpilot by hand\n" +
		"✎ draft #7 · Café Test on Trustpilot: Edited by cli:amir (draft #7): saved with guideline warnings: G5: you should have\n" +
		"✎ draft #7 · Café Test on Trustpilot: Posted on Trustpilot\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("console (-want +got):\n%s", diff)
	}
}

func errorsIsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

func TestSlackFind(t *testing.T) {
	created := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	history := `{"ok":true,"messages":[
		{"type":"message","ts":"1700000000.000100","text":"other","metadata":{"event_type":"revwatch_alert","event_payload":{"alert_id":6,"kind":"negative_review"}}},
		{"type":"message","ts":"1700000000.000200","text":"ours","metadata":{"event_type":"revwatch_alert","event_payload":{"alert_id":7,"kind":"negative_review"}}}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		switch {
		case strings.HasSuffix(r.URL.Path, "conversations.history") && r.Form.Get("channel") == "C123" && r.Form.Get("include_all_metadata") == "1":
			io.WriteString(w, history)
		case strings.HasSuffix(r.URL.Path, "conversations.replies") && r.Form.Get("ts") == "1700000000.000200":
			io.WriteString(w, `{"ok":true,"messages":[{"type":"message","ts":"1700000000.000300","metadata":{"event_type":"revwatch_alert","event_payload":{"alert_id":9,"kind":"draft_update"}}}]}`)
		default:
			io.WriteString(w, `{"ok":true,"messages":[]}`)
		}
	}))
	defer srv.Close()
	s, err := NewSlack(SlackConfig{Token: "xoxb-1", Channel: "#reviews", APIURL: srv.URL + "/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Learn([]store.Receipt{{Channel: "C123"}})
	orig := store.Alert{ID: 7, Delivery: store.Delivery{Receipt: &store.Receipt{Channel: "C123", TS: "1700000000.000200"}}}
	cases := []struct {
		name  string
		a     store.Alert
		found bool
		ts    string
	}{
		{"posted before the crash", store.Alert{ID: 7, Created: created}, true, "1700000000.000200"},
		{"never posted", store.Alert{ID: 8, Created: created}, false, ""},
		{"thread reply posted", store.Alert{ID: 9, Kind: store.KindDraftUpdate, Created: created, Original: &orig}, true, "1700000000.000300"},
		{"thread reply not posted", store.Alert{ID: 10, Kind: store.KindDraftUpdate, Created: created, Original: &orig}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, found, err := s.Find(context.Background(), c.a)
			if err != nil || found != c.found || r.TS != c.ts {
				t.Fatalf("Find = %+v, %v, %v; want found %v ts %q", r, found, err, c.found, c.ts)
			}
		})
	}
}
