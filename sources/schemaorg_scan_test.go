package sources

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	nethtml "golang.org/x/net/html"
)

// soScanHTMLTokens is the token scan soScanHTML replaced: it returns the text of every <script type="application/ld+json">
// and the first <html lang>, from a token scan.
func soScanHTMLTokens(body []byte) (blocks []string, lang string) {
	z := nethtml.NewTokenizer(bytes.NewReader(body))
	inLD, seenHTML := false, false
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return blocks, lang // io.EOF, or the body ended mid-tag
		case nethtml.StartTagToken:
			name, hasAttr := z.TagName()
			inLD = false
			switch {
			case string(name) == "script":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "type" {
						inLD = strings.HasPrefix(strings.ToLower(strings.TrimSpace(string(v))), "application/ld+json")
					}
				}
			case string(name) == "html" && !seenHTML:
				seenHTML = true
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "lang" {
						lang = string(v)
					}
				}
			}
		case nethtml.TextToken:
			if inLD {
				// The tokenizer reads script content raw: no entity decoding.
				blocks = append(blocks, string(z.Text()))
			}
			inLD = false
		default:
			inLD = false
		}
	}
}

// soScanCases are pages where a scan that only looked for "<script" would
// go wrong: comments, raw text, quoted '>', escaped script data, odd case,
// self-closing tags, bodies that end mid-tag.
var soScanCases = []string{
	`<html lang="de-AT"><script type="application/ld+json">{"a":1}</script>`,
	`<HTML LANG=fr><SCRIPT TYPE=" Application/LD+JSON ">{"a":1}</SCRIPT >`,
	`<!-- <script type="application/ld+json">{"hidden":1}</script> --><script type="application/ld+json">{"b":2}</script>`,
	`<!--> <script type="application/ld+json">{"c":3}</script>`,
	`<!---> <script type="application/ld+json">{"c":3}</script>`,
	`<!-- a --!> <script type="application/ld+json">{"d":4}</script>`,
	`<!-- a --!-> <script type="application/ld+json">{"d":4}</script> -->`,
	`<div title="a > b <script type='application/ld+json'>x</script>"><script type="application/ld+json">{"e":5}</script></div>`,
	`<textarea><script type="application/ld+json">{"no":1}</script></textarea><script type="application/ld+json">{"f":6}</script>`,
	`<title>a </titlex> <script type="application/ld+json">no</script></title><script type="application/ld+json">{"g":7}</script>`,
	`<script>var s = "<!--"; var t = "<script>"; </script><script type="application/ld+json">{"h":8}</script> --> </script><script type="application/ld+json">{"h2":8}</script>`,
	`<script><!-- <script> </script> --> </script><script type="application/ld+json">{"i":9}</script>`,
	`<script type="application/ld+json"/>{"j":10}</script>`,
	`<script type="application/ld+json" a=/>{"k":11}</script>`,
	`<script type="text/javascript" type="application/ld+json">{"l":12}</script>`,
	`<script type="application/ld+json" type="text/plain">{"l":12}</script>`,
	"<script type=\"application/ld+json\">{\"m\":\r\n13}\r</script>",
	"<script type=\"application/ld+json\">{\"n\":\"\x00\"}</script>",
	`<script type="application/ld+json">{"unterminated":1}`,
	`<script type="application/ld+json`,
	`<script type="application/ld+json"></script><html lang="x">`,
	`<html/><html lang="late">`,
	`<html lang="a&amp;b" lang=c&ampd>`,
	`<script type="application&#47;ld+json">{"o":1}</script>`,
	`</script type=">" ><script type="application/ld+json">{"p":1}</script>`,
	`</ x> <? <script type="application/ld+json"> ?> <!DOCTYPE html> <script type="application/ld+json">{"q":1}</script>`,
	`<plaintext><script type="application/ld+json">{"r":1}</script>`,
	`<style>/* </style */ <script type="application/ld+json">x</script></style><script type="application/ld+json">{"s":1}</script>`,
	`<noscript><script type="application/ld+json">{"t":1}</script></noscript>`,
	`<script>a<!--b<script>c</script>d</script>e--></script><script type="application/ld+json">{"u":1}</script>`,
	`<script>a<!--b<SCRIPT/c</script>d</script>e--></script><script type="application/ld+json">{"v":1}</script>`,
	`<script>a<!--<!b<sc>--></script><script type="application/ld+json">{"w":1}</script>`,
	`<a =b c= d="e"f g='h'/><script type=application/ld+json>{"x":1}</script>`,
	`<`, `<a`, `</`, `<!`, `<!-`, `<!--`, `<script>`, `<script><!-`, `<script><!--<script`, ``,
}

// soScanHTML must give what the x/net/html tokenizer gives, on real pages,
// on edge cases and on random cuts and splices of both.
func TestSOScanMatchesTokenizer(t *testing.T) {
	pages := slices.Clone(soScanCases)
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.html"))
	real, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "fixtures", "real", "*", "*.html"))
	for _, f := range append(files, real...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, string(b))
	}
	if len(files) == 0 {
		t.Fatal("no testdata pages")
	}
	r := rand.New(rand.NewPCG(1, 2))
	frags := strings.Join(soScanCases, "")
	for range 3000 {
		p := pages[r.IntN(len(pages))]
		pages = append(pages, spliceHTML(r, p, frags, 4, 3, 200), p[:r.IntN(len(p)+1)])
	}
	for _, p := range pages {
		gotB, gotL := soScanHTML([]byte(p))
		wantB, wantL := soScanHTMLTokens([]byte(p))
		if !slices.Equal(gotB, wantB) || gotL != wantL {
			t.Fatalf("page %.300q:\nscan:      %q lang %q\ntokenizer: %q lang %q", p, gotB, gotL, wantB, wantL)
		}
	}
}

func FuzzSOScan(f *testing.F) {
	for _, c := range soScanCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		gotB, gotL := soScanHTML(p)
		wantB, wantL := soScanHTMLTokens(p)
		if !slices.Equal(gotB, wantB) || gotL != wantL {
			t.Fatalf("scan %q lang %q, tokenizer %q lang %q", gotB, gotL, wantB, wantL)
		}
	})
}
