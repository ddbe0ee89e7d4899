package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/watcher"
)

// tpPerPage is the Trustpilot Business API's page size, which the source asks for.
const tpPerPage = 100

// runIngest backfills b.reviews synthetic reviews over b.listings
// listings through the real path: watcher.Backfill drives the trustpilot
// source's Business API door (sources.Env over an in-memory transport:
// the JSON is decoded, normalised and committed in batches of pages with
// store.CommitPages). Page bodies are generated before each listing's
// clock starts. The limit is a raw bbolt insert of the very records the
// store wrote (read back from its file), into the same buckets, 10,000
// records a transaction.
//
// The same store gives the size figure: file size per review beside the
// review's own JSON (json.Marshal of sources.Review, sampled 1 in 100).
func runIngest(ctx context.Context, b *bench) ([]result, error) {
	const (
		figIngest, budgetIngest = "backfill ingest (trustpilot API pages -> CommitPages)", ">= 0.5x raw insert and > 50,000 reviews/s"
		figSize, budgetSize     = "store size per review", "<= 1.5x the review's JSON"
	)
	perListing := b.reviews / b.listings
	total := perListing * b.listings
	path := filepath.Join(b.dir, "ingest.db")
	os.Remove(path)
	const endpoint = "https://api.trustpilot.com/"
	var cur atomic.Pointer[tpListing]
	mt := &memTransport{route: func(r *http.Request) memResponse {
		l := cur.Load()
		p := strings.TrimPrefix(r.URL.Path, "/v1/business-units/"+l.unitID)
		switch p {
		case "":
			return memResponse{ctype: ctypeJSON, body: l.unit}
		case "/reviews":
			n, _ := strconv.Atoi(r.URL.Query().Get("page"))
			n = max(n, 1)
			if n > len(l.pages) {
				return memResponse{ctype: ctypeJSON, body: []byte(`{"links":[],"reviews":[]}`)}
			}
			return memResponse{ctype: ctypeJSON, body: l.pages[n-1]}
		}
		return memResponse{status: http.StatusNotFound, ctype: ctypeJSON, body: []byte(`{"message":"not found"}`)}
	}}
	env := sources.NewEnv(nil)
	env.HostInterval = 0
	env.HTTP = &http.Client{Transport: mt}
	p, err := sources.Default().Lookup("trustpilot")
	if err != nil {
		return nil, err
	}
	src := p.New(env)
	raw, err := newRawLoader(filepath.Join(b.dir, "raw.db"), rawBatch, 0, 0)
	if err != nil {
		return nil, err
	}
	defer os.Remove(raw.path)
	defer raw.dst.Close()

	// Listing by listing, the pipeline then the raw insert of what it
	// stored, so both meet the same noise from the rest of the machine.
	b.ingestIDs = b.ingestIDs[:0]
	var pipeline time.Duration
	var genBytes int64
	for i := 0; i < b.listings; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tl := genTrustpilot(i, perListing, tpPerPage, endpoint)
		for _, pg := range tl.pages {
			genBytes += int64(len(pg))
		}
		cur.Store(&tl)
		l := sources.Listing{ID: ingestID(i), Source: "trustpilot", APIKey: "bench-key", BusinessUnitID: tl.unitID, Endpoint: endpoint}
		if err := p.Validate(l); err != nil {
			return nil, err
		}
		b.ingestIDs = append(b.ingestIDs, l.ID)
		t := watcher.Target{Listing: &l, Source: src, Info: store.ListingInfo{ID: l.ID, Business: "bench", Platform: p.Name, PlatformLabel: p.Label}}
		db, err := store.Open(path, store.Options{})
		if err != nil {
			return nil, err
		}
		w := watcher.New(db, watcher.DefaultRules(), nil, nil)
		start := time.Now()
		res, err := w.Backfill(ctx, t, time.Time{}, nil)
		pipeline += time.Since(start)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		if res.Err != nil || res.New != perListing {
			return nil, fmt.Errorf("listing %s: backfilled %d of %d reviews (err %v)", l.ID, res.New, perListing, res.Err)
		}
		if err := raw.load(path, l.ID); err != nil {
			return nil, err
		}
		if (i+1)%10 == 0 || i+1 == b.listings {
			b.logf("ingest: %d/%d listings: pipeline %d reviews in %.1fs (%.0f/s), raw insert %.1fs (%.0f/s)", i+1, b.listings, (i+1)*perListing,
				pipeline.Seconds(), float64((i+1)*perListing)/pipeline.Seconds(), raw.took.Seconds(), float64(raw.records)/raw.took.Seconds())
		}
	}
	b.ingestStore = path
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	rs, err := raw.close()
	if err != nil {
		return nil, err
	}
	rate := float64(total) / pipeline.Seconds()
	rawRate := float64(rs.records) / rs.took.Seconds()
	b.note("ingest: %d reviews (%d listings x %d pages of %d) in %.1fs; %.0f MB of API JSON decoded (%.0f MB/s)",
		total, b.listings, (perListing+tpPerPage-1)/tpPerPage, tpPerPage, pipeline.Seconds(), float64(genBytes)/1e6, float64(genBytes)/1e6/pipeline.Seconds())
	b.note("ingest: raw bbolt batch insert of the same %d records, %d a transaction: %.1fs (%.0f/s), file %.0f MB",
		rs.records, rawBatch, rs.took.Seconds(), rawRate, float64(rs.size)/1e6)

	perReview := float64(st.Size()) / float64(total)
	jsonSize := float64(rs.jsonBytes) / float64(rs.jsonSamples)
	b.note("size: store file %.0f MB for %d reviews: %.0f bytes a review; the stored value (StoredReview JSON) averages %.0f bytes, the review's JSON %.0f bytes",
		float64(st.Size())/1e6, total, perReview, float64(rs.valueBytes)/float64(rs.records), jsonSize)
	out := []result{
		row(figIngest, rate, "reviews/s", rawRate, budgetIngest, func(v, r float64) bool { return r >= 0.5 && v > 50_000 }),
		row(figSize, perReview, "bytes", jsonSize, budgetSize, func(_, r float64) bool { return r <= 1.5 }),
	}
	if !out[0].OK || !out[1].OK {
		b.ingestVariants(ctx, path, jsonSize)
	}
	return out, nil
}

// rawBatch is the raw insert's transaction size: a bulk load.
const rawBatch = 10_000

// ingestVariants inserts the first listings' records again in other ways,
// to show what the store's own choices cost (notes only): one transaction
// per page as CommitPage does, larger transactions, denser pages.
func (b *bench) ingestVariants(ctx context.Context, path string, jsonSize float64) {
	sub := b.ingestIDs[:min(5, len(b.ingestIDs))]
	for _, v := range []struct {
		what     string
		batch    int
		fill     float64
		pageSize int
	}{
		{"one transaction per page (as CommitPage), FillPercent 1.0 (as the store)", tpPerPage, 1.0, 0},
		{"one transaction per page, bbolt's default FillPercent 0.5", tpPerPage, 0, 0},
		{"10 pages a transaction, FillPercent 1.0", 10 * tpPerPage, 1.0, 0},
	} {
		l, err := newRawLoader(filepath.Join(b.dir, "variant.db"), v.batch, v.fill, v.pageSize)
		if err != nil {
			b.note("ingest variant %q: %v", v.what, err)
			return
		}
		for _, id := range sub {
			if err = l.load(path, id); err != nil {
				break
			}
		}
		s, cerr := l.close()
		os.Remove(l.path)
		if err = cmp.Or(err, cerr); err != nil {
			b.note("ingest variant %q: %v", v.what, err)
			return
		}
		b.note("ingest variant, %d listings (%d records), %s: %.0f records/s, %.0f bytes a review (%.2fx the JSON)",
			len(sub), s.records, v.what, float64(s.records)/s.took.Seconds(), float64(s.size)/float64(s.records), float64(s.size)/float64(s.records)/jsonSize)
	}
}

// rawStats is what a rawLoader did.
type rawStats struct {
	took                   time.Duration
	records                int
	size                   int64 // the file's size once closed
	valueBytes             int64
	jsonBytes, jsonSamples int64 // sampled json.Marshal(sources.Review)
}

// rawLoader inserts review records read back from a store file into
// another bbolt file: reviews/<listing> and review_ids/<listing> (see
// store/doc.go), in the order the backfill wrote them (newest first),
// batch records a transaction, with the buckets' FillPercent set to fill
// (0: bbolt's default). Only the inserts are timed.
type rawLoader struct {
	dst   *bolt.DB
	path  string
	batch int
	fill  float64
	rawStats
}

func newRawLoader(path string, batch int, fill float64, pageSize int) (*rawLoader, error) {
	os.Remove(path)
	dst, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, PageSize: pageSize})
	if err != nil {
		return nil, err
	}
	return &rawLoader{dst: dst, path: path, batch: batch, fill: fill}, nil
}

// load copies one listing's records from the store file at from.
func (l *rawLoader) load(from, listing string) error {
	src, err := bolt.Open(from, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		return err
	}
	defer src.Close()
	type rec struct{ key, val, id []byte }
	var recs []rec
	err = src.View(func(tx *bolt.Tx) error {
		top := tx.Bucket([]byte("reviews"))
		if top == nil {
			return fmt.Errorf("%s: no reviews bucket (store layout changed?)", from)
		}
		bk := top.Bucket([]byte(listing))
		if bk == nil {
			return fmt.Errorf("%s: no reviews/%s bucket", from, listing)
		}
		c := bk.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			recs = append(recs, rec{key: append([]byte(nil), k...), val: append([]byte(nil), v...), id: append([]byte(nil), k[8:]...)})
			l.valueBytes += int64(len(v))
			if (l.records+len(recs))%100 == 0 {
				var sr store.StoredReview
				if err := json.Unmarshal(v, &sr); err != nil {
					return err
				}
				j, _ := json.Marshal(sr.Review)
				l.jsonBytes += int64(len(j))
				l.jsonSamples++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	start := time.Now()
	for lo := 0; lo < len(recs); lo += l.batch {
		chunk := recs[lo:min(lo+l.batch, len(recs))]
		err := l.dst.Update(func(tx *bolt.Tx) error {
			revs, err := nestedBucket(tx, "reviews", listing)
			if err != nil {
				return err
			}
			ids, err := nestedBucket(tx, "review_ids", listing)
			if err != nil {
				return err
			}
			if l.fill > 0 {
				revs.FillPercent, ids.FillPercent = l.fill, l.fill
			}
			for _, r := range chunk {
				if err := revs.Put(r.key, r.val); err != nil {
					return err
				}
				if err := ids.Put(r.id, r.key[:8]); err != nil { // the store keeps the time prefix only
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	l.took += time.Since(start)
	l.records += len(recs)
	return nil
}

// close closes the file and records its size.
func (l *rawLoader) close() (rawStats, error) {
	if err := l.dst.Close(); err != nil {
		return l.rawStats, err
	}
	st, err := os.Stat(l.path)
	if err != nil {
		return l.rawStats, err
	}
	l.size = st.Size()
	l.jsonSamples = max(l.jsonSamples, 1)
	return l.rawStats, nil
}

func nestedBucket(tx *bolt.Tx, top, name string) (*bolt.Bucket, error) {
	t, err := tx.CreateBucketIfNotExists([]byte(top))
	if err != nil {
		return nil, err
	}
	return t.CreateBucketIfNotExists([]byte(name))
}

// ingestID names the ingest's listing i.
func ingestID(i int) string { return fmt.Sprintf("tp-%03d", i) }
