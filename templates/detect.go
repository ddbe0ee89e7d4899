package templates

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// lexicons is the explicit table of languages a draft can be written in.
// A language needs an entry here (its keyword tables, lexicon_<lang>.go)
// and a reply/<lang>.tmpl defining every part; Load checks the second.
var lexicons = map[string]*lexicon{
	"en": english,
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
	lx := &lexicon{negators: set(s.negators), breaks: set(s.breaks)}
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
		words := strings.Fields(l)
		if len(words) == 0 {
			continue
		}
		p := phrase{key: key, class: c, words: words}
		last := words[len(words)-1]
		if strings.HasSuffix(last, "*") {
			p.prefix = true
			words[len(words)-1] = strings.TrimSuffix(last, "*")
		}
		for _, w := range words {
			p.negates = p.negates || lx.negators[w]
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
			if !matchAt(c, used, i, p) {
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

func matchAt(c []string, used []bool, i int, p phrase) bool {
	if i+len(p.words) > len(c) {
		return false
	}
	for j, w := range p.words {
		if used[i+j] {
			return false
		}
		last := j == len(p.words)-1
		if c[i+j] != w && !(last && p.prefix && strings.HasPrefix(c[i+j], w)) {
			return false
		}
	}
	return true
}

// negated reports whether a negator precedes word i closely in its clause.
// A negator inside an earlier match ("never arrived, nobody answered")
// has done its work there.
func (lx *lexicon) negated(c []string, used []bool, i int) bool {
	for j := max(0, i-negationWindow); j < i; j++ {
		if lx.negators[c[j]] && !used[j] {
			return true
		}
	}
	return false
}

// clauses splits text into lower-case words grouped by clause: sentence
// punctuation, line breaks and break words ("but") end a clause. Hyphens
// join nothing ("rip-off" is "rip off"); apostrophes stay inside words.
func (lx *lexicon) clauses(text string) [][]string {
	var (
		out  [][]string
		cur  []string
		word strings.Builder
	)
	flushWord := func() {
		w := strings.Trim(word.String(), "'")
		word.Reset()
		switch {
		case w == "":
		case lx.breaks[w]:
			out, cur = appendClause(out, cur), nil
		default:
			cur = append(cur, w)
		}
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ':
			word.WriteRune('\'')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			word.WriteRune(r)
		case strings.ContainsRune(".,;:!?()[]\n\r–—…¡¿،؛؟。，；！？", r):
			flushWord()
			out, cur = appendClause(out, cur), nil
		default:
			flushWord()
		}
	}
	flushWord()
	return appendClause(out, cur)
}

func appendClause(out [][]string, c []string) [][]string {
	if len(c) == 0 {
		return out
	}
	return append(out, c)
}
