package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"unicode"
)

// ContentID derives a stable review id from its content, for platforms that
// give none. Whitespace and case are folded so a re-rendered page (other
// wrapping, other entity escaping) still yields the same id.
func ContentID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(foldSpace(strings.ToLower(p))))
		h.Write([]byte{0})
	}
	return "h-" + hex.EncodeToString(h.Sum(nil))[:16]
}

func foldSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
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
