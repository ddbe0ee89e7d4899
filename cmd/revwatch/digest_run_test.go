package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revwatch/revwatch/digest"
	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
	"github.com/revwatch/revwatch/watcher"
)

// fakeSender records digests and fails as told.
type fakeSender struct {
	mu    sync.Mutex
	sent  []digest.Digest
	chart [][]byte
	fail  []error // returned by the next calls, in order
	calls int
}

func (f *fakeSender) SendDigest(_ context.Context, d digest.Digest, _ string, chart []byte) (store.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		if err != nil {
			return store.Receipt{}, err
		}
	}
	f.sent = append(f.sent, d)
	f.chart = append(f.chart, chart)
	return store.Receipt{Notifier: "fake", TS: "1"}, nil
}

// TestDigestScheduleAcrossRestarts drives the daemon's digest logic with an
// injected clock: a first start sends nothing (baseline), each Monday 09:00
// in Rome sends the week once, a restart after a missed Monday sends that
// week once, a crash mid-send resends, and a retryable failure is retried.
func TestDigestScheduleAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	cfg, err := ParseConfig([]byte(`
businesses:
  - id: luna
    name: Trattoria Luna
    timezone: Europe/Rome
    listings: [{id: luna-site, source: schemaorg, url: "http://127.0.0.1:1/reviews"}]
`), sources.Default(), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "d.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rome, _ := time.LoadLocation("Europe/Rome")
	// A rating history, so digests carry a chart.
	for i, v := range []float64{4.5, 4.4} {
		at := time.Date(2026, 11, 10+10*i, 12, 0, 0, 0, time.UTC)
		db.Commit(ctx, store.ListingInfo{ID: "luna-site", Business: "luna", Platform: "schemaorg"},
			sources.Observation{At: at, Rating: &sources.Rating{Value: v, Count: 100 + i}}, nil)
	}
	set, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Businesses[0]
	spec, on := b.digestSpec()
	if !on || spec != "CRON_TZ=Europe/Rome 0 9 * * 1" {
		t.Fatalf("spec = %q %v", spec, on)
	}
	cs, _ := watcher.ParseSchedule(spec)
	sender := &fakeSender{}
	var now time.Time
	// start is a daemon (re)start: a new digests value over the same store.
	start := func() *digests {
		a := &app{cfg: cfg, db: db, reg: sources.Default(), log: slog.New(slog.DiscardHandler), set: set}
		return &digests{a: a, set: set, sender: sender, log: a.log, now: func() time.Time { return now }, waits: []time.Duration{0, 0}}
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, rome) }
	steps := []struct {
		name   string
		now    time.Time
		action string // "start" (catch-up), "tick" (cron), "crash" (a send left "sending")
		fail   []error
		sends  int // digests sent in total after the step
		calls  int // send attempts in total after the step
	}{
		{"first start on a Wednesday: baseline, nothing owed", at(18, 15), "start", nil, 0, 0},
		{"Monday 09:00: the week goes out", at(23, 9), "tick", nil, 1, 1},
		{"a second tick of the same minute: not doubled", at(23, 9), "tick", nil, 1, 1},
		{"restart on Tuesday: nothing missed", at(24, 10), "start", nil, 1, 1},
		{"stopped over Monday 30, restarted Tuesday: sent once", time.Date(2026, 12, 1, 8, 0, 0, 0, rome), "start", nil, 2, 2},
		{"another restart the same day: not doubled", time.Date(2026, 12, 1, 9, 0, 0, 0, rome), "start", nil, 2, 2},
		{"Monday 7: a 5xx, then success", time.Date(2026, 12, 7, 9, 0, 0, 0, rome), "tick", []error{errors.New("slack: 503")}, 3, 4},
		{"crash mid-send on Monday 14, restart: sent again", time.Date(2026, 12, 14, 9, 5, 0, 0, rome), "crash", nil, 4, 5},
		{"Monday 21: a permanent failure is not retried", time.Date(2026, 12, 21, 9, 0, 0, 0, rome), "tick", []error{notify.ErrPermanent}, 4, 6},
		{"restart after the permanent failure: not retried", time.Date(2026, 12, 21, 10, 0, 0, 0, rome), "start", nil, 4, 6},
	}
	for _, s := range steps {
		now = s.now
		sender.fail = s.fail
		d := start()
		switch s.action {
		case "start":
			d.catchUp(ctx, b, cs)
		case "tick":
			d.due(ctx, b, cs)
		case "crash":
			end, _ := watcher.PrevFire(cs, now)
			db.RecordDigest(ctx, store.DigestRecord{Business: "luna", PeriodEnd: end, State: store.DigestSending})
			d.catchUp(ctx, b, cs)
		}
		if len(sender.sent) != s.sends || sender.calls != s.calls {
			t.Fatalf("%s: %d sent in %d calls, want %d in %d", s.name, len(sender.sent), sender.calls, s.sends, s.calls)
		}
	}
	// Each digest covers the week before its Monday 09:00, in Rome.
	wantEnds := []time.Time{at(23, 9), time.Date(2026, 11, 30, 9, 0, 0, 0, rome), time.Date(2026, 12, 7, 9, 0, 0, 0, rome), time.Date(2026, 12, 14, 9, 0, 0, 0, rome)}
	for i, dg := range sender.sent {
		if !dg.To.Equal(wantEnds[i]) || !dg.From.Equal(wantEnds[i].AddDate(0, 0, -7)) {
			t.Errorf("digest %d covers %v to %v, want the week to %v", i, dg.From, dg.To, wantEnds[i])
		}
		if len(sender.chart[i]) < 1000 || string(sender.chart[i][1:4]) != "PNG" {
			t.Errorf("digest %d: chart of %d bytes", i, len(sender.chart[i]))
		}
	}
	rec, _, _ := db.LastDigest(ctx, "luna")
	if rec.State != "failed" {
		t.Errorf("last record = %+v", rec)
	}
}

func TestDigestConfig(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, wantErr, wantSpec string
	}{
		{"default", ``, "", "CRON_TZ=UTC 0 9 * * 1"},
		{"zone and schedule", "timezone: America/New_York\n    digest: {schedule: \"30 8 * * 5\", channel: \"#owners\"}", "", "CRON_TZ=America/New_York 30 8 * * 5"},
		{"explicit CRON_TZ kept", "digest: {schedule: \"CRON_TZ=Asia/Tehran 0 9 * * 6\"}", "", "CRON_TZ=Asia/Tehran 0 9 * * 6"},
		{"off", "digest: {schedule: \"off\"}", "", ""},
		{"bad zone", "timezone: Mars/Olympus", "businesses[0].timezone (line 3): \"Mars/Olympus\" is not an IANA time zone name", ""},
		{"bad schedule", "digest: {schedule: \"every monday\"}", "businesses[0].digest.schedule", ""},
		{"bad channel", "digest: {channel: \"# owners\"}", "businesses[0].digest.channel", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "businesses:\n  - id: b\n    " + tc.yaml + "\n    listings: [{id: l, source: schemaorg, url: \"http://x.example/\"}]\n"
			cfg, err := ParseConfig([]byte(raw), sources.Default(), func(string) (string, bool) { return "", false })
			if tc.wantErr != "" {
				if err == nil || !contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			spec, on := cfg.Businesses[0].digestSpec()
			if spec != tc.wantSpec || on != (tc.wantSpec != "") {
				t.Errorf("spec = %q %v, want %q", spec, on, tc.wantSpec)
			}
		})
	}
}

func TestCompetitorConfig(t *testing.T) {
	raw := `businesses:
  - id: b
    listings:
      - {id: own, source: schemaorg, url: "http://x.example/"}
      - {id: rival, source: schemaorg, url: "http://y.example/", competitor: true}
      - {id: rival-maps, source: google_places, place_id: ChIJN1t_tDeuEmsRUsoyG83frY4, api_key: k, competitor: true}
      - {id: rival-fixed, source: schemaorg, url: "http://z.example/", competitor: true, schedule: "@every 5m"}
`
	cfg, err := ParseConfig([]byte(raw), sources.Default(), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"own": "@every 30m", "rival": "@every 2h", "rival-maps": "@every 24h", "rival-fixed": "@every 5m"}
	for _, l := range cfg.Businesses[0].Listings {
		if l.Schedule != want[l.ID] {
			t.Errorf("%s: schedule %q, want %q", l.ID, l.Schedule, want[l.ID])
		}
		if l.Competitor != (l.ID != "own") {
			t.Errorf("%s: competitor %v", l.ID, l.Competitor)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
