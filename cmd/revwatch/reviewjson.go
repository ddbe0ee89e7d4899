package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/revwatch/revwatch/store"
)

// The `reviews --format json` fast path. A stored review is the JSON that
// encoding/json wrote for store.StoredReview, and every string the export
// shows (ids, author, title, text, ...) is the same string encoding/json
// would write again, byte for byte. So the export copies those strings
// from the stored value instead of decoding and re-encoding each review,
// which cost most of a million-review export (BENCHMARKS.md). Only the
// dates (and an odd rating) are re-formatted. plainText checks that the
// copies are what encoding/json would write, and the fields not shown are
// checked for what the decoder would reject; a value the scanner does not
// take falls back to decoding, so the output never depends on which path
// ran (TestAppendReviewJSONMutations, FuzzAppendReviewJSON). The scan is
// most of the export's CPU beyond reading the store: keys are matched in
// the order encoding/json writes them, string ends are found with
// bytes.IndexByte, and the per-byte checks run 8 bytes at a time.

// The keys encoding/json writes for a store.StoredReview, as indexes into
// the values one scan collects.
const (
	kID = iota
	kAuthor
	kRating
	kTitle
	kText
	kLanguage
	kTranslation
	kPublished
	kUpdated
	kURL
	kReply
	kListing
	kPlatform
	kFirstSeen
	kChanged
	kRemoved
	kVersions
	kTextPurged
	nStoredKeys
)

// storedNames are those keys, in the order encoding/json writes them (the
// struct's), so the scanner tries the next expected one first.
var storedNames = [nStoredKeys]string{"id", "author", "rating", "title", "text", "language", "translation",
	"published", "updated", "url", "reply", "listing", "platform", "first_seen", "changed", "removed", "versions",
	"text_purged"}

// replyNames are the keys of a stored reply.
var replyNames = []string{"text", "published"}

// appendReviewJSON appends the export object of one stored review; ok is
// false when the value is not what the scanner expects (the caller then
// decodes it). When ok, the object is byte for byte what decoding the value
// and marshalling newReviewJSON of it writes, and a value the decoder would
// reject (a field of the wrong type, a bad time) is never ok.
func appendReviewJSON(dst, v []byte) ([]byte, bool) {
	if !plainText(v) {
		return dst, false
	}
	var f [nStoredKeys][]byte // raw values by key; nil: absent
	var replyText []byte
	s := objScanner{v: v}
	if !s.open() {
		return dst, false
	}
	for from := 0; ; {
		i, val, more := s.next(storedNames[:], from)
		if !more {
			break
		}
		from = i + 1
		if i < 0 || f[i] != nil {
			// An unknown key, or a repeated one (encoding/json keeps the
			// last): the slow way.
			return dst, false
		}
		f[i] = val
		ok := true
		// Fields the export does not show are still checked for what the
		// decoder would reject.
		switch i {
		case kReply:
			if string(val) == "null" {
				break
			}
			replyText = emptyString // a reply without text: ""
			ok = scanFields(val, replyNames, func(k int, rv []byte) bool {
				if k == 0 {
					replyText = rv
					return rv[0] == '"'
				}
				return validTime(rv)
			})
		case kTranslation:
			ok = string(val) == "null" || scanFields(val, translationNames, func(_ int, tv []byte) bool {
				return tv[0] == '"' || string(tv) == "null"
			})
		case kFirstSeen, kChanged:
			ok = validTime(val)
		case kVersions:
			if string(val) != "null" {
				_, err := strconv.ParseInt(string(val), 10, 0)
				ok = err == nil
			}
		case kTextPurged:
			ok = string(val) == "true" || string(val) == "false" || string(val) == "null"
		}
		if !ok {
			return dst, false
		}
	}
	if !s.done() {
		return dst, false
	}
	str := func(dst, raw []byte) ([]byte, bool) {
		switch {
		case raw == nil:
			return append(dst, `""`...), true
		case raw[0] == '"':
			return append(dst, raw...), true
		}
		return dst, false // null or not a string: let the decoder decide
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
	field(`{"listing":`, f[kListing], str)
	field(`,"platform":`, f[kPlatform], str)
	field(`,"id":`, f[kID], str)
	field(`,"author":`, f[kAuthor], str)
	field(`,"rating":`, f[kRating], appendRating)
	field(`,"title":`, f[kTitle], str)
	field(`,"text":`, f[kText], str)
	field(`,"language":`, f[kLanguage], str)
	field(`,"published":`, f[kPublished], appendDate)
	field(`,"url":`, f[kURL], str)
	field(`,"updated":`, f[kUpdated], appendDate)
	field(`,"reply":`, replyText, func(dst, raw []byte) ([]byte, bool) {
		if raw == nil {
			return append(dst, "null"...), true
		}
		return str(dst, raw)
	})
	if removed := f[kRemoved]; all && removed != nil && string(removed) != "null" {
		mark := len(dst)
		field(`,"removed":`, removed, appendDate)
		if all && bytes.HasSuffix(dst, []byte("null")) {
			dst = dst[:mark] // a zero time: omitted, as omitempty does with nil
		}
	}
	if !all {
		return dst[:start], false
	}
	return append(dst, '}'), true
}

var emptyString = []byte(`""`)

// translationNames are the keys of a stored translation.
var translationNames = []string{"text", "language"}

// scanFields calls fn with the index in names and the raw value of each key
// of the JSON object v; false when v is not an object, a key is not in
// names, or fn says so.
func scanFields(v []byte, names []string, fn func(k int, val []byte) bool) bool {
	s := objScanner{v: v}
	if !s.open() {
		return false
	}
	for k := 0; ; {
		var val []byte
		var more bool
		k, val, more = s.next(names, k)
		if !more {
			break
		}
		if k < 0 || !fn(k, val) {
			return false
		}
		k++
	}
	return s.done()
}

// appendDate writes a stored time (raw JSON) as the export does: RFC 3339
// in UTC, whole seconds, null for none.
func appendDate(dst, raw []byte) ([]byte, bool) {
	if raw == nil || string(raw) == "null" {
		return append(dst, "null"...), true
	}
	if out, ok := appendUTCDate(dst, raw); ok {
		return out, true
	}
	// Another zone or an odd form: read it the way the decoder does.
	var t time.Time
	if err := t.UnmarshalJSON(raw); err != nil {
		return dst, false
	}
	if t.IsZero() {
		return append(dst, "null"...), true
	}
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339)
	return append(dst, '"'), true
}

// validTime reports whether the decoder reads raw into a time.Time.
func validTime(raw []byte) bool {
	if _, _, ok := utcDate(raw); ok || string(raw) == "null" {
		return true
	}
	var t time.Time
	return t.UnmarshalJSON(raw) == nil
}

// appendUTCDate is the export of a stored time in UTC, the form
// encoding/json writes for the store's times: raw is
// "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (quotes included), and the export
// writes its first 19 characters and "Z" (whole seconds, RFC 3339), or null
// for the zero time. It takes only what the decoder reads as that time (the
// same range checks); for anything else (another zone, a bad date) ok is
// false.
func appendUTCDate(dst, raw []byte) ([]byte, bool) {
	day, zero, ok := utcDate(raw)
	switch {
	case !ok:
		return dst, false
	case zero:
		return append(dst, "null"...), true // time.Time{}: no date
	}
	dst = append(dst, '"')
	dst = append(dst, day...)
	return append(dst, `Z"`...), true
}

// utcDate checks a stored time for appendUTCDate: its first 19 characters,
// whether it is the zero time, and whether it has that form.
func utcDate(raw []byte) (day []byte, zero, ok bool) {
	n := len(raw)
	if n < 22 || raw[0] != '"' || raw[n-1] != '"' || raw[n-2] != 'Z' {
		return nil, false, false
	}
	s := raw[1 : n-2] // without the quotes and the Z
	if len(s) > 19 && (len(s) < 21 || len(s) > 29 || s[19] != '.') {
		return nil, false, false // a fraction is '.' and 1 to 9 digits
	}
	num := func(b []byte, lo, hi int) (int, bool) {
		x := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			x = x*10 + int(c-'0')
		}
		return x, lo <= x && x <= hi
	}
	frac, ok := num(s[min(20, len(s)):], 0, 999_999_999)
	year, ok1 := num(s[0:4], 0, 9999)
	month, ok2 := num(s[5:7], 1, 12)
	d, ok3 := num(s[8:10], 1, 31)
	hour, ok4 := num(s[11:13], 0, 23)
	minute, ok5 := num(s[14:16], 0, 59)
	sec, ok6 := num(s[17:19], 0, 59)
	if !(ok && ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return nil, false, false
	}
	if d > 28 {
		days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month]
		if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			days = 29
		}
		if d > days {
			return nil, false, false
		}
	}
	zero = year == 1 && month == 1 && d == 1 && hour == 0 && minute == 0 && sec == 0 && frac == 0
	return s[:19], zero, true
}

// appendRating writes a stored rating as json.Marshal writes the float64.
func appendRating(dst, raw []byte) ([]byte, bool) {
	if raw == nil || string(raw) == "null" {
		return append(dst, "null"...), true
	}
	if plainDecimal(raw) {
		// json.Marshal wrote it, and reading it back and writing it again
		// gives the same digits: copy them.
		return append(dst, raw...), true
	}
	r, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || r < 1e-6 || r >= 1e21 {
		return dst, false // not a plain star value: let encoding/json format it
	}
	// The 'f' format is what json.Marshal writes for this range.
	return strconv.AppendFloat(dst, r, 'f', -1, 64), true
}

// plainDecimal reports whether b is a number that json.Marshal writes
// unchanged when it is read into a float64: at least 1, no exponent, no
// leading or trailing zeros, at most 15 significant digits (two different
// decimals that short are never the same float64, so the shortest form
// that reads back as the same float is b itself).
func plainDecimal(b []byte) bool {
	if len(b) == 0 || len(b) > 16 || b[0] < '1' || b[0] > '9' {
		return false
	}
	dot := -1
	for i, c := range b {
		switch {
		case c == '.' && dot < 0 && i > 0:
			dot = i
		case c < '0' || c > '9':
			return false
		}
	}
	switch dot {
	case -1:
		return len(b) <= 15
	case len(b) - 1:
		return false // "5." is not JSON
	}
	return b[len(b)-1] != '0'
}

// objScanner walks the keys and raw values of a JSON object whose keys need
// no unescaping.
type objScanner struct {
	v   []byte
	i   int
	bad bool // the object is malformed (or not one the scanner takes)
	end bool // its closing brace was read
}

// open reads the opening brace.
func (s *objScanner) open() bool {
	s.i = skipSpace(s.v, 0)
	if s.i >= len(s.v) || s.v[s.i] != '{' {
		return false
	}
	s.i = skipSpace(s.v, s.i+1)
	if s.i < len(s.v) && s.v[s.i] == '}' {
		s.i++
		s.end = true
	}
	return true
}

// next returns the index in names of the next key (-1 for a key not in
// names) and its raw value; more is false at the end of the object or at
// the first fault (done tells them apart). Keys are tried from names[from]
// on before the key is scanned: encoding/json writes them in that order.
func (s *objScanner) next(names []string, from int) (key int, val []byte, more bool) {
	if s.end || s.bad {
		return -1, nil, false
	}
	v, i := s.v, s.i
	if i >= len(v) || v[i] != '"' {
		s.bad = true
		return -1, nil, false
	}
	key = -1
	for k := from; k < len(names); k++ {
		if n := names[k]; i+len(n)+1 < len(v) && v[i+1+len(n)] == '"' && string(v[i+1:i+1+len(n)]) == n {
			key, i = k, i+len(n)+2
			break
		}
	}
	if key < 0 {
		end, ok := skipString(v, i)
		if !ok {
			s.bad = true
			return -1, nil, false
		}
		name := v[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			// Escaped keys would need unescaping to compare: the slow way.
			s.bad = true
			return -1, nil, false
		}
		// Only exact matches: encoding/json matches keys case-insensitively,
		// so "Text" must go the slow way.
		key = slices.Index(names, string(name))
		i = end
	}
	i = skipSpace(v, i)
	if i >= len(v) || v[i] != ':' {
		s.bad = true
		return -1, nil, false
	}
	i = skipSpace(v, i+1)
	end, ok := skipValue(v, i)
	if !ok {
		s.bad = true
		return -1, nil, false
	}
	val = v[i:end]
	i = skipSpace(v, end)
	switch {
	case i >= len(v):
		s.bad = true
	case v[i] == ',':
		i = skipSpace(v, i+1)
	case v[i] == '}':
		i++
		s.end = true
	default:
		s.bad = true
	}
	s.i = i
	if s.bad {
		return -1, nil, false
	}
	return key, val, true
}

// done reports whether the whole object was read and nothing but space
// follows it.
func (s *objScanner) done() bool {
	return s.end && !s.bad && skipSpace(s.v, s.i) == len(s.v)
}

// plainText reports whether every string of a stored value is, byte for
// byte, what encoding/json writes for the text it holds, so that copying
// it gives what decoding and encoding it again would give: no control
// characters, '<', '>' or '&' (it escapes them), valid UTF-8 (it writes
// \ufffd for a bad byte) without U+2028 or U+2029 (escaped), and only the
// escapes it writes (escapeLen). The store's values come from encoding/json,
// so this holds for all of them; a value from anywhere else that does not
// hold goes the slow way. It looks at the whole value (these bytes are
// invalid between tokens too); it is the first to read each value, so much
// of its time is waiting for memory.
func plainText(v []byte) bool {
	// Control characters and non-ASCII bytes, 8 bytes at a time: a lane
	// below 0x20 borrows into its high bit (a borrow can mark lanes above a
	// true one, never without one, and any mark means "not plain"). A word
	// with a non-ASCII byte has its runes decoded from that byte on; every
	// byte is in some word checked for control characters.
	const ctl = 0x20 * lanes01
	j := 0
	for j+8 <= len(v) {
		x := binary.LittleEndian.Uint64(v[j:])
		if (x-ctl)&^x&lanes80 != 0 {
			return false
		}
		hi := x & lanes80
		if hi == 0 {
			j += 8
			continue
		}
		j += bits.TrailingZeros64(hi) >> 3
		if j = plainRunes(v, j); j < 0 {
			return false
		}
	}
	for j < len(v) {
		switch c := v[j]; {
		case c < 0x20:
			return false
		case c < utf8.RuneSelf:
			j++
		default:
			if j = plainRunes(v, j); j < 0 {
				return false
			}
		}
	}
	// The rest are rare: a vectorised search for each is cheaper than
	// testing every byte for them.
	if bytes.IndexByte(v, '<') >= 0 || bytes.IndexByte(v, '>') >= 0 || bytes.IndexByte(v, '&') >= 0 {
		return false
	}
	for j = 0; ; {
		k := bytes.IndexByte(v[j:], '\\')
		if k < 0 {
			return true
		}
		j += k
		n := escapeLen(v[j:])
		if n == 0 {
			return false
		}
		j += n
	}
}

// plainRunes reads the non-ASCII runes of v from j to the next ASCII byte
// and returns where it stopped, or -1 for invalid UTF-8, U+2028 or U+2029.
func plainRunes(v []byte, j int) int {
	for j < len(v) && v[j] >= utf8.RuneSelf {
		r, size := utf8.DecodeRune(v[j:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return -1
		}
		j += size
	}
	return j
}

// SWAR constants: a byte repeated in every lane of a uint64.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// skipString returns the end of the JSON string starting at v[i] (a '"'),
// just past its closing quote: the first quote not escaped by an odd run of
// backslashes. What is between the quotes was checked by plainText.
func skipString(v []byte, i int) (int, bool) {
	j := i + 1
	for {
		k := bytes.IndexByte(v[j:], '"')
		if k < 0 {
			return len(v), false
		}
		j += k
		n := 0
		for p := j - 1; p > i && v[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1, true
		}
		j++
	}
}

// escapeLen is the length of the escape at the start of e if it is one
// encoding/json writes (Go 1.22 on) and writes again for the character it
// stands for, else 0: \", \\, \n, \r, \t, \b, \f; \u00xx (lower-case hex)
// for the other control characters; \u003c, \u003e, \u0026, \u2028,
// \u2029. Not \ufffd: it writes that for an invalid byte, but decoding
// gives U+FFFD, which it then writes as the character.
func escapeLen(e []byte) int {
	if len(e) < 2 {
		return 0
	}
	switch e[1] {
	case '"', '\\', 'n', 'r', 't', 'b', 'f':
		return 2
	case 'u':
	default:
		return 0
	}
	if len(e) < 6 {
		return 0
	}
	switch u := string(e[2:6]); u {
	case "003c", "003e", "0026", "2028", "2029":
		return 6
	case "0008", "0009", "000a", "000c", "000d":
		return 0 // written as \b, \t, \n, \f, \r
	default:
		if u[0] == '0' && u[1] == '0' && (u[2] == '0' || u[2] == '1') &&
			('0' <= u[3] && u[3] <= '9' || 'a' <= u[3] && u[3] <= 'f') {
			return 6
		}
	}
	return 0
}

// skipValue returns the end of the JSON value starting at v[i]. It checks
// only what it must to find the end: a value it accepts is copied, so the
// strings it passes are also checked (skipString).
func skipValue(v []byte, i int) (int, bool) {
	if i >= len(v) {
		return i, false
	}
	switch v[i] {
	case '"':
		return skipString(v, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(v); j++ {
			switch v[j] {
			case '"':
				end, ok := skipString(v, j)
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
	scalar:
		for ; j < len(v); j++ {
			switch v[j] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				break scalar
			}
		}
		if j == i {
			return i, false
		}
		return j, validScalar(v[i:j])
	}
}

// validScalar reports whether b is a JSON number, true, false or null
// (what json.Valid says of it, without its scanner's set-up per call).
func validScalar(b []byte) bool {
	switch string(b) {
	case "true", "false", "null":
		return true
	}
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > s
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
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
