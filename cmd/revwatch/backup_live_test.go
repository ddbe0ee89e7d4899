package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/revwatch/revwatch/store"
)

// growingSite serves a schema.org page whose review list grows by `step`
// reviews on every request: request h shows reviews R1..R(step*h). Every
// fifth review has one star, so polls also queue alerts and drafts.
type growingSite struct {
	mu   sync.Mutex
	step int
	hits int
}

func (s *growingSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/reviews" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.hits++
	n := s.step * s.hits
	s.mu.Unlock()
	var revs []string
	sum := 0
	for i := 1; i <= n; i++ {
		stars := 5
		if i%5 == 0 {
			stars = 1
		}
		sum += stars
		day := time.Now().UTC().Format(time.DateOnly) // recent: old reviews are not news
		revs = append(revs, jsonReview("R"+strconv.Itoa(i), day, fmt.Sprintf("Review number %d.", i), stars))
	}
	fmt.Fprintf(w, `<html lang="en"><head><script type="application/ld+json">
{"@context":"https://schema.org","@type":"Restaurant","name":"Trattoria Luna",
 "aggregateRating":{"@type":"AggregateRating","ratingValue":"%.2f","reviewCount":%d},
 "review":[%s]}</script></head><body></body></html>`, float64(sum)/float64(n), n, strings.Join(revs, ","))
}

func (s *growingSite) polls() int { s.mu.Lock(); defer s.mu.Unlock(); return s.hits }

// dumpStore reads every bucket, nested bucket, key and value of a bbolt
// file into a map "bucket/sub/…/key" (keys in hex) -> value.
func dumpStore(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	out := map[string]string{}
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			p := prefix + "/" + fmt.Sprintf("%x", k)
			if v == nil {
				out[p+"/"] = "" // a nested bucket, even an empty one
				return walk(p, b.Bucket(k))
			}
			out[p] = string(v)
			return nil
		})
	}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			out[string(name)+"/"] = ""
			return walk(string(name), b)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBackupDuringPollingRestoresIdentical takes `revwatch backup` through
// a running daemon that commits a growing review list every second, then
// restores the backup into a new store with `revwatch restore`.
//
// "Identical" means, precisely:
//   - the restored store equals the backup file: the same buckets, nested
//     buckets, keys and values, byte for byte (store.Verify passes on both);
//   - the backup is the live store as of one commit (the backup's read
//     transaction), not a mix of two: it holds exactly reviews R1..Rn for
//     n a whole number of polls, its source state and last rating snapshot
//     say n, and every record of the append-only buckets (reviews,
//     review_ids, review_versions, ratings, drafts, outbox_keys) is in the
//     final live store with the same value, as is every outbox row (apart
//     from its delivery progress, which later commits update), while the
//     live store's records of those buckets that are not in the backup all
//     belong to reviews after Rn, i.e. to later polls;
//   - the daemon kept polling meanwhile: the live store ends with more.
func TestBackupDuringPollingRestoresIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("polls a loopback site for a few seconds")
	}
	site := &growingSite{step: 3}
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "revwatch.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`store: live.db
listen: 127.0.0.1:0
http: {host_interval: 1ms}
businesses:
  - id: b
    listings: [{id: site, source: schemaorg, url: "%s/reviews", schedule: "@every 1s"}]
`, srv.URL)), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run", "--config", cfgPath}, &stdout, &stderr) }()
	waitPolls := func(n int) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for site.polls() < n {
			select {
			case <-deadline:
				t.Fatalf("the daemon polled %d times, want %d\n%s", site.polls(), n, stderr.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitPolls(3)
	backup := filepath.Join(dir, "backup.db")
	if code, out, errOut := cli(t, "backup", "--config", cfgPath, "--out", backup); code != 0 || !strings.Contains(out, "backup written") {
		t.Fatalf("backup through the daemon: exit %d %q %q", code, out, errOut)
	}
	waitPolls(site.polls() + 2)
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("daemon exit %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon did not stop")
	}

	// Restore into a new store through the CLI.
	restoredCfg := filepath.Join(dir, "restored.yaml")
	raw, _ := os.ReadFile(cfgPath)
	os.WriteFile(restoredCfg, bytes.Replace(raw, []byte("store: live.db"), []byte("store: restored.db"), 1), 0o600)
	if code, _, errOut := cli(t, "restore", "--config", restoredCfg, "--from", backup); code != 0 {
		t.Fatalf("restore: exit %d %q", code, errOut)
	}
	restored := filepath.Join(dir, "restored.db")
	for _, p := range []string{backup, restored} {
		if err := store.Verify(p); err != nil {
			t.Fatalf("verify %s: %v", p, err)
		}
	}
	b, r, live := dumpStore(t, backup), dumpStore(t, restored), dumpStore(t, filepath.Join(dir, "live.db"))
	if len(b) != len(r) {
		t.Errorf("restored store has %d records, the backup %d", len(r), len(b))
	}
	for k, v := range b {
		if rv, ok := r[k]; !ok || rv != v {
			t.Errorf("restored %s = %.80q (present %v), backup %.80q", k, rv, ok, v)
		}
	}

	// The backup is one commit of the live store.
	authors := func(d map[string]string) map[string]string { // review key -> author
		m := map[string]string{}
		for k, v := range d {
			if strings.HasPrefix(k, "reviews/") && !strings.HasSuffix(k, "/") {
				var sr store.StoredReview
				if err := json.Unmarshal([]byte(v), &sr); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				m[k] = sr.Author
			}
		}
		return m
	}
	ba, la := authors(b), authors(live)
	n := len(ba)
	if n == 0 || n%site.step != 0 {
		t.Fatalf("the backup holds %d reviews: not a whole number of polls of %d (a torn snapshot)", n, site.step)
	}
	seen := map[string]bool{}
	for _, a := range ba {
		seen[a] = true
	}
	for i := 1; i <= n; i++ {
		if !seen["R"+strconv.Itoa(i)] {
			t.Errorf("the backup's %d reviews lack R%d", n, i)
		}
	}
	if len(la) <= n {
		t.Errorf("the live store has %d reviews, the backup %d: the daemon did not poll after the backup", len(la), n)
	}
	for k, a := range la {
		i, _ := strconv.Atoi(strings.TrimPrefix(a, "R"))
		if _, inBackup := ba[k]; inBackup != (i <= n) {
			t.Errorf("live review %s (%s): in the backup %v, but the backup holds R1..R%d", k, a, inBackup, n)
		}
	}
	var st store.State
	var lastSnap store.Snapshot
	for k, v := range b {
		switch {
		case strings.HasPrefix(k, "state/") && !strings.HasSuffix(k, "/"):
			json.Unmarshal([]byte(v), &st)
		case strings.HasPrefix(k, "ratings/") && !strings.HasSuffix(k, "/") && strings.Count(k, "/") == 2:
			var s store.Snapshot
			json.Unmarshal([]byte(v), &s)
			if s.At.After(lastSnap.At) {
				lastSnap = s
			}
		}
	}
	if st.Reviews != n || lastSnap.Count != n {
		t.Errorf("backup: state says %d reviews, the last snapshot %+v; the reviews bucket holds %d", st.Reviews, lastSnap, n)
	}
	appendOnly := []string{"reviews/", "review_ids/", "review_versions/", "ratings/", "drafts/", "outbox_keys/", "meta/"}
	drafts := 0
	for k, v := range b {
		top, _, _ := strings.Cut(k, "/")
		lv, ok := live[k]
		switch {
		case !ok && top == "outbox_pending":
			// Delivered after the backup: the pending index drops it.
		case !ok:
			t.Errorf("backup record %s is not in the live store", k)
		case top == "outbox" && !strings.HasSuffix(k, "/"):
			if withoutDelivery(t, v) != withoutDelivery(t, lv) {
				t.Errorf("outbox row %s differs beyond its delivery state:\n backup %s\n live   %s", k, v, lv)
			}
		case hasAnyPrefix(k, appendOnly) && lv != v:
			t.Errorf("append-only record %s changed after the backup:\n backup %.200s\n live   %.200s", k, v, lv)
		}
		if top == "drafts" && !strings.HasSuffix(k, "/") {
			drafts++
		}
	}
	// Drafts are made in the commit that stores their review: the backup
	// has one for every one-star review after the first poll's baseline,
	// and none for a review it lacks.
	backupIDs := map[string]bool{}
	for k := range ba {
		backupIDs[reviewOf(t, b, k)] = true
	}
	for k, v := range live {
		if !strings.HasPrefix(k, "drafts/") || strings.HasSuffix(k, "/") {
			continue
		}
		var d store.Draft
		if err := json.Unmarshal([]byte(v), &d); err != nil {
			t.Fatal(err)
		}
		if _, inBackup := b[k]; inBackup != backupIDs[d.ReviewID] {
			t.Errorf("draft %d for review %s: in the backup %v, its review in the backup %v", d.ID, d.ReviewID, inBackup, backupIDs[d.ReviewID])
		}
	}
	t.Logf("backup: %d records, reviews R1..R%d, %d drafts; live after: %d reviews", len(b), n, drafts, len(la))
	if drafts == 0 {
		t.Error("the backup holds no drafts: the test did not exercise alerts")
	}
}

// reviewOf is the review id stored under a reviews/ record.
func reviewOf(t *testing.T, d map[string]string, key string) string {
	t.Helper()
	var sr store.StoredReview
	if err := json.Unmarshal([]byte(d[key]), &sr); err != nil {
		t.Fatal(err)
	}
	return sr.ID
}

func withoutDelivery(t *testing.T, v string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "delivery")
	b, _ := json.Marshal(m)
	return string(b)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
