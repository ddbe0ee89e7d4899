package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDaemonSendsDigestWithChart runs `revwatch run` with a digest every
// second against a loopback Slack: the digest message arrives, then its
// chart through files upload v2, with a real PNG, in the channel the
// message went to.
func TestDaemonSendsDigestWithChart(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	var digestBlocks, digestChannel, completeChannel string
	var uploaded []byte
	var slack *httptest.Server
	slack = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := strings.TrimPrefix(r.URL.Path, "/")
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, method)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer xoxb-test-token" {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		switch method {
		case "upload/F1":
			body, _ := io.ReadAll(r.Body)
			if i := bytes.Index(body, []byte("\x89PNG")); i >= 0 {
				uploaded = body[i:]
			}
			fmt.Fprint(w, "OK")
			return
		}
		r.ParseForm()
		switch method {
		case "chat.postMessage":
			if strings.Contains(r.Form.Get("blocks"), "Weekly digest") {
				digestBlocks, digestChannel = r.Form.Get("blocks"), r.Form.Get("channel")
			}
			fmt.Fprint(w, `{"ok":true,"channel":"C0DIGEST","ts":"1700000000.000001"}`)
		case "files.getUploadURLExternal":
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "upload_url": slack.URL + "/upload/F1", "file_id": "F1"})
		case "files.completeUploadExternal":
			completeChannel = r.Form.Get("channel_id")
			fmt.Fprint(w, `{"ok":true,"files":[{"id":"F1","title":"x"}]}`)
		default:
			fmt.Fprint(w, `{"ok":true,"messages":[]}`)
		}
	}))
	defer slack.Close()
	site := httptest.NewServer(&reviewSite{rating: "4.4", count: 12, reviews: []string{jsonReview("A", "2026-11-20", "Great.", 5)}})
	defer site.Close()
	cfgPath := filepath.Join(t.TempDir(), "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: d.db
listen: "off"
http: {host_interval: 1ms}
slack: {token: xoxb-test-token, channel: "#reviews", api_url: %q}
businesses:
  - id: luna
    name: Trattoria Luna
    timezone: Europe/Rome
    digest: {schedule: "* * * * * *", channel: "#owners"}
    listings: [{id: luna-site, source: schemaorg, url: "%s/reviews"}]
`, slack.URL, site.URL)), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run", "--config", cfgPath}, &bytes.Buffer{}, &stderr) }()
	deadline := time.After(30 * time.Second)
	for {
		mu.Lock()
		ok := completeChannel != "" && len(uploaded) > 0
		mu.Unlock()
		if ok {
			break
		}
		select {
		case <-deadline:
			cancel()
			<-done
			t.Fatalf("no digest with a chart; calls %v\n%s", calls, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if digestChannel != "#owners" || completeChannel != "C0DIGEST" || !strings.Contains(digestBlocks, "Weekly digest: Trattoria Luna") || !strings.Contains(digestBlocks, "*Ratings*") {
		t.Errorf("digest to %q, chart to %q, blocks %s", digestChannel, completeChannel, digestBlocks)
	}
	if !bytes.HasPrefix(uploaded, []byte("\x89PNG\r\n\x1a\n")) || len(uploaded) < 5000 {
		t.Errorf("uploaded %d bytes, not a PNG chart", len(uploaded))
	}
	if !strings.Contains(stderr.String(), `"msg":"digest sent"`) {
		t.Errorf("no \"digest sent\" log:\n%s", stderr.String())
	}
}
