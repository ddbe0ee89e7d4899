package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContentID derives a stable review id from its content, for platforms that
// give none. Whitespace and case are folded so a re-rendered page (other
// wrapping, other entity escaping) still yields the same id.
func ContentID(parts ...string) string {
	h := sha256.New()
	var buf []byte
	for _, p := range parts {
		buf = append(append(buf[:0], foldSpace(strings.ToLower(p))...), 0)
		h.Write(buf)
	}
	var sum [sha256.Size]byte
	return "h-" + hex.EncodeToString(h.Sum(sum[:0])[:8])
}

// foldSpace trims s and collapses every run of white space (unicode.IsSpace)
// into one ' ': strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "),
// which review ids depend on, without its allocations. Most text is folded
// already and comes back as it is.
func foldSpace(s string) string {
	folded := true
	prevSpace := true // a leading space needs folding
	for i := 0; i < len(s) && folded; {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' && !prevSpace:
				prevSpace = true
			case c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
				folded = false
			default:
				prevSpace = false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			folded = false
		}
		i += size
		prevSpace = false
	}
	if folded && (!prevSpace || s == "") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(r) {
			inWord = false
		} else {
			if !inWord && b.Len() > 0 {
				b.WriteByte(' ')
			}
			inWord = true
			b.WriteString(s[i : i+size]) // the bytes as they are, invalid UTF-8 too
		}
		i += size
	}
	return b.String()
}

// Normalise maps a value on the scale [worst, best] onto 1-5, rounded to two
// decimals. Callers pass the platform's defaults when the page omits the
// scale (schema.org: best 5, worst 1). ok is false when the value is outside
// the scale or the scale is empty: such a value is "no rating", never 0.
func Normalise(v, best, worst float64) (stars float64, ok bool) {
	if best <= worst || math.IsNaN(v) || v < worst || v > best {
		return 0, false
	}
	s := 1 + (v-worst)*4/(best-worst)
	return math.Round(s*100) / 100, true
}

// Dedupe keeps the first review of each ID, in order.
func Dedupe(rs []Review) []Review {
	seen := make(map[string]bool, len(rs))
	out := rs[:0:0]
	for _, r := range rs {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		out = append(out, r)
	}
	return out
}
