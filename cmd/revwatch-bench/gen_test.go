package main

import (
	"encoding/json"
	"testing"
)

// The generated API pages must be valid JSON, or the ingest measures
// error paths.
func TestGenTrustpilotIsJSON(t *testing.T) {
	l := genTrustpilot(3, 250, 100, "https://api.example/")
	if len(l.pages) != 3 {
		t.Fatalf("pages = %d, want 3", len(l.pages))
	}
	for i, p := range append([][]byte{l.unit}, l.pages...) {
		if !json.Valid(p) {
			t.Fatalf("body %d is not JSON: %.200s", i, p)
		}
	}
}

func BenchmarkGenTrustpilot(b *testing.B) {
	for b.Loop() {
		genTrustpilot(1, 20000, 100, "https://api.example/")
	}
}
