package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	nethtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// schemaOrg reads the schema.org markup a site publishes about itself: a
// recipe, product or local-business page with an aggregate rating and the
// reviews shown on it, for owners whose reviews live on their own site (or a
// widget that writes markup into it).
//
// It reads every <script type="application/ld+json"> block (objects, arrays,
// "@graph", "@id" references) and takes the item carrying aggregateRating
// and/or review (or the deprecated plural reviews). When JSON-LD yields no
// reviews (or no rating) it falls back to microdata (itemprop=aggregateRating,
// itemprop=review). Ratings are normalised to 1-5 from the page's own
// bestRating/worstRating. One page is one fetch: Options.Backfill changes
// nothing, since such pages have no paging we could follow generically.
type schemaOrg struct{ env *Env }

var _ Source = (*schemaOrg)(nil)

func newSchemaOrg(env *Env) Source { return &schemaOrg{env: env} }

// validateSchemaOrg requires `url`: the page is all this source knows.
func validateSchemaOrg(l Listing) error {
	if strings.TrimSpace(l.URL) == "" {
		return fmt.Errorf("schemaorg: url is required (the page carrying the schema.org markup): %w", ErrConfig)
	}
	u, err := url.Parse(l.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("schemaorg: url %q is not an absolute http(s) URL: %w", Redact(l.URL), ErrConfig)
	}
	return nil
}

// Fetch reads the listing's page once and parses its markup.
func (s *schemaOrg) Fetch(ctx context.Context, l Listing, o Options) (Observation, error) {
	if err := validateSchemaOrg(l); err != nil {
		return Observation{}, err
	}
	var obs Observation
	stored, err := s.env.ReadPage(ctx, l.URL, o.Backfill, func(page Page) error {
		// Relative review URLs resolve against where the page really was.
		pageURL := l.URL
		if page.URL != nil {
			pageURL = page.URL.String()
		}
		var err error
		obs, err = parseSchemaOrg(page.Body, pageURL)
		return err
	})
	if err != nil {
		return Observation{}, fmt.Errorf("schemaorg: listing %q: %w", l.ID, err)
	}
	obs.Listing = l.ID
	obs.Platform = "schemaorg"
	obs.At = s.env.now()
	obs.URL = l.URL
	// Once stored, the next poll may ask "changed since?" (one request).
	obs.Stored = stored
	return obs, nil
}

// parseSchemaOrg extracts the item's name, aggregate rating and reviews from
// a page. It is pure (no I/O, no clock) so it can be fuzzed and benchmarked;
// Fetch stamps Listing, Platform, At and URL.
//
// Reviews come out deduplicated by ID. Reviews with a known date are ordered
// newest first among themselves; undated reviews keep their position on the
// page, since there is nothing to place them by (pages usually pin a
// "featured" review first, and it often has no date).
func parseSchemaOrg(body []byte, pageURL string) (Observation, error) {
	// JSON-LD and <html lang> come from a token scan: no DOM to build on the
	// common path, and it still works on pages the tree builder gives up on
	// (x/net/html refuses nesting deeper than 512 elements).
	blocks, lang := soScanHTML(body)
	p := &soParser{pageURL: pageURL, lang: soLangTag(lang)}
	p.base, _ = url.Parse(pageURL)

	ld, malformed := p.readJSONLD(blocks)
	obs := Observation{Name: ld.name, Rating: ld.rating}
	reviews := ld.reviews
	var domErr error
	if len(reviews) == 0 || obs.Rating == nil {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			domErr = err // microdata unreadable; JSON-LD may still do
		} else {
			md := p.readMicrodata(doc)
			if obs.Rating == nil {
				obs.Rating = md.rating
			}
			if len(reviews) == 0 {
				reviews = md.reviews
			}
			if obs.Name == "" {
				obs.Name = md.name
			}
		}
	}
	if obs.Rating == nil && len(reviews) == 0 {
		var notes []string
		if malformed > 0 {
			notes = append(notes, fmt.Sprintf("%d malformed JSON-LD blocks skipped", malformed))
		}
		if domErr != nil {
			notes = append(notes, "microdata unreadable: "+domErr.Error())
		}
		if len(notes) > 0 {
			return Observation{}, fmt.Errorf("%s: %w (%s)", Redact(pageURL), ErrLayout, strings.Join(notes, "; "))
		}
		return Observation{}, fmt.Errorf("%s: %w", Redact(pageURL), ErrLayout)
	}
	obs.Reviews = soSortNewestFirst(Dedupe(soFixSharedIDs(reviews)))
	if obs.Reviews == nil {
		obs.Reviews = []Review{} // "reviews": [] in JSON, not null
	}
	return obs, nil
}

// soParser carries what every extracted review needs from the page.
type soParser struct {
	pageURL string
	base    *url.URL
	lang    string // the page's <html lang>, first subtag
}

// soItem is what one markup flavour yielded.
type soItem struct {
	name    string
	rating  *Rating
	reviews []soReview
}

// soReview is a review plus what soFixSharedIDs needs to undo a bad explicit id.
type soReview struct {
	Review
	explicitID bool
	contentID  string
}

// soFields are a review's raw fields, as either markup flavour gives them.
type soFields struct {
	author, title, text string // already cleaned
	date                string
	value, best, worst  string // reviewRating
	id, link, lang      string
}

// review builds a review from extracted fields; ok is false when nothing
// identifies it as a review (no author, title, text or rating).
func (p *soParser) review(f soFields) (soReview, bool) {
	r := soReview{Review: Review{Author: f.author, Title: f.title, Text: f.text}}
	r.Rating = soStars(f.value, f.best, f.worst)
	if f.author == "" && f.title == "" && f.text == "" && r.Rating == nil {
		return soReview{}, false
	}
	r.Published = soDate(f.date)
	dateKey := f.date
	if !r.Published.IsZero() {
		// The parsed instant, so a re-rendered date format keeps the id.
		dateKey = r.Published.Format(time.RFC3339)
	}
	r.contentID = ContentID(f.author, dateKey, f.title, f.text)
	r.URL = p.pageURL
	if u := p.resolve(f.link); u != "" {
		r.URL = u
	}
	// Blank-node ids ("_:b0") are renumbered on every render: not ids.
	if id := strings.TrimSpace(f.id); id != "" && !strings.HasPrefix(id, "_:") && !p.isPageURL(id) {
		r.ID, r.explicitID = id, true
	} else {
		r.ID = r.contentID
	}
	r.Language = soLangTag(f.lang)
	if r.Language == "" {
		r.Language = p.lang
	}
	return r, true
}

// resolve makes a review link absolute; non-http(s) links are dropped.
func (p *soParser) resolve(link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if p.base != nil {
		u = p.base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// isPageURL reports whether an id is just the page's own address: some sites
// stamp it on every review, and using it would merge them all into one.
func (p *soParser) isPageURL(id string) bool {
	abs := p.resolve(id)
	if abs == "" || p.base == nil {
		return false
	}
	trim := func(s string) string { return strings.TrimRight(s, "/") }
	return trim(abs) == trim(p.base.String())
}

// soFixSharedIDs falls back to content ids for an explicit id that several
// different reviews share (a template bug, e.g. every review "#review"):
// Dedupe would otherwise keep only the first of them. The same review listed
// twice keeps its id and is deduplicated as usual.
func soFixSharedIDs(rs []soReview) []Review {
	variants := map[string]map[string]bool{}
	for _, r := range rs {
		if r.explicitID {
			if variants[r.ID] == nil {
				variants[r.ID] = map[string]bool{}
			}
			variants[r.ID][r.contentID] = true
		}
	}
	out := make([]Review, 0, len(rs))
	for _, r := range rs {
		if r.explicitID && len(variants[r.ID]) > 1 {
			r.ID = r.contentID
		}
		out = append(out, r.Review)
	}
	return out
}

// soSortNewestFirst orders dated reviews newest first in the slots they occupy;
// undated reviews stay where the page put them.
func soSortNewestFirst(rs []Review) []Review {
	var slots []int
	var dated []Review
	for i, r := range rs {
		if !r.Published.IsZero() {
			slots = append(slots, i)
			dated = append(dated, r)
		}
	}
	sort.SliceStable(dated, func(i, j int) bool { return dated[i].Published.After(dated[j].Published) })
	for k, i := range slots {
		rs[i] = dated[k]
	}
	return rs
}

// ---- JSON-LD ----

// soGraph indexes every JSON-LD node of the page, so "@id" references
// (common in @graph output from SEO plugins) can be followed.
type soGraph struct {
	nodes []map[string]any // pre-order, keys visited sorted: deterministic
	byID  map[string]map[string]any
}

func (g *soGraph) add(v any) {
	switch t := v.(type) {
	case map[string]any:
		g.nodes = append(g.nodes, t)
		if id := soLdScalar(t["@id"]); id != "" && !soIsStub(t) {
			// Keep the fullest description of each id.
			if old, ok := g.byID[id]; !ok || len(t) > len(old) {
				g.byID[id] = t
			}
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			g.add(t[k])
		}
	case []any:
		for _, e := range t {
			g.add(e)
		}
	}
}

// soIsStub reports whether a node is only a reference ({"@id": ...}).
func soIsStub(m map[string]any) bool {
	for k := range m {
		if k != "@id" && k != "@type" && k != "@context" {
			return false
		}
	}
	return true
}

// resolve follows a reference one step; anything else is returned as is.
// One step only, so a cycle of references can't loop.
func (g *soGraph) resolve(v any) any {
	m, ok := v.(map[string]any)
	if !ok || !soIsStub(m) {
		return v
	}
	if full, ok := g.byID[soLdScalar(m["@id"])]; ok {
		return full
	}
	return v
}

// objects returns v as a list of (resolved) objects: one, an array, or none.
func (g *soGraph) objects(v any) []map[string]any {
	var out []map[string]any
	switch t := v.(type) {
	case map[string]any:
		if m, ok := g.resolve(t).(map[string]any); ok {
			out = append(out, m)
		}
	case []any:
		for _, e := range t {
			if m, ok := g.resolve(e).(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// readJSONLD parses the JSON-LD blocks; malformed counts the blocks skipped.
func (p *soParser) readJSONLD(blocks []string) (item soItem, malformed int) {
	g := &soGraph{byID: map[string]map[string]any{}}
	for _, b := range blocks {
		vals, err := soDecodeJSONLD(b)
		if err != nil {
			malformed++
		}
		for _, v := range vals {
			g.add(v)
		}
	}
	if len(g.nodes) == 0 {
		return soItem{}, malformed
	}

	// The item: the node carrying a usable rating and reviews, preferring a
	// rating (it's the headline number), then the first in the page.
	var best map[string]any
	bestScore := -1
	for _, n := range g.nodes {
		_, a := n["aggregateRating"]
		_, r1 := n["review"]
		_, r2 := n["reviews"]
		if !a && !r1 && !r2 {
			continue
		}
		score := 0
		if p.ldAggregate(g, n) != nil {
			score += 2
		}
		if len(g.objects(n["review"]))+len(g.objects(n["reviews"])) > 0 {
			score++
		}
		if score > bestScore {
			best, bestScore = n, score
		}
	}

	var reviewNodes []map[string]any
	itemLang := ""
	if best != nil {
		item.name = soLdText(best["name"])
		if item.name == "" {
			item.name = soLdText(best["headline"])
		}
		item.rating = p.ldAggregate(g, best)
		itemLang = soLdLang(best["inLanguage"])
		reviewNodes = append(g.objects(best["review"]), g.objects(best["reviews"])...)
	}
	// Reviews published as separate nodes pointing at the item through
	// itemReviewed; with no item at all, every Review node on the page.
	for _, n := range g.nodes {
		if !soIsReview(n) {
			continue
		}
		if best == nil {
			reviewNodes = append(reviewNodes, n)
			if item.name == "" {
				for _, ir := range g.objects(n["itemReviewed"]) {
					item.name = soLdText(ir["name"])
					break
				}
			}
			continue
		}
		for _, ir := range g.objects(n["itemReviewed"]) {
			if soSameNode(ir, best) {
				reviewNodes = append(reviewNodes, n)
				break
			}
		}
	}
	for _, n := range reviewNodes {
		if r, ok := p.ldReview(g, n, itemLang); ok {
			item.reviews = append(item.reviews, r)
		}
	}
	return item, malformed
}

// ldAggregate reads the node's aggregateRating, nil if none is usable.
func (p *soParser) ldAggregate(g *soGraph, n map[string]any) *Rating {
	for _, a := range g.objects(n["aggregateRating"]) {
		if r := soAggregate(soLdScalar(a["ratingValue"]), soLdScalar(a["bestRating"]), soLdScalar(a["worstRating"]),
			soLdScalar(a["ratingCount"]), soLdScalar(a["reviewCount"])); r != nil {
			return r
		}
	}
	return nil
}

func (p *soParser) ldReview(g *soGraph, n map[string]any, itemLang string) (soReview, bool) {
	f := soFields{
		author: soFirstNonEmpty(soLdAuthor(g, n["author"]), soLdAuthor(g, n["creator"])),
		title:  soFirstNonEmpty(soLdText(n["name"]), soLdText(n["headline"])),
		text:   soFirstNonEmpty(soLdText(n["reviewBody"]), soLdText(n["description"]), soLdText(n["text"])),
		date:   soFirstNonEmpty(soLdScalar(n["datePublished"]), soLdScalar(n["dateCreated"])),
		id:     soFirstNonEmpty(soLdScalar(n["@id"]), soLdIdentifier(n["identifier"]), soLdScalar(n["url"])),
		link:   soLdScalar(n["url"]),
		lang:   soFirstNonEmpty(soLdLang(n["inLanguage"]), itemLang),
	}
	if rr := g.objects(n["reviewRating"]); len(rr) > 0 {
		f.value, f.best, f.worst = soLdScalar(rr[0]["ratingValue"]), soLdScalar(rr[0]["bestRating"]), soLdScalar(rr[0]["worstRating"])
	} else {
		f.value = soLdScalar(n["reviewRating"]) // a bare number, on the default scale
	}
	return p.review(f)
}

// soDecodeJSONLD decodes one script block: one or more JSON values. A block
// that fails is retried once with raw control characters blanked (a common
// CMS bug: literal newlines inside strings), then reported malformed.
func soDecodeJSONLD(raw string) ([]any, error) {
	s := strings.TrimSpace(raw)
	for _, w := range [][2]string{{"<!--", "-->"}, {"//<![CDATA[", "//]]>"}, {"<![CDATA[", "]]>"}} {
		if strings.HasPrefix(s, w[0]) && strings.HasSuffix(s, w[1]) {
			s = strings.TrimSpace(s[len(w[0]) : len(s)-len(w[1])])
		}
	}
	if s == "" {
		return nil, nil
	}
	vals, err := soDecodeAll(s)
	if err != nil && len(vals) == 0 {
		blanked := strings.Map(func(r rune) rune {
			if r < 0x20 {
				return ' '
			}
			return r
		}, s)
		vals, err = soDecodeAll(blanked)
	}
	return vals, err
}

func soDecodeAll(s string) ([]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// soLdScalar returns a JSON-LD value as trimmed text: a string, a number, a
// value object {"@value": x}, or the first such item of an array.
func soLdScalar(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case json.Number:
		return t.String()
	case map[string]any:
		if x, ok := t["@value"]; ok {
			return soLdScalar(x)
		}
	case []any:
		for _, e := range t {
			if s := soLdScalar(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// soLdText is soLdScalar cleaned for people: entities decoded, markup dropped,
// whitespace collapsed.
func soLdText(v any) string { return soCleanText(soLdScalar(v)) }

// soLdIdentifier reads schema.org identifier: text, number or PropertyValue.
func soLdIdentifier(v any) string {
	if m, ok := v.(map[string]any); ok {
		if s := soLdScalar(m["value"]); s != "" {
			return s
		}
	}
	return soLdScalar(v)
}

// soLdAuthor reads author as text, a Person/Organization, or a list of them.
func soLdAuthor(g *soGraph, v any) string {
	var names []string
	var add func(v any)
	add = func(v any) {
		switch t := g.resolve(v).(type) {
		case string, json.Number:
			if s := soCleanText(soLdScalar(t)); s != "" {
				names = append(names, s)
			}
		case map[string]any:
			s := soLdText(t["name"])
			if s == "" {
				s = soCleanText(strings.TrimSpace(soLdScalar(t["givenName"]) + " " + soLdScalar(t["familyName"])))
			}
			if s == "" {
				s = soLdText(t["alternateName"])
			}
			if s != "" {
				names = append(names, s)
			}
		case []any:
			for _, e := range t {
				add(e)
			}
		}
	}
	add(v)
	return strings.Join(names, ", ")
}

// soLdLang reads inLanguage: a BCP 47 tag or a Language {alternateName}.
func soLdLang(v any) string {
	if m, ok := v.(map[string]any); ok {
		return soFirstNonEmpty(soLangTag(soLdScalar(m["alternateName"])), soLangTag(soLdScalar(m["name"])))
	}
	return soLangTag(soLdScalar(v))
}

// soLdTypes lists a node's @type values without a schema.org prefix.
func soLdTypes(n map[string]any) []string {
	var raw []any
	switch t := n["@type"].(type) {
	case string:
		raw = []any{t}
	case []any:
		raw = t
	}
	var out []string
	for _, r := range raw {
		s, _ := r.(string)
		s = strings.TrimSpace(s)
		if i := strings.LastIndexAny(s, "/:#"); i >= 0 {
			s = s[i+1:]
		}
		out = append(out, s)
	}
	return out
}

// soIsReview: Review or one of its subtypes (UserReview, CriticReview...).
func soIsReview(n map[string]any) bool {
	for _, t := range soLdTypes(n) {
		if strings.HasSuffix(t, "Review") {
			return true
		}
	}
	return false
}

// soSameNode reports whether two nodes are one: the same object or the same @id.
func soSameNode(a, b map[string]any) bool {
	if reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		return true
	}
	id := soLdScalar(a["@id"])
	return id != "" && id == soLdScalar(b["@id"])
}

// ---- microdata ----

// soMaxMicrodataReviews bounds the review blocks read from one page: each is a
// walk of its subtree, so nested blocks cost quadratic time. Real pages show
// tens.
const soMaxMicrodataReviews = 1000

// readMicrodata reads itemprop=aggregateRating and itemprop=review blocks.
// Properties belong to their nearest itemscope (so an author's name is not
// taken for the review's title); itemref is not followed.
func (p *soParser) readMicrodata(doc *goquery.Document) soItem {
	var item soItem
	var aggrs, reviews []*nethtml.Node
	doc.Find("[itemprop], [itemtype]").Each(func(_ int, s *goquery.Selection) {
		n := s.Get(0)
		switch {
		case soHasProp(n, "aggregateRating"):
			aggrs = append(aggrs, n)
		case soHasProp(n, "review"), soHasProp(n, "reviews"),
			soHasAttr(n, "itemscope") && strings.HasSuffix(soAttr(n, "itemtype"), "/Review"):
			reviews = append(reviews, n)
		}
	})
	for _, a := range aggrs {
		if r := soAggregate(soMdFirst(a, "ratingValue"), soMdFirst(a, "bestRating"), soMdFirst(a, "worstRating"),
			soMdFirst(a, "ratingCount"), soMdFirst(a, "reviewCount")); r != nil {
			item.rating = r
			if scope := soParentScope(a); scope != nil {
				item.name = soMdFirst(scope, "name")
			}
			break
		}
	}
	if len(reviews) > soMaxMicrodataReviews {
		reviews = reviews[:soMaxMicrodataReviews]
	}
	for _, n := range reviews {
		if r, ok := p.mdReview(n); ok {
			item.reviews = append(item.reviews, r)
		}
	}
	if item.name == "" && len(reviews) > 0 {
		if scope := soParentScope(reviews[0]); scope != nil {
			item.name = soMdFirst(scope, "name")
		}
	}
	return item
}

func (p *soParser) mdReview(n *nethtml.Node) (soReview, bool) {
	var authors []string
	for _, a := range soMdProps(n, "author") {
		name := soMdValue(a, false)
		if soHasAttr(a, "itemscope") {
			name = soFirstNonEmpty(soMdFirst(a, "name"),
				strings.TrimSpace(soMdFirst(a, "givenName")+" "+soMdFirst(a, "familyName")))
		}
		if name != "" {
			authors = append(authors, name)
		}
	}
	f := soFields{
		author: strings.Join(authors, ", "),
		title:  soMdFirst(n, "name", "headline"),
		text:   soMdFirst(n, "reviewBody", "description", "text"),
		date:   soMdFirst(n, "datePublished", "dateCreated"),
		link:   soMdURL(n, "url"),
		lang:   soMdFirst(n, "inLanguage"),
	}
	if rr := soMdProps(n, "reviewRating"); len(rr) > 0 {
		if soHasAttr(rr[0], "itemscope") {
			f.value, f.best, f.worst = soMdFirst(rr[0], "ratingValue"), soMdFirst(rr[0], "bestRating"), soMdFirst(rr[0], "worstRating")
		} else {
			f.value = soMdValue(rr[0], false)
		}
	}
	// Review widgets (Bazaarvoice and the like) carry their id as data-reviewid
	// on the block or a wrapper; the parser lower-cases attribute names.
	for a := n; a != nil && f.id == ""; a = a.Parent {
		f.id = strings.TrimSpace(soAttr(a, "data-reviewid"))
	}
	f.id = soFirstNonEmpty(f.id, strings.TrimSpace(soAttr(n, "itemid")), soMdFirst(n, "identifier"), f.link)
	return p.review(f)
}

// soMdProps returns the elements that are the scope's properties called name:
// descendants not inside a nested itemscope (a nested scope element that
// itself has the itemprop is included).
func soMdProps(scope *nethtml.Node, name string) []*nethtml.Node {
	var out []*nethtml.Node
	var walk func(n *nethtml.Node)
	walk = func(n *nethtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != nethtml.ElementNode {
				continue
			}
			if soHasProp(c, name) {
				out = append(out, c)
			}
			if !soHasAttr(c, "itemscope") {
				walk(c)
			}
		}
	}
	walk(scope)
	return out
}

// soMdFirst returns the first non-empty text value of the first named
// property found.
func soMdFirst(scope *nethtml.Node, names ...string) string {
	for _, name := range names {
		for _, n := range soMdProps(scope, name) {
			if v := soMdValue(n, false); v != "" {
				return v
			}
		}
	}
	return ""
}

// soMdURL returns the first non-empty URL value of the named property.
func soMdURL(scope *nethtml.Node, name string) string {
	for _, n := range soMdProps(scope, name) {
		if v := soMdValue(n, true); v != "" {
			return v
		}
	}
	return ""
}

// soMdValue is a property's value per the microdata spec, plus the `content`
// attribute on any element (widely used outside <meta>). Links and media
// give their URL only when a URL is wanted: <a itemprop="author"
// href="/u/1">Ann</a> means "Ann" on real pages.
func soMdValue(n *nethtml.Node, wantURL bool) string {
	// A blank content="" is a template leftover; the text may still say it.
	if v := foldSpace(soAttr(n, "content")); v != "" {
		return v
	}
	switch n.DataAtom {
	case atom.Meta:
		return ""
	case atom.Time:
		if v, ok := soAttrOK(n, "datetime"); ok {
			return strings.TrimSpace(v)
		}
	case atom.Data, atom.Meter:
		if v, ok := soAttrOK(n, "value"); ok {
			return strings.TrimSpace(v)
		}
	}
	if wantURL {
		switch n.DataAtom {
		case atom.A, atom.Link, atom.Area:
			return strings.TrimSpace(soAttr(n, "href"))
		case atom.Img, atom.Audio, atom.Video, atom.Source, atom.Embed, atom.Iframe, atom.Track:
			return strings.TrimSpace(soAttr(n, "src"))
		case atom.Object:
			return strings.TrimSpace(soAttr(n, "data"))
		}
	}
	return soNodeText(n)
}

// soParentScope is the nearest itemscope above n.
func soParentScope(n *nethtml.Node) *nethtml.Node {
	for a := n.Parent; a != nil; a = a.Parent {
		if a.Type == nethtml.ElementNode && soHasAttr(a, "itemscope") {
			return a
		}
	}
	return nil
}

// soHasProp reports whether n's itemprop lists name (also as a full
// schema.org URL; case-insensitive, as sloppy markup is common).
func soHasProp(n *nethtml.Node, name string) bool {
	for _, f := range strings.Fields(soAttr(n, "itemprop")) {
		if i := strings.LastIndexByte(f, '/'); i >= 0 {
			f = f[i+1:]
		}
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

func soAttrOK(n *nethtml.Node, key string) (string, bool) {
	if n == nil || n.Type != nethtml.ElementNode {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func soAttr(n *nethtml.Node, key string) string { v, _ := soAttrOK(n, key); return v }

func soHasAttr(n *nethtml.Node, key string) bool { _, ok := soAttrOK(n, key); return ok }

// ---- values ----

// soAggregate builds an aggregate rating; nil when the value is missing or
// off its scale (never a 0 rating). A missing count is 0.
func soAggregate(value, best, worst, ratingCount, reviewCount string) *Rating {
	stars := soStars(value, best, worst)
	if stars == nil {
		return nil
	}
	// ratingCount first: the average is taken over ratings, and pages that
	// give both count ratings without text too.
	n, ok := soCount(ratingCount)
	if !ok {
		n, _ = soCount(reviewCount)
	}
	return &Rating{Value: *stars, Count: n}
}

// soStars maps a rating on the page's scale (default 1-5) to 1-5.
func soStars(value, best, worst string) *float64 {
	v, ok := soNumber(value)
	if !ok {
		return nil
	}
	b, ok := soNumber(best)
	if !ok {
		b = 5
	}
	w, ok := soNumber(worst)
	if !ok {
		w = 1
	}
	s, ok := Normalise(v, b, w)
	if !ok {
		return nil
	}
	return Stars(s)
}

var soLeadingNumber = regexp.MustCompile(`^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)`)

// soNumber reads "4.8", 4.8, "4,8" (decimal comma) or "4.8 out of 5".
func soNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		m := soLeadingNumber.FindString(s)
		if m == "" {
			return 0, false
		}
		f, err = strconv.ParseFloat(strings.Replace(m, ",", ".", 1), 64)
		if err != nil {
			return 0, false
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

var soLeadingDigits = regexp.MustCompile(`^\d{1,12}`)

// soCount reads "489", 489, 489.0, "1,234", "1 234" or "197 ratings".
func soCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1e12 && f == math.Trunc(f) {
		return int(f), true
	}
	s = strings.NewReplacer(",", "", ".", "", "'", "", " ", "", "\u00a0", "", "\u202f", "", "\u2009", "").Replace(s)
	m := soLeadingDigits.FindString(s)
	if m == "" {
		return 0, false
	}
	n, err := strconv.Atoi(m)
	return n, err == nil
}

// soDateLayouts are the forms seen in schema.org dates. Layouts without a zone
// are read as UTC; fractional seconds are accepted after any seconds field.
var soDateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02",
	"02.01.2006",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
}

// soDate reads a date in UTC; the zero time when unknown.
func soDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range soDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	// Unix seconds or milliseconds, as some widgets emit.
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n >= 1e9 && n < 1e11:
			return time.Unix(n, 0).UTC()
		case n >= 1e12 && n < 1e14:
			return time.UnixMilli(n).UTC()
		}
	}
	return time.Time{}
}

// soLangTag returns a language tag's primary subtag, lower case ("sv-SE" ->
// "sv"), or "" when it isn't one.
func soLangTag(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	if len(s) < 2 || len(s) > 3 || s == "und" {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}

func soFirstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// soMarkup matches text that is HTML rather than prose with a stray "<": a
// <br> or a closing tag. Some sites put HTML (often entity-escaped) in JSON-LD.
var soMarkup = regexp.MustCompile(`(?i)<br\s*/?>|</[a-z][a-z0-9]*\s*>`)

// soCleanText turns a JSON-LD string into plain text: entities decoded (sites
// HTML-escape JSON strings), markup reduced to its text, whitespace collapsed.
func soCleanText(s string) string {
	if s == "" {
		return ""
	}
	s = html.UnescapeString(s)
	if strings.IndexByte(s, '<') >= 0 && soMarkup.MatchString(s) { // every match has a '<'; the regexp costs more than the scan
		ctx := &nethtml.Node{Type: nethtml.ElementNode, Data: "div", DataAtom: atom.Div}
		if nodes, err := nethtml.ParseFragment(strings.NewReader(s), ctx); err == nil {
			var b strings.Builder
			for _, n := range nodes {
				soWriteText(&b, n)
			}
			s = b.String()
		}
	}
	return foldSpace(s)
}

// soNodeText is an element's visible text with whitespace collapsed. Unlike
// goquery's Text it separates block elements and <br>, so "a<br>b" reads
// "a b", not "ab".
func soNodeText(n *nethtml.Node) string {
	var b strings.Builder
	soWriteText(&b, n)
	return foldSpace(b.String())
}

// soBlockElems are the elements that break text visually.
var soBlockElems = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Dd: true,
	atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Header: true, atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true,
	atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true, atom.Table: true, atom.Td: true,
	atom.Th: true, atom.Tr: true, atom.Ul: true, atom.Br: true,
}

func soWriteText(b *strings.Builder, n *nethtml.Node) {
	switch n.Type {
	case nethtml.TextNode:
		b.WriteString(n.Data)
		return
	case nethtml.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Template, atom.Noscript:
			return // not visible text (noscript content is raw markup here)
		}
	case nethtml.DocumentNode:
	default:
		return // comments, doctypes
	}
	block := n.Type == nethtml.ElementNode && soBlockElems[n.DataAtom]
	if block {
		b.WriteByte(' ')
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		soWriteText(b, c)
	}
	if block {
		b.WriteByte(' ')
	}
}
