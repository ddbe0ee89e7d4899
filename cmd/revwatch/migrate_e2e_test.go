package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOlderStoreUpgradedByPoll points the CLI at a store written by the
// first schema-v1 layout (store/testdata): read-only commands say how to
// upgrade it, `poll` upgrades it, and afterwards every review is there
// and the alert that was still pending in the old file is delivered.
func TestOlderStoreUpgradedByPoll(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "store", "testdata", "v1-2e43441.db"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.db"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	site := &reviewSite{rating: "3.8", count: 4}
	srv := httptest.NewServer(site)
	defer srv.Close()
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: old.db
http: {host_interval: 1ms}
businesses:
  - id: luna
    name: Trattoria Luna
    listings: [{id: luna-site, source: schemaorg, url: "%s/reviews"}]
`, srv.URL)), 0o600)

	code, _, stderr := cli(t, "reviews", "--config", cfgPath)
	if code == 0 || !strings.Contains(stderr, "file v1") || !strings.Contains(stderr, "revwatch poll") {
		t.Fatalf("reviews on a v1 store: exit %d %q; want an error saying to run revwatch poll", code, stderr)
	}
	code, out, stderr := cli(t, "poll", "--config", cfgPath)
	if code != 0 {
		t.Fatalf("poll on a v1 store: exit %d %s", code, stderr)
	}
	if !strings.Contains(out, "4.5 → 3.8") || !strings.Contains(out, "Trattoria Luna") {
		t.Errorf("the rating_drop alert pending in the v1 file was not delivered:\n%s", out)
	}
	code, out, stderr = cli(t, "reviews", "--config", cfgPath, "--format", "json")
	var reviews []struct{ ID, Text string }
	if code != 0 || json.Unmarshal([]byte(out), &reviews) != nil {
		t.Fatalf("reviews after the upgrade: exit %d %s %s", code, out, stderr)
	}
	got := map[string]string{}
	for _, r := range reviews {
		got[r.ID] = r.Text
	}
	if len(got) != 4 || got["r2"] != "Good, but slow." || got["r4"] != "Cold food, rude staff." {
		t.Errorf("reviews after the upgrade = %v", got)
	}
	// The delivered alert stays delivered: a second poll posts nothing.
	if _, out, _ = cli(t, "poll", "--config", cfgPath); strings.Contains(out, "3.8") {
		t.Errorf("a second poll re-delivered an alert:\n%s", out)
	}
}
