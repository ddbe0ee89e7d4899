package main

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/revwatch/revwatch/store"
)

// BenchmarkReviewsJSON exports every review of the store named by
// $REVWATCH_BENCH_STORE (a store the harness filled: go run
// ./cmd/revwatch-bench -only ingest -keep -dir DIR) as `revwatch reviews
// --format json` writes it. It profiles the export without a subprocess.
func BenchmarkReviewsJSON(b *testing.B) {
	path := os.Getenv("REVWATCH_BENCH_STORE")
	if path == "" {
		b.Skip("set REVWATCH_BENCH_STORE to a filled store")
	}
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for b.Loop() {
		if err := writeList(context.Background(), io.Discard, db, "reviews", listFlags{format: "json"}); err != nil {
			b.Fatal(err)
		}
	}
}
