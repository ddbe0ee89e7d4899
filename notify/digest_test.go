package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revwatch/revwatch/digest"
)

// slackStandIn answers the calls of a digest: chat.postMessage, then files
// upload v2 (files.getUploadURLExternal, the upload POST to the URL it
// returns, files.completeUploadExternal), recording each.
type slackStandIn struct {
	*httptest.Server
	mu       sync.Mutex
	calls    []string
	forms    map[string]map[string]string
	uploaded []byte
	upFile   string
	auth     map[string]string
	failPost string // a Slack error for chat.postMessage
}

func newSlackStandIn(t *testing.T) *slackStandIn {
	s := &slackStandIn{forms: map[string]map[string]string{}, auth: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		path := strings.TrimPrefix(r.URL.Path, "/")
		s.calls = append(s.calls, path)
		s.auth[path] = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		if path == "upload/F0DIGEST" {
			mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if mt != "multipart/form-data" {
				t.Errorf("upload content type %q", mt)
			}
			mr := multipart.NewReader(r.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				if p.FormName() == "file" {
					s.upFile = p.FileName()
					s.uploaded, _ = io.ReadAll(p)
				}
			}
			w.Write([]byte("OK - 1234"))
			return
		}
		r.ParseForm()
		f := map[string]string{}
		for k := range r.PostForm {
			f[k] = r.PostForm.Get(k)
		}
		s.forms[path] = f
		switch path {
		case "chat.postMessage":
			if s.failPost != "" {
				w.Write([]byte(`{"ok":false,"error":"` + s.failPost + `"}`))
				return
			}
			w.Write([]byte(`{"ok":true,"channel":"C0REVIEWS","ts":"1700000000.000100"}`))
		case "files.getUploadURLExternal":
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "upload_url": s.URL + "/upload/F0DIGEST", "file_id": "F0DIGEST"})
		case "files.completeUploadExternal":
			w.Write([]byte(`{"ok":true,"files":[{"id":"F0DIGEST","title":"Rating history"}]}`))
		default:
			t.Errorf("unexpected call %s", path)
			w.Write([]byte(`{"ok":false,"error":"unknown_method"}`))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func testDigest() digest.Digest {
	r44, r45, r43, r42 := 4.4, 4.5, 4.3, 4.2
	one := 1.0
	to := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	return digest.Digest{
		Business: "luna", BusinessName: "Trattoria <!channel> Luna", From: to.AddDate(0, 0, -7), To: to, Zone: "Europe/Rome",
		Listings: []digest.ListingSummary{
			{Listing: digest.Listing{ID: "luna-site", Name: "Luna site", Platform: "schemaorg", PlatformLabel: "Website"}, Rating: &r44, Count: 104, RatingBefore: &r45, CountBefore: 100, NewReviews: 4},
			{Listing: digest.Listing{ID: "rival", Name: "کافه رقیب", Platform: "trustpilot", PlatformLabel: "Trustpilot", Competitor: true}, Rating: &r43, Count: 82, RatingBefore: &r42, CountBefore: 80},
		},
		NewReviews: 4, Stars: [5]int{2, 1, 0, 0, 1},
		Topics:    []digest.TopicCount{{Topic: "wait", Count: 2, Quote: digest.ReviewRef{Listing: "luna-site", Author: "Amir <@U123>", Text: "We waited an hour & left <!here>"}}},
		Responses: digest.Responses{Reviews: 4, Replied: 2, Timed: 2, Median: 5 * time.Hour},
		Unanswered: []digest.ReviewRef{{Listing: "luna-site", ID: "r1", Author: "Dana", Stars: &one, Published: to.Add(-5 * 24 * time.Hour),
			Text: "Cold \u202efood", URL: "https://example.com/r/1?a=1&b=2"}},
	}
}

func TestSlackDigestWithChartUpload(t *testing.T) {
	sl := newSlackStandIn(t)
	s, err := NewSlack(SlackConfig{Token: testToken, Channel: "#reviews", APIURL: sl.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	png := []byte("\x89PNG\r\n\x1a\nfake chart bytes")
	r, err := s.SendDigest(context.Background(), testDigest(), "", png)
	if err != nil {
		t.Fatal(err)
	}
	if r.Channel != "C0REVIEWS" || r.TS != "1700000000.000100" {
		t.Errorf("receipt = %+v", r)
	}
	want := "chat.postMessage files.getUploadURLExternal upload/F0DIGEST files.completeUploadExternal"
	if got := strings.Join(sl.calls, " "); got != want {
		t.Fatalf("calls = %s, want %s", got, want)
	}
	post := sl.forms["chat.postMessage"]
	if post["channel"] != "#reviews" {
		t.Errorf("posted to %q", post["channel"])
	}
	blocks := blockTexts(t, post["blocks"])
	for _, s := range []string{
		"Weekly digest: Trattoria &lt;!channel&gt; Luna", // escaped: no @channel from a name
		"Luna site* (Website): 4.4★ (-0.1) · 104 reviews (+4)",
		"*Competitors*", "کافه رقیب", "4.3★ (+0.1)",
		"4 new reviews: 5★ 1 · 4★ 0 · 3★ 0 · 2★ 1 · 1★ 2",
		"2 of 4 reviews answered (50%); median time to reply 5h",
		"*wait* ×2: “We waited an hour &amp; left &lt;!here&gt;” (Amir &lt;@U123&gt;, luna-site)",
		"Unanswered negative reviews", "1★ Dana, luna-site, 5d old", "Cold [U+202E]food",
		"<https://example.com/r/1?a=1&amp;b=2|open>",
		"chart below",
	} {
		if !strings.Contains(blocks, s) {
			t.Errorf("blocks lack %q:\n%s", s, blocks)
		}
	}
	if strings.Contains(blocks, "<!channel>") || strings.Contains(blocks, "<@U123>") || strings.Contains(blocks, "<!here>") {
		t.Errorf("untrusted text formed a mention:\n%s", blocks)
	}
	get := sl.forms["files.getUploadURLExternal"]
	if get["filename"] != "rating-luna-2026-11-23.png" || get["length"] != fmt.Sprint(len(png)) {
		t.Errorf("getUploadURLExternal form = %v", get)
	}
	if !bytes.Equal(sl.uploaded, png) || sl.upFile != "rating-luna-2026-11-23.png" {
		t.Errorf("uploaded %q as %q", sl.uploaded, sl.upFile)
	}
	done := sl.forms["files.completeUploadExternal"]
	if done["channel_id"] != "C0REVIEWS" || !strings.Contains(done["files"], `"id":"F0DIGEST"`) || !strings.Contains(done["files"], "Rating history") {
		t.Errorf("completeUploadExternal form = %v", done)
	}
	for path, auth := range sl.auth {
		if auth != "Bearer "+testToken {
			t.Errorf("%s: Authorization %q", path, auth)
		}
	}
	for path, f := range sl.forms {
		if _, ok := f["token"]; ok {
			t.Errorf("%s: the token is in the form body", path)
		}
	}
}

func TestSlackDigestFailures(t *testing.T) {
	t.Run("message refused: no upload, permanent error", func(t *testing.T) {
		sl := newSlackStandIn(t)
		sl.failPost = "channel_not_found"
		s, _ := NewSlack(SlackConfig{Token: testToken, Channel: "#reviews", APIURL: sl.URL}, nil)
		_, err := s.SendDigest(context.Background(), testDigest(), "#digest", []byte("png"))
		if !errors.Is(err, ErrPermanent) {
			t.Errorf("err = %v, want ErrPermanent", err)
		}
		if strings.Join(sl.calls, " ") != "chat.postMessage" || sl.forms["chat.postMessage"]["channel"] != "#digest" {
			t.Errorf("calls = %v, forms = %v", sl.calls, sl.forms)
		}
	})
	t.Run("no chart: message only", func(t *testing.T) {
		sl := newSlackStandIn(t)
		s, _ := NewSlack(SlackConfig{Token: testToken, Channel: "#reviews", APIURL: sl.URL}, nil)
		if _, err := s.SendDigest(context.Background(), testDigest(), "", nil); err != nil {
			t.Fatal(err)
		}
		if strings.Join(sl.calls, " ") != "chat.postMessage" || strings.Contains(blockTexts(t, sl.forms["chat.postMessage"]["blocks"]), "chart below") {
			t.Errorf("calls = %v", sl.calls)
		}
	})
}

func TestConsoleDigest(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewConsole(&buf).SendDigest(context.Background(), testDigest(), "", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "wait: 2") || strings.Contains(buf.String(), "\u202e") {
		t.Errorf("console digest:\n%s", buf.String())
	}
}

// blockTexts decodes a Block Kit array and returns its text objects'
// texts, one a line (what Slack renders, before mrkdwn).
func blockTexts(t *testing.T, raw string) string {
	t.Helper()
	var blocks []any
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil || len(blocks) == 0 {
		t.Fatalf("blocks are not a Block Kit array (%v): %s", err, raw)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				out = append(out, s)
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(blocks)
	return strings.Join(out, "\n")
}
