package templates

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// heZhCase is one realistic review in Hebrew or Chinese and what its draft
// must show: the topic restated, with a word every phrasing of that topic
// uses (G2), or, for a vague review, one question (G9).
type heZhCase struct {
	name, author, text string
	rating             float64
	topic              string   // the first restated topic; "" for a vague review
	restate            []string // words one of which the restatement must contain
}

// heBusiness answers the Hebrew reviews: a café in Tel Aviv.
var heBusiness = Business{Name: "קפה לימון", Signature: "נועה, קפה לימון", Contact: "noa@cafelimon.example"}

var heCases = []heZhCase{
	{name: "cold food", author: "מיכל", rating: 1, topic: "quality",
		text:    "הזמנו שני שניצלים והם הגיעו קרים לגמרי. ממש חבל, כי בדרך כלל האוכל פה טוב.",
		restate: []string{"קר"}},
	{name: "rude staff", author: "אבי כהן", rating: 1, topic: "staff",
		text:    "המלצרית הייתה גסה ומזלזלת, גלגלה עיניים כששאלנו על המנות.",
		restate: []string{"גס", "מנומס", "אדיב"}},
	{name: "late delivery", author: "רותם", rating: 2, topic: "delivery",
		text:    "ההזמנה הגיעה באיחור של שעתיים, והשליח אפילו לא התנצל.",
		restate: []string{"איחור", "עיכוב"}},
	{name: "dirty room", author: "דנה", rating: 1, topic: "cleanliness",
		text:    "החדר במלון היה מלוכלך, המצעים הסריחו והמקלחת הייתה מלאה בשערות.",
		restate: []string{"ניקיון", "לכלוך"}},
	{name: "overcharged", author: "יוסי", rating: 2, topic: "price",
		text:    "חויבנו פעמיים על אותה ארוחה, והמחירים בכלל מופקעים.",
		restate: []string{"מחיר", "חשבון", "שילמתם"}},
	{name: "vague", author: "ליאת", rating: 2,
		text: "לא משהו. ציפינו ליותר."},
	{name: "slow service with praise", author: "טל", rating: 3, topic: "wait",
		text:    "האוכל מעולה, אבל חיכינו שעה לעיקריות.",
		restate: []string{"המתנה", "איטי"}},
	{name: "parcel never arrived", author: "גיל", rating: 1, topic: "delivery",
		text:    "שילמתי לפני שלושה שבועות והחבילה עדיין לא הגיעה.",
		restate: []string{"לא הגיע"}},
}

// TestLangHeDrafts drafts every Hebrew review, for several variants, and
// holds each draft to the rules of a complaint reply in Hebrew.
func TestLangHeDrafts(t *testing.T) {
	checkHeZhDrafts(t, "he", heBusiness, heCases, unicode.Hebrew)
}

// TestLangHeNoContact: without a contact the draft asks them to reply here
// or contact the business directly, in Hebrew, and invents no address (G7).
func TestLangHeNoContact(t *testing.T) {
	s := mustDefaults(t)
	b := Business{Name: "קפה לימון"}
	for v := range 4 {
		d := mustDraft(t, s, Request{Business: b, Variant: v,
			Review: review("he-nc", "שירה", stars(1), "האוכל הגיע קר.")})
		if !strings.Contains(d.Text, "כאן") || !strings.Contains(d.Text, "ישירות") {
			t.Errorf("G7: no \"reply here or contact us directly\":\n%s", d.Text)
		}
		if strings.Contains(d.Text, "@") {
			t.Errorf("G7: an invented address:\n%s", d.Text)
		}
		if !strings.HasSuffix(d.Text, "\nקפה לימון") {
			t.Errorf("G10: not signed with the business name:\n%s", d.Text)
		}
	}
}

// TestLangHeForms covers the replies that are not a plain complaint: the
// formal register, the business's offer and fix, the boundary (E3), the
// holding reply (legal, health) and privacy: strict.
func TestLangHeForms(t *testing.T) {
	checkHeZhForms(t, "he", heBusiness, heZhForms{
		formal:  "המלצר היה גס אלינו.",
		formalW: []string{"שלום רב", "בכבוד רב", "בתודה ובברכה"},
		offer:   "קפה על חשבון הבית בביקור הבא",
		fix:     "הוספנו מלצר נוסף בסופי שבוע",
		fixText: "חיכינו חצי שעה למלצר.",
		abuse:   "חבורה של אידיוטים, האוכל הגיע קר.",
		health:  "קיבלתי הרעלת מזון אחרי הארוחה.",
		legal:   "נפלתי על רצפה רטובה ועורך הדין שלי יפנה אליכם.",
		strict:  "הרופא היה לחוץ והטיפול נעשה ברשלנות.",
		threat:  "אני יודע איפה אתה גר, ועוד תצטער על זה.",
	})
}

// TestLangHeAnalyse pins the Hebrew keyword table: prefixed words
// (clitics), negation, praise kept apart from the complaint, and the bare
// words a clitic would misread.
func TestLangHeAnalyse(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		topics     []string
		praise     bool
		aspect     string
	}{
		{name: "cold food and rude waiter", text: "האוכל הגיע קר והמלצר היה גס.",
			topics: []string{"quality/cold", "staff/rude"}},
		{name: "clitics: and-the, that-the", text: "והשירות היה איטי, והמלצרית פשוט מזלזלת.",
			topics: []string{"wait", "staff/rude"}},
		{name: "weak noun with a cue", text: "השירות היה גרוע.", topics: []string{"staff"}},
		{name: "weak noun alone is nothing", text: "אכלנו ארוחת ערב עם הצוות."},
		{name: "negated praise is a cue", text: "האוכל לא היה טעים.", topics: []string{"quality"}},
		{name: "negated complaint is none", text: "המקום לא היה רועש בכלל."},
		{name: "praise and complaint stay apart", text: "האוכל מעולה, אבל היה רועש מדי.",
			topics: []string{"noise"}, praise: true, aspect: "food"},
		{name: "praise only", text: "צוות מקסים ואוכל טעים.", praise: true, aspect: "staff"},
		{name: "late delivery", text: "המשלוח הגיע באיחור של יומיים.", topics: []string{"delivery/late"}},
		{name: "missing parcel", text: "החבילה לא הגיעה בכלל.", topics: []string{"delivery/missing"}},
		{name: "no answer", text: "שלחתי שלושה מיילים ואף אחד לא ענה.", topics: []string{"no_response"}},
		{name: "dirty", text: "החדר היה מלוכלך.", topics: []string{"cleanliness"}},
		{name: "overcharged", text: "חייבו אותנו פעמיים.", topics: []string{"price"}},
		{name: "refund", text: "עדיין לא קיבלתי החזר כספי.", topics: []string{"refund"}},
		{name: "booking", text: "הגענו ולא מצאו את ההזמנה שלנו.", topics: []string{"booking"}},
		{name: "broken promise", text: "זה בכלל לא דומה לתמונות באתר.", topics: []string{"broken_promise"}},
		{name: "promise kept is praise", text: "הכול הגיע כמו שהובטח, מוצר מעולה.",
			praise: true, aspect: "product"},
		{name: "beef is not cold", text: "המבורגר בקר עסיסי ומעולה.", praise: true, aspect: "food"},
		{name: "visited is not expensive", text: "אבא שלי ביקר פה ונהנה מאוד.", praise: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := hebrew.analyse("", tc.text)
			if !slices.Equal(a.topics, tc.topics) {
				t.Errorf("topics = %q, want %q", a.topics, tc.topics)
			}
			if a.praise != tc.praise || a.aspect != tc.aspect {
				t.Errorf("praise, aspect = %v, %q; want %v, %q", a.praise, a.aspect, tc.praise, tc.aspect)
			}
		})
	}
}

// TestLangHeTopicPhrases: every topic phrase starts with a Hebrew letter
// other than ו, so "X וY" joins two of them correctly, and none starts
// with ל or ב (a preposition in front of them would swallow their ה).
func TestLangHeTopicPhrases(t *testing.T) {
	s := mustDefaults(t)
	for _, tmpl := range s.t.Templates() {
		if !strings.HasPrefix(tmpl.Name(), "he/topic/") {
			continue
		}
		lines, err := s.phrasings(tmpl, view{})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			r := []rune(l)[0]
			if !unicode.Is(unicode.Hebrew, r) || strings.ContainsRune("ולב", r) {
				t.Errorf("%s: %q starts with %q", tmpl.Name(), l, r)
			}
		}
	}
}

// checkHeZhDrafts drafts each review for several variants and holds every
// draft to what a complaint reply in lang must keep: written in lang's
// script (no English left in it), the topic restated in the templates' own
// words (G2) or one question for a vague review (G9), exactly one apology
// by rules/<lang>.yaml (G4), the contact (G7), the signature (G10), no
// question mark otherwise, no bidi control characters, native punctuation,
// and nothing the checker (Set.CheckForm) would flag.
func checkHeZhDrafts(t *testing.T, lang string, b Business, cases []heZhCase, script *unicode.RangeTable) {
	t.Helper()
	s := mustDefaults(t)
	if !s.usable(lang) {
		t.Fatalf("no %s templates, keyword table or rules loaded", lang)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			for v := range 6 {
				r := Request{Business: b, Platform: "Google", Variant: v,
					Review: review(lang+"-"+tc.name, tc.author, stars(tc.rating), tc.text)}
				d := mustDraft(t, s, r)
				seen[d.Text] = true
				vague := tc.topic == ""
				if d.Language != lang || d.Form != FormComplaint {
					t.Fatalf("Language, Form = %q, %q; want %q, %q:\n%s", d.Language, d.Form, lang, FormComplaint, d.Text)
				}
				checkHeZhText(t, lang, d.Text, b, r.Platform, script)
				if n := len(matches(sentences(d.Text), s.rules[lang].apology, clitics[lang])); n != 1 {
					t.Errorf("G4: %d apologies by rules/%s.yaml, want 1:\n%s", n, lang, d.Text)
				}
				if n := strings.Count(d.Text, b.Contact); n != 1 {
					t.Errorf("G7: contact %q appears %d times, want once:\n%s", b.Contact, n, d.Text)
				}
				if !strings.HasSuffix(d.Text, "\n"+b.Signature) {
					t.Errorf("G10: does not end with the signature %q:\n%s", b.Signature, d.Text)
				}
				if !strings.Contains(strings.SplitN(d.Text, "\n", 2)[0], tc.author) {
					t.Errorf("G12: greeting lacks the reviewer's name %q:\n%s", tc.author, d.Text)
				}
				wantQ := 0
				if vague {
					wantQ = 1
				}
				if n := strings.Count(d.Text, "?") + strings.Count(d.Text, "？") + strings.Count(d.Text, "؟"); n != wantQ {
					t.Errorf("G9: %d question marks, want %d:\n%s", n, wantQ, d.Text)
				}
				if f := s.CheckForm(d.Text, lang, d.Form, r.Platform, b); len(f) > 0 || len(d.Findings) > 0 {
					t.Errorf("checker findings %+v %+v in:\n%s", f, d.Findings, d.Text)
				}
				if vague {
					if len(d.Topics) != 0 || !slices.Contains(d.Rules, "G9") || slices.Contains(d.Rules, "G2") {
						t.Errorf("vague review: Topics %q, Rules %q; want none, G9 and no G2:\n%s", d.Topics, d.Rules, d.Text)
					}
					continue
				}
				if len(d.Topics) == 0 || d.Topics[0] != tc.topic || !slices.Contains(d.Rules, "G2") {
					t.Errorf("Topics %q, Rules %q; want %s first, and G2:\n%s", d.Topics, d.Rules, tc.topic, d.Text)
					continue
				}
				body := strings.Split(d.Text, "\n\n")[1]
				if !heZhRestates(t, s, lang, body, tc.topic) {
					t.Errorf("G2: no %s/topic/%s phrase in the body:\n%s", lang, tc.topic, body)
				}
				if !slices.ContainsFunc(tc.restate, func(w string) bool { return strings.Contains(body, w) }) {
					t.Errorf("G2: the restatement has none of %q:\n%s", tc.restate, body)
				}
			}
			// G10: a regenerate gives other wording.
			if len(seen) < 4 {
				t.Errorf("G10: 6 variants gave %d different drafts", len(seen))
			}
		})
	}
}

// checkHeZhText holds a draft's text to the script and punctuation of
// lang: no Latin letters besides the contact and the platform's name (no
// English left behind), no bidi control characters, no markup; Hebrew with
// no space before a comma or full stop; Chinese with full-width
// punctuation and no spaces between Chinese words.
func checkHeZhText(t *testing.T, lang, text string, b Business, platform string, script *unicode.RangeTable) {
	t.Helper()
	rest := strings.NewReplacer(b.Contact, "", platform, "").Replace(text)
	var own, latin int
	for _, r := range rest {
		switch {
		case unicode.Is(script, r):
			own++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	if own == 0 || latin > 0 {
		t.Errorf("script: %d %s letters and %d Latin ones outside the contact and platform:\n%s", own, lang, latin, text)
	}
	if strings.ContainsFunc(text, func(r rune) bool {
		return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
	}) {
		t.Errorf("bidi control characters in:\n%q", text)
	}
	if strings.ContainsAny(text, "*#`[]<>{}") {
		t.Errorf("markup or template syntax in:\n%s", text)
	}
	switch lang {
	case "he":
		if strings.Contains(text, " ,") || strings.Contains(text, " .") || strings.Contains(text, "  ") {
			t.Errorf("Hebrew punctuation: a space before punctuation, or two spaces:\n%s", text)
		}
		if strings.ContainsFunc(text, func(r rune) bool { return r >= 0x0591 && r <= 0x05C7 && r != 0x05BE }) {
			t.Errorf("nikud or cantillation marks in:\n%s", text)
		}
		// Apps that take a paragraph's direction from its first letter lay
		// out a line that opens with a Latin name left to right.
		for _, l := range strings.Split(text, "\n") {
			i := strings.IndexFunc(l, unicode.IsLetter)
			if l != b.Signature && i >= 0 && !unicode.Is(unicode.Hebrew, []rune(l[i:])[0]) {
				t.Errorf("a line starts with a non-Hebrew letter: %q", l)
			}
		}
	case "zh":
		rs := []rune(rest)
		for i, r := range rs {
			if i == 0 || !unicode.Is(unicode.Han, rs[i-1]) {
				continue
			}
			if strings.ContainsRune(",.!?:;", r) {
				t.Errorf("Chinese punctuation: half-width %q after %q in:\n%s", r, rs[i-1], text)
			}
			if r == ' ' && i+1 < len(rs) && unicode.Is(unicode.Han, rs[i+1]) {
				t.Errorf("a space between Chinese words %q in:\n%s", string(rs[i-1:i+2]), text)
			}
		}
	}
}

// heZhRestates reports whether text says one of the phrasings of the
// language's topic/<topic> parts, details included (G2).
func heZhRestates(t *testing.T, s *Set, lang, text, topic string) bool {
	t.Helper()
	prefix := lang + "/topic/" + topic
	for _, tmpl := range s.t.Templates() {
		if n := tmpl.Name(); n != prefix && !strings.HasPrefix(n, prefix+"/") {
			continue
		}
		lines, err := s.phrasings(tmpl, view{})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(text, l) }) {
			return true
		}
	}
	return false
}

// heZhForms are the reviews and settings for the replies that are not a
// plain complaint, in one language.
type heZhForms struct {
	formal  string   // a complaint, drafted for a formal business
	formalW []string // words only the formal register uses, one of which must appear
	offer   string   // the business's offer, in its language
	fix     string   // the business's fix for "wait"
	fixText string   // a complaint about the wait
	abuse   string   // an abusive complaint (E3)
	health  string   // a health claim
	legal   string   // a legal claim
	strict  string   // a complaint to a business with privacy: strict
	threat  string   // a threat of violence (E1)
}

// checkHeZhForms drafts each of f's reviews and checks the reply's form.
func checkHeZhForms(t *testing.T, lang string, b Business, f heZhForms) {
	t.Helper()
	s := mustDefaults(t)
	draft := func(t *testing.T, b Business, text string, v int) Draft {
		t.Helper()
		d := mustDraft(t, s, Request{Business: b, Platform: "Google", Variant: v,
			Review: review(lang+"-forms", "", stars(1), text)})
		if d.Language != lang {
			t.Fatalf("Language = %q, want %q", d.Language, lang)
		}
		if d.Text != "" {
			if fs := s.CheckForm(d.Text, lang, d.Form, "Google", b); len(fs) > 0 {
				t.Errorf("checker findings %+v in:\n%s", fs, d.Text)
			}
		}
		return d
	}
	apologies := func(text string) int {
		return len(matches(sentences(text), s.rules[lang].apology, clitics[lang]))
	}
	script := map[string]*unicode.RangeTable{"he": unicode.Hebrew, "zh": unicode.Han}[lang]

	t.Run("formal", func(t *testing.T) {
		fb := b
		fb.Tone = "formal"
		found := false
		for v := range 6 {
			d := draft(t, fb, f.formal, v)
			ps := strings.Split(d.Text, "\n\n")
			edges := ps[0] + "\n" + ps[len(ps)-1]
			found = found || slices.ContainsFunc(f.formalW, func(w string) bool { return strings.Contains(edges, w) })
			checkHeZhText(t, lang, d.Text, fb, "Google", script)
		}
		if !found {
			t.Errorf("no variant of a formal business's draft uses any of %q", f.formalW)
		}
	})
	t.Run("offer and fix", func(t *testing.T) {
		ob := b
		ob.Offers = []string{f.offer}
		ob.Fixes = map[string]string{"wait": f.fix}
		for v := range 3 {
			d := draft(t, ob, f.fixText, v)
			if !strings.Contains(d.Text, f.offer) || !strings.Contains(d.Text, f.fix) || !slices.Contains(d.Rules, "T2") {
				t.Errorf("offer %q or fix %q missing, or no T2 in %q:\n%s", f.offer, f.fix, d.Rules, d.Text)
			}
			checkHeZhText(t, lang, d.Text, ob, "Google", script)
		}
	})
	t.Run("boundary", func(t *testing.T) {
		for v := range 3 {
			d := draft(t, b, f.abuse, v)
			if d.Form != FormBoundary || d.Review != "abusive" || apologies(d.Text) != 1 || !strings.Contains(d.Text, b.Contact) {
				t.Errorf("Form %q, Review %q, %d apologies; want a boundary with one apology and the contact:\n%s",
					d.Form, d.Review, apologies(d.Text), d.Text)
			}
			checkHeZhText(t, lang, d.Text, b, "Google", script)
		}
	})
	for _, c := range []struct{ name, text, review string }{{"health", f.health, "health"}, {"legal", f.legal, "legal"}} {
		t.Run("holding "+c.name, func(t *testing.T) {
			for v := range 3 {
				d := draft(t, b, c.text, v)
				if d.Form != FormHolding || d.Review != c.review || apologies(d.Text) != 1 || !strings.Contains(d.Text, b.Contact) {
					t.Errorf("Form %q, Review %q, %d apologies; want a holding reply with one expression of sympathy and the contact:\n%s",
						d.Form, d.Review, apologies(d.Text), d.Text)
				}
				if strings.ContainsAny(d.Text, "?？") {
					t.Errorf("a holding reply asks nothing in public:\n%s", d.Text)
				}
				checkHeZhText(t, lang, d.Text, b, "Google", script)
			}
		})
	}
	t.Run("strict", func(t *testing.T) {
		sb := b
		sb.Privacy = "strict"
		for v := range 3 {
			d := draft(t, sb, f.strict, v)
			body := strings.ReplaceAll(strings.Split(d.Text, "\n\n")[1], b.Contact, "")
			if d.Form != FormStrict || apologies(d.Text) != 0 || !strings.Contains(d.Text, b.Contact) {
				t.Errorf("Form %q, %d apologies; want the strict reply with no apology and the contact:\n%s", d.Form, apologies(d.Text), d.Text)
			}
			if n := strings.Count(body, ".") + strings.Count(body, "。"); n != 2 {
				t.Errorf("strict body has %d sentences, want 2:\n%s", n, body)
			}
			checkHeZhText(t, lang, d.Text, sb, "Google", script)
		}
	})
	t.Run("threat", func(t *testing.T) {
		d := draft(t, b, f.threat, 0)
		if !d.Escalate || d.Text != "" {
			t.Errorf("E1: Escalate %v, text %q; want no public draft", d.Escalate, d.Text)
		}
	})
}
