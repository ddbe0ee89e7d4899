package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// The fast export path must write, byte for byte, what decoding the stored
// review and marshalling its export object writes.
func TestAppendReviewJSONMatchesMarshal(t *testing.T) {
	five, half, odd := 5.0, 4.5, 1e-9
	at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CET", 3600))
	base := func() store.StoredReview {
		return store.StoredReview{Review: sources.Review{ID: "r1", Author: "Zoë <b>&</b>", Rating: &five, Title: "Great",
			Text: "Line one\nline \"two\" \\ tab\t \u2028 \u0001 é 中文 🍕", Language: "en", Published: at, URL: "https://x.example/r?a=1&b=<2>"},
			Listing: "l-1", Platform: "trustpilot", FirstSeen: at}
	}
	cases := []struct {
		name string
		edit func(*store.StoredReview)
		fast bool // the fast path takes it (else it falls back)
	}{
		{"plain", func(*store.StoredReview) {}, true},
		{"no rating, no dates, no title", func(r *store.StoredReview) {
			r.Rating, r.Published, r.Title, r.Language, r.URL = nil, time.Time{}, "", "", ""
		}, true},
		{"half star", func(r *store.StoredReview) { r.Rating = &half }, true},
		{"tiny rating", func(r *store.StoredReview) { r.Rating = &odd }, false},
		{"reply, edit, removal", func(r *store.StoredReview) {
			r.Reply = &sources.Reply{Text: "Thanks <3", Published: at}
			r.Updated, r.Removed, r.Changed, r.Versions = at.Add(time.Hour), at.Add(2*time.Hour), at, 2
		}, true},
		{"translation, purged", func(r *store.StoredReview) {
			r.Translation = &sources.Translation{Text: "Hallo", Language: "de"}
			r.Text, r.Title, r.TextPurged = "", "", true
		}, true},
		{"empty everything", func(r *store.StoredReview) { *r = store.StoredReview{} }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := base()
			c.edit(&r)
			v, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			want, err := reviewObject(v)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := appendReviewJSON(nil, v)
			if ok != c.fast {
				t.Fatalf("fast path taken = %v, want %v", ok, c.fast)
			}
			if ok && string(got) != string(want) {
				t.Fatalf("fast path wrote\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// Values the encoder would not write go the slow way, never half-read.
func TestAppendReviewJSONFallsBack(t *testing.T) {
	for _, v := range []string{
		``, `null`, `[]`, `{"id":"a"`, `{"id":"a",}`, `{"Text":"case-insensitive key"}`, `{"id":"a","id":"b"}`,
		`{"id":"a","unknown":1}`, `{"id":1}`, `{"published":"yesterday"}`, `{"rating":"5"}`, `{"reply":"text"}`,
		`{"reply":{"text":"a","extra":1}}`, "{\"text\":\"raw \x01 control\"}", `{"id":"a"} trailing`, `{"versions":tru}`,
	} {
		if got, ok := appendReviewJSON([]byte("keep"), []byte(v)); ok || string(got) != "keep" {
			t.Errorf("%q: fast path took it (ok %v, wrote %q)", v, ok, got)
		}
	}
	if _, ok := appendReviewJSON(nil, []byte(` { "id" : "a" , "author" : "b" } `)); !ok {
		t.Errorf("spaces between tokens: fast path refused valid JSON")
	}
	if got, _ := appendReviewJSON(nil, []byte(`{"id":"a"}`)); !strings.HasPrefix(string(got), `{"listing":"","platform":"","id":"a"`) {
		t.Errorf("missing fields: got %s", got)
	}
}
