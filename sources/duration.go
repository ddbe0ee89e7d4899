package sources

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that reads "30m", "24h" or "7d" from config.
type Duration time.Duration

// ParseDuration reads Go durations plus a "d" (days) suffix.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		// NaN, infinities and counts past time.Duration's range (292
		// years) would convert to garbage, not fail.
		if err != nil || math.IsNaN(n) || math.Abs(n*float64(24*time.Hour)) >= math.MaxInt64 {
			return 0, fmt.Errorf("bad duration %q: want e.g. 30m, 24h or 7d", s)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: want e.g. 30m, 24h or 7d", s)
	}
	return v, nil
}

// UnmarshalText implements encoding.TextUnmarshaler (YAML and JSON).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }
