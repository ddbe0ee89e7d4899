package watcher

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// BenchmarkCommitWithInsights measures one poll's commit with a new
// complaint on a business of 3 listings x 2,000 stored reviews (a year of
// history, ~75 per listing in the trend window): the rules read the
// window, detect topics, look for a burst and a repeat author.
func BenchmarkCommitWithInsights(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "b.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	set, err := loadTemplates()
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{"We had a long wait for our food.", "Lovely terrace and great pasta.", "The waiter was rude.", "Cold pizza, too expensive.", "Perfect evening."}
	var ls []store.ListingInfo
	for i := range 3 {
		l := store.ListingInfo{ID: fmt.Sprintf("l%d", i), Business: "luna", Platform: "google_business", PlatformLabel: "Google"}
		ls = append(ls, l)
		var revs []sources.Review
		for j := range 2000 {
			revs = append(revs, rv(fmt.Sprintf("r%d", j), fmt.Sprintf("Guest %d", j%700), float64(1+j%5), t0.Add(-time.Duration(j)*262*time.Minute), texts[j%len(texts)]))
		}
		if _, err := db.Commit(ctx, l, sources.Observation{At: t0, Rating: rating(3.9, 2000), Reviews: revs}, nil); err != nil {
			b.Fatal(err)
		}
	}
	r := DefaultRules()
	var cache topicCache // as the Watcher keeps it across polls
	help := Helpers{Topics: cache.wrap("en", func(rev sources.Review) []string { return set.ReviewTopics(rev, "en") })}
	n := 0
	for _, insights := range []bool{false, true} {
		b.Run(fmt.Sprintf("insights=%v", insights), func(b *testing.B) {
			for range b.N {
				n++
				at := t0.Add(time.Duration(n) * time.Second)
				rev := rv(fmt.Sprintf("new%d", n), "Guest 3", 1, at, "Waited an hour, long wait again.")
				_, err := db.Commit(ctx, ls[0], sources.Observation{At: at, Rating: rating(3.9, 2000+n), Reviews: []sources.Review{rev}}, func(ch store.Change) []store.Alert {
					as := r.Evaluate(ch, Live, nil)
					if !insights {
						return as
					}
					as, err := r.Insights(ch, Live, as, help)
					if err != nil {
						b.Fatal(err)
					}
					return as
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
