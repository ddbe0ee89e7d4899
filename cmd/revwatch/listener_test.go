package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/watcher"
)

// TestListenerLimits: every route of the daemon's listener refuses an
// oversized body with 413 (declared or chunked), and a client that sends
// its headers or body a byte at a time (slowloris) is cut off by the read
// timeouts. The timeouts are shortened for the test; the defaults are in
// defaultLimits.
func TestListenerLimits(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(`store: s.db
listen: 127.0.0.1:0
google_pubsub: {token: push-secret}
businesses:
  - id: b
    listings: [{id: l, source: schemaorg, url: "http://127.0.0.1:1/reviews", schedule: "@every 1h"}]
`), 0o600)
	cfg, err := LoadConfig(cfgPath, sources.Default())
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(cfg, sources.Default(), slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	a.limits = listenerLimits{ReadHeader: 300 * time.Millisecond, Read: time.Second, Write: time.Second,
		Idle: time.Second, MaxBody: 64 << 10, BackupWrite: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := a.listen(ctx, watcher.NewScheduler(a.watcher, a.log, 1), newMetrics(a.db, a.targets))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	raw, _ := os.ReadFile(apiTokenPath(filepath.Join(dir, "s.db")))
	addr, tok, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")

	big := append([]byte(`{"text":"`), bytes.Repeat([]byte("x"), 256<<10)...) // JSON, so a decoder reads on
	for _, c := range []struct {
		name, path string
		chunked    bool
	}{
		{"api, declared", "/api/drafts/1/approve", false},
		{"api, chunked", "/api/drafts/1/approve", true},
		{"pubsub, declared", "/google/pubsub?token=push-secret", false},
		{"unknown route, declared", "/nothing", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(big)
			if c.chunked {
				body = io.MultiReader(bytes.NewReader(big)) // no length: sent chunked
			}
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+c.path, body)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %d bytes to %s: %d, want 413", len(big), c.path, resp.StatusCode)
			}
		})
	}

	// Slowloris: headers (or a declared body) trickled one line every
	// 100 ms. The server must hang up before the client is done: 40 lines
	// take 4 s, well past the 300 ms header and 1 s read timeouts.
	for _, c := range []struct {
		name, head string
	}{
		{"headers", "GET /healthz HTTP/1.1\r\nHost: x\r\n"},
		{"body", "POST /api/drafts/1/approve HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\nAuthorization: Bearer " + tok + "\r\n\r\n"},
	} {
		t.Run("slowloris "+c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, c.head); err != nil {
				t.Fatal(err)
			}
			closed := make(chan struct{})
			go func() {
				// The server's answer (408 or nothing) and then EOF.
				io.Copy(io.Discard, bufio.NewReader(conn))
				close(closed)
			}()
			for i := 0; i < 40; i++ {
				select {
				case <-closed:
					t.Logf("cut off after %d trickled lines", i)
					return
				case <-time.After(100 * time.Millisecond):
				}
				line := fmt.Sprintf("X-Slow-%d: 1\r\n", i)
				if c.name == "body" {
					line = "{"
				}
				if _, err := io.WriteString(conn, line); err != nil {
					t.Logf("cut off after %d trickled lines (%v)", i, err)
					return
				}
			}
			t.Fatal("a client trickling its request for 4 s was never cut off")
		})
	}
}
