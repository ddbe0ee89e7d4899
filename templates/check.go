package templates

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Finding is one rule an edited or generated draft breaks: the rule id of
// GUIDELINES.md ("G4", "G8"), the words of the draft that break it, and a
// sentence for the person editing the draft.
type Finding struct {
	Rule    string
	Words   []string
	Message string
}

// rulesFile is rules/<lang>.yaml as people write it: phrase lists the
// checker (Check) and the escalation (E1-E4) match, lower-case, on whole
// words ('*' at a word's end matches any ending; inside Chinese text a
// phrase matches anywhere).
type rulesFile struct {
	Apology    []string `yaml:"apology"`  // G4: a complaint draft needs exactly one
	Sarcasm    []string `yaml:"sarcasm"`  // G1
	Blame      []string `yaml:"blame"`    // G5
	Negative   []string `yaml:"negative"` // G6
	Promise    []string `yaml:"promise"`  // G8, unless inside a configured offer
	Premium    []string `yaml:"premium"`  // T5, optional
	Repeat     []string `yaml:"repeat"`   // T3, optional
	Escalation struct {
		Threat   []string `yaml:"threat"`    // E1
		SelfHarm []string `yaml:"self_harm"` // E1
		Legal    []string `yaml:"legal"`     // holding reply, manager review
		Health   []string `yaml:"health"`    // holding reply, manager review
		Abuse    []string `yaml:"abuse"`     // E3
	} `yaml:"escalation"`
}

// rules is a compiled rulesFile.
type rules struct {
	apology, sarcasm, blame, negative, promise, premium, repeat []phrase
	threat, selfHarm, legal, health, abuse                      []phrase
}

// parseRules reads one rules/<lang>.yaml. Unknown keys and empty lists
// (other than the optional premium and repeat) are errors naming the
// file, so a typo in an operator's override fails at start-up.
func parseRules(file string, data []byte) (*rules, error) {
	var f rulesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("templates: %s: %w", file, err)
	}
	var errs []error
	need := func(key string, list []string) []phrase {
		if len(list) == 0 {
			errs = append(errs, fmt.Errorf("templates: %s: %q lists no phrase", file, key))
		}
		return rulePhrases(key, list)
	}
	r := &rules{
		apology:  need("apology", f.Apology),
		sarcasm:  need("sarcasm", f.Sarcasm),
		blame:    need("blame", f.Blame),
		negative: need("negative", f.Negative),
		promise:  need("promise", f.Promise),
		premium:  rulePhrases("premium", f.Premium),
		repeat:   rulePhrases("repeat", f.Repeat),
		threat:   need("escalation.threat", f.Escalation.Threat),
		selfHarm: need("escalation.self_harm", f.Escalation.SelfHarm),
		legal:    need("escalation.legal", f.Escalation.Legal),
		health:   need("escalation.health", f.Escalation.Health),
		abuse:    need("escalation.abuse", f.Escalation.Abuse),
	}
	return r, errors.Join(errs...)
}

// rulePhrases compiles a list, longest phrases first so "never happen
// again" is one finding, not "never again" plus a stray word.
func rulePhrases(key string, list []string) []phrase {
	var ps []phrase
	for _, l := range list {
		if words, prefix := phraseWords(strings.ToLower(l)); len(words) > 0 {
			ps = append(ps, phrase{key: key, words: words, prefix: prefix})
		}
	}
	return longestFirst(ps)
}

// matches returns the phrases of ps found in the text's sentences, as the
// words of the text that matched (Han characters joined without spaces),
// one entry per occurrence, in order.
func matches(sents [][]string, ps []phrase, clitics []string) []string {
	var out []string
	for _, s := range sents {
		used := make([]bool, len(s))
		for i := 0; i < len(s); i++ {
			for _, p := range ps {
				if !matchWords(s, used, i, p, clitics) {
					continue
				}
				for j := range p.words {
					used[i+j] = true
				}
				out = append(out, joinWords(s[i:i+len(p.words)]))
				i += len(p.words) - 1
				break
			}
		}
	}
	return out
}

func matchWords(s []string, used []bool, i int, p phrase, clitics []string) bool {
	if i+len(p.words) > len(s) {
		return false
	}
	for j, w := range p.words {
		if used[i+j] || !wordMatch(s[i+j], w, p.prefix && j == len(p.words)-1, j == 0, clitics) {
			return false
		}
	}
	return true
}

// joinWords writes matched words back as text: spaces between words,
// none between Han characters.
func joinWords(ws []string) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 && !(isHan(w) && isHan(ws[i-1])) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// Form says which kind of reply a text is, for CheckForm: the rules differ
// a little between them.
const (
	// FormComplaint is the full reply to a complaint (G1-G12): exactly
	// one apology and a way to continue privately.
	FormComplaint = "complaint"
	// FormThanks is a thank-you for a positive review: no apology needed,
	// no contact needed.
	FormThanks = "thanks"
	// FormHolding is the careful reply to a legal or health claim: one
	// expression of sympathy, the contact.
	FormHolding = "holding"
	// FormBoundary is the reply to an abusive review (E3): one apology for
	// what went wrong, the contact.
	FormBoundary = "boundary"
	// FormStrict is the privacy: strict reply: no apology (it would
	// confirm a visit), the contact.
	FormStrict = "strict"
)

// limit is a platform's longest reply: n characters, or n bytes of
// UTF-8 when bytes is set (a Chinese character is three).
type limit struct {
	n     int
	bytes bool
}

// platformLimits are the reply length limits we could confirm, keyed by
// the lower-case platform label: Google's Business Profile API takes a
// reply of up to 4096 bytes, the Google Play Developer API rejects
// replies over about 350 characters, and App Store Connect takes 5970
// characters. Trustpilot, Yelp, Tripadvisor and websites publish none we
// could confirm: they get defaultLimit.
var platformLimits = map[string]limit{
	"google":      {4096, true},
	"google maps": {4096, true},
	"google play": {350, false},
	"app store":   {5970, false},
}

// defaultLimit is the reply length limit, in characters, for a platform
// not in platformLimits: an assumption, kept below every limit we know of
// except Google Play's.
const defaultLimit = 4000

// platformLimit returns the reply length limit for a platform label
// ("Google", "Trustpilot"), case-insensitive.
func platformLimit(platform string) limit {
	if l, ok := platformLimits[strings.ToLower(strings.TrimSpace(platform))]; ok {
		return l
	}
	return limit{n: defaultLimit}
}

// Check holds an edited or generated complaint reply to the rules a
// person can get wrong while editing, and names each break with its rule
// id and the offending words (an empty result means none found):
//
//   - G1: sarcasm, put-downs or insults (rules/<lang>.yaml sarcasm, abuse);
//   - G4: exactly one apology (none, or two or more, named);
//   - G5: blame, excuses, lecturing ("you should have", "policy");
//   - G6: negative phrasing ("we can't", "unfortunately");
//   - G7: the business's Contact appears, when one is configured;
//   - G8: promise words (refund, guarantee, "never again") unless they sit
//     inside one of the business's configured Offers;
//   - G12: e-mail addresses, phone numbers and order numbers, other than
//     the business's own contact;
//   - length: the text fits the platform's limit (CheckForm takes the
//     platform; Check holds it to the default, 4000 characters).
//
// lang picks the phrase lists; a language without its own falls back to
// English. Check is CheckForm with FormComplaint and no platform.
func (s *Set) Check(text, lang string, b Business) []Finding {
	return s.CheckForm(text, lang, FormComplaint, "", b)
}

// CheckForm is Check for a given Draft.Form and platform label: a
// thank-you needs no apology or contact, a strict-privacy reply must not
// apologise, and the length limit is the platform's.
func (s *Set) CheckForm(text, lang, form, platform string, b Business) []Finding {
	lang = s.rulesLanguage(lang)
	r := s.rules[lang]
	cl := clitics[lang]
	var out []Finding
	add := func(rule string, words []string, format string, args ...any) {
		out = append(out, Finding{Rule: rule, Words: words, Message: fmt.Sprintf(format, args...)})
	}
	sents := sentences(text)

	if w := matches(sents, slices.Concat(r.sarcasm, r.abuse), cl); len(w) > 0 {
		add("G1", w, "G1: stay calm and courteous; drop the sarcasm or put-down: %s", quoteList(w))
	}
	apologies := matches(sents, r.apology, cl)
	switch n := len(apologies); {
	case n == 0 && (form == FormComplaint || form == FormBoundary || form == FormHolding):
		add("G4", nil, "G4: the reply has no apology; add one sincere, specific apology")
	case n > 0 && form == FormStrict:
		add("G4", apologies, "G4: a strict-privacy reply must not apologise, which would confirm a visit: %s", quoteList(apologies))
	case n > 1:
		add("G4", apologies, "G4: %d apologies (%s); keep exactly one, specific one", n, quoteList(apologies))
	}
	if w := matches(sents, r.blame, cl); len(w) > 0 {
		add("G5", w, "G5: no excuses, blame or lecturing: %s", quoteList(w))
	}
	if w := matches(sents, r.negative, cl); len(w) > 0 {
		add("G6", w, "G6: say what you can do rather than what you can't: %s", quoteList(w))
	}
	if c := strings.TrimSpace(b.Contact); c != "" && form != FormThanks && !strings.Contains(text, c) {
		add("G7", []string{c}, "G7: give the business's contact (%s) so the reviewer can continue privately", c)
	}
	if w := matches(sentences(withoutOffers(text, b.Offers)), r.promise, cl); len(w) > 0 {
		add("G8", w, "G8: don't promise what the business has not offered: %s", quoteList(w))
	}
	if w := privateDetails(text, b.Contact); len(w) > 0 {
		add("G12", w, "G12: remove private details (e-mail addresses, phone or order numbers): %s", quoteList(w))
	}
	l, n, unit := platformLimit(platform), utf8.RuneCountInString(text), "characters"
	if l.bytes {
		n, unit = len(text), "bytes"
	}
	if n > l.n {
		add("length", nil, "length: %d %s, more than the %d %s allows", n, unit, l.n, cmp.Or(platform, "a reply"))
	}
	return out
}

// rulesLanguage returns lang when the set has its rules, else English.
func (s *Set) rulesLanguage(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	if s.rules[base] != nil {
		return base
	}
	return "en"
}

// withoutOffers blanks out every configured offer in the text, so the
// promise words the business chose to offer are allowed there (G8).
func withoutOffers(text string, offers []string) string {
	for _, o := range offers {
		if o = trimEnd(o); o != "" {
			text = replaceFold(text, o, " . ")
		}
	}
	return text
}

// replaceFold replaces every occurrence of old in s, ignoring case.
func replaceFold(s, old, repl string) string {
	re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(old))
	return re.ReplaceAllLiteralString(s, repl)
}

var (
	emailRE = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}`)
	// phoneRE: 7 or more digits, with the separators people write.
	phoneRE = regexp.MustCompile(`\+?\(?\p{Nd}[\p{Nd}\s().-]{5,}\p{Nd}`)
	// orderRE: an order or booking number: "#12345", "order 4567-89".
	orderRE = regexp.MustCompile(`(?i)(#\s?\p{Nd}{3,}|\b(order|booking|ref|reference|invoice|ticket)\s*(no\.?|number|#)?\s*:?\s*[A-Z]*\p{Nd}[\w-]{2,})`)
)

// privateDetails returns the e-mail addresses, phone numbers and order
// numbers in a text, except the business's own contact (G12).
func privateDetails(text, contact string) []string {
	if contact = strings.TrimSpace(contact); contact != "" {
		text = strings.ReplaceAll(text, contact, " ")
	}
	var out []string
	for _, re := range []*regexp.Regexp{emailRE, phoneRE, orderRE} {
		for _, m := range re.FindAllString(text, -1) {
			m = strings.TrimSpace(m)
			if re == phoneRE && digitCount(m) < 7 {
				continue
			}
			out = append(out, m)
			text = strings.Replace(text, m, " ", 1)
		}
	}
	return out
}

func digitCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// quoteList writes words as "a", "b".
func quoteList(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, ", ")
}
