package sources

import (
	"bytes"
	"strings"

	nethtml "golang.org/x/net/html"
)

// soScanHTML returns the text of every <script type="application/ld+json">
// and the first <html lang>.
//
// It follows the x/net/html tokenizer's rules exactly (tags and quoted
// attributes, comments, raw-text elements, the script escape states) but
// jumps over text, comments and raw text with bytes.IndexByte instead of
// producing every token: on a 150 KB page that made a sweep 3x the time of
// a bare client (BENCHMARKS.md). TestSOScanMatchesTokenizer checks it
// against the tokenizer.
func soScanHTML(body []byte) (blocks []string, lang string) {
	seenHTML := false
	soWalk(body, func(t soTag, text []byte) {
		if t.name == "html" && !t.selfClosing && !seenHTML {
			seenHTML = true
			if v, ok := t.attr("lang"); ok {
				lang = v
			}
		}
		if t.name == "script" && text != nil {
			if v, ok := t.attr("type"); ok && strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "application/ld+json") {
				blocks = append(blocks, soRawText(text))
			}
		}
	})
	return blocks, lang
}

// soWalk calls visit for every start tag of body, in order, as the x/net/html
// tokenizer would produce them; only <html>, <link> and the raw-text
// elements carry their name and attributes (see tag). For a script (and the other raw-text
// elements) that is not self-closing and has content, text is that raw
// content (pass it through soRawText for what the tokenizer's Text gives);
// otherwise text is nil.
func soWalk(body []byte, visit func(t soTag, text []byte)) {
	s := soScanner{b: body}
	for {
		j := bytes.IndexByte(s.b[s.i:], '<')
		if j < 0 || s.i+j+1 >= len(s.b) {
			return
		}
		s.i += j + 1
		c := s.b[s.i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			t, ok := s.tag()
			if !ok {
				return // the body ended inside a tag
			}
			var text []byte
			if raw := soRawTag(t.name); raw != "" {
				start := s.i
				end := s.rawEnd(raw)
				if !t.selfClosing && end > start {
					text = s.b[start:end]
				}
			}
			visit(t, text)
		case c == '/':
			s.i++
			if s.i >= len(s.b) {
				return
			}
			c = s.b[s.i]
			switch {
			case c == '>':
				s.i++ // "</>": no token
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
				if _, ok := s.tag(); !ok {
					return
				}
			default:
				s.untilCloseAngle()
			}
		case c == '!':
			s.markupDecl()
		case c == '?':
			s.untilCloseAngle()
		}
		// Anything else: the '<' was text.
	}
}

// soScanner is a position in a page.
type soScanner struct {
	b []byte
	i int
}

// soTag is a start or end tag: its lower-cased name and its attributes.
type soTag struct {
	raw         []byte // from '<' through '>'
	name        string
	attrs       [][2][]byte // raw key, raw value
	selfClosing bool
}

// attr returns the last value of a key (ASCII-lower-cased as the tokenizer
// does), entity-decoded.
func (t soTag) attr(key string) (string, bool) {
	for i := len(t.attrs) - 1; i >= 0; i-- {
		if soLower(t.attrs[i][0]) != key {
			continue
		}
		v := t.attrs[i][1]
		if bytes.IndexByte(v, '&') < 0 {
			return string(v), true
		}
		// Entities in attributes follow rules of their own: let the
		// tokenizer read this one tag.
		z := nethtml.NewTokenizer(bytes.NewReader(t.raw))
		z.Next()
		val, found := "", false
		for _, more := z.TagName(); more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			if string(k) == key {
				val, found = string(v), true
			}
		}
		return val, found
	}
	return "", false
}

// soLower lower-cases ASCII letters only, as the tokenizer does.
func soLower(b []byte) string {
	var buf [16]byte
	out := append(buf[:0], b...)
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}

// soKeptNames are the tags soWalk names: <html>, <link> and the raw-text
// elements.
var soKeptNames = []string{"html", "link", "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"}

// soKeptName returns name, ASCII-lower-cased as the tokenizer does, when
// it is one of soKeptNames, and "" for every other tag, without allocating:
// a page has thousands of tags.
func soKeptName(name []byte) string {
	for _, k := range soKeptNames {
		if len(k) != len(name) {
			continue
		}
		i := 0
		for ; i < len(name); i++ {
			c := name[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != k[i] {
				break
			}
		}
		if i == len(name) {
			return k
		}
	}
	return ""
}

func soSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

func (s *soScanner) skipSpace() {
	for s.i < len(s.b) && soSpace(s.b[s.i]) {
		s.i++
	}
}

// tag reads a tag whose name starts at s.i, through its '>'; ok is false
// when the body ends first (the tokenizer's ErrorToken).
func (s *soScanner) tag() (t soTag, ok bool) {
	start := s.i
	for s.i < len(s.b) && !soSpace(s.b[s.i]) && s.b[s.i] != '/' && s.b[s.i] != '>' {
		s.i++
	}
	// Only <html>, <link> (Trustpilot's rel=next) and the raw-text elements
	// matter: other tags keep no name and no attributes (most of a page's tags; allocating for them cost
	// more than the rest of the scan).
	t.name = soKeptName(s.b[start:s.i])
	keep := t.name != ""
	defer func() {
		if ok {
			t.raw = s.b[start-1 : s.i]
		}
	}()
	if s.skipSpace(); s.i >= len(s.b) {
		return t, false
	}
	lastValEnd, attrs := -1, 0
	for {
		if s.i >= len(s.b) {
			return t, false
		}
		if s.b[s.i] == '>' {
			s.i++
			break
		}
		// Attribute key.
		ks := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == '=' && s.i == ks {
				s.i++ // a leading '=' belongs to the name
				continue
			}
			if c == '=' || soSpace(c) || c == '/' || c == '>' {
				break
			}
			s.i++
		}
		key := s.b[ks:s.i]
		// Attribute value; valEnd is where the tokenizer says it ends.
		var val []byte
		valEnd := s.i
		if s.skipSpace(); s.i < len(s.b) {
			switch s.b[s.i] {
			case '/':
				s.i++
			case '=':
				s.i++
				if s.skipSpace(); s.i < len(s.b) {
					switch q := s.b[s.i]; q {
					case '>':
					case '\'', '"':
						s.i++
						vs := s.i
						k := bytes.IndexByte(s.b[s.i:], q)
						if k < 0 {
							s.i = len(s.b)
							val = s.b[vs:]
						} else {
							val = s.b[vs : vs+k]
							s.i = vs + k + 1
							valEnd = vs + k
						}
					default:
						vs := s.i
						s.i++
						for s.i < len(s.b) && !soSpace(s.b[s.i]) && s.b[s.i] != '>' {
							s.i++
						}
						val = s.b[vs:s.i]
						valEnd = s.i
					}
				}
			}
		}
		if len(key) > 0 {
			if keep {
				t.attrs = append(t.attrs, [2][]byte{key, val})
			}
			lastValEnd, attrs = valEnd-1, attrs+1
		}
		if s.skipSpace(); s.i >= len(s.b) {
			return t, false
		}
	}
	// <br/>: the character before '>' is '/', unless it ended an unquoted
	// or quoted value (<p a=/>).
	t.selfClosing = s.b[s.i-2] == '/' && (attrs == 0 || s.i-2 != lastValEnd)
	return t, true
}

// rawEnd skips the text of a raw-text element (raw is soRawTag of its
// name) whose start tag was just read, and returns where the text ends:
// at its end tag, or the end of the body (plaintext has none).
func (s *soScanner) rawEnd(raw string) int {
	switch raw {
	case "plaintext":
		s.i = len(s.b)
		return s.i
	case "script":
		return s.script()
	default:
		return s.rawText(raw)
	}
}

// markupDecl skips what follows "<!" (s.i at the '!'): a comment, or a
// doctype or bogus comment through its '>'. comment reports which.
func (s *soScanner) markupDecl() (comment bool) {
	s.i++
	if s.i+1 < len(s.b) && s.b[s.i] == '-' && s.b[s.i+1] == '-' {
		s.i += 2
		s.comment()
		return true
	}
	s.untilCloseAngle()
	return false
}

// untilCloseAngle skips through the next '>' (or to the end).
func (s *soScanner) untilCloseAngle() {
	if k := bytes.IndexByte(s.b[s.i:], '>'); k >= 0 {
		s.i += k + 1
	} else {
		s.i = len(s.b)
	}
}

// comment skips a comment whose "<!--" was read: it ends at "-->", at
// "--!>", or at once for "<!-->" and "<!--->".
func (s *soScanner) comment() {
	start := s.i
	for {
		k := bytes.IndexByte(s.b[s.i:], '>')
		if k < 0 {
			s.i = len(s.b)
			return
		}
		gt := s.i + k
		s.i = gt + 1
		pre := s.b[start:gt]
		if len(bytes.Trim(pre, "-")) == 0 || bytes.HasSuffix(pre, []byte("--")) ||
			(bytes.HasSuffix(pre, []byte("--!")) && soDashesBefore(pre[:len(pre)-1]) >= 2) {
			return
		}
	}
}

// soDashesBefore counts the dashes at the end of b.
func soDashesBefore(b []byte) int {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '-' {
		n++
	}
	return n
}

// rawEndTag reports whether "</"+tag (any case) and a delimiter start at
// s.i-2; it does not move.
func (s *soScanner) rawEndTag(at int, tag string) bool {
	end := at + len(tag)
	if end >= len(s.b) || !strings.EqualFold(string(s.b[at:end]), tag) {
		return false
	}
	switch s.b[end] {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		return true
	}
	return false
}

// rawText skips the raw text of a style, textarea, title... element and
// returns where it ends (at its "</tag", or the end of the body).
func (s *soScanner) rawText(tag string) int {
	for {
		k := bytes.Index(s.b[s.i:], []byte("</"))
		if k < 0 {
			s.i = len(s.b)
			return s.i
		}
		at := s.i + k
		if s.rawEndTag(at+2, tag) {
			s.i = at
			return at
		}
		s.i = at + 2
	}
}

// script skips a script's text and returns where it ends. It is the
// tokenizer's readScript, state for state (a "<!--" hides a nested
// "<script>"'s "</script>"), with the plain state jumping to the next '<'.
func (s *soScanner) script() int {
	b, i, eof := s.b, s.i, false
	read := func() byte {
		if i >= len(b) {
			eof = true
			return 0
		}
		i++
		return b[i-1]
	}
	// endTag is readRawEndTag: "script" in any case and a delimiter; on a
	// match it backs up to the "</".
	endTag := func() bool {
		for k := 0; k < len("script"); k++ {
			c := read()
			if eof {
				return false
			}
			if c != "script"[k] && c != "SCRIPT"[k] {
				i--
				return false
			}
		}
		c := read()
		if eof {
			return false
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			i -= 3 + len("script")
			return true
		}
		i--
		return false
	}
	var c byte
	var k int
scriptData:
	if k = bytes.IndexByte(b[i:], '<'); k < 0 {
		i = len(b)
		goto done
	}
	i += k + 1
	if c = read(); eof {
		goto done
	}
	switch c {
	case '/':
		if endTag() || eof {
			goto done
		}
		goto scriptData
	case '!':
		goto scriptDataEscapeStart
	}
	i--
	goto scriptData
scriptDataEscapeStart:
	if c = read(); eof {
		goto done
	}
	if c != '-' {
		i--
		goto scriptData
	}
	if c = read(); eof {
		goto done
	}
	if c == '-' {
		goto scriptDataEscapedDashDash
	}
	i--
	goto scriptData
scriptDataEscaped:
	if c = read(); eof {
		goto done
	}
	switch c {
	case '-':
		goto scriptDataEscapedDash
	case '<':
		goto scriptDataEscapedLessThanSign
	}
	goto scriptDataEscaped
scriptDataEscapedDash:
	if c = read(); eof {
		goto done
	}
	switch c {
	case '-':
		goto scriptDataEscapedDashDash
	case '<':
		goto scriptDataEscapedLessThanSign
	}
	goto scriptDataEscaped
scriptDataEscapedDashDash:
	if c = read(); eof {
		goto done
	}
	switch c {
	case '-':
		goto scriptDataEscapedDashDash
	case '<':
		goto scriptDataEscapedLessThanSign
	case '>':
		goto scriptData
	}
	goto scriptDataEscaped
scriptDataEscapedLessThanSign:
	if c = read(); eof {
		goto done
	}
	if c == '/' {
		if endTag() || eof {
			goto done
		}
		goto scriptDataEscaped
	}
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
		i--
		for k = 0; k < len("script"); k++ {
			if c = read(); eof {
				goto done
			}
			if c != "script"[k] && c != "SCRIPT"[k] {
				i--
				goto scriptDataEscaped
			}
		}
		if c = read(); eof {
			goto done
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			goto scriptDataDoubleEscaped
		}
		i--
		goto scriptDataEscaped
	}
	i--
	goto scriptData
scriptDataDoubleEscaped:
	if c = read(); eof {
		goto done
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	}
	goto scriptDataDoubleEscaped
scriptDataDoubleEscapedDash:
	if c = read(); eof {
		goto done
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDashDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	}
	goto scriptDataDoubleEscaped
scriptDataDoubleEscapedDashDash:
	if c = read(); eof {
		goto done
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDashDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	case '>':
		goto scriptData
	}
	goto scriptDataDoubleEscaped
scriptDataDoubleEscapedLessThanSign:
	if c = read(); eof {
		goto done
	}
	if c != '/' {
		i--
		goto scriptDataDoubleEscaped
	}
	if endTag() {
		i += len("</script>")
		goto scriptDataEscaped
	}
	if eof {
		goto done
	}
	goto scriptDataDoubleEscaped
done:
	s.i = i
	return i
}

// soRawTag is the raw-text element a start tag opens ("" for none).
func soRawTag(name string) string {
	switch name {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return name
	}
	return ""
}

// soRawText is raw text as the tokenizer's Text gives it: "\r\n" and "\r"
// become "\n", NUL becomes U+FFFD.
func soRawText(b []byte) string {
	if bytes.IndexByte(b, '\r') >= 0 {
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	}
	if bytes.IndexByte(b, 0) >= 0 {
		b = bytes.ReplaceAll(b, []byte{0}, []byte("\uFFFD"))
	}
	return string(b)
}
