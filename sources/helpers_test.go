package sources

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realDir is where recorded real platform responses live, outside the repo
// (see ../shared/fixtures/real/PROVENANCE.md). They are never copied in.
const realDir = "../../shared/fixtures/real"

// realFixture reads a recorded real response, or skips the test with a clear
// message when ../shared is not beside the checkout (as on a fresh clone).
func realFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realDir, name))
	if os.IsNotExist(err) {
		t.Skipf("real fixture %s absent: ../shared/fixtures/real is not beside this checkout", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testEnv is an Env for loopback servers: no host interval, fixed clock.
func testEnv() *Env {
	e := NewEnv(nil)
	e.HostInterval = 0
	e.Now = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
	return e
}

// serve starts a loopback server answering each path with its body (and
// 404 elsewhere, robots.txt included). contentType defaults to text/html.
func serve(t testing.TB, contentType string, pages map[string][]byte) *httptest.Server {
	t.Helper()
	if contentType == "" {
		contentType = "text/html; charset=utf-8"
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			if _, ok := pages[key+"?"+r.URL.RawQuery]; ok {
				key += "?" + r.URL.RawQuery
			}
		}
		b, ok := pages[key]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// knownIDs is an Options.Known that knows exactly these review ids.
func knownIDs(ids ...string) func(string) bool {
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return func(id string) bool { return set[id] }
}

// spliceHTML is a random page for the scan-against-reference tests: 1 to
// pieces cuts of up to maxCut bytes, each from frags or, one time in
// pageOneIn, from page.
func spliceHTML(r *rand.Rand, page, frags string, pieces, pageOneIn, maxCut int) string {
	var b strings.Builder
	for range 1 + r.IntN(pieces) {
		src := frags
		if r.IntN(pageOneIn) == 0 {
			src = page
		}
		i := r.IntN(len(src) + 1)
		j := min(len(src), i+r.IntN(maxCut))
		b.WriteString(src[i:j])
	}
	return b.String()
}
