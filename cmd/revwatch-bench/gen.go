package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Synthetic data: deterministic (seeded) reviews shaped like real ones, a
// mix of short and long texts (mean ~350 characters), a few non-ASCII
// letters and line breaks, a third with the business's reply.

var words = strings.Fields(`the a and was we our it to of for in with very really great good bad terrible
friendly rude staff service food room order delivery delivered late early parcel refund price prices
quality value table waiter manager booking booked app update crash login slow fast quick easy hard
again never always would recommend definitely not disappointed happy amazing awful average okay lovely
clean dirty noisy quiet cold warm hot fresh stale portion portions menu dessert coffee breakfast
dinner lunch evening weekend visit visited experience customer support email phone call waited wait
hours minutes days week month shipping package box damaged broken missing item items product
products size colour fit return returned exchange helpful unhelpful polite kind patient team thanks
thank you everything nothing something location parking view bed shower check-in checkout reception
café crème brûlée naïve déjà façade über straße`)

var firstNames = strings.Fields(`Alice Bruno Chloé Dmitri Emma Farid Grace Hiro Inès Jonas Kateřina Liam Maya Noor Oskar
Priya Quentin Rosa Sven Tomás Uma Victor Wen Ximena Yusuf Zoë Amir Björn Carmen Daniel`)

var languages = []string{"en", "en", "en", "en", "fr", "de", "es", "it", "nl", "sv"}

// textGen writes review-like text.
type textGen struct{ r *rand.Rand }

func newTextGen(seed uint64) *textGen {
	return &textGen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// text returns about n characters of sentences; nl inserts paragraph breaks.
func (g *textGen) text(n int, nl bool) string {
	var b strings.Builder
	b.Grow(n + 64)
	for b.Len() < n {
		k := 5 + g.r.IntN(14)
		for i := 0; i < k; i++ {
			w := words[g.r.IntN(len(words))]
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
		switch g.r.IntN(10) {
		case 0:
			b.WriteString("!")
		case 1:
			b.WriteString(", really.")
		default:
			b.WriteString(".")
		}
		if nl && g.r.IntN(6) == 0 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// textLen draws a review length: mostly short, a long tail.
func (g *textGen) textLen() int {
	return min(40+int(g.r.ExpFloat64()*310), 4000)
}

func (g *textGen) name() string {
	return firstNames[g.r.IntN(len(firstNames))] + " " + string(rune('A'+g.r.IntN(26))) + "."
}

func (g *textGen) stars() int {
	// Real platforms are bimodal: many 5s, a fair share of 1s.
	switch p := g.r.IntN(100); {
	case p < 18:
		return 1
	case p < 25:
		return 2
	case p < 33:
		return 3
	case p < 50:
		return 4
	default:
		return 5
	}
}

// jsonString appends s as a JSON string (the generator's text needs only
// quotes, backslashes and newlines escaped).
func jsonString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// benchEpoch anchors synthetic dates, so runs are reproducible.
var benchEpoch = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// ---- Trustpilot Business API pages (the ingest figure) ----

// tpListing is one listing's API answers: the business unit and its
// review pages, newest first, each linking the next but the last.
type tpListing struct {
	unitID string
	unit   []byte
	pages  [][]byte
}

func tpUnitID(listing int) string { return fmt.Sprintf("5c57f3c8fdd26f%010x", listing) }

// genTrustpilot writes n reviews for a listing, perPage to a page, as the
// Business API would answer (with the fields a real answer carries that
// revwatch ignores, so decoding costs what it costs on real answers).
func genTrustpilot(listing, n, perPage int, endpoint string) tpListing {
	g := newTextGen(uint64(listing) + 1)
	unit := tpUnitID(listing)
	l := tpListing{unitID: unit}
	l.unit = fmt.Appendf(nil, `{"status":"active","badFit":false,"displayName":"Business %d","name":{"referring":["business%d.example","www.business%d.example"],"identifying":"business%d.example"},"links":[{"href":"%sv1/business-units/%s","method":"GET","rel":"self"}],"country":"GB","websiteUrl":"https://www.business%d.example","score":{"trustScore":3.9,"stars":4},"numberOfReviews":{"oneStar":%d,"twoStars":%d,"threeStars":%d,"fourStars":%d,"fiveStars":%d,"total":%d,"usedForTrustScoreCalculation":%d},"id":"%s"}`,
		listing, listing, listing, listing, endpoint, unit, listing, n/5, n/10, n/10, n/5, n*2/5, n, n, unit)
	pages := (n + perPage - 1) / perPage
	for p := 1; p <= pages; p++ {
		b := make([]byte, 0, perPage*1200)
		b = append(b, `{"links":[`...)
		if p < pages {
			b = fmt.Appendf(b, `{"href":"%sv1/business-units/%s/reviews?page=%d&perPage=%d&orderBy=createdat.desc","method":"GET","rel":"next-page"}`, endpoint, unit, p+1, perPage)
		}
		b = append(b, `],"reviews":[`...)
		for j := (p - 1) * perPage; j < min(p*perPage, n); j++ {
			if j > (p-1)*perPage {
				b = append(b, ',')
			}
			b = g.appendTPReview(b, listing, j, unit, endpoint)
		}
		b = append(b, "]}"...)
		l.pages = append(l.pages, b)
	}
	return l
}

// tpPool holds pre-written review parts: generating a million texts one
// by one would cost more time than the ingest they feed.
var tpPool = sync.OnceValue(func() []tpParts {
	g := newTextGen(2026)
	ps := make([]tpParts, 8192)
	for i := range ps {
		ps[i] = tpParts{
			name:  jsonString(nil, g.name()),
			title: jsonString(nil, g.text(20+g.r.IntN(40), false)),
			text:  jsonString(nil, g.text(g.textLen(), true)),
			reply: jsonString(nil, "Hi, thank you for your review. "+g.text(60+g.r.IntN(200), false)),
		}
	}
	return ps
})

// tpParts are one review's texts, already JSON-quoted.
type tpParts struct{ name, title, text, reply []byte }

func (g *textGen) appendTPReview(b []byte, listing, j int, unit, endpoint string) []byte {
	pool := tpPool()
	part := func() tpParts { return pool[g.r.IntN(len(pool))] }
	id := fmt.Sprintf("%08x%016x", listing, j)
	created := benchEpoch.Add(-time.Duration(j)*37*time.Minute - time.Duration(listing)*13*time.Second)
	b = fmt.Appendf(b, `{"links":[{"href":"%sv1/reviews/%s","method":"GET","rel":"reviews"}],"id":"%s","consumer":{"links":[],"id":"c%023x","displayName":`,
		endpoint, id, id, listing*1_000_000+j)
	b = append(b, part().name...)
	b = fmt.Appendf(b, `,"displayLocation":"Leeds, GB","numberOfReviews":%d},"businessUnit":{"id":"%s","displayName":"Business %d"},"location":null,"stars":%d,"title":`,
		1+g.r.IntN(40), unit, listing, g.stars())
	b = append(b, part().title...)
	b = append(b, `,"text":`...)
	b = append(b, part().text...)
	b = fmt.Appendf(b, `,"language":"%s","createdAt":"%s","experiencedAt":"%s",`, languages[g.r.IntN(len(languages))],
		created.Format("2006-01-02T15:04:05.000Z"), created.Add(-72*time.Hour).Format("2006-01-02T00:00:00.000Z"))
	if g.r.IntN(8) == 0 {
		b = fmt.Appendf(b, `"updatedAt":"%s",`, created.Add(5*time.Hour).Format("2006-01-02T15:04:05.000Z"))
	} else {
		b = append(b, `"updatedAt":null,`...)
	}
	if g.r.IntN(3) == 0 {
		b = append(b, `"companyReply":{"text":`...)
		b = append(b, part().reply...)
		b = fmt.Appendf(b, `,"authorBusinessUserId":"ffff0000000000000000%04x","authorBusinessUserName":"Support","createdAt":"%s","updatedAt":"%s"},`,
			listing, created.Add(20*time.Hour).Format(time.RFC3339), created.Add(20*time.Hour).Format(time.RFC3339))
	} else {
		b = append(b, `"companyReply":null,`...)
	}
	return append(b, `"isVerified":true,"numberOfLikes":0,"status":"active","countsTowardsTrustScore":true}`...)
}

// ---- schema.org pages (the loopback site) ----

// ldReview is one review of a generated schema.org page.
type ldReview struct {
	id, author, title, text string
	stars                   int
	published               time.Time
}

// appendLD writes a JSON-LD block: the business, its aggregate rating and
// its reviews.
func appendLD(b []byte, name string, rating float64, count int, rs []ldReview) []byte {
	b = append(b, `<script type="application/ld+json">{"@context":"https://schema.org","@type":"Restaurant","name":`...)
	b = jsonString(b, name)
	b = fmt.Appendf(b, `,"servesCuisine":"Italian","priceRange":"$$","aggregateRating":{"@type":"AggregateRating","ratingValue":"%.1f","reviewCount":"%d","bestRating":"5","worstRating":"1"},"review":[`, rating, count)
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"@type":"Review","@id":"%s","author":{"@type":"Person","name":`, r.id)
		b = jsonString(b, r.author)
		b = fmt.Appendf(b, `},"datePublished":"%s","reviewRating":{"@type":"Rating","ratingValue":"%d","bestRating":"5","worstRating":"1"},"name":`,
			r.published.Format(time.RFC3339), r.stars)
		b = jsonString(b, r.title)
		b = append(b, `,"reviewBody":`...)
		b = jsonString(b, r.text)
		b = append(b, '}')
	}
	return append(b, "]}</script>\n"...)
}

// pageHead and pageFoot frame every generated page, as a CMS template would.
func pageHead(title string) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`)
	fmt.Fprintf(&b, "<title>%s</title>", title)
	b.WriteString(`<link rel="preconnect" href="https://cdn.example"><link rel="stylesheet" href="/static/site.3f9a1c.css"><link rel="icon" href="/favicon.ico">`)
	b.WriteString(`<meta property="og:type" content="restaurant"><meta property="og:image" content="https://cdn.example/og.jpg">`)
	b.WriteString(`<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag("js",new Date());gtag("config","G-XXXXXXX",{anonymize_ip:true});</script>`)
	b.WriteString(`<style>.card{display:flex;gap:1rem;padding:1rem;border-radius:8px}.card__title{font:600 1.1rem/1.3 system-ui}.tags li{display:inline-block;margin-right:.5rem}</style></head>`)
	b.WriteString(`<body class="page page--listing"><header class="site-header"><nav aria-label="Main"><ul class="nav">`)
	for _, s := range []string{"Home", "Menu", "Book a table", "Gift cards", "Events", "About", "Contact"} {
		fmt.Fprintf(&b, `<li class="nav__item"><a class="nav__link" href="/%s">%s</a></li>`, strings.ToLower(strings.ReplaceAll(s, " ", "-")), s)
	}
	b.WriteString(`</ul></nav></header><main id="content" class="content">`)
	return []byte(b.String())
}

var pageFoot = []byte(`</main><footer class="site-footer"><p>&copy; 2026 Example Hospitality Ltd. All rights reserved.</p><ul class="legal"><li><a href="/privacy">Privacy</a></li><li><a href="/cookies">Cookies</a></li></ul></footer><script src="/static/app.8c1d2e.js" defer></script></body></html>`)

// fillerBlocks returns n blocks of page markup (cards, inline scripts,
// SVG icons), each about 0.5-1.5 KB, as a real page's body carries.
func fillerBlocks(n int) [][]byte {
	g := newTextGen(424242)
	out := make([][]byte, n)
	for i := range out {
		var b []byte
		switch i % 9 {
		case 4:
			b = fmt.Appendf(b, `<script>(function(){var c=document.querySelectorAll(".card[data-id='%d']");for(var i=0;i<c.length;i++){c[i].addEventListener("click",function(e){window.dataLayer.push({event:"card_click",id:%d,label:%q})})}})();</script>`,
				i, i, g.text(200, false))
		case 7:
			b = fmt.Appendf(b, `<svg class="icon icon--star" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M12 17.27L18.18 21l-1.64-7.03L22 9.24l-7.19-.61L12 2 9.19 8.63 2 9.24l5.46 4.73L5.82 21z" fill="currentColor"/></svg><div class="promo promo--%d"><h2 class="promo__title">%s</h2><p>%s</p></div>`,
				i, g.text(30, false), g.text(400, false))
		default:
			b = fmt.Appendf(b, `<div class="card recipe-card" data-id="%d"><a href="/dishes/%d/%s" class="card__link"><img src="https://cdn.example/img/%d.jpg" alt="%s" loading="lazy" width="300" height="200"></a><div class="card__body"><h3 class="card__title">%s</h3><p class="card__desc">%s</p><ul class="tags">`,
				i, i, strings.ReplaceAll(g.text(20, false), " ", "-"), i, g.text(25, false), g.text(30, false), g.text(300+g.r.IntN(500), false))
			for t := 0; t < 3+g.r.IntN(4); t++ {
				b = fmt.Appendf(b, `<li class="tag"><a href="/tags/%s">%s</a></li>`, words[g.r.IntN(len(words))], words[g.r.IntN(len(words))])
			}
			b = append(b, `</ul><span class="rating" aria-label="4.5 stars">&#9733;&#9733;&#9733;&#9733;&#9734;</span></div></div>`...)
		}
		out[i] = append(b, '\n')
	}
	return out
}

// genLDReviews makes a listing's n page reviews, newest first.
func genLDReviews(g *textGen, listing, n int, base string) []ldReview {
	rs := make([]ldReview, n)
	for j := range rs {
		rs[j] = ldReview{
			id:        base + "#review-" + strconv.Itoa(j),
			author:    g.name(),
			title:     g.text(20+g.r.IntN(30), false),
			text:      g.text(80+g.r.IntN(600), false),
			stars:     g.stars(),
			published: benchEpoch.Add(-time.Duration(j)*26*time.Hour - time.Duration(listing)*time.Minute),
		}
	}
	return rs
}
