package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// reportFixture polls a business page and a competitor's once (console
// alerts) and returns the config path and the reviews' texts.
func reportFixture(t *testing.T, listen string) (cfgPath string, texts map[string]string) {
	t.Helper()
	recent := time.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02")
	texts = map[string]string{
		"Dana":  "We waited an hour for a table. The wait was awful, \"really\".\nNever again.",
		"Noa":   "המלצר היה גס רוח, חיכינו שעה",
		"Reza":  "غذا سرد بود و \"خیلی\" دیر رسید,\r\nبد بود",
		"Eve":   "=HYPERLINK(\"http://evil.example\",\"click\")",
		"Giuli": "Best carbonara in town.",
	}
	own := &reviewSite{rating: "4.4", count: 120}
	for _, a := range []string{"Dana", "Noa", "Reza", "Eve", "Giuli"} {
		stars := 1
		if a == "Giuli" {
			stars = 5
		}
		own.reviews = append(own.reviews, jsonReview(a, recent, texts[a], stars))
	}
	rival := &reviewSite{rating: "4.1", count: 80, reviews: []string{jsonReview("X", recent, "Slow service at the rival.", 2)}}
	ownSrv, rivalSrv := httptest.NewServer(own), httptest.NewServer(rival)
	t.Cleanup(ownSrv.Close)
	t.Cleanup(rivalSrv.Close)
	cfgPath = filepath.Join(t.TempDir(), "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: ./r.db
listen: %s
http: {host_interval: 1ms}
businesses:
  - id: luna
    name: Trattoria Luna
    timezone: Europe/Rome
    digest: {schedule: "0 9 * * 1"}
    listings:
      - {id: luna-site, source: schemaorg, url: "%s/reviews"}
      - {id: rival-site, name: "کافه رقیب", source: schemaorg, url: "%s/reviews", competitor: true}
`, listen, ownSrv.URL, rivalSrv.URL)), 0o600)
	if code, _, errOut := cli(t, "poll", "--config", cfgPath); code != 0 {
		t.Fatalf("poll: exit %d: %s", code, errOut)
	}
	return cfgPath, texts
}

func TestReportChartExport(t *testing.T) {
	cfgPath, texts := reportFixture(t, "off")
	checkReportChartExport(t, cfgPath, texts, true)
}

// TestReportBesideDaemon runs report, chart and export while `revwatch run`
// holds the store: they go through its local API.
func TestReportBesideDaemon(t *testing.T) {
	cfgPath, texts := reportFixture(t, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run", "--config", cfgPath}, &bytes.Buffer{}, &bytes.Buffer{}) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("daemon exit %d", code)
		}
	}()
	token := apiTokenPath(filepath.Join(filepath.Dir(cfgPath), "r.db"))
	deadline := time.Now().Add(20 * time.Second)
	for {
		// The token file is written in place: wait for both its lines.
		if b, err := os.ReadFile(token); err == nil && strings.Count(string(b), "\n") == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the daemon never started its API")
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkReportChartExport(t, cfgPath, texts, false)
}

// checkReportChartExport runs the three commands (with their error cases
// and variants when full) and checks what they print and write.
func checkReportChartExport(t *testing.T, cfgPath string, texts map[string]string, full bool) {
	t.Run("report", func(t *testing.T) {
		code, out, errOut := cli(t, "report", "--config", cfgPath, "--since", "7d")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, s := range []string{"Trattoria Luna:", "luna-site", "کافه رقیب (competitor)", "4.4", "4.1", "5 new reviews",
			"1★ 4", "wait: ", "0 of 5 reviews answered (0%)", "Unanswered negative reviews"} {
			if !strings.Contains(out, s) {
				t.Errorf("report lacks %q:\n%s", s, out)
			}
		}
		if strings.Contains(out, "Slow service at the rival") {
			t.Errorf("a competitor's review is in our sections:\n%s", out)
		}
		if !full {
			return
		}
		code, out, _ = cli(t, "report", "--config", cfgPath, "--format", "json", "--business", "luna")
		if code != 0 || !strings.Contains(out, `"business": "luna"`) || !strings.Contains(out, `"competitor": true`) {
			t.Errorf("report json: exit %d\n%s", code, out)
		}
	})
	t.Run("report errors", func(t *testing.T) {
		if !full {
			t.Skip("the same checks as without a daemon")
		}
		for _, args := range [][]string{{"--since", "soon"}, {"--business", "nope"}, {"--format", "xml"}} {
			code, _, errOut := cli(t, append([]string{"report", "--config", cfgPath}, args...)...)
			if code != 2 || !strings.Contains(errOut, args[0]) {
				t.Errorf("%v: exit %d, %q", args, code, errOut)
			}
		}
	})
	t.Run("chart", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "rating.png")
		for _, args := range [][]string{{"--listing", "luna-site"}, {"--business", "luna"}} {
			code, _, errOut := cli(t, append([]string{"chart", "--config", cfgPath, "--out", out}, args...)...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
			if err != nil || format != "png" || cfg.Width != 1000 || cfg.Height < 500 || len(b) < 5000 {
				t.Errorf("%v: %s %dx%d, %d bytes, err %v", args, format, cfg.Width, cfg.Height, len(b), err)
			}
		}
		for _, args := range [][]string{{"--listing", "luna-site"}, {"--listing", "nope", "--out", out}, {"--out", out}} {
			if code, _, _ := cli(t, append([]string{"chart", "--config", cfgPath}, args...)...); code != 2 {
				t.Errorf("chart %v: exit %d, want 2", args, code)
			}
		}
	})
	t.Run("export", func(t *testing.T) {
		code, out, errOut := cli(t, "export", "--config", cfgPath, "--format", "csv", "--business", "luna")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v\n%s", err, out)
		}
		if strings.Join(rows[0], ",") != strings.Join(exportHeader, ",") {
			t.Errorf("header = %v", rows[0])
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		got := map[string]string{}
		for _, r := range rows[1:] {
			if len(r) != len(exportHeader) {
				t.Fatalf("row has %d cells: %v", len(r), r)
			}
			got[r[col["author"]]] = r[col["text"]]
			if r[col["business"]] != "luna" || r[col["status"]] != "active" || r[col["published_utc"]] == "" {
				t.Errorf("row %v", r)
			}
		}
		if len(rows) != 7 { // header, five own reviews, the competitor's
			t.Errorf("%d rows, want 7", len(rows))
		}
		// Each text is what the store holds (the schema.org source folds
		// newlines; TestExportRoundTrip covers them).
		var stored []reviewJSON
		if code, out, _ := cli(t, "reviews", "--config", cfgPath, "--format", "json"); code != 0 || json.Unmarshal([]byte(out), &stored) != nil {
			t.Fatalf("reviews: exit %d\n%s", code, out)
		}
		for _, r := range stored {
			want := r.Text
			if r.Author == "Eve" {
				want = "'" + r.Text // a formula is made inert
			}
			if got[r.Author] != want || (r.Author != "X" && texts[r.Author] == "") {
				t.Errorf("%s: text round-tripped as %q, want %q", r.Author, got[r.Author], want)
			}
		}
		code, out, _ = cli(t, "export", "--config", cfgPath, "--listing", "rival-site", "--bom")
		if code != 0 || !strings.HasPrefix(out, "\uFEFFbusiness,") || strings.Count(out, "\n") != 2 {
			t.Errorf("export --listing --bom: exit %d\n%q", code, out)
		}
		if code, _, _ := cli(t, "export", "--config", cfgPath, "--format", "xlsx"); code != 2 {
			t.Errorf("--format xlsx: exit %d, want 2", code)
		}
	})
}

// TestExportRoundTrip writes reviews holding quotes, commas, newlines
// (\n and \r\n), RTL text and formulas straight into a store and reads
// the export back with encoding/csv.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "x.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	texts := []string{
		"plain",
		"a \"quoted\" word, and a comma",
		"line one\nline two\n\nline four",
		"windows\r\nline",
		"שלום \"עולם\", שורה\nשנייה",
		"سلام، \u200cدنیا",
		"混合 text 中文",
		"+1 great",
		"@here look",
		"-2 stars",
		"=1+1",
		"",
	}
	var rs []sources.Review
	for i, tx := range texts {
		rs = append(rs, sources.Review{ID: fmt.Sprintf("r%02d", i), Author: "A, \"B\"", Rating: sources.Stars(float64(1 + i%5)), Text: tx,
			Title: "t\n" + tx, Published: time.Date(2026, 11, 1, i, 0, 0, 0, time.UTC),
			Reply: &sources.Reply{Text: "thanks,\n\"really\"", Published: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}})
	}
	info := store.ListingInfo{ID: "l", Business: "b", Platform: "trustpilot"}
	if _, err := db.Commit(context.Background(), info, sources.Observation{At: time.Now().UTC(), Reviews: rs}, nil); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Businesses: []Business{{ID: "b", Listings: []sources.Listing{{ID: "l"}}}}}
	var buf bytes.Buffer
	if err := writeExport(context.Background(), &buf, db, cfg, exportFlags{format: "csv"}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(texts)+1 {
		t.Fatalf("%d rows, want %d", len(rows), len(texts)+1)
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[3]] = r
	}
	for i, tx := range texts {
		r := byID[fmt.Sprintf("r%02d", i)]
		want := strings.ReplaceAll(tx, "\r\n", "\n") // encoding/csv reads \r\n inside quotes as \n
		if want != "" && strings.ContainsRune("=+-@", rune(want[0])) {
			want = "'" + want
		}
		if r[10] != want {
			t.Errorf("text %d: got %q, want %q", i, r[10], want)
		}
		if r[9] != "t\n"+strings.ReplaceAll(tx, "\r\n", "\n") || r[6] != "A, \"B\"" || r[12] != "thanks,\n\"really\"" || r[13] != "2026-11-02 00:00:00" {
			t.Errorf("row %d = %q", i, r)
		}
	}
}
