package sources

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// commonKeys are the listing keys every platform accepts.
var commonKeys = []string{"id", "source", "name", "schedule", "competitor"}

// CheckKeys reports keys set on a listing that its platform doesn't read
// (a `place_id` on a yelp listing is a mistake worth saying), each error
// naming the key. allowed lists the platform's own keys.
func CheckKeys(l Listing, allowed ...string) error {
	var errs []error
	v := reflect.ValueOf(l)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		key := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if key == "" || key == "-" || slices.Contains(commonKeys, key) || slices.Contains(allowed, key) {
			continue
		}
		if !v.Field(i).IsZero() {
			errs = append(errs, fmt.Errorf("%w: %s: not used by source %q (it reads: %s)", ErrConfig, key, l.Source, strings.Join(allowed, ", ")))
		}
	}
	return errors.Join(errs...)
}

// CheckURL reports whether key's value is an absolute http(s) URL; empty
// is allowed unless required.
func CheckURL(key, raw string, required bool) error {
	if raw == "" {
		if required {
			return fmt.Errorf("%w: %s: is required", ErrConfig, key)
		}
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%w: %s: %q is not an absolute http(s) URL", ErrConfig, key, Redact(raw))
	}
	return nil
}
