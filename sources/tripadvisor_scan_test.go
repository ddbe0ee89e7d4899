package sources

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const taScanURL = "https://www.tripadvisor.com/Hotel_Review-g1-d2-Reviews-X.html"

// taScanCases are pages whose tree a naive tag stack gets wrong: the scan
// must replay them exactly or leave them to the DOM.
var taScanCases = []string{
	`<div class="reviewSelector" data-reviewid="1"><div class="info_text"><div>ann</div></div><span class="ui_bubble_rating bubble_40"></span></div>`,
	`<div class="mgrRspnInline"><div class="reviewSelector" data-reviewid="2"><p class="partial_entry">inside a reply</p></div></div>`,
	`<ul><li><div class="reviewSelector" data-reviewid="3"><p class="partial_entry">a<li>b</p></div></ul>`,
	`<div class="reviewSelector" data-reviewid="4"><p class="partial_entry">one<div>two</div>three</p></div>`,
	`<div class="reviewSelector" data-reviewid="5"><a href="/x"><div class="quote">t</div></a></div>`,
	`<div class="reviewSelector" data-reviewid="6"><b><i>x</b>y</i><p class="partial_entry">z</p></div>`,
	`<p><b>bold<div class="reviewSelector" data-reviewid="7"><p class="partial_entry">text</p></div>`,
	`<table><tr><td><div class="reviewSelector" data-reviewid="8"><p class="partial_entry">cell</p></div></table>`,
	`<div class="reviewSelector" data-reviewid="9"><span class="ratingDate" title="July 24, 2018"></span></body><!--c--><p class="partial_entry">after</p></div>`,
	`<div class="reviewSelector" data-reviewId="10"><div class="reviewSelector" data-reviewid="11"><span class="scrname">n</span></div></div>`,
	`<div class="reviewSelector" data-reviewid="12"></span></div><p class="partial_entry">outside</p>`,
	`<span><div class="reviewSelector" data-reviewid="13"></span><p class="partial_entry">x</p></div></span>`,
	`<div class="review&#83;elector" data-reviewid="14"><p class="partial_entry">entity class</p></div>`,
	`<div class="reviewSelector" data-reviewid="15"><pre class="partial_entry">
pre</pre><textarea>
ta</textarea><p class="partial_entry">x&#0;y</p></div>`,
	`<svg><g><path/></g></svg><div class="reviewSelector" data-reviewid="16"><svg><title>t</title></svg></div>`,
	`<svg><title><script type="application/ld+json">{"aggregateRating":{"ratingValue":3}}</script></title></svg>`,
	`<svg><![CDATA[<script type="application/ld+json">{"aggregateRating":{"ratingValue":2}}</script>]]></svg>`,
	`<script type="application/ld+json"/>{"aggregateRating":{"ratingValue":4}}</script>`,
	`<script type="text/x" type="application/ld+json">{"aggregateRating":{"ratingValue":4}}</script>`,
	`<html><head></head><html lang="de"><script type="application/ld+json">{"aggregateRating":{"ratingValue":5}}</script>`,
	`<html lang=fr><body class="x"><script type="application/ld+json">{"aggregateRating":{"ratingValue":5}}</script>`,
	`<head>text<script type="application/ld+json">{"aggregateRating":{"ratingValue":5}}</script>`,
	`<frameset><script type="application/ld+json">{"aggregateRating":{"ratingValue":5}}</script></frameset>`,
	`<template><script type="application/ld+json">{"aggregateRating":{"ratingValue":5}}</script></template>`,
	`<select><div class="reviewSelector" data-reviewid="17">x</div></select>`,
	`<form><form><div class="reviewSelector" data-reviewid="18"></form><span class="scrname">f</span></div>`,
	`<dl><dt><div class="reviewSelector" data-reviewid="19"><dd>x</div></dl>`,
	`<h1><div class="reviewSelector" data-reviewid="20"><h2>x</h2></div></h1>`,
	`<button><p><div class="reviewSelector" data-reviewid="21"></p><span class="username">u</span></div></button>`,
	`<div class="reviewSelector" data-reviewid="22"><script type="application/ld+json">{"aggregateRating":{"ratingValue":1}}</script></div>`,
	`<div class="reviewSelector" data-reviewid="23"></br></p><image class="x"><span class="noQuotes">t</span>`,
}

// taScanPages are the testdata pages, the real ones where ../shared is
// present, and the edge cases.
func taScanPages(t testing.TB) (fixtures []string, all []string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "tripadvisor", "*.html"))
	if len(files) == 0 {
		t.Fatal("no testdata/tripadvisor pages")
	}
	// ../shared beside the main checkout, or beside a worktree's parent.
	real, _ := filepath.Glob(filepath.Join(realDir, "tripadvisor", "*.html"))
	if len(real) == 0 {
		real, _ = filepath.Glob(filepath.Join("..", realDir, "tripadvisor", "*.html"))
	}
	if len(real) == 0 {
		t.Logf("no real Tripadvisor pages: %s is absent, checking testdata only", realDir)
	}
	for _, f := range append(files, real...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fixtures = append(fixtures, string(b))
	}
	return fixtures, append(append([]string(nil), fixtures...), taScanCases...)
}

// taScanAgrees fails when parseTaPage and the DOM disagree on p, and
// reports whether the scan read it (rather than falling back).
func taScanAgrees(t testing.TB, p []byte) bool {
	t.Helper()
	got, gerr := parseTaPage(p, taScanURL)
	want, werr := parseTaPageDOM(bytes.Clone(p), taScanURL)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) || !reflect.DeepEqual(got, want) {
		t.Fatalf("page %.400q:\nscan: %+v %v\nDOM:  %+v %v", p, got, gerr, want, werr)
	}
	_, ok := taScanPage(p)
	return ok
}

// The scan must give what the DOM gives: on the testdata pages and the
// real ones (read by the scan itself, not the fallback), on edge cases and
// on random cuts and splices of them.
func TestTaScanMatchesDOM(t *testing.T) {
	fixtures, pages := taScanPages(t)
	for _, p := range fixtures {
		if !taScanAgrees(t, []byte(p)) {
			t.Errorf("page %.100q: read through the DOM fallback, not the scan", p)
		}
	}
	scanned := 0
	for _, p := range taScanCases {
		if taScanAgrees(t, []byte(p)) {
			scanned++
		}
	}
	if scanned == 0 {
		t.Error("no edge case was read by the scan")
	}
	r := rand.New(rand.NewPCG(8, 9))
	frags := strings.Join(taScanCases, "")
	for range 600 {
		p := pages[r.IntN(len(pages))]
		if taScanAgrees(t, []byte(spliceHTML(r, p, frags, 6, 2, 600))) {
			scanned++
		}
		if taScanAgrees(t, []byte(p[:r.IntN(len(p)+1)])) {
			scanned++
		}
	}
	t.Logf("%d of %d pages read by the scan, the rest by the DOM", scanned, 1200+len(taScanCases))
	// Pages built from taScanVocab, as FuzzTaScanPage builds them.
	scanned = 0
	for range 3000 {
		var b strings.Builder
		for range 1 + r.IntN(40) {
			b.WriteString(taScanVocab[r.IntN(len(taScanVocab))])
		}
		if taScanAgrees(t, []byte(b.String())) {
			scanned++
		}
	}
	t.Logf("%d of 3000 pages built from pieces read by the scan", scanned)
}

// taScanVocab are the pieces FuzzTaScanPage builds pages from: tags whose
// tree rules the scan replays (or must refuse), in any order.
var taScanVocab = []string{
	`<div class="reviewSelector" data-reviewid="1">`, `<div class="reviewSelector" data-reviewid="2">`,
	`<div class="reviewSelector recent_review" data-reviewid="3">`, `<div class="mgrRspnInline">`,
	`<div>`, `</div>`, `<p>`, `</p>`, `<p class="partial_entry">`, `<div class="info_text">`, `<div class="quote">`,
	`<span class="scrname">`, `<span class="username">`, `<span class="noQuotes">`, `</span>`, `<span>`,
	`<span class="ratingDate" title="July 24, 2018">`, `<span class="ui_bubble_rating bubble_40">`,
	`<span class="responseDate">Responded March 5, 2019`, `<div class="entry">`,
	`<a href="/r1">`, `</a>`, `<a/>`, `<b>`, `</b>`, `<i>`, `</i>`, `<em>`, `</em>`, `<font>`, `</font>`, `<u>`, `<nobr>`,
	`<ul>`, `</ul>`, `<ol>`, `<li>`, `</li>`, `<dl>`, `<dd>`, `<dt>`, `</dd>`, `<h1>`, `</h1>`, `<h2>`, `</h3>`,
	`<form>`, `</form>`, `<button>`, `</button>`, `<section>`, `</section>`, `<pre>`, `</pre>`, `<listing>`,
	`<br>`, `</br>`, `<br/>`, `<hr>`, `<img src=x>`, `<image>`, `<input>`, `<meta>`, `<option>`, `<optgroup>`,
	`<textarea>`, `</textarea>`, `<title>`, `</title>`, `<xmp>`, `</xmp>`, `<noscript>`, `</noscript>`,
	`<script type="application/ld+json">{"aggregateRating":{"ratingValue":4,"reviewCount":3},"name":"N"}</script>`,
	`<script type="application/ld+json">`, `</script>`, `<script>`,
	`<svg>`, `</svg>`, `<g>`, `</g>`, `<path/>`, `<math>`, `</math>`, `<svg/>`,
	`<html lang=en>`, `<html>`, `<head>`, `</head>`, `<body>`, `<body class=x>`, `</body>`, `</html>`,
	`<!--c-->`, `<!DOCTYPE html>`, `<table>`, `<td>`, `<tr>`, `<select>`, `<template>`, `<frameset>`, `<custom-el>`,
	`</custom-el>`, "text ", "\n", " ", "&amp;", "\x00", "\r\n", "<", "<!", "Reviewed July 24, 2018",
}

func FuzzTaScanPage(f *testing.F) {
	_, pages := taScanPages(f)
	for _, p := range pages {
		if len(p) < 20000 {
			f.Add([]byte(p))
		}
	}
	f.Add([]byte{0, 23, 14, 5, 0, 11, 46, 7, 1, 35, 60, 5, 5})
	f.Fuzz(func(t *testing.T, p []byte) {
		taScanAgrees(t, p)
		// The same bytes as a recipe: each picks a piece of taScanVocab.
		var b strings.Builder
		for _, c := range p {
			b.WriteString(taScanVocab[int(c)%len(taScanVocab)])
		}
		taScanAgrees(t, []byte(b.String()))
	})
}
