package main

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
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
		// Odd text: what encoding/json escapes, and bytes around the 8- and
		// 32-byte steps of the scans.
		{"every control character", func(r *store.StoredReview) {
			var b strings.Builder
			for c := range 0x20 {
				b.WriteString("x" + string(rune(c)))
			}
			r.Text, r.Title = b.String()+"\x7f DEL", "\b\f\v"
		}, true},
		{"quotes and backslashes", func(r *store.StoredReview) {
			r.Text = `"\"\\"` + strings.Repeat(`a\"`, 20) + `\\\"` + "\\"
			r.Author, r.Title = `\`, `"`
		}, true},
		{"html", func(r *store.StoredReview) {
			r.Author, r.Title = "<script>alert(1)</script>", "A&B"
			r.Text = strings.Repeat("fish & chips <3 >_< ", 9)
			r.URL = "https://x.example/?a=<b>&c=d"
		}, true},
		{"line and paragraph separators", func(r *store.StoredReview) { r.Text = "one\u2028two\u2029three" }, true},
		{"non-ASCII", func(r *store.StoredReview) {
			r.Text = strings.Repeat("Crème brûlée, naïve Straße, 中文评论, Ελληνικά, 🍕🙂, e\u0301, \ufeff BOM, \uFFFD replacement. ", 5)
			r.Author = "Kateřina Ž."
		}, true},
		// encoding/json writes \ufffd for an invalid byte; reading it back
		// gives U+FFFD, which it writes as the character: not a copy.
		{"invalid UTF-8", func(r *store.StoredReview) { r.Text = "bad \xff\xfe bytes, cut \xe2\x80 rune, \xc3" }, false},
		{"long text", func(r *store.StoredReview) {
			r.Text = strings.Repeat("0123456789abcdef\"<>&\n\t é 🍕 ", 300)
		}, true},
		{"fraction, zone and leap day", func(r *store.StoredReview) {
			r.Published = time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC)
			r.Updated = time.Date(2024, 3, 1, 0, 30, 0, 0, time.FixedZone("X", -5*3600-30*60))
			r.Removed = time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC) // not zero: shown
		}, true},
		{"year 0 and 9999", func(r *store.StoredReview) {
			r.Published = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
			r.Updated = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		}, true},
		{"ratings", func(r *store.StoredReview) { x := 4.75; r.Rating = &x }, true},
		{"rating with 17 digits", func(r *store.StoredReview) { x := 10.0 / 3; r.Rating = &x }, true},
		{"big rating", func(r *store.StoredReview) { x := 1e20; r.Rating = &x }, true},
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
	for _, v := range fallBackValues {
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

// fallBackValues are stored values the fast path must refuse: not what
// encoding/json writes, or not what it would write again after decoding.
var fallBackValues = []string{
	``, `null`, `[]`, `{"id":"a"`, `{"id":"a",}`, `{"Text":"case-insensitive key"}`, `{"id":"a","id":"b"}`,
	`{"id":"a","unknown":1}`, `{"id":1}`, `{"published":"yesterday"}`, `{"rating":"5"}`, `{"reply":"text"}`,
	`{"reply":{"text":"a","extra":1}}`, "{\"text\":\"raw \x01 control\"}", `{"id":"a"} trailing`, `{"versions":tru}`,
	// Strings encoding/json would write otherwise.
	`{"text":"raw <"}`, `{"text":"raw >"}`, `{"text":"raw &"}`, "{\"text\":\"raw \u2028\"}", "{\"text\":\"raw \u2029\"}",
	"{\"text\":\"bad \xff\"}", "{\"text\":\"cut \xe2\x80\"}", `{"text":"\ufffd"}`, `{"text":"\u0041"}`, `{"text":"\/"}`,
	`{"text":"\u001F"}`, `{"text":"\u0008"}`, `{"text":"\u000a"}`, `{"text":"\x"}`, `{"text":"\u12"}`, `{"text":"\"}`,
	`{"id":null}`, `{"text":null}`, `{"reply":{"text":null}}`,
	// Fields the export does not show, of a type the decoder rejects.
	`{"versions":1.5}`, `{"versions":"2"}`, `{"versions":1e3}`, `{"versions":99999999999999999999}`,
	`{"text_purged":1}`, `{"first_seen":"2026-02-30T00:00:00Z"}`, `{"changed":5}`, `{"translation":[]}`,
	`{"translation":{"text":1}}`, `{"translation":{"Text":"x"}}`, `{"reply":{"published":"soon"}}`, `{"reply":[]}`,
	// Times: out of range, or escaped (the decoder does not unescape them).
	`{"published":"2026-13-01T00:00:00Z"}`, `{"published":"2026-02-29T00:00:00Z"}`, `{"published":"2026-01-01T24:00:00Z"}`,
	`{"published":"2026-01-01T00:60:00Z"}`, `{"published":"2026-01-01T00:00:60Z"}`, `{"published":"2026-01-01\u005400:00:00Z"}`,
	`{"published":"2026-01-01T00:00:00"}`, `{"published":"2026-01-01T00:00:00.Z"}`,
	// Ratings json.Marshal writes in another form (the slow path's job).
	`{"rating":-0}`, `{"rating":1e-7}`, `{"rating":1e21}`,
}

// fastValues are stored values encoding/json might not write as such that
// the fast path still takes, with the slow path's output.
var fastValues = []string{
	`{}`, ` { "id" : "a" , "author" : "b" } `, `{"reply":{}}`, `{"reply":{"published":"2026-01-01T00:00:00Z"}}`,
	`{"reply":{"text":"a","text":"b"}}`, `{"reply":null,"translation":null,"rating":null}`,
	`{"translation":{"text":"Hallo","language":"de"}}`, `{"translation":{"language":"de","text":null}}`,
	`{"published":"0001-01-01T00:00:00Z","updated":"0001-01-01T00:00:00.000Z","removed":"0001-01-01T00:00:00Z"}`,
	`{"published":"0001-01-01T00:00:00.000000001Z"}`, `{"published":"2026-01-01T10:00:00+02:00"}`,
	`{"published":"2026-01-01T10:00:00.123456789123Z"}`, `{"published":"2024-02-29T00:00:00Z"}`,
	`{"rating":5.0}`, `{"rating":4.50}`, `{"rating":0.5}`, `{"rating":1e1}`,
	`{"versions":-0,"text_purged":false,"changed":null,"first_seen":"2026-01-01T00:00:00+01:00"}`,
	`{"text":"\u003c\u003e\u0026\u2028\u2029\u001f\u0000\b\f\n\r\t\"\\"}`,
}

// sameAsSlow fails t unless appendReviewJSON either refuses v or writes what
// the slow path writes.
func sameAsSlow(t *testing.T, v []byte) (fast bool) {
	t.Helper()
	got, ok := appendReviewJSON([]byte("keep"), v)
	if !ok {
		if string(got) != "keep" {
			t.Errorf("%q: refused, but wrote %q", v, got)
		}
		return false
	}
	want, err := reviewObject(v)
	if err != nil {
		t.Errorf("%q: fast path wrote %s, the decoder says %v", v, got[4:], err)
		return true
	}
	if string(got[4:]) != string(want) {
		t.Errorf("%q: fast path wrote\n%s\nwant\n%s", v, got[4:], want)
	}
	return true
}

func TestAppendReviewJSONOddValues(t *testing.T) {
	for _, v := range fastValues {
		if !sameAsSlow(t, []byte(v)) {
			t.Errorf("%s: fast path refused it", v)
		}
	}
	for _, v := range fallBackValues {
		sameAsSlow(t, []byte(v))
	}
}

// Random damage to stored values: whatever the fast path takes, it writes
// as the slow path does.
func TestAppendReviewJSONMutations(t *testing.T) {
	five := 5.0
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	var seeds [][]byte
	for _, r := range []store.StoredReview{
		{Review: sources.Review{ID: "r1", Author: "Zoë", Rating: &five, Title: "T", Text: strings.Repeat("ok \"q\" é\n", 6),
			Language: "en", Published: at, URL: "https://x.example/r"}, Listing: "l", Platform: "p", FirstSeen: at},
		{Review: sources.Review{ID: "r2", Text: "<&>", Reply: &sources.Reply{Text: "thanks", Published: at},
			Translation: &sources.Translation{Text: "x", Language: "de"}}, Changed: at, Removed: at, Versions: 3, TextPurged: true},
	} {
		v, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, v)
	}
	for _, v := range fastValues {
		seeds = append(seeds, []byte(v))
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	odd := []byte("\"\\<>&{}[]:,. 0159eEuZT-+tfn\x00\x1f\x7f\xe2\x80\xa8\xc3\xa9\xff" + "aaaaaaaaaaaaaaaaaaaa      ")
	fast := 0
	for range 20000 {
		v := slices.Clone(seeds[rnd.IntN(len(seeds))])
		for range 1 + rnd.IntN(3) {
			i := rnd.IntN(len(v) + 1)
			c := odd[rnd.IntN(len(odd))]
			switch rnd.IntN(3) {
			case 0:
				if i < len(v) {
					v[i] = c
				}
			case 1:
				v = slices.Insert(v, i, c)
			default:
				if i < len(v) {
					v = slices.Delete(v, i, i+1)
				}
			}
		}
		if sameAsSlow(t, v) {
			fast++
		}
		if t.Failed() {
			return
		}
	}
	if fast < 500 { // 900-odd with this seed
		t.Errorf("only %d of 20000 damaged values took the fast path: the test checks little", fast)
	}
}

// The date fast path agrees with the decoder on every form near its edges.
func TestUTCDateMatchesDecoder(t *testing.T) {
	var raws []string
	for _, y := range []string{"0000", "0001", "1900", "2000", "2024", "2025", "9999", "20x6"} {
		for _, md := range []string{"01-01", "02-28", "02-29", "02-30", "04-30", "04-31", "12-31", "13-01", "00-10", "01-00"} {
			for _, hms := range []string{"00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "1:00:000"} {
				for _, tail := range []string{"Z", ".0Z", ".000000000Z", ".123456789Z", ".1234567891Z", ".Z", "+01:00", "z", ".5"} {
					raws = append(raws, `"`+y+"-"+md+"T"+hms+tail+`"`)
				}
			}
		}
	}
	raws = append(raws, `"0001-01-01T00:00:00Z"`, `"2026-01-01 00:00:00Z"`, `"2026-01-01T00:00:00ZZ"`, `""`, `"Z"`)
	fast := 0
	for _, raw := range raws {
		var tm time.Time
		err := tm.UnmarshalJSON([]byte(raw))
		got, ok := appendUTCDate(nil, []byte(raw))
		if !ok {
			continue
		}
		fast++
		if err != nil {
			t.Errorf("%s: fast path took it, the decoder says %v", raw, err)
			continue
		}
		want := "null"
		if !tm.IsZero() {
			want = `"` + tm.UTC().Format(time.RFC3339) + `"`
		}
		if string(got) != want {
			t.Errorf("%s: fast path wrote %s, want %s", raw, got, want)
		}
	}
	// The valid UTC forms: 7 years x 4 days x 2 times x 4 tails, Feb 29 of
	// the 3 leap years x 2 x 4, and the zero time.
	if fast != 7*4*2*4+3*2*4+1 {
		t.Errorf("the fast path took %d of %d forms, want %d", fast, len(raws), 7*4*2*4+3*2*4+1)
	}
}

// plainDecimal's numbers come back unchanged from json.Marshal.
func TestPlainDecimal(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b []byte
		for range 1 + rnd.IntN(17) {
			b = append(b, "0123456789."[rnd.IntN(11)])
		}
		if !plainDecimal(b) {
			continue
		}
		x, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		out, err := json.Marshal(x)
		if err != nil || string(out) != string(b) {
			t.Fatalf("%s: json.Marshal writes %s (%v)", b, out, err)
		}
	}
}

// FuzzAppendReviewJSON: whatever the fast path takes, it writes as the slow
// path does.
func FuzzAppendReviewJSON(f *testing.F) {
	for _, v := range append(slices.Clone(fastValues), fallBackValues...) {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, v []byte) { sameAsSlow(t, v) })
}
