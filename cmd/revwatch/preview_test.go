package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestDraftsCheckAndPreview(t *testing.T) {
	// No config: a new user can try drafts first.
	t.Chdir(t.TempDir())
	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"check flags G5 and G8", []string{"drafts", "check"}, "You should have read our policy. We guarantee a full refund.", 1, []string{"G5", "G8", "you should have", "refund"}},
		{"check passes a good reply", []string{"drafts", "check"}, "Hi Ana, thank you for telling us. We're sorry the soup was cold. Please write to us so we can look into it. Kind regards, Maria", 0, []string{"no findings"}},
		{"preview english", []string{"drafts", "preview", "--text", "Waited an hour and the soup was cold.", "--rating", "1", "--author", "Ana"}, "", 0, []string{"language: en", "wait", "Ana", "findings: none"}},
		{"preview threat", []string{"drafts", "preview", "--text", "I will come back and smash your windows.", "--rating", "1"}, "", 0, []string{"escalation", "guidance"}},
		{"preview needs text", []string{"drafts", "preview"}, "", 2, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := cliIn(t, c.stdin, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestDraftsPreviewJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	cases := []struct {
		text, lang string
		escalate   bool
	}{
		{"دو ساعت منتظر غذا ماندیم و غذا سرد بود. برخورد کارکنان هم بد بود.", "fa", false},
		{"חיכינו שעה לאוכל והוא הגיע קר. המלצר היה גס רוח.", "he", false},
		{"等了一个小时才上菜，而且菜是凉的，服务员态度也很差。", "zh", false},
		{"The waiter was rude and the food came cold after an hour.", "en", false},
		{"I know where you live, I will hurt your staff.", "en", true},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			code, out := cliIn(t, "", "drafts", "preview", "--text", c.text, "--rating", "1", "--format", "json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, out)
			}
			var p previewJSON
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("not one JSON object: %v\n%s", err, out)
			}
			if p.Language != c.lang || p.Escalate != c.escalate || (p.Draft == "") != c.escalate || len(p.Findings) != 0 {
				t.Errorf("preview = %+v", p)
			}
			if c.escalate && p.Guidance == "" {
				t.Errorf("an escalation carries guidance")
			}
			if !c.escalate && len(p.Topics) == 0 {
				t.Errorf("no topic detected in %q", c.text)
			}
		})
	}
}

// cliIn is cli with stdin, stdout and stderr combined.
func cliIn(t *testing.T, stdin string, args ...string) (int, string) {
	t.Helper()
	var out strings.Builder
	code := runIO(context.Background(), args, strings.NewReader(stdin), &out, &out)
	return code, out.String()
}
