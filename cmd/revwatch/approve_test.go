package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestApproveInSlack: with the daemon running and a signing secret set, a
// new 1-star review's alert has the four buttons; a correctly signed
// draft_approve from an approver updates the message and approves the
// draft (the CLI shows it while the daemon runs); unsigned, stale and
// non-approver requests change nothing.
func TestApproveInSlack(t *testing.T) {
	slack := newFakeSlack(t)
	site := &reviewSite{rating: "4.5", count: 40, reviews: []string{jsonReview("A", "2026-11-01", "Lovely.", 5)}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./r.db
listen: 127.0.0.1:0
http: {host_interval: 1ms}
slack:
  token: xoxb-test-token
  channel: "#reviews"
  api_url: %q
  signing_secret: ${E2E_SIGNING_SECRET}
  approvers: [UAPPROVER]
businesses:
  - id: luna
    contact: "hi@luna.example"
    listings: [{id: site, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, slack.srv.URL+"/", srv.URL)), 0o600)
	t.Setenv("E2E_SIGNING_SECRET", secret)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var logs syncBuffer
	go func() {
		done <- run(ctx, []string{"run", "--config", cfgPath, "--log-level", "debug"}, &bytes.Buffer{}, &logs)
	}()
	deadline := time.After(30 * time.Second)
	wait := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			select {
			case <-deadline:
				t.Fatalf("timed out waiting for %s", what)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	draftStatus := func() string {
		_, out, _ := cli(t, "drafts", "--config", cfgPath, "--format", "json")
		var ds []map[string]any
		json.Unmarshal([]byte(out), &ds)
		if len(ds) == 0 {
			return ""
		}
		return fmt.Sprint(ds[0]["status"])
	}
	wait("the baseline", func() bool {
		_, out, _ := cli(t, "reviews", "--config", cfgPath, "--format", "json")
		return strings.Contains(out, `"listing":"site"`)
	})
	site.set(func(s *reviewSite) {
		s.reviews = append(s.reviews, jsonReview("Dan", "2026-11-22", "We waited an hour and the food was cold.", 1))
	})
	wait("the alert", func() bool { return len(slack.all()) == 1 })
	alert := slack.all()[0]
	for _, id := range []string{"draft_approve", "draft_edit", "draft_reject", "draft_regenerate"} {
		if !strings.Contains(alert, `"action_id":"`+id+`"`) {
			t.Errorf("the alert lacks the %s button", id)
		}
	}

	raw, err := os.ReadFile(apiTokenPath(filepath.Join(dir, "r.db")))
	if err != nil {
		t.Fatal(err)
	}
	addr, _, _ := strings.Cut(string(raw), "\n")
	click := func(user string, ts time.Time, sign bool) int {
		payload, _ := json.Marshal(map[string]any{
			"type": "block_actions", "trigger_id": "t1", "user": map[string]string{"id": user},
			"channel": map[string]string{"id": "C123"}, "message": map[string]string{"ts": "1700000000.000001"},
			"container": map[string]string{"type": "message", "channel_id": "C123", "message_ts": "1700000000.000001"},
			"actions":   []map[string]string{{"action_id": "draft_approve", "value": "1", "block_id": "b", "type": "button"}},
		})
		body := url.Values{"payload": {string(payload)}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		stamp := strconv.FormatInt(ts.Unix(), 10)
		req.Header.Set("X-Slack-Request-Timestamp", stamp)
		if sign {
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte("v0:" + stamp + ":" + body))
			req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := click("UAPPROVER", time.Now(), false); code != 401 {
		t.Errorf("unsigned click: %d, want 401", code)
	}
	if code := click("UAPPROVER", time.Now().Add(-6*time.Minute), true); code != 401 {
		t.Errorf("stale click: %d, want 401", code)
	}
	if code := click("USTRANGER", time.Now(), true); code != 200 {
		t.Errorf("non-approver click: %d, want 200 (and an ephemeral refusal)", code)
	}
	wait("the ephemeral refusal", func() bool {
		for _, c := range slack.others() {
			if strings.HasPrefix(c, "chat.postEphemeral") {
				return true
			}
		}
		return false
	})
	if st := draftStatus(); st != "pending" {
		t.Fatalf("after refused clicks the draft is %q, want pending", st)
	}
	if code := click("UAPPROVER", time.Now(), true); code != 200 {
		t.Fatalf("approver click: %d", code)
	}
	wait("the approval", func() bool { return draftStatus() == "approved" })
	wait("the message update", func() bool {
		for _, c := range slack.others() {
			if strings.HasPrefix(c, "chat.update C123 1700000000.000001") {
				return true
			}
		}
		return false
	})
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("daemon exit %d", code)
	}
	// Secrets never reach the logs, even at debug level.
	out := logs.String()
	if len(out) < 200 {
		t.Fatalf("expected debug logs, got %q", out)
	}
	for _, s := range []string{"xoxb-test-token", secret} {
		if strings.Contains(out, s) {
			t.Errorf("the daemon's logs contain a secret (%.8s...)", s)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
