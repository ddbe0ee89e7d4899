package store

import (
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/revwatch/revwatch/sources"
)

// The rules read the commit's own transaction: this poll's new reviews,
// the business's other listings, drafts, and marks remembered only for
// alerts actually queued.
func TestCommitHistoryAndMarks(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	day := 24 * time.Hour
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := func(id string, stars float64, ago time.Duration) sources.Review {
		r := rev(id, stars, "text "+id)
		r.Published = t0.Add(-ago)
		return r
	}
	site := ListingInfo{ID: "site", Business: "luna", Platform: "schemaorg"}
	other := ListingInfo{ID: "other", Business: "sol", Platform: "schemaorg"}
	if _, err := db.Commit(ctx, other, obs(nil, at("o1", 1, day)), nil); err != nil {
		t.Fatal(err)
	}
	// A competitor's listing of the same business (the flag as the config
	// stores it) is not one of its own.
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bListings), []byte("rival"), map[string]any{"id": "rival", "business": "luna", "competitor": true})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Commit(ctx, site, obs(nil, at("old", 5, 30*day), at("s1", 2, 3*day)), nil); err != nil {
		t.Fatal(err)
	}
	trend := func(key string) Alert {
		return Alert{Key: key, Kind: KindComplaintTrend, Insight: &Insight{Mark: &Mark{Key: "trend:luna:wait", Count: 2, At: t0, IDs: []string{"site/s1", "site/s2"}}}}
	}
	cases := []struct {
		name    string
		reviews []sources.Review
		since   time.Duration
		alerts  []Alert
		want    []string // review ids ListingReviews(site, t0-since) returns
		mark    bool     // Mark("trend:luna:wait") found before this commit
		queued  int
	}{
		{name: "new reviews are visible, oldest first; older than since are not", reviews: []sources.Review{at("s2", 1, day)},
			since: 14 * day, want: []string{"s1", "s2"}, alerts: []Alert{trend("trend:a")}, queued: 1},
		{name: "the mark of the queued alert is remembered", since: 40 * day, want: []string{"old", "s1", "s2"}, mark: true,
			alerts: []Alert{trend("trend:a")}, queued: 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			var listings []ListingInfo
			var found bool
			queued, err := db.Commit(ctx, site, obs(nil, c.reviews...), func(ch Change) []Alert {
				if ch.History == nil {
					t.Fatal("Change.History is nil inside Commit")
				}
				rs, err := ch.History.ListingReviews("site", t0.Add(-c.since))
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					got = append(got, r.ID)
				}
				listings, _ = ch.History.BusinessListings("luna")
				_, found, _ = ch.History.Mark("trend:luna:wait")
				return c.alerts
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("reviews = %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("reviews = %v, want %v", got, c.want)
				}
			}
			if len(listings) != 1 || listings[0].ID != "site" {
				t.Errorf("business listings = %v", listings)
			}
			if found != c.mark || len(queued) != c.queued {
				t.Errorf("mark found %v (want %v), queued %d (want %d)", found, c.mark, len(queued), c.queued)
			}
		})
	}
	var marks []Mark
	if err := db.Marks(func(m Mark) error { marks = append(marks, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(marks) != 1 || marks[0].Count != 2 || len(marks[0].IDs) != 2 {
		t.Errorf("marks = %+v", marks)
	}
}
