package notify

import (
	"bytes"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"
)

// TestManifestScopes checks slack-app-manifest.yaml: it is a valid
// manifest (no unknown keys), interactivity points at /slack/interactions,
// Socket Mode is off by default, and the bot scopes are exactly those of
// the Web API methods revwatch calls (webAPIScopes, which the fake Slack
// enforces in every test).
func TestManifestScopes(t *testing.T) {
	b, err := os.ReadFile("slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var m slack.Manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if m.Display.Name != "revwatch" || m.Features.BotUser.DisplayName != "revwatch" {
		t.Errorf("names: app %q, bot %q", m.Display.Name, m.Features.BotUser.DisplayName)
	}
	if it := m.Settings.Interactivity; it == nil || !it.IsEnabled || it.RequestUrl != "https://example.com/slack/interactions" {
		t.Errorf("interactivity = %+v", it)
	}
	if m.Settings.SocketModeEnabled {
		t.Error("socket_mode_enabled should be false by default")
	}
	var want []string
	for _, scope := range webAPIScopes {
		if scope != "" && !slices.Contains(want, scope) {
			want = append(want, scope)
		}
	}
	sort.Strings(want)
	got := slices.Clone(m.OAuthConfig.Scopes.Bot)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bot scopes (-used +manifest):\n%s", diff)
	}
	if len(m.OAuthConfig.Scopes.User) > 0 {
		t.Errorf("user scopes %q: revwatch acts as its bot only", m.OAuthConfig.Scopes.User)
	}
}
