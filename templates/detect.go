package templates

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lexicons is the explicit table of languages a draft can be written in.
// A language needs an entry here (its keyword tables, lexicon_<lang>.go)
// and a reply/<lang>.tmpl defining every part; Load checks the second.
var lexicons = map[string]*lexicon{
	"en": english,
	"fa": persian,
	"ar": arabic,
	"es": spanish,
	"fr": french,
	"de": german,
	"he": hebrew,
	"zh": chinese,
}

// lexiconSpec is a language's keyword tables as written by people. Every
// entry is a lower-case phrase matched as whole words; a trailing "*" on
// the last word matches any ending ("overcharg*"). Keys of strong and weak
// are topic keys: a topic ("quality") or a topic and a detail
// ("quality/cold") when the templates can say something more concrete.
type lexiconSpec struct {
	// strong phrases are complaints on their own: "rude", "never arrived".
	strong map[string][]string
	// weak phrases only name what a complaint is about ("staff", "bill"):
	// they count in a clause that also carries a negative cue.
	weak map[string][]string
	// negative cues: "terrible", "late". A negated praise word ("not good")
	// counts as one too.
	negative []string
	// praise words: "great", "delicious".
	praise []string
	// aspects name what was praised, keyed by the reply/<lang>.tmpl
	// "praise/<aspect>" template that says it back.
	aspects map[string][]string
	// negators flip the sentiment of the next few words ("not", "never").
	negators []string
	// breaks split a sentence into clauses ("but"), so the praise and the
	// complaint in "great food but slow service" stay apart.
	breaks []string
}

// lexicon is a compiled lexiconSpec.
type lexicon struct {
	// sentiment holds the strong, negative and praise phrases in one list,
	// longest first, so "as promised" (praise) beats "promised" (a complaint).
	sentiment        []phrase
	weak, aspects    []phrase
	negators, breaks map[string]bool
	// multiBreaks are break phrases of several words ("但是" is two Han
	// characters, each a word).
	multiBreaks [][]string
	// hanNegators are the negators that are written in Han characters
	// ("不", "没有"): inside Chinese text they are found as substrings.
	hanNegators []string
	// clitics are the one- or two-letter prefixes a language writes onto
	// a word (Hebrew "ו", "ה", "ב"…; Arabic "و", "ال"…): a phrase word also
	// matches with one of them in front, set from the clitics table.
	clitics []string
	// topicKeys and aspectKeys list, sorted, every key the tables can
	// report, so Load can check each has a phrase in the templates.
	topicKeys, aspectKeys []string
}

// class says which list of a lexiconSpec a sentiment phrase came from.
type class int

const (
	strong class = iota
	negative
	praise
)

// phrase is one keyword entry, split into words.
type phrase struct {
	key     string // topic key or aspect; "" for cue lists
	class   class
	words   []string
	prefix  bool // the last word matches as a prefix
	negates bool // the phrase carries its own negation ("never arrived")
}

// negationWindow is how many words before a keyword a negator still
// applies to: "wasn't very good", "not the best".
const negationWindow = 3

func compile(s lexiconSpec) *lexicon {
	lx := &lexicon{negators: map[string]bool{}, breaks: map[string]bool{}}
	for _, n := range s.negators {
		w, _ := phraseWords(n)
		switch {
		case len(w) == 1:
			lx.negators[w[0]] = true
		case len(w) > 1 && isHan(w[0]):
			lx.hanNegators = append(lx.hanNegators, strings.Join(w, ""))
		}
		if len(w) == 1 && isHan(w[0]) {
			lx.hanNegators = append(lx.hanNegators, w[0])
		}
	}
	for _, b := range s.breaks {
		switch w, _ := phraseWords(b); len(w) {
		case 0:
		case 1:
			lx.breaks[w[0]] = true
		default:
			lx.multiBreaks = append(lx.multiBreaks, w)
		}
	}
	keyed := func(m map[string][]string, c class) []phrase {
		var ps []phrase
		for key, list := range m {
			ps = append(ps, lx.phrases(key, c, list)...)
		}
		return ps
	}
	lx.sentiment = longestFirst(append(append(keyed(s.strong, strong),
		lx.phrases("", negative, s.negative)...),
		lx.phrases("", praise, s.praise)...))
	lx.weak = longestFirst(keyed(s.weak, strong))
	lx.aspects = longestFirst(keyed(s.aspects, praise))
	lx.topicKeys = slices.Sorted(maps.Keys(s.strong))
	for k := range s.weak {
		if !slices.Contains(lx.topicKeys, k) {
			lx.topicKeys = append(lx.topicKeys, k)
		}
	}
	slices.Sort(lx.topicKeys)
	lx.aspectKeys = slices.Sorted(maps.Keys(s.aspects))
	return lx
}

// languages lists the draft languages, sorted.
func languages() []string { return slices.Sorted(maps.Keys(lexicons)) }

func (lx *lexicon) phrases(key string, c class, list []string) []phrase {
	ps := make([]phrase, 0, len(list))
	for _, l := range list {
		words, prefix := phraseWords(l)
		if len(words) == 0 {
			continue
		}
		p := phrase{key: key, class: c, words: words, prefix: prefix}
		for _, w := range words {
			p.negates = p.negates || lx.negators[w]
		}
		joined := strings.Join(words, "")
		for _, n := range lx.hanNegators {
			p.negates = p.negates || strings.Contains(joined, n)
		}
		ps = append(ps, p)
	}
	return ps
}

// longestFirst orders phrases so the longest match wins at a position
// ("slow delivery" over "slow"); ties go by key so results are stable
// whatever the map order was.
func longestFirst(ps []phrase) []phrase {
	sort.SliceStable(ps, func(i, j int) bool {
		if len(ps[i].words) != len(ps[j].words) {
			return len(ps[i].words) > len(ps[j].words)
		}
		if ps[i].class != ps[j].class {
			return ps[i].class < ps[j].class
		}
		if ps[i].key != ps[j].key {
			return ps[i].key < ps[j].key
		}
		return strings.Join(ps[i].words, " ") < strings.Join(ps[j].words, " ")
	})
	return ps
}

func set(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// analysis is what a review says, as far as keywords can tell.
type analysis struct {
	// topics are topic keys ("quality/cold"), at most one per topic, in
	// the order the review mentions them.
	topics []string
	// praise: some clause praises something and complains about nothing.
	praise bool
	// aspect is the first thing praised ("food"), "" if none was named.
	aspect string
	// negative: a negative cue appears somewhere.
	negative bool
}

// analyse reads a review's title and text. It never fails: a text with no
// keywords is simply vague (G9).
func (lx *lexicon) analyse(title, text string) analysis {
	var a analysis
	seen := map[string]bool{}
	for _, c := range lx.clauses(title + "\n" + text) {
		used := make([]bool, len(c))
		var hits []hit
		var complaint, soft, praised bool
		lx.scan(c, used, lx.sentiment, func(p phrase, at int, negated bool) {
			switch {
			case p.class == strong && !negated:
				hits = append(hits, hit{at, p.key})
				complaint = true
			case p.class == praise && negated: // "not good"
				soft = true
			case p.class == praise:
				praised = true
			case p.class == negative && !negated: // but "not bad" is no complaint
				soft = true
			}
		})
		// A weak word names the topic only when a generic cue says something
		// was wrong: "terrible service" is about staff, while in "the waiter
		// was slow" the word "slow" has already said what (the wait).
		if soft && !praised {
			lx.scan(c, used, lx.weak, func(p phrase, at int, _ bool) { hits = append(hits, hit{at, p.key}) })
		}
		if praised && !soft && !complaint {
			a.praise = true
			lx.scan(c, used, lx.aspects, func(p phrase, _ int, _ bool) {
				if a.aspect == "" {
					a.aspect = p.key
				}
			})
		}
		a.negative = a.negative || soft || complaint
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
		for _, h := range hits {
			if t := topicOf(h.key); !seen[t] {
				seen[t] = true
				a.topics = append(a.topics, h.key)
			}
		}
	}
	return a
}

// hit is a topic key found at a word position in a clause.
type hit struct {
	at  int
	key string
}

// topicOf returns the topic of a key: "quality/cold" → "quality".
func topicOf(key string) string {
	t, _, _ := strings.Cut(key, "/")
	return t
}

// scan reports each match of ps in the clause, left to right, longest
// first, and marks its words used so no word counts twice ("not fresh" is
// a complaint, not a negated "fresh").
func (lx *lexicon) scan(c []string, used []bool, ps []phrase, found func(p phrase, at int, negated bool)) {
	for i := 0; i < len(c); i++ {
		for _, p := range ps {
			if !lx.matchAt(c, used, i, p) {
				continue
			}
			for j := range p.words {
				used[i+j] = true
			}
			found(p, i, !p.negates && lx.negated(c, used, i))
			i += len(p.words) - 1
			break
		}
	}
}

func (lx *lexicon) matchAt(c []string, used []bool, i int, p phrase) bool {
	if i+len(p.words) > len(c) {
		return false
	}
	for j, w := range p.words {
		if used[i+j] || !wordMatch(c[i+j], w, p.prefix && j == len(p.words)-1, j == 0, lx.clitics) {
			return false
		}
	}
	return true
}

// wordMatch reports whether the text word t is the phrase word w: the
// same, or with the prefix flag starting with it, or, for the first word
// of a phrase, either of those after one of the language's clitic
// prefixes ("והמלצר" is "ו" + "ה" + "מלצר"; list the two-letter ones).
func wordMatch(t, w string, prefix, first bool, clitics []string) bool {
	if t == w || prefix && strings.HasPrefix(t, w) {
		return true
	}
	if !first {
		return false
	}
	for _, c := range clitics {
		if rest, ok := strings.CutPrefix(t, c); ok && rest != "" &&
			(rest == w || prefix && strings.HasPrefix(rest, w)) {
			return true
		}
	}
	return false
}

// negated reports whether a negator precedes word i closely in its clause.
// A negator inside an earlier match ("never arrived, nobody answered")
// has done its work there.
func (lx *lexicon) negated(c []string, used []bool, i int) bool {
	for j := max(0, i-negationWindow); j < i; j++ {
		if !used[j] && (lx.negators[c[j]] || lx.cliticNegator(c[j])) {
			return true
		}
	}
	if i == 0 || !isHan(c[i-1]) {
		return false
	}
	// Chinese: a negator is one or two characters ("不", "没有") among the
	// few characters just before the phrase ("不太好", "没有很热").
	var window strings.Builder
	for j := max(0, i-hanNegationWindow); j < i; j++ {
		if used[j] {
			window.Reset()
			continue
		}
		window.WriteString(c[j])
	}
	for _, n := range lx.hanNegators {
		if strings.Contains(window.String(), n) {
			return true
		}
	}
	return false
}

// cliticNegator reports whether w is a negator with a clitic in front
// ("ولا" is "و" + "لا").
func (lx *lexicon) cliticNegator(w string) bool {
	for _, c := range lx.clitics {
		if rest, ok := strings.CutPrefix(w, c); ok && lx.negators[rest] {
			return true
		}
	}
	return false
}

// hanNegationWindow is how many Han characters before a keyword a
// negator may start in: "不太新鲜", "没有那么好".
const hanNegationWindow = 4

// clitics are the prefixes Hebrew and Arabic attach to words: a phrase
// word matches with one of them in front (see wordMatch). Persian writes
// its few prefixes apart ("می خواهم"), Chinese has no words to prefix.
var clitics = map[string][]string{
	"he": {"ו", "ה", "ב", "ל", "מ", "ש", "כ", "וה", "וב", "ול", "ומ", "וש", "שה", "שב", "של", "מה", "כש", "בה", "לה", "וכש", "ושה"},
	"ar": {"و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "لل", "فال", "كال", "ول", "وب", "فب", "ولل"},
}

func init() {
	for lang, lx := range lexicons {
		lx.clitics = clitics[lang]
	}
}

// clauses splits text into lower-case words grouped by clause: sentence
// punctuation (Latin, Arabic and full-width: "，。！？；"), line breaks and
// break words ("but", "但是") end a clause. See sentences for what a word is.
func (lx *lexicon) clauses(text string) [][]string {
	var out [][]string
	for _, s := range sentences(text) {
		start := 0
		for i := 0; i < len(s); i++ {
			n := lx.breakAt(s, i)
			if n == 0 {
				continue
			}
			out = appendClause(out, s[start:i])
			start = i + n
			i += n - 1
		}
		out = appendClause(out, s[start:])
	}
	return out
}

// breakAt returns the length of the break phrase starting at word i, or 0.
func (lx *lexicon) breakAt(s []string, i int) int {
	if lx.breaks[s[i]] {
		return 1
	}
	for _, b := range lx.multiBreaks {
		if i+len(b) <= len(s) && slices.Equal(s[i:i+len(b)], b) {
			return len(b)
		}
	}
	return 0
}

// clauseEnds are the characters that end a clause or a sentence, in the
// scripts the drafts are written in: Latin, Arabic (، ؛ ؟) and full-width
// Chinese punctuation (，。！？；：、).
const clauseEnds = ".,;:!?()[]\n\r–—…¡¿،؛؟。，；！？：、（）「」『』《》"

// sentences splits text into normalised lower-case words grouped by
// sentence or clause punctuation. Hyphens join nothing ("rip-off" is "rip
// off"); apostrophes stay inside words. Every Han character is a word of
// its own, so a Chinese phrase ("服务员") matches as a run of characters
// anywhere inside text that has no spaces. A zero-width non-joiner, which
// Persian writes inside words ("می‌خواهم"), separates words like a space,
// so the three ways people write such a word mostly agree. Arabic and
// Hebrew vowel marks and tatweel are dropped, and Arabic letter variants
// folded (see fold), so phrase lists need list only one spelling.
func sentences(text string) [][]string {
	var (
		out  [][]string
		cur  []string
		word strings.Builder
	)
	flushWord := func() {
		w := strings.Trim(word.String(), "'")
		word.Reset()
		if w != "" {
			cur = append(cur, w)
		}
	}
	for _, r := range strings.ToLower(text) {
		r = fold(r)
		switch {
		case r == 0:
			// dropped: a vowel mark or a tatweel
		case r == '\'' || r == '’' || r == 'ʼ':
			word.WriteRune('\'')
		case unicode.Is(unicode.Han, r):
			flushWord()
			cur = append(cur, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			word.WriteRune(r)
		case strings.ContainsRune(clauseEnds, r):
			flushWord()
			out, cur = appendClause(out, cur), nil
		default:
			flushWord()
		}
	}
	flushWord()
	return appendClause(out, cur)
}

// fold maps letters that are written several ways to one, and returns 0
// for marks that matching ignores: Arabic and Hebrew vowel marks, the
// tatweel, Arabic yeh and kaf to their Persian forms (the same letters),
// and alef with hamza or madda to a bare alef.
func fold(r rune) rune {
	switch {
	case r >= 0x0591 && r <= 0x05C7 && r != 0x05BE && r != 0x05C0 && r != 0x05C3 && r != 0x05C6,
		r >= 0x0610 && r <= 0x061A, r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640,
		r >= 0x06D6 && r <= 0x06ED:
		return 0
	}
	switch r {
	case 'ي', 'ى', 'ئ':
		return 'ی'
	case 'ك':
		return 'ک'
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ۀ':
		return 'ه'
	}
	return r
}

// phraseWords splits one entry of a phrase list the way sentences splits
// text, so an entry matches what a reviewer wrote. A trailing "*" makes
// the last word match as a prefix.
func phraseWords(entry string) (words []string, prefix bool) {
	entry = strings.TrimSpace(entry)
	entry, prefix = strings.CutSuffix(entry, "*")
	for _, s := range sentences(entry) {
		words = append(words, s...)
	}
	if n := len(words); n > 0 && isHan(words[n-1]) {
		prefix = false // one character: a prefix is the character itself
	}
	return words, prefix
}

// isHan reports whether a word is one Han character.
func isHan(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return size == len(w) && unicode.Is(unicode.Han, r)
}

func appendClause(out [][]string, c []string) [][]string {
	if len(c) == 0 {
		return out
	}
	return append(out, c)
}
