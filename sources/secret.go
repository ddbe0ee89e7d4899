package sources

// Secret is a credential from the config (usually via ${ENV}). It redacts
// itself wherever it is printed or marshalled, so it can't leak into logs,
// errors or `revwatch config` output by accident.
type Secret string

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return `sources.Secret("REDACTED")` }

// MarshalText hides the value from JSON, YAML and slog.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the value, for the one call that sends it to its service.
func (s Secret) Reveal() string { return string(s) }
