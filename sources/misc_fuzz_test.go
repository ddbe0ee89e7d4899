package sources

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseDuration: config durations ("30m", "7d"). An accepted value is
// what it says: a day count is converted faithfully, so NaN, infinities
// and counts past time.Duration's range are errors, not garbage.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30m", "24h", "7d", "0.5d", " 2d ", "-1d", "NaNd", "infd", "1e300d", "106751d", "106752d", "d", "", "1h30m", "1.5e3s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !strings.Contains(err.Error(), "want e.g. 30m, 24h or 7d") {
				t.Fatalf("error %q does not say what to write", err)
			}
			return
		}
		if days, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
			n, _ := strconv.ParseFloat(days, 64)
			want := n * float64(24*time.Hour)
			if diff := math.Abs(float64(d) - want); !(diff <= 1e-9*math.Abs(want)+1) {
				t.Fatalf("ParseDuration(%q) = %v, want %v days", s, d, n)
			}
		}
	})
}

// FuzzKeysAndErrorBodies covers the small parsers around the sources: the
// App Store Connect .p8 key and the Google Play service-account key from
// config, and the error bodies of every API, which come from the network.
// No panic; a key error never quotes the key.
func FuzzKeysAndErrorBodies(f *testing.F) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	p8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	f.Add(p8)
	f.Add([]byte(strings.ReplaceAll(string(p8), "\n", `\n`)))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nZm9vYmFyYmF6cXV4\n-----END PRIVATE KEY-----\n"))
	for _, dir := range []string{"appstore", "google_business", "google_places", "googleplay", "tripadvisor", "trustpilot", "yelp"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*error*"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{``, `{}`, `null`, `[]`, `"x"`, `{"error":null}`, `{"error":"text"}`, `{"errors":[{}]}`, `{"fault":{"faultstring":7}}`, `<html>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := ascParseKey(body); err != nil {
			if s := strings.TrimSpace(string(body)); len(s) >= 24 && strings.Contains(withoutHints(err.Error()), s) {
				t.Fatalf("key error quotes the key: %v", err)
			}
		}
		if err := gplayCheckKey("svc@example.iam.gserviceaccount.com", body, "https://oauth2.example/token"); err != nil {
			if s := strings.TrimSpace(string(body)); len(s) >= 24 && strings.Contains(withoutHints(err.Error()), s) {
				t.Fatalf("key error quotes the key: %v", err)
			}
		}
		_ = ascErrorMessage(body)
		_ = gbParseError(body)
		_ = parseYelpError(body)
		_ = gplayErrMessage(body)
		_ = tpAPIMessage(body)
	})
}

// withoutHints drops the fixed advice key errors give ("paste the whole
// .p8 file, -----BEGIN PRIVATE KEY----- line included"): an input that is
// part of the advice is not a key the message leaks.
func withoutHints(msg string) string {
	return strings.ReplaceAll(msg, "-----BEGIN PRIVATE KEY-----", "")
}
