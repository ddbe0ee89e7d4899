package sources

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestReadPageErrors: what a fetch that isn't the listing's page becomes.
func TestReadPageErrors(t *testing.T) {
	big := strings.Repeat("x", 2048)
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private\n"))
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.UserAgent(), "revwatch/") {
			http.Error(w, "no UA", 400)
			return
		}
		w.Write([]byte("<html>fine</html>"))
	})
	mux.HandleFunc("/private/page", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>secret</html>")) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(big)) })
	mux.HandleFunc("/challenge", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		w.Write([]byte("<html><title>Just a moment...</title><script src=/cdn-cgi/challenge-platform/x></script></html>"))
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/account/login?next=/moved", http.StatusFound)
	})
	mux.HandleFunc("/account/login", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>log in</html>")) })
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 502) })
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 403) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cases := []struct {
		path   string
		is     error
		status int
	}{
		{path: "/ok"},
		{path: "/private/page", is: ErrBlocked},
		{path: "/big", is: ErrTooLarge},
		{path: "/challenge", is: ErrBlocked},
		{path: "/moved", is: ErrBlocked},
		{path: "/down", status: 502},
		{path: "/forbidden", is: ErrBlocked},
		{path: "/missing", status: 404},
	}
	env := testEnv()
	env.MaxBody = 1024
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			var p Page
			_, err := env.ReadPage(context.Background(), srv.URL+c.path, false, func(pg Page) error { p = pg; return nil })
			switch {
			case c.is != nil:
				if !errors.Is(err, c.is) {
					t.Fatalf("err = %v, want %v", err, c.is)
				}
			case c.status != 0:
				var se *StatusError
				if !errors.As(err, &se) || se.Code != c.status {
					t.Fatalf("err = %v, want HTTP %d", err, c.status)
				}
			default:
				if err != nil || !strings.Contains(string(p.Body), "fine") {
					t.Fatalf("page = %q, err = %v", p.Body, err)
				}
			}
		})
	}
}

func TestGetJSON(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		// A review quoting a challenge marker is still data.
		w.Write([]byte(`{"text":"Just a moment... said the waiter"}`))
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<!doctype html><p>login</p>")) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	env := testEnv()
	if _, err := env.GetJSON(context.Background(), srv.URL+"/api", nil); err != nil {
		t.Errorf("json body quoting a challenge marker: %v", err)
	}
	if _, err := env.GetJSON(context.Background(), srv.URL+"/html", nil); !errors.Is(err, ErrLayout) {
		t.Errorf("HTML where JSON was expected: err = %v, want ErrLayout", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := env.GetJSON(ctx, srv.URL+"/slow?key=SECRET123", nil); err == nil || strings.Contains(err.Error(), "SECRET123") {
		t.Errorf("timeout: err = %v (must fail and not leak the key)", err)
	}
}

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"https://api.example/x?key=abc&q=1":        "https://api.example/x?key=REDACTED&q=1",
		"https://user:pw@api.example/x":            "https://REDACTED@api.example/x",
		"https://api.example/x?access_token=t0k3n": "https://api.example/x?access_token=REDACTED",
		"https://example.com/review/luna":          "https://example.com/review/luna",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalise(t *testing.T) {
	cases := []struct {
		v, best, worst float64
		want           float64
		ok             bool
	}{
		{4, 5, 1, 4, true},
		{10, 10, 1, 5, true},
		{1, 10, 1, 1, true},
		{0, 10, 0, 1, true},
		{5, 10, 0, 3, true},
		{80, 100, 0, 4.2, true},
		{0, 5, 1, 0, false},
		{6, 5, 1, 0, false},
		{3, 1, 1, 0, false},
	}
	for _, c := range cases {
		got, ok := Normalise(c.v, c.best, c.worst)
		if ok != c.ok || got != c.want {
			t.Errorf("Normalise(%v, %v, %v) = %v, %v; want %v, %v", c.v, c.best, c.worst, got, ok, c.want, c.ok)
		}
	}
}

func TestContentIDStable(t *testing.T) {
	a := ContentID("Tage", "2024-01-26", "", "Jag tycker  att\n dessa")
	b := ContentID("tage", "2024-01-26", "", "Jag tycker att dessa")
	if a != b || !strings.HasPrefix(a, "h-") {
		t.Errorf("ContentID not stable under whitespace/case: %s vs %s", a, b)
	}
	if a == ContentID("Tage", "2024-01-27", "", "Jag tycker att dessa") {
		t.Errorf("different dates gave the same id")
	}
}

func TestConditionalGet(t *testing.T) {
	var hits, notModified int
	body := []byte("<html>v1</html>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/p" {
			http.NotFound(w, r)
			return
		}
		hits++
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write(body)
	}))
	defer srv.Close()
	env := testEnv()
	ctx := context.Background()
	read := func() (func(), error) {
		return env.ReadPage(ctx, srv.URL+"/p", false, func(Page) error { return nil })
	}
	remember, err := read()
	if err != nil {
		t.Fatal(err)
	}
	// Not remembered (its observation not stored yet): a full GET again.
	if _, err := read(); err != nil || notModified != 0 {
		t.Fatalf("unarmed page sent validators: err=%v 304s=%d", err, notModified)
	}
	remember()
	if _, err := read(); !errors.Is(err, ErrNotModified) {
		t.Fatalf("armed page: err = %v, want ErrNotModified", err)
	}
	if hits != 3 || notModified != 1 {
		t.Fatalf("hits=%d 304s=%d", hits, notModified)
	}
}

// TestReadPage: a page parsed once and served again byte for byte is
// ErrNotModified without a parse (most sites send no ETag); a changed page,
// a page whose parse failed and a fresh read are parsed; challenge markers
// count only when the parse fails. Only a page whose observation was stored
// (remember called) may be skipped.
func TestReadPage(t *testing.T) {
	const challengePage = "<html><title>Just a moment...</title><script src=/cdn-cgi/challenge-platform/h/b/x></script></html>"
	errParse := errors.New("no listing here")
	type read struct {
		body      string // what the server answers this time
		fresh     bool
		parseFail bool
		lost      bool          // the caller failed to store it: remember not called
		later     time.Duration // the clock moves this much before the read
		want      error         // nil: parsed
		parsed    bool          // parse was called
	}
	cases := []struct {
		name  string
		reads []read
	}{
		{"unchanged page", []read{
			{body: "<p>4.5 stars</p>", parsed: true},
			{body: "<p>4.5 stars</p>", want: ErrNotModified},
			{body: "<p>4.5 stars</p>", want: ErrNotModified},
		}},
		{"changed page", []read{
			{body: "<p>4.5 stars</p>", parsed: true},
			{body: "<p>4.4 stars</p>", parsed: true},
			{body: "<p>4.4 stars</p>", want: ErrNotModified},
		}},
		{"a page whose store failed is read again", []read{
			{body: "<p>4.5 stars</p>", lost: true, parsed: true},
			{body: "<p>4.5 stars</p>", parsed: true},
			{body: "<p>4.5 stars</p>", want: ErrNotModified},
		}},
		{"a remembered page is read in full again after a day", []read{
			{body: "<p>4.5 stars</p>", parsed: true},
			{body: "<p>4.5 stars</p>", later: 23 * time.Hour, want: ErrNotModified},
			{body: "<p>4.5 stars</p>", later: time.Hour, parsed: true},
			{body: "<p>4.5 stars</p>", later: time.Hour, want: ErrNotModified},
		}},
		{"a failed parse is not remembered", []read{
			{body: "<p>broken</p>", parseFail: true, want: errParse, parsed: true},
			{body: "<p>broken</p>", parsed: true},
		}},
		{"fresh reads always parse and remember nothing", []read{
			{body: "<p>4.5 stars</p>", parsed: true},
			{body: "<p>4.5 stars</p>", fresh: true, parsed: true},
			{body: "<p>4.6 stars</p>", fresh: true, parsed: true},
			{body: "<p>4.5 stars</p>", want: ErrNotModified},
		}},
		{"challenge page: the parse fails, blocked", []read{
			{body: challengePage, parseFail: true, want: ErrBlocked, parsed: true},
		}},
		{"a page quoting a marker is data when it parses", []read{
			{body: "<p>Just a moment...</p>" + challengePage, parsed: true},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body atomic.Pointer[string]
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/page" {
					http.NotFound(w, r)
					return
				}
				w.Write([]byte(*body.Load()))
			}))
			defer srv.Close()
			env := testEnv()
			clock := env.Now()
			env.Now = func() time.Time { return clock }
			for i, rd := range c.reads {
				clock = clock.Add(rd.later)
				body.Store(&rd.body)
				parsed := false
				remember, err := env.ReadPage(context.Background(), srv.URL+"/page", rd.fresh, func(p Page) error {
					parsed = true
					if string(p.Body) != rd.body {
						t.Errorf("read %d: parse got %q", i, p.Body)
					}
					if rd.parseFail {
						return errParse
					}
					return nil
				})
				if rd.want == nil && err != nil || rd.want != nil && !errors.Is(err, rd.want) {
					t.Fatalf("read %d: err = %v, want %v", i, err, rd.want)
				}
				if parsed != rd.parsed {
					t.Fatalf("read %d: parse called = %v, want %v", i, parsed, rd.parsed)
				}
				if (err == nil) != (remember != nil) {
					t.Fatalf("read %d: err = %v but remember = %v", i, err, remember != nil)
				}
				if remember != nil && !rd.lost {
					remember()
				}
			}
		})
	}
}
