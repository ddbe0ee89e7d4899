package sources

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// scanTrustpilotHTMLTokens is the token scan scanTrustpilotHTML replaced,
// kept as the oracle it must agree with.
func scanTrustpilotHTMLTokens(body []byte) trustpilotDoc {
	var d trustpilotDoc
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return d
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		switch atom.Lookup(name) {
		case atom.Script:
			var id, typ string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "id":
					id = string(v)
				case "type":
					typ = strings.ToLower(strings.TrimSpace(string(v)))
				}
			}
			isNext := id == "__NEXT_DATA__"
			isLD := strings.HasPrefix(typ, "application/ld+json")
			if tt == html.SelfClosingTagToken || (!isNext && !isLD) {
				continue
			}
			if z.Next() != html.TextToken {
				continue
			}
			text := bytes.Clone(z.Text())
			if isNext && d.nextData == nil {
				d.nextData = text
			} else if isLD {
				d.jsonLD = append(d.jsonLD, text)
			}
		case atom.Link:
			var rel, href string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "href":
					href = string(v)
				}
			}
			if href != "" && strings.Contains(" "+rel+" ", " next ") {
				d.nextLink = true
			}
		}
	}
}

var tpScanCases = []string{
	`<script id="__NEXT_DATA__" type="application/json">{"a":1}</script>`,
	`<script id=__NEXT_DATA__>{}</script><script id="__NEXT_DATA__">{"second":true}</script>`,
	`<SCRIPT TYPE=" Application/LD+JSON ">{"@type":"Organization"}</SCRIPT>`,
	`<script type="application/ld+json"/>`, `<script type="application/ld+json"></script>`,
	`<script type="application/ld+json">a\r\nb\x00c</script>`,
	`<link rel="prev next" href="?page=2"><link rel=next>`, `<link REL="Next" href="/p2"/>`,
	`<!-- <script id="__NEXT_DATA__">{}</script> -->`, `<script>var s = "<script id=__NEXT_DATA__>";</script>`,
	`<textarea><script type="application/ld+json">{}</script></textarea>`,
	`<script id="a" id="__NEXT_DATA__">{"dup":1}</script>`, `<script id="__NEXT_DATA__">{"cut"`,
}

// scanTrustpilotHTML must give what the x/net/html tokenizer gives, on the
// testdata pages, the real ones where ../shared is present, edge cases and
// random cuts and splices of them.
func TestTrustpilotScanMatchesTokenizer(t *testing.T) {
	pages := append([]string(nil), tpScanCases...)
	files, _ := filepath.Glob(filepath.Join("testdata", "trustpilot", "*.html"))
	real, _ := filepath.Glob(filepath.Join("..", "..", "shared", "fixtures", "real", "trustpilot*", "*.html"))
	if len(files) == 0 {
		t.Fatal("no testdata/trustpilot pages")
	}
	for _, f := range append(files, real...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, string(b))
	}
	r := rand.New(rand.NewPCG(3, 4))
	frags := strings.Join(tpScanCases, "") + strings.Join(soScanCases, "")
	n := len(pages)
	for range 2000 {
		p := pages[r.IntN(n)]
		pages = append(pages, spliceHTML(r, p, frags, 4, 3, 300), p[:r.IntN(len(p)+1)])
	}
	for _, p := range pages {
		got, want := scanTrustpilotHTML([]byte(p)), scanTrustpilotHTMLTokens([]byte(p))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("page %.300q:\nscan:      %+v\ntokenizer: %+v", p, got, want)
		}
	}
}

func FuzzTrustpilotScan(f *testing.F) {
	for _, c := range tpScanCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		got, want := scanTrustpilotHTML(p), scanTrustpilotHTMLTokens(bytes.Clone(p))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scan %+v, tokenizer %+v", got, want)
		}
	})
}
