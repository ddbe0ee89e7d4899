package watcher

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/templates"
)

// scripted returns its observations (or errors) one poll at a time.
type scripted struct {
	steps []func() (sources.Observation, error)
	n     int
}

func (s *scripted) Fetch(context.Context, sources.Listing, sources.Options) (sources.Observation, error) {
	f := s.steps[min(s.n, len(s.steps)-1)]
	s.n++
	return f()
}

// TestCompetitorsNeverAlert polls the same history as an own listing and
// as a competitor: a 1-star review, a rating drop and a broken source
// alert (with a draft) for the first, and nothing for the second, whose
// reviews and ratings are stored all the same.
func TestCompetitorsNeverAlert(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	set, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	w := New(db, DefaultRules(), set, nil)
	steps := func() []func() (sources.Observation, error) {
		ok := func(v float64, rs ...sources.Review) func() (sources.Observation, error) {
			return func() (sources.Observation, error) {
				return sources.Observation{At: time.Now().UTC(), Rating: &sources.Rating{Value: v, Count: 10 + len(rs)}, Reviews: rs}, nil
			}
		}
		fail := func() (sources.Observation, error) { return sources.Observation{}, errors.New("connection refused") }
		bad := sources.Review{ID: "r1", Author: "Amir", Rating: sources.Stars(1), Text: "We waited an hour, terrible.", Published: time.Now().UTC()}
		return []func() (sources.Observation, error){ok(4.5), ok(4.2, bad), fail, fail, fail}
	}
	for _, tc := range []struct {
		name       string
		competitor bool
		wantAlerts bool
	}{
		{"own listing", false, true},
		{"competitor", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info := store.ListingInfo{ID: "l-" + tc.name[:3], Business: "b", Platform: "schemaorg", PlatformLabel: "Website", Competitor: tc.competitor}
			target := Target{Listing: &sources.Listing{ID: info.ID, Competitor: tc.competitor}, Info: info, Source: &scripted{steps: steps()},
				Business: templates.Business{Name: "Luna"}}
			kinds := map[store.AlertKind]int{}
			for range 5 {
				res, err := w.Poll(ctx, target, Live)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range res.Alerts {
					kinds[a.Kind]++
				}
			}
			if got := len(kinds) > 0; got != tc.wantAlerts {
				t.Errorf("alerts %v, want any: %v", kinds, tc.wantAlerts)
			}
			if tc.wantAlerts && (kinds[store.KindNegativeReview] != 1 || kinds[store.KindSourceBroken] != 1) {
				t.Errorf("own listing alerts = %v, want a negative review and a broken source", kinds)
			}
			drafts, _ := db.DraftsWhere(ctx, func(d store.Draft) bool { return d.Listing == info.ID })
			if got := len(drafts) > 0; got != tc.wantAlerts {
				t.Errorf("%d drafts, want any: %v", len(drafts), tc.wantAlerts)
			}
			if n, _ := db.CountReviews(ctx, info.ID); n != 1 {
				t.Errorf("stored %d reviews, want 1 (competitors are stored too)", n)
			}
			st, _ := db.State(ctx, info.ID)
			if st.Rating == nil || st.Rating.Value != 4.2 || st.Failures != 3 {
				t.Errorf("state = %+v", st)
			}
		})
	}
}

func TestCompetitorSchedule(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"@every 30m", "@every 2h"},
		{"@every 15m", "@every 1h"},
		{"@every 6h", "@every 24h"},
		{"@every 45s", "@every 3m"},
		{"*/5 * * * *", "@daily"},
		{"", "@daily"},
	} {
		if got := CompetitorSchedule(tc.in); got != tc.want {
			t.Errorf("CompetitorSchedule(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if _, err := ParseSchedule(CompetitorSchedule(tc.in)); err != nil {
			t.Errorf("%q: %v", tc.in, err)
		}
	}
}

func TestPrevFire(t *testing.T) {
	monday9, _ := ParseSchedule("CRON_TZ=Europe/Rome 0 9 * * 1")
	rome, _ := time.LoadLocation("Europe/Rome")
	for _, tc := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"at the minute", time.Date(2026, 11, 23, 9, 0, 0, 0, rome), time.Date(2026, 11, 23, 9, 0, 0, 0, rome)},
		{"just before", time.Date(2026, 11, 23, 8, 59, 0, 0, rome), time.Date(2026, 11, 16, 9, 0, 0, 0, rome)},
		{"mid-week", time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 9, 0, 0, 0, rome)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := PrevFire(monday9, tc.at)
			if !ok || !got.Equal(tc.want) {
				t.Errorf("PrevFire = %v %v, want %v", got, ok, tc.want)
			}
		})
	}
	every, _ := ParseSchedule("@every 1h")
	if got, ok := PrevFire(every, time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC)); !ok || got.After(time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("@every: %v %v", got, ok)
	}
}
