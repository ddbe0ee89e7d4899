package sources

import (
	"bytes"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// taScanPage reads a Tripadvisor listing page without building its DOM:
// html.Parse was ~90% of parseTaPage (BENCHMARKS.md, "parse"), yet only the
// JSON-LD scripts, <html lang> and the ~10 review cards matter.
//
// It walks the page with the schema.org IndexByte scanner (soScanner, exact
// to the x/net/html tokenizer) and replays the HTML tree-construction rules
// on a stack of open elements, so it knows where each element ends. Only
// inside a review card does it tokenize fully (html.Tokenizer) and build
// nodes, which the DOM path's selectors (taPageReview) then read.
//
// The rules replayed are the ones under which every node is appended to
// the current node: ok is false, and the caller builds the whole DOM, as
// soon as the page needs anything else (tables, select, templates,
// framesets, formatting elements the adoption agency would move or
// reconstruct, foreign content other than plain nested SVG/MathML,
// attributes merged into <html> or <body>, text before <body>...).
// TestTaScanMatchesDOM and FuzzTaScanPage check it against the DOM.
func taScanPage(body []byte) (taPage, bool) {
	m := taSim{body: body, card: -1}
	s := soScanner{b: body}
	for !m.bail {
		j := bytes.IndexByte(s.b[s.i:], '<')
		if j < 0 || s.i+j+1 >= len(s.b) {
			if m.mode < taInBody && !taBlank(s.b[s.i:]) {
				m.stop() // text before <body>: leave the modes to the DOM
			}
			break
		}
		if m.mode < taInBody && !taBlank(s.b[s.i:s.i+j]) {
			m.stop()
			break
		}
		lt := s.i + j
		s.i = lt + 1
		c := s.b[s.i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			nameStart := s.i
			t, ok := s.tag()
			if !ok {
				s.i = len(s.b) // the body ended inside a tag: no token
				break
			}
			tk := taTok{raw: s.b[lt:s.i], selfClosing: t.selfClosing}
			tk.setName(s.b[nameStart:])
			// The tokenizer reads a raw-text element's content whatever the
			// parser makes of the tag.
			var text []byte
			if raw := soRawTag(tk.name); raw != "" {
				if raw == "plaintext" {
					m.stop()
				}
				start := s.i
				text = s.b[start:s.rawEnd(raw)]
			}
			if m.bail {
				break
			}
			m.start(&tk)
			if m.card >= 0 {
				// A review card opened: read it with the tokenizer.
				s.i = m.readCard(lt)
				break
			}
			if m.rawOpen && m.ldNext {
				m.ld = append(m.ld, soRawText(text))
				m.ldNext = false
			}
		case c == '/':
			s.i++
			if s.i >= len(s.b) {
				break
			}
			c = s.b[s.i]
			switch {
			case c == '>':
				s.i++ // "</>": no token
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
				nameStart := s.i
				if _, ok := s.tag(); !ok {
					s.i = len(s.b)
					break
				}
				tk := taTok{end: true}
				tk.setName(s.b[nameStart:])
				m.end(&tk)
			default:
				s.untilCloseAngle() // a bogus comment
			}
		case c == '!':
			if !s.markupDecl() && m.foreign() {
				m.stop() // CDATA sections are read in foreign content
			}
		case c == '?':
			s.untilCloseAngle()
		default:
			if m.mode < taInBody {
				m.stop() // the '<' was text, before <body>
			}
		}
	}
	if m.bail {
		return taPage{}, false
	}
	d := taPage{ld: m.ld}
	if m.rootRaw != nil {
		for _, a := range taTagToken(m.rootRaw).Attr {
			if a.Key == "lang" {
				d.lang = a.Val
				break
			}
		}
	}
	for _, c := range m.cards {
		s := goquery.NewDocumentFromNode(c).Selection
		if s.Is(taCardSel) {
			d.cards = append(d.cards, s)
		}
		s.Find(taCardSel).Each(func(_ int, x *goquery.Selection) { d.cards = append(d.cards, x) })
	}
	return d, true
}

// taBlank reports whether b is only the parser's whitespace.
func taBlank(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '\f':
		default:
			return false
		}
	}
	return true
}

// taTagToken is the tokenizer's reading of one tag (attributes unescaped).
func taTagToken(raw []byte) html.Token {
	z := html.NewTokenizer(bytes.NewReader(raw))
	z.Next()
	return z.Token()
}

// taTok is a tag as the tree builder sees it.
type taTok struct {
	atom        atom.Atom
	name        string // the tokenizer's Data: lower-cased
	raw         []byte // a start tag from '<' through '>' (walker only)
	attr        []html.Attribute
	tokenized   bool // attr is known (inside a card)
	selfClosing bool
	end         bool
}

// setName reads the tag name starting at b[0] as the tokenizer does.
func (t *taTok) setName(b []byte) {
	n := 0
	for n < len(b) && !soSpace(b[n]) && b[n] != '/' && b[n] != '>' {
		n++
	}
	var buf [32]byte
	low := buf[:0]
	if n > len(buf) {
		low = make([]byte, 0, n)
	}
	for _, c := range b[:n] {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low = append(low, c)
	}
	if t.atom = atom.Lookup(low); t.atom != 0 {
		t.name = t.atom.String()
	} else {
		t.name = string(low)
	}
}

// attrs are the tag's attributes, tokenized on first use.
func (t *taTok) attrs() []html.Attribute {
	if !t.tokenized {
		t.attr = taTagToken(t.raw).Attr
		t.tokenized = true
	}
	return t.attr
}

// Insertion modes replayed (the rest bail).
const (
	taBeforeHTML = iota // and "initial": they differ only on doctypes and text
	taBeforeHead
	taInHead
	taAfterHead
	taInBody // and "after body", "after after body": see taSim.afterBody
)

// taEl is an open element.
type taEl struct {
	atom atom.Atom
	name string
	raw  []byte     // its start tag; nil when implied
	ns   bool       // SVG or MathML
	fmt  bool       // in the list of active formatting elements
	node *html.Node // inside a card only
	id   int
}

// taSim replays tree construction over the page's tags.
type taSim struct {
	body    []byte
	mode    int
	stack   []taEl
	nextID  int
	form    int  // the form element pointer (an id; 0 = none)
	rawOpen bool // the top is a raw-text element: the next end tag closes it
	// afterBody is "after body"/"after after body": tokens go on as in body
	// except comments, which the DOM hangs elsewhere.
	afterBody bool
	bail      bool
	rootRaw   []byte // the <html> tag that made the root
	ld        []string
	ldNext    bool // the raw text to come is a JSON-LD script's
	// card is the index in stack of the review card being read, -1 if
	// none; cardID is its id.
	card, cardID int
	cards        []*html.Node
}

func (m *taSim) top() *taEl { return &m.stack[len(m.stack)-1] }

// inCard reports whether the card being read is still open, so that
// elements and text go into its tree.
func (m *taSim) inCard() bool {
	return m.card >= 0 && m.card < len(m.stack) && m.stack[m.card].id == m.cardID
}

// foreign reports whether tokens go through the foreign-content rules.
func (m *taSim) foreign() bool { return len(m.stack) > 0 && m.top().ns }

func (m *taSim) push(t *taTok, ns bool) {
	if len(m.stack) >= 500 {
		m.stop() // html.Parse refuses pages nested deeper than 512
		return
	}
	m.nextID++
	e := taEl{atom: t.atom, name: t.name, raw: t.raw, ns: ns, id: m.nextID}
	if m.inCard() {
		e.node = m.newNode(t)
		m.top().node.AppendChild(e.node)
	}
	m.stack = append(m.stack, e)
}

// newNode is the element the parser would make of t.
func (m *taSim) newNode(t *taTok) *html.Node {
	return &html.Node{Type: html.ElementNode, DataAtom: t.atom, Data: t.name, Attr: t.attrs()}
}

// void inserts an element that is popped at once.
func (m *taSim) void(t *taTok) {
	if m.inCard() {
		m.top().node.AppendChild(m.newNode(t))
	}
}

// implied pushes an element no tag named.
func (m *taSim) implied(a atom.Atom) {
	t := taTok{atom: a, name: a.String(), tokenized: true}
	m.push(&t, false)
}

// popTo pops stack[i:]; an active formatting element among them would be
// reconstructed later, which is not replayed.
func (m *taSim) popTo(i int) {
	for _, e := range m.stack[i:] {
		if e.fmt {
			m.stop()
		}
	}
	m.stack = m.stack[:i]
}

// special is the parser's "special" category.
func (e *taEl) special() bool {
	if e.ns {
		return false // the special SVG/MathML elements bail when opened
	}
	switch e.atom {
	case atom.Address, atom.Applet, atom.Area, atom.Article, atom.Aside, atom.Base, atom.Basefont,
		atom.Bgsound, atom.Blockquote, atom.Body, atom.Br, atom.Button, atom.Caption, atom.Center,
		atom.Col, atom.Colgroup, atom.Dd, atom.Details, atom.Dir, atom.Div, atom.Dl, atom.Dt, atom.Embed,
		atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form, atom.Frame, atom.Frameset,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Head, atom.Header, atom.Hgroup,
		atom.Hr, atom.Html, atom.Iframe, atom.Img, atom.Input, atom.Keygen, atom.Li, atom.Link,
		atom.Listing, atom.Main, atom.Marquee, atom.Menu, atom.Meta, atom.Nav, atom.Noembed,
		atom.Noframes, atom.Noscript, atom.Object, atom.Ol, atom.P, atom.Param, atom.Plaintext,
		atom.Pre, atom.Script, atom.Section, atom.Select, atom.Source, atom.Style, atom.Summary,
		atom.Table, atom.Tbody, atom.Td, atom.Template, atom.Textarea, atom.Tfoot, atom.Th,
		atom.Thead, atom.Title, atom.Tr, atom.Track, atom.Ul, atom.Wbr, atom.Xmp:
		return true
	}
	return false
}

// Scopes of indexInScope.
const (
	taDefaultScope = iota
	taListItemScope
	taButtonScope
)

// indexInScope is the parser's indexOfElementInScope for the scopes that
// can arise here (applet, table, template... bail when opened).
func (m *taSim) indexInScope(scope int, tags ...atom.Atom) int {
	for i := len(m.stack) - 1; i >= 0; i-- {
		e := &m.stack[i]
		if e.ns {
			continue
		}
		for _, t := range tags {
			if e.atom == t {
				return i
			}
		}
		switch {
		case e.atom == atom.Html,
			scope == taListItemScope && (e.atom == atom.Ol || e.atom == atom.Ul),
			scope == taButtonScope && e.atom == atom.Button:
			return -1
		}
	}
	return -1
}

func (m *taSim) popUntil(scope int, tags ...atom.Atom) {
	if i := m.indexInScope(scope, tags...); i >= 0 {
		m.popTo(i)
	}
}

// closeP is "close a p element in button scope".
func (m *taSim) closeP() { m.popUntil(taButtonScope, atom.P) }

// rawElement opens a raw-text element: its text follows, then any end tag
// (or the end of the page) closes it.
func (m *taSim) rawElement(t *taTok) {
	m.push(t, false)
	m.rawOpen = true
	if t.atom == atom.Script {
		for _, a := range t.attrs() {
			if a.Key == "type" {
				m.ldNext = strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "application/ld+json")
				break
			}
		}
	}
}

// start replays a start (or self-closing) tag.
func (m *taSim) start(t *taTok) {
	for !m.bail {
		if m.foreign() {
			m.startForeign(t)
			return
		}
		switch m.mode {
		case taBeforeHTML:
			if t.atom == atom.Html {
				m.push(t, false)
				m.rootRaw = t.raw
				m.mode = taBeforeHead
				return
			}
			m.implied(atom.Html)
			m.mode = taBeforeHead
			continue
		case taBeforeHead:
			switch t.atom {
			case atom.Head:
				m.push(t, false)
				m.mode = taInHead
				return
			case atom.Html:
				m.startBody(t)
				return
			}
			m.implied(atom.Head)
			m.mode = taInHead
			continue
		case taInHead, taAfterHead:
			switch t.atom {
			case atom.Html:
				m.startBody(t)
				return
			case atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta:
				return // inserted into head and popped
			case atom.Script, atom.Title, atom.Noframes, atom.Style:
				m.rawElement(t)
				return
			case atom.Noscript:
				if m.mode == taInHead {
					m.rawElement(t) // scripting is on, as in html.Parse
					return
				}
			case atom.Head:
				return // ignored
			case atom.Template, atom.Frameset:
				m.stop()
				return
			case atom.Body:
				if m.mode == taAfterHead {
					m.push(t, false)
					m.mode = taInBody
					return
				}
			}
			if m.mode == taInHead {
				m.popTo(len(m.stack) - 1) // head
				m.mode = taAfterHead
				continue
			}
			m.implied(atom.Body)
			m.mode = taInBody
			continue
		default:
			m.startBody(t)
			return
		}
	}
}

// startForeign is a start tag inside <svg> or <math>: plain nested
// elements only.
func (m *taSim) startForeign(t *taTok) {
	if m.card >= 0 || t.atom == atom.Font || taBreakout(t.atom) || soRawTag(t.name) != "" {
		m.stop()
		return
	}
	switch t.name {
	case "foreignobject", "desc", "title", "annotation-xml", "mi", "mo", "mn", "ms", "mtext":
		m.stop() // integration points switch back to HTML rules
		return
	}
	m.push(t, true)
	if t.selfClosing {
		m.stack = m.stack[:len(m.stack)-1]
	}
}

// taBreakout are the start tags that leave foreign content.
func taBreakout(a atom.Atom) bool {
	switch a {
	case atom.B, atom.Big, atom.Blockquote, atom.Body, atom.Br, atom.Center, atom.Code, atom.Dd,
		atom.Div, atom.Dl, atom.Dt, atom.Em, atom.Embed, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5,
		atom.H6, atom.Head, atom.Hr, atom.I, atom.Img, atom.Li, atom.Listing, atom.Menu, atom.Meta,
		atom.Nobr, atom.Ol, atom.P, atom.Pre, atom.Ruby, atom.S, atom.Small, atom.Span, atom.Strong,
		atom.Strike, atom.Sub, atom.Sup, atom.Table, atom.Tt, atom.U, atom.Ul, atom.Var:
		return true
	}
	return false
}

// startBody is a start tag "in body".
func (m *taSim) startBody(t *taTok) {
	if t.atom != atom.Html {
		m.afterBody = false
	}
	switch t.atom {
	case atom.Html, atom.Body:
		// Attributes would be merged into the root or the body, which the
		// card's ancestors (and lang) would have to see.
		if len(t.attrs()) > 0 {
			m.stop()
		}
	case atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track:
		m.void(t)
	case atom.Area, atom.Br, atom.Embed, atom.Img, atom.Input, atom.Keygen, atom.Wbr:
		m.void(t)
	case atom.Image:
		t.atom, t.name = atom.Img, "img"
		m.void(t)
	case atom.Hr:
		m.closeP()
		m.void(t)
	case atom.Noframes, atom.Script, atom.Style, atom.Title, atom.Textarea, atom.Iframe, atom.Noembed, atom.Noscript:
		m.rawElement(t)
	case atom.Xmp:
		m.closeP()
		m.rawElement(t)
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details, atom.Dialog,
		atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Header,
		atom.Hgroup, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Search, atom.Section,
		atom.Summary, atom.Ul, atom.Pre, atom.Listing:
		m.closeP()
		m.push(t, false)
		if t.atom == atom.Div && m.card < 0 && taMayBeCard(t.raw) {
			m.maybeCard(t)
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		m.closeP()
		switch m.top().atom {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			m.popTo(len(m.stack) - 1)
		}
		m.push(t, false)
	case atom.Form:
		if m.form != 0 {
			return // ignored
		}
		m.closeP()
		m.push(t, false)
		m.form = m.top().id
	case atom.Li, atom.Dd, atom.Dt:
		for i := len(m.stack) - 1; i >= 0; i-- {
			e := &m.stack[i]
			if e.atom == t.atom || (t.atom != atom.Li && (e.atom == atom.Dd || e.atom == atom.Dt)) {
				if !e.ns {
					m.popTo(i)
					break
				}
			}
			if e.atom == atom.Address || e.atom == atom.Div || e.atom == atom.P {
				if !e.ns {
					continue
				}
			}
			if e.special() {
				break
			}
		}
		m.closeP()
		m.push(t, false)
	case atom.Button:
		m.popUntil(taDefaultScope, atom.Button)
		m.push(t, false)
	case atom.A, atom.B, atom.Big, atom.Code, atom.Em, atom.Font, atom.I, atom.S, atom.Small, atom.Strike,
		atom.Strong, atom.Tt, atom.U:
		same := 0
		for _, e := range m.stack {
			if e.fmt && e.atom == t.atom {
				same++
			}
		}
		if t.atom == atom.A && same > 0 {
			// An <a> still open (<a .../> is one) is closed first, by the
			// adoption agency as for </a>.
			m.adoption(&taTok{atom: atom.A, name: "a", end: true})
			same = 0
		}
		// A third identical element would drop the first from the list
		// (Noah's Ark).
		if same >= 2 || m.bail {
			m.stop()
			return
		}
		m.push(t, false)
		m.top().fmt = true
	case atom.Optgroup, atom.Option:
		if m.top().atom == atom.Option && !m.top().ns {
			m.popTo(len(m.stack) - 1)
		}
		m.push(t, false)
	case atom.Math, atom.Svg:
		if m.card >= 0 {
			m.stop()
			return
		}
		m.push(t, true)
		if t.selfClosing {
			m.stack = m.stack[:len(m.stack)-1]
		}
	case atom.Caption, atom.Col, atom.Colgroup, atom.Frame, atom.Head, atom.Tbody, atom.Td, atom.Tfoot,
		atom.Th, atom.Thead, atom.Tr:
		// Ignored in body.
	case atom.Table, atom.Select, atom.Template, atom.Frameset, atom.Plaintext, atom.Applet, atom.Marquee,
		atom.Object, atom.Nobr, atom.Rb, atom.Rtc, atom.Rp, atom.Rt:
		m.stop()
	default:
		m.push(t, false)
	}
}

// taMayBeCard reports whether a start tag may carry data-reviewid (names are
// only ASCII-lower-cased, never unescaped).
func taMayBeCard(raw []byte) bool {
	const key = "data-reviewid"
	for i := 0; i+len(key) <= len(raw); i++ {
		j := bytes.IndexAny(raw[i:], "dD")
		if j < 0 || i+j+len(key) > len(raw) {
			return false
		}
		i += j
		if strings.EqualFold(string(raw[i:i+len(key)]), key) {
			return true
		}
	}
	return false
}

// maybeCard starts reading a card when the div just opened is one: the
// card's ancestors become nodes too, so selectors looking up (Closest)
// see what they would in the DOM.
func (m *taSim) maybeCard(t *taTok) {
	n := m.newNode(t)
	if !goquery.NewDocumentFromNode(n).Selection.Is(taCardSel) {
		return
	}
	var parent *html.Node
	for i := range m.stack[:len(m.stack)-1] {
		e := &m.stack[i]
		a := &html.Node{Type: html.ElementNode, DataAtom: e.atom, Data: e.name}
		if e.raw != nil {
			a.Attr = taTagToken(e.raw).Attr
		}
		if parent != nil {
			parent.AppendChild(a)
		}
		parent = a
	}
	if parent != nil {
		parent.AppendChild(n)
	}
	m.top().node = n
	m.card, m.cardID = len(m.stack)-1, m.top().id
	m.cards = append(m.cards, n)
}

// end replays an end tag.
func (m *taSim) end(t *taTok) {
	if m.rawOpen {
		m.rawOpen, m.ldNext = false, false // a script without text: nothing to read
		m.popTo(len(m.stack) - 1)
		return
	}
	for !m.bail {
		if m.foreign() {
			if strings.EqualFold(m.top().name, t.name) {
				m.stack = m.stack[:len(m.stack)-1]
				return
			}
			m.stop() // the loop down the stack, or HTML rules
			return
		}
		switch m.mode {
		case taBeforeHTML:
			switch t.atom {
			case atom.Head, atom.Body, atom.Html, atom.Br:
				m.implied(atom.Html)
				m.mode = taBeforeHead
				continue
			}
			return
		case taBeforeHead:
			switch t.atom {
			case atom.Head, atom.Body, atom.Html, atom.Br:
				m.implied(atom.Head)
				m.mode = taInHead
				continue
			}
			return
		case taInHead:
			switch t.atom {
			case atom.Head, atom.Body, atom.Html, atom.Br:
				m.popTo(len(m.stack) - 1)
				m.mode = taAfterHead
				if t.atom == atom.Head {
					return
				}
				continue
			}
			return
		case taAfterHead:
			switch t.atom {
			case atom.Body, atom.Html, atom.Br:
				m.implied(atom.Body)
				m.mode = taInBody
				continue
			}
			return
		default:
			m.endBody(t)
			return
		}
	}
}

// endBody is an end tag "in body".
func (m *taSim) endBody(t *taTok) {
	if t.atom != atom.Html && t.atom != atom.Body {
		m.afterBody = false
	}
	switch t.atom {
	case atom.Body, atom.Html:
		if m.indexInScope(taDefaultScope, atom.Body) >= 0 {
			m.afterBody = true
		}
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Button, atom.Center, atom.Details,
		atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer,
		atom.Header, atom.Hgroup, atom.Listing, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.Pre,
		atom.Search, atom.Section, atom.Summary, atom.Ul:
		m.popUntil(taDefaultScope, t.atom)
	case atom.Form:
		node := m.form
		m.form = 0
		i := m.indexInScope(taDefaultScope, atom.Form)
		if node == 0 || i < 0 || m.stack[i].id != node {
			return
		}
		m.impliedEnds()
		for i := len(m.stack) - 1; i >= 0; i-- {
			if m.stack[i].id == node {
				m.stack = append(m.stack[:i], m.stack[i+1:]...)
				if i < m.card {
					m.card-- // the card moved down the stack
				}
				break
			}
		}
	case atom.P:
		if m.indexInScope(taButtonScope, atom.P) < 0 {
			p := taTok{atom: atom.P, name: "p", tokenized: true}
			m.void(&p) // an empty <p>, opened and closed
			return
		}
		m.closeP()
	case atom.Li:
		m.popUntil(taListItemScope, atom.Li)
	case atom.Dd, atom.Dt:
		m.popUntil(taDefaultScope, t.atom)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		m.popUntil(taDefaultScope, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6)
	case atom.A, atom.B, atom.Big, atom.Code, atom.Em, atom.Font, atom.I, atom.Nobr, atom.S, atom.Small,
		atom.Strike, atom.Strong, atom.Tt, atom.U:
		m.adoption(t)
	case atom.Applet, atom.Marquee, atom.Object, atom.Template:
		// Never open here (they bail), so ignored.
	case atom.Br:
		br := taTok{atom: atom.Br, name: "br", attr: t.attr, tokenized: true}
		m.void(&br) // </br> is <br> (with what Token made of the end tag's attributes)
	default:
		m.endOther(t)
	}
}

// impliedEnds is "generate implied end tags".
func (m *taSim) impliedEnds() {
	i := len(m.stack)
	for i > 0 {
		switch m.stack[i-1].atom {
		case atom.Dd, atom.Dt, atom.Li, atom.Optgroup, atom.Option, atom.P, atom.Rb, atom.Rp, atom.Rt, atom.Rtc:
			i--
			continue
		}
		break
	}
	m.popTo(i)
}

// adoption is the adoption agency where it only pops: the formatting
// element has no special element above it.
func (m *taSim) adoption(t *taTok) {
	if top := m.top(); top.name == t.name && !top.fmt {
		m.popTo(len(m.stack) - 1)
		return
	}
	fe := -1
	for i := len(m.stack) - 1; i >= 0; i-- {
		if m.stack[i].fmt && m.stack[i].atom == t.atom {
			fe = i
			break
		}
	}
	if fe < 0 {
		m.endOther(t)
		return
	}
	for i := fe + 1; i < len(m.stack); i++ {
		if m.stack[i].special() {
			m.stop() // the furthest block: nodes would move
			return
		}
	}
	m.stack[fe].fmt = false
	m.popTo(fe)
}

// endOther is "any other end tag".
func (m *taSim) endOther(t *taTok) {
	for i := len(m.stack) - 1; i >= 0; i-- {
		e := &m.stack[i]
		if e.atom == t.atom && e.name == t.name {
			m.popTo(i)
			return
		}
		if e.special() {
			return
		}
	}
}

// readCard reads the review card whose start tag begins at body[at] with
// the tokenizer, building its nodes, until the card is closed; it returns
// where the walk goes on.
func (m *taSim) readCard(at int) int {
	defer func() { m.card = -1 }()
	z := html.NewTokenizer(bytes.NewReader(m.body[at:]))
	if tt := z.Next(); tt != html.StartTagToken && tt != html.SelfClosingTagToken {
		m.stop() // not the walker's reading: cannot happen
		return len(m.body)
	}
	pos := at + len(z.Raw())
	for !m.bail && m.inCard() {
		tt := z.Next()
		start := pos
		pos += len(z.Raw())
		tok := z.Token()
		switch tt {
		case html.ErrorToken:
			return len(m.body)
		case html.StartTagToken, html.SelfClosingTagToken:
			t := taTok{atom: tok.DataAtom, name: tok.Data, raw: m.body[start:pos], attr: tok.Attr, tokenized: true,
				selfClosing: tt == html.SelfClosingTagToken}
			m.start(&t)
		case html.EndTagToken:
			m.end(&taTok{atom: tok.DataAtom, name: tok.Data, attr: tok.Attr, tokenized: true, end: true})
		case html.TextToken:
			m.text(tok.Data)
		case html.CommentToken:
			if !m.afterBody {
				m.top().node.AppendChild(&html.Node{Type: html.CommentNode, Data: tok.Data})
			}
		}
	}
	return pos
}

// text is a text token inside a card.
func (m *taSim) text(d string) {
	if m.rawOpen {
		if m.ldNext {
			m.ld = append(m.ld, d)
			m.ldNext = false
		}
		if top := m.top(); top.atom == atom.Textarea && top.node.FirstChild == nil {
			d = strings.TrimPrefix(d, "\r")
			d = strings.TrimPrefix(d, "\n")
		}
		m.addText(d)
		return
	}
	if m.foreign() {
		m.stop()
		return
	}
	if top := m.top(); (top.atom == atom.Pre || top.atom == atom.Listing) && top.node.FirstChild == nil {
		d = strings.TrimPrefix(d, "\r")
		d = strings.TrimPrefix(d, "\n")
	}
	d = strings.ReplaceAll(d, "\x00", "")
	if d == "" {
		return
	}
	if strings.TrimLeft(d, " \t\r\n\f") != "" {
		m.afterBody = false
	}
	m.addText(d)
}

// addText appends text to the current node, merging with a text before it.
func (m *taSim) addText(d string) {
	if d == "" {
		return
	}
	n := m.top().node
	if c := n.LastChild; c != nil && c.Type == html.TextNode {
		c.Data += d
		return
	}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: d})
}

// stop gives the page to the DOM.
func (m *taSim) stop() { m.bail = true }
