package templates

import (
	"strings"
	"unicode"
)

// Writing in the reviewer's own language (G2, G10: a reply that reads as
// written for them) needs to know that language. The platform's tag wins
// when it names a draft language; otherwise detectLanguage reads the text.

// detectLanguage guesses the language of a review from its text: "en",
// "es", "fr", "de", "fa", "ar", "he", "zh", another tag for a script we
// recognise but write no drafts in ("ja", "ko", "ur", "ru"…), or "" when
// the text does not say clearly enough. The script decides first: Hebrew
// and Han (without kana) each have one draft language; Arabic script is
// Persian when any of the letters only Persian uses (پ چ ژ گ) appears or
// Persian yeh and kaf (ی ک) outnumber the Arabic ones (ي ك), else Arabic.
// Latin text goes to a small stopword count over English, Spanish, French
// and German (latinLanguage).
func detectLanguage(text string) string {
	var (
		letters                                     int
		latin, hebrew, han, kana, hangul, cyr, arab int
		persianOnly, urduOnly, faYehKaf, arYehKaf   int
	)
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Arabic, r):
			arab++
			switch r {
			case 'پ', 'چ', 'ژ', 'گ':
				persianOnly++
			case 'ٹ', 'ڈ', 'ڑ', 'ں', 'ے':
				urduOnly++
			case 'ی', 'ک':
				faYehKaf++
			case 'ي', 'ك', 'ى':
				arYehKaf++
			}
		}
	}
	if letters == 0 {
		return ""
	}
	// The script of most letters; Han and kana count together for
	// Japanese, which writes both.
	top := max(latin, hebrew, han+kana, hangul, cyr, arab)
	switch {
	case top == 0:
		return ""
	case top == hebrew:
		return "he"
	case top == han+kana && kana > 0:
		return "ja"
	case top == han+kana:
		return "zh"
	case top == hangul:
		return "ko"
	case top == cyr:
		return "ru"
	case top == arab && urduOnly > 0:
		return "ur"
	case top == arab && persianOnly > 0:
		return "fa"
	case top == arab:
		// No letter only Persian uses: short reviews ("غذا سرد بود") often
		// have none, so the yeh/kaf forms and the common words of each
		// language decide together.
		fa, ar := arabicScriptWords(text)
		if faYehKaf+2*fa > arYehKaf+2*ar {
			return "fa"
		}
		return "ar"
	}
	return latinLanguage(text)
}

// persianWords and arabicWords are frequent short words that only one of
// the two languages writes; words beginning with the Arabic article "ال"
// count for Arabic too (Persian borrows a few, like "البته", rarely).
var (
	persianWords = set([]string{"است", "بود", "بودند", "بودیم", "نبود", "را", "که", "این",
		"آن", "از", "با", "خیلی", "شد", "نشد", "ولی", "اما", "می", "رو",
		"اصلا", "اصلاً", "هیچ", "کرد", "کردند", "دیگه", "دیگر", "برای", "چرا", "یک"})
	arabicWords = set([]string{"في", "على", "هذا", "هذه", "كان", "كانت", "جدا", "جدًا",
		"لم", "لا", "مع", "إلى", "الى", "عن", "التي", "الذي", "كل", "لكن", "ثم", "قد", "أن",
		"إن", "هو", "هي", "نحن", "ليس", "غير", "بعد", "عند"})
)

// arabicScriptWords counts the Persian-only and Arabic-only words of text.
func arabicScriptWords(text string) (fa, ar int) {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\u200c' })
	for _, w := range words {
		switch {
		case persianWords[w]:
			fa++
		case arabicWords[w], strings.HasPrefix(w, "ال") && len([]rune(w)) > 3:
			ar++
		}
	}
	return fa, ar
}

// stopwords are the most frequent short words of each Latin-script draft
// language. Words two languages share ("de", "la", "que") count for both;
// the others decide.
var stopwords = map[string][]string{
	"en": {"the", "and", "was", "is", "were", "it", "this", "that", "with", "for", "not",
		"they", "we", "my", "our", "very", "but", "have", "had", "of", "to", "in", "at", "you",
		"i", "me", "be", "no", "an", "so", "there", "would", "will", "been", "are", "or",
		"what", "when", "their", "them", "from", "did", "just", "too", "never", "all", "after",
		"again", "even", "only", "here", "because", "which"},
	"es": {"el", "la", "los", "las", "un", "una", "y", "que", "de", "en", "es", "muy",
		"pero", "no", "con", "por", "para", "lo", "se", "nos", "mi", "fue", "era", "nada", "del",
		"al", "me", "le", "su", "más", "todo", "como", "estaba", "hemos", "porque", "ni", "nunca",
		"sin", "este", "esta", "también", "ya", "hay", "ha", "han", "sus", "nuestro", "mucho",
		"después", "cuando", "otra", "vez", "tienen"},
	"fr": {"le", "la", "les", "un", "une", "et", "est", "très", "mais", "pas", "avec",
		"pour", "ne", "nous", "je", "il", "elle", "de", "des", "du", "en", "au", "aux", "que",
		"qui", "ce", "cette", "était", "été", "on", "vous", "mon", "ma", "mes", "rien", "trop",
		"plus", "sur", "dans", "sans", "jamais", "avons", "avait", "ont", "aucun", "aucune",
		"alors", "après", "encore", "fois", "leur", "leurs", "notre"},
	"de": {"der", "die", "das", "und", "ist", "war", "nicht", "sehr", "aber", "mit",
		"für", "ein", "eine", "einen", "ich", "wir", "es", "zu", "auf", "den", "dem", "des",
		"sie", "auch", "noch", "nur", "kein", "keine", "wurde", "wurden", "hatte", "haben",
		"uns", "mein", "unser", "bei", "nach", "wie", "schon", "im", "nie", "mehr", "waren",
		"ganz", "man", "mal", "dann", "wieder", "hat", "nichts", "leider"},
	// Decoys: languages we write no drafts in but whose words look like
	// ours. Recognising them sends an Italian review to the business's
	// language rather than to a confident French guess.
	"it": {"il", "lo", "gli", "della", "delle", "dei", "del", "e", "è", "di", "che", "non", "per",
		"sono", "era", "molto", "ma", "con", "ho", "abbiamo", "un", "una", "questo", "questa",
		"anche", "tutto", "nostro", "perché", "ancora", "sempre", "mai", "niente", "poi"},
	"pt": {"o", "os", "as", "um", "uma", "e", "é", "de", "que", "não", "para", "com", "muito",
		"mas", "foi", "era", "do", "da", "dos", "das", "no", "na", "em", "nós", "eu", "meu",
		"minha", "também", "ainda", "nunca", "nada", "porque", "isso", "este", "esta"},
	"nl": {"de", "het", "een", "en", "is", "was", "niet", "zeer", "maar", "met", "voor", "ik",
		"wij", "we", "te", "op", "van", "ook", "nog", "geen", "werd", "hebben", "had", "ons",
		"mijn", "bij", "na", "hoe", "al", "nooit", "erg", "heel", "dat", "dit", "wel"},
}

// elisions are French and English word beginnings and endings around an
// apostrophe ("c'est", "j'ai"; "don't", "it's") that settle a short text.
var elisions = map[string][]string{
	"fr": {"c'", "j'", "l'", "d'", "n'", "qu'", "s'", "m'"},
	"en": {"'t", "'s", "'m", "'re", "'ve", "'ll", "'d"},
}

// stopwordSets are the stopword lists as sets, built once.
var stopwordSets = func() map[string]map[string]bool {
	m := map[string]map[string]bool{}
	for lang, ws := range stopwords {
		m[lang] = set(ws)
	}
	return m
}()

// latinLanguage counts stopwords, elisions and letters only one of the
// languages uses (ñ ¿ ¡ Spanish; ß ä ö ü German; ç œ è ê à ù French) and
// returns the language with the most, when it has at least two points
// and more than any other; "" otherwise, so a one-word review falls back
// to the business's language rather than a guess. Italian, Portuguese and
// Dutch are scored too, as decoys: they have no drafts, so a review in
// one of them gets the business's language, not a wrong guess.
func latinLanguage(text string) string {
	score := map[string]int{}
	for _, s := range sentences(text) {
		for _, w := range s {
			for lang, set := range stopwordSets {
				if set[w] {
					score[lang]++
				}
			}
			for lang, es := range elisions {
				for _, e := range es {
					if strings.HasPrefix(w, e) && lang == "fr" || strings.HasSuffix(w, e) && lang == "en" {
						score[lang] += 2
					}
				}
			}
		}
	}
	for _, r := range strings.ToLower(text) {
		switch r {
		case 'ñ', '¿', '¡':
			score["es"] += 2
		case 'ß', 'ä', 'ö', 'ü':
			score["de"] += 2
		case 'ç', 'œ', 'è', 'ê', 'à', 'ù', 'â', 'î', 'û', 'ë':
			score["fr"] += 2
		}
	}
	best, bestN, second := "", 0, 0
	for _, lang := range []string{"en", "es", "fr", "de", "it", "pt", "nl"} {
		switch n := score[lang]; {
		case n > bestN:
			best, bestN, second = lang, n, bestN
		case n > second:
			second = n
		}
	}
	if bestN < 2 || bestN == second {
		return lexiconLanguage(text)
	}
	return best
}

// lexiconLanguage settles a Latin text too short for stopwords ("Trop
// cher.", "Zu teuer.") by the keyword tables: the one draft language whose
// complaint and praise phrases read the most of it wins; a tie says nothing.
func lexiconLanguage(text string) string {
	best, bestN, tie := "", 0, false
	for _, lang := range []string{"en", "es", "fr", "de"} {
		lx := lexicons[lang]
		if lx == nil {
			continue
		}
		a := lx.analyse("", text)
		n := 2 * len(a.topics)
		if a.negative {
			n++
		}
		if a.praise {
			n++
		}
		switch {
		case n > bestN:
			best, bestN, tie = lang, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	if bestN < 2 || tie { // a lone "meh" is not enough
		return ""
	}
	return best
}

// draftLanguages are the languages drafts can be written in, when their
// templates, keyword tables and rules are loaded.
var draftLanguages = []string{"en", "es", "fr", "de", "fa", "ar", "he", "zh"}

// usable reports whether s can write drafts in lang: a registered keyword
// table, reply templates and checker rules.
func (s *Set) usable(lang string) bool {
	return lexicons[lang] != nil && s.t.Lookup(lang+"/greeting") != nil && s.rules[lang] != nil
}

// baseTag returns the language of a tag: "en-GB" and "en_GB" are "en",
// "zh-Hans" is "zh".
func baseTag(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	return base
}

// language picks the draft language for a request: the platform's tag
// when it names one of the draft languages, else the language detected
// from the review's text, else the business's configured language, else
// English; each only when the set can write it, so a draft is never
// written in a language without templates.
func (s *Set) language(r Request) string {
	tag := baseTag(r.Review.Language)
	if tag == "iw" { // the old tag for Hebrew, still sent by some platforms
		tag = "he"
	}
	candidates := []string{}
	if tag != "" {
		candidates = append(candidates, tag)
	}
	candidates = append(candidates, detectLanguage(r.Review.Title+"\n"+r.Review.Text), baseTag(r.Business.Language))
	for _, c := range candidates {
		if c != "" && s.usable(c) {
			return c
		}
	}
	return "en"
}
