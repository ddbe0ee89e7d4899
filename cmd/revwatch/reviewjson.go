package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/revwatch/revwatch/store"
)

// The `reviews --format json` fast path. A stored review is the JSON that
// encoding/json wrote for store.StoredReview, and every string the export
// shows (ids, author, title, text, ...) is the same string encoding/json
// would write again, byte for byte. So the export copies those strings
// from the stored value instead of decoding and re-encoding each review,
// which cost most of a million-review export (BENCHMARKS.md). Only the
// dates are re-formatted. A value the scanner does not recognise falls
// back to decoding, so the output never depends on which path ran.

// storedFields are the raw JSON values of one stored review's fields.
type storedFields struct {
	listing, platform, id, author, rating, title, text, language []byte
	published, url, updated, removed, replyText                  []byte
}

// storedKeys are the keys encoding/json writes for a store.StoredReview.
var storedKeys = []string{"id", "author", "rating", "title", "text", "language", "translation", "published", "updated",
	"url", "reply", "listing", "platform", "first_seen", "changed", "removed", "versions", "text_purged"}

// appendReviewJSON appends the export object of one stored review; ok is
// false when the value is not what the scanner expects (the caller then
// decodes it).
func appendReviewJSON(dst, v []byte) ([]byte, bool) {
	var f storedFields
	var seen uint32 // bit i: storedKeys[i] was read
	ok := scanObject(v, func(key, val []byte) bool {
		k := string(key)
		i := slices.Index(storedKeys, k)
		if i < 0 || seen&(1<<i) != 0 {
			// encoding/json matches keys case-insensitively and keeps the
			// last of repeated ones: a key the encoder would not write
			// goes the slow way.
			return false
		}
		seen |= 1 << i
		switch k {
		case "listing":
			f.listing = val
		case "platform":
			f.platform = val
		case "id":
			f.id = val
		case "author":
			f.author = val
		case "rating":
			f.rating = val
		case "title":
			f.title = val
		case "text":
			f.text = val
		case "language":
			f.language = val
		case "published":
			f.published = val
		case "url":
			f.url = val
		case "updated":
			f.updated = val
		case "removed":
			f.removed = val
		case "reply":
			if val[0] == '{' {
				return scanObject(val, func(k, rv []byte) bool {
					switch string(k) {
					case "text":
						f.replyText = rv
					case "published":
					default:
						return false
					}
					return true
				})
			}
			return string(val) == "null"
		}
		return true
	})
	if !ok {
		return dst, false
	}
	str := func(dst, raw []byte) ([]byte, bool) {
		switch {
		case raw == nil:
			return append(dst, `""`...), true
		case raw[0] == '"':
			return append(dst, raw...), true
		}
		return dst, false
	}
	date := func(dst, raw []byte) ([]byte, bool) {
		if raw == nil || string(raw) == "null" {
			return append(dst, "null"...), true
		}
		if len(raw) < 2 || raw[0] != '"' || bytes.IndexByte(raw, '\\') >= 0 {
			return dst, false
		}
		t, err := time.Parse(time.RFC3339Nano, string(raw[1:len(raw)-1]))
		if err != nil {
			return dst, false
		}
		if t.IsZero() {
			return append(dst, "null"...), true
		}
		dst = append(dst, '"')
		dst = t.UTC().AppendFormat(dst, time.RFC3339)
		return append(dst, '"'), true
	}
	start := len(dst)
	all := true
	field := func(name string, raw []byte, enc func([]byte, []byte) ([]byte, bool)) {
		if !all {
			return
		}
		dst = append(dst, name...)
		dst, all = enc(dst, raw)
	}
	field(`{"listing":`, f.listing, str)
	field(`,"platform":`, f.platform, str)
	field(`,"id":`, f.id, str)
	field(`,"author":`, f.author, str)
	field(`,"rating":`, f.rating, func(dst, raw []byte) ([]byte, bool) {
		if raw == nil || string(raw) == "null" {
			return append(dst, "null"...), true
		}
		r, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || r < 1e-6 || r >= 1e21 {
			return dst, false // not a plain star value: let encoding/json format it
		}
		// The 'f' format is what json.Marshal writes for this range.
		return strconv.AppendFloat(dst, r, 'f', -1, 64), true
	})
	field(`,"title":`, f.title, str)
	field(`,"text":`, f.text, str)
	field(`,"language":`, f.language, str)
	field(`,"published":`, f.published, date)
	field(`,"url":`, f.url, str)
	field(`,"updated":`, f.updated, date)
	field(`,"reply":`, f.replyText, func(dst, raw []byte) ([]byte, bool) {
		if raw == nil {
			return append(dst, "null"...), true
		}
		return str(dst, raw)
	})
	if all && f.removed != nil && string(f.removed) != "null" {
		mark := len(dst)
		field(`,"removed":`, f.removed, date)
		if all && bytes.HasSuffix(dst, []byte("null")) {
			dst = dst[:mark] // a zero time: omitted, as omitempty does with nil
		}
	}
	if !all {
		return dst[:start], false
	}
	return append(dst, '}'), true
}

// scanObject calls fn with each key and raw value of a JSON object whose
// keys need no unescaping; false when v is not such an object or fn says so.
func scanObject(v []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return false
	}
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == '}' {
		return skipSpace(v, i+1) == len(v)
	}
	for {
		if i >= len(v) || v[i] != '"' {
			return false
		}
		end, ok := skipValue(v, i)
		if !ok {
			return false
		}
		key := v[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		i = skipSpace(v, end)
		if i >= len(v) || v[i] != ':' {
			return false
		}
		i = skipSpace(v, i+1)
		end, ok = skipValue(v, i)
		if !ok || !fn(key, v[i:end]) {
			return false
		}
		i = skipSpace(v, end)
		if i >= len(v) {
			return false
		}
		switch v[i] {
		case ',':
			i = skipSpace(v, i+1)
		case '}':
			return skipSpace(v, i+1) == len(v)
		default:
			return false
		}
	}
}

// skipValue returns the end of the JSON value starting at v[i]. It checks
// only what it must to find the end: a value it accepts is copied, so the
// strings it passes are also checked for raw control characters.
func skipValue(v []byte, i int) (int, bool) {
	if i >= len(v) {
		return i, false
	}
	switch v[i] {
	case '"':
		for j := i + 1; j < len(v); j++ {
			switch c := v[j]; {
			case c == '\\':
				j++
			case c == '"':
				return j + 1, true
			case c < 0x20:
				return j, false
			}
		}
		return len(v), false
	case '{', '[':
		depth := 0
		for j := i; j < len(v); j++ {
			switch v[j] {
			case '"':
				end, ok := skipValue(v, j)
				if !ok {
					return end, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return len(v), false
	default:
		j := i
		for j < len(v) && !bytes.ContainsRune([]byte(",}] \t\r\n"), rune(v[j])) {
			j++
		}
		if j == i {
			return i, false
		}
		return j, json.Valid(v[i:j])
	}
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r') {
		i++
	}
	return i
}

// reviewObject is the slow path: decode the stored review and marshal its
// export object.
func reviewObject(v []byte) ([]byte, error) {
	var r store.StoredReview
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, err
	}
	return json.Marshal(newReviewJSON(r))
}
