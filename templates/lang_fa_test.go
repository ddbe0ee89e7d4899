package templates

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/revwatch/revwatch/sources"
)

// The Persian and Arabic tests share faArCheckDraft and the helpers
// below; lang_ar_test.go uses them too.

// faArBidi reports the bidi control characters a draft must not carry:
// RTL text stays plain logical-order text.
func faArBidi(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F
}

// faArCase is one realistic review and what its draft must restate.
type faArCase struct {
	name, author, text string
	rating             float64
	key                string // the topic key the draft restates; "" for a vague review
	praise             bool   // a mixed review: the praise is thanked
}

// faArPraised are words of the thanks-for-praise phrasings, per language.
var faArPraised = map[string][]string{
	"fa": {"لطف شما", "راضی بودید", "نکات مثبت", "خوشایند بوده"},
	"ar": {"كلماتكم اللطيفة", "رضاكم عن", "ما أعجبكم", "كانت جيدة"},
}

// faArNoContact is what a draft says when the business gave no contact.
var faArNoContact = map[string]string{"fa": "همین\u200cجا پاسخ دهید", "ar": "هنا"}

// faArCheckDraft holds a complaint draft in lang to the house rules: the
// language and script, the restated topic (G2), one apology by the rules
// file (G4), the contact (G7), the signature (G10), a question only when
// the review is vague (G9), no bidi controls, and nothing the checker
// (Check) would flag.
func faArCheckDraft(t *testing.T, s *Set, lang string, r Request, d Draft, tc faArCase) {
	t.Helper()
	if d.Language != lang {
		t.Fatalf("Language = %q, want %q:\n%s", d.Language, lang, d.Text)
	}
	if d.Form != FormComplaint {
		t.Errorf("Form = %q, want %q:\n%s", d.Form, FormComplaint, d.Text)
	}
	// The script: with the name, contact, signature and platform taken
	// out, every letter is Arabic script.
	rest := d.Text
	for _, x := range []string{r.Business.Contact, r.Business.Signature, r.Business.Name, r.Review.Author, r.Platform} {
		if x != "" {
			rest = strings.ReplaceAll(rest, x, " ")
		}
	}
	var arabicLetters int
	for _, c := range rest {
		switch {
		case unicode.Is(unicode.Arabic, c):
			arabicLetters++
		case unicode.IsLetter(c):
			t.Errorf("letter %q outside the Arabic script in a %s draft:\n%s", c, lang, d.Text)
		}
	}
	if arabicLetters < 100 {
		t.Errorf("only %d Arabic-script letters in a %s draft:\n%s", arabicLetters, lang, d.Text)
	}
	if strings.ContainsFunc(d.Text, faArBidi) {
		t.Errorf("bidi control characters in:\n%q", d.Text)
	}
	switch lang {
	case "fa":
		if strings.ContainsAny(rest, "يك") {
			t.Errorf("Arabic yeh or kaf (ي ك) in a Persian draft; Persian writes ی ک:\n%s", d.Text)
		}
		if !strings.Contains(rest, "\u200c") {
			t.Errorf("no zero-width non-joiner in a Persian draft (می‌خواهیم, تجربه‌ی):\n%s", d.Text)
		}
	case "ar":
		if strings.ContainsAny(rest, "یکپچگژ\u200c") {
			t.Errorf("Persian letters or a non-joiner in an Arabic draft:\n%s", d.Text)
		}
	}
	if strings.ContainsAny(rest, ",;") {
		t.Errorf("Latin comma or semicolon in a %s draft; it writes ، and ؛:\n%s", lang, d.Text)
	}

	// G2: the topic, restated with one of our own phrases for it.
	if tc.key != "" {
		if !slices.Contains(d.Topics, topicOf(tc.key)) {
			t.Errorf("Topics = %q, want %q among them:\n%s", d.Topics, topicOf(tc.key), d.Text)
		}
		tmpl := s.t.Lookup(lang + "/topic/" + tc.key)
		if tmpl == nil {
			tmpl = s.t.Lookup(lang + "/topic/" + topicOf(tc.key))
		}
		phrases, err := s.phrasings(tmpl, view{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(phrases, func(p string) bool { return strings.Contains(paragraph(d.Text, 1), p) }) {
			t.Errorf("G2: the body restates none of %q:\n%s", phrases, d.Text)
		}
		if !slices.Contains(d.Rules, "G2") {
			t.Errorf("Rules %q lack G2", d.Rules)
		}
	} else if len(d.Topics) != 0 || !slices.Contains(d.Rules, "G9") {
		t.Errorf("vague review: Topics = %q, Rules = %q; want none and G9:\n%s", d.Topics, d.Rules, d.Text)
	}

	// G4: exactly one apology, by the language's own rules file.
	if n := len(matches(sentences(d.Text), s.rules[lang].apology, clitics[lang])); n != 1 {
		t.Errorf("G4: %d apologies, want 1:\n%s", n, d.Text)
	}
	// G7: the contact, or an invitation to reply here.
	if c := r.Business.Contact; c != "" && !strings.Contains(d.Text, c) {
		t.Errorf("G7: contact %q missing:\n%s", c, d.Text)
	}
	if r.Business.Contact == "" && !strings.Contains(d.Text, faArNoContact[lang]) {
		t.Errorf("G7: no contact configured, want %q:\n%s", faArNoContact[lang], d.Text)
	}
	// G10: the signature closes the draft.
	if sig := cmpOr(r.Business.Signature, r.Business.Name); !strings.HasSuffix(d.Text, "\n"+sig) {
		t.Errorf("G10: does not end with the signature %q:\n%s", sig, d.Text)
	}
	// G12: the greeting names the reviewer.
	if first, _, _ := strings.Cut(d.Text, "\n"); tc.author != "" && !strings.Contains(first, tc.author) {
		t.Errorf("G12: greeting %q lacks the name %q", first, tc.author)
	}
	// G9: a question mark, of any script, only for a vague review.
	wantQ := 0
	if tc.key == "" {
		wantQ = 1
	}
	if n := strings.Count(d.Text, "?") + strings.Count(d.Text, "؟") + strings.Count(d.Text, "？"); n != wantQ {
		t.Errorf("G9: %d question marks, want %d:\n%s", n, wantQ, d.Text)
	}
	thanked := slices.ContainsFunc(faArPraised[lang], func(w string) bool { return strings.Contains(d.Text, w) })
	if thanked != tc.praise {
		t.Errorf("praise thanked = %v, want %v:\n%s", thanked, tc.praise, d.Text)
	}
	// The checker finds nothing in a generated draft.
	if len(d.Findings) > 0 {
		t.Errorf("Findings %+v in:\n%s", d.Findings, d.Text)
	}
	if f := s.Check(d.Text, lang, r.Business); len(f) > 0 {
		t.Errorf("Check: %+v in:\n%s", f, d.Text)
	}
}

// faArRun drafts every case in several variants and checks each draft.
func faArRun(t *testing.T, lang string, biz Business, cases []faArCase) {
	s := mustDefaults(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			for v := range 4 {
				r := Request{Business: biz, Platform: "Google", Variant: v,
					Review: review(lang+"-"+string(rune('a'+i)), tc.author, stars(tc.rating), tc.text)}
				if i%2 == 0 {
					r.Review.Language = lang // the platform's tag; the others are detected
				}
				d := mustDraft(t, s, r)
				faArCheckDraft(t, s, lang, r, d, tc)
				if v == 0 && testing.Verbose() {
					t.Logf("%s\n%s", tc.text, d.Text)
				}
				if seen[d.Text] {
					t.Errorf("G10: variant %d repeats an earlier draft:\n%s", v, d.Text)
				}
				seen[d.Text] = true
			}
		})
	}
}

var faCafe = Business{Name: "کافه آبی", Signature: "سارا احمدی، کافه آبی", Contact: "sara@cafeabi.example"}

var faCases = []faArCase{
	{name: "cold food", author: "مریم", rating: 1, key: "quality/cold",
		text: "غذا کاملاً سرد به دستمان رسید و اصلاً قابل خوردن نبود."},
	{name: "rude staff", author: "علی رضایی", rating: 1, key: "staff/rude",
		text: "گارسون خیلی بی‌ادب بود و با ما بد برخورد کرد."},
	{name: "late delivery", author: "نگار", rating: 2, key: "delivery/late",
		text: "سفارشم سه روز دیر رسید، آن هم بعد از کلی پیگیری."},
	{name: "dirty room", author: "Reza K.", rating: 1, key: "cleanliness",
		text: "اتاق هتل کثیف بود و ملحفه‌ها بوی بدی می‌دادند."},
	{name: "overcharged", author: "بهرام", rating: 2, key: "price",
		text: "برای دو تا قهوه پول خیلی زیادی از ما گرفتند، واقعاً گران‌فروشی است."},
	{name: "vague", author: "سیما", rating: 2,
		text: "اصلاً راضی نبودم."},
	{name: "mixed: tasty food but slow service", author: "کاوه", rating: 3, key: "wait", praise: true,
		text: "غذا خوشمزه بود اما سرویس خیلی کند بود."},
	{name: "typed without the non-joiner, Arabic letters", author: "پویا", rating: 1, key: "staff/rude",
		text: "پرسنل بيادب و بداخلاق بودند، ديگه نميام."},
	{name: "no answer to messages", author: "الهام", rating: 1, key: "no_response",
		text: "سه بار پیام دادم و هیچ‌کس جواب نداد."},
}

// TestLangFaDrafts: realistic Persian reviews get Persian drafts that keep
// every house rule.
func TestLangFaDrafts(t *testing.T) {
	faArRun(t, "fa", faCafe, faCases)
	noContact := Business{Name: "فروشگاه نوین"}
	faArRun(t, "fa", noContact, faCases[2:3])
}

// TestLangFaAnalyse pins the Persian keyword table: the verb comes last,
// so "خوب نبود" must read as a complaint and "مشکلی نبود" as none.
func TestLangFaAnalyse(t *testing.T) {
	for _, tc := range []struct {
		text   string
		topics []string
		praise bool
		aspect string
	}{
		{text: "غذا سرد بود و گارسون خیلی بی‌ادب بود.", topics: []string{"quality/cold", "staff/rude"}},
		{text: "غذا خوشمزه بود اما سرویس خیلی کند بود.", topics: []string{"wait"}, praise: true, aspect: "food"},
		{text: "پرسنل مهربان، ولی قهوه سرد.", topics: []string{"quality/cold"}, praise: true, aspect: "staff"},
		{text: "غذا خوب نبود.", topics: []string{"quality"}},
		{text: "سرویس افتضاح بود.", topics: []string{"staff"}},
		{text: "هیچ مشکلی نبود، همه چیز عالی بود.", praise: true},
		{text: "میزها تمیز نبود و سرویس بهداشتی کثیف بود.", topics: []string{"cleanliness"}},
		{text: "خیلی گران است.", topics: []string{"price"}},
		{text: "بسته هنوز نرسیده و هیچ‌کس جواب نمی‌دهد.", topics: []string{"delivery/missing", "no_response"}},
		{text: "سفارش با دو روز تأخیر رسید.", topics: []string{"delivery/late"}},
		{text: "سفارش به‌موقع نرسید.", topics: []string{"delivery/late"}},
		{text: "رزرو ما ثبت نشده بود.", topics: []string{"booking"}},
		{text: "صدای موسیقی خیلی بلند بود.", topics: []string{"noise"}},
		{text: "هنوز پولم را پس نداده‌اند.", topics: []string{"refund"}},
		{text: "با عکس‌ها فرق داشت.", topics: []string{"broken_promise"}},
		{text: "اپلیکیشن مدام هنگ می‌کند.", topics: []string{"quality/broken"}},
		{text: "نان بیات بود.", topics: []string{"quality/stale"}},
		{text: "يک ساعت منتظر مانديم.", topics: []string{"wait"}},   // Arabic yeh, as some keyboards type it
		{text: "گارسون بیادب بود.", topics: []string{"staff/rude"}}, // no non-joiner
		{text: "فضای دنج و قهوه‌ی عالی.", praise: true, aspect: "place"},
		{text: "اصلاً راضی نبودم."},
	} {
		a := persian.analyse("", tc.text)
		if !slices.Equal(a.topics, tc.topics) || a.praise != tc.praise || a.aspect != tc.aspect {
			t.Errorf("%s: topics %q praise %v aspect %q; want %q %v %q",
				tc.text, a.topics, a.praise, a.aspect, tc.topics, tc.praise, tc.aspect)
		}
	}
}

// TestLangFaForms: the formal tone, the business's offer and fix, and the
// holding, boundary, strict and thank-you forms, in Persian.
func TestLangFaForms(t *testing.T) {
	faArForms(t, "fa", faCafe, faArFormCases{
		complaint: "غذا سرد بود.",
		premium:   "با این قیمت‌ها انتظار نداشتم غذا سرد باشد.",
		health:    "بعد از خوردن ساندویچ مسموم شدم و کارم به بیمارستان کشید.",
		legal:     "از شما شکایت می‌کنم و وکیلم پیگیری خواهد کرد، غذا هم سرد بود.",
		abuse:     "گارسون احمق و بی‌شعور بود و غذا هم سرد بود.",
		threat:    "دفعه بعد مغازه را آتش می‌زنم.",
		positive:  "قهوه عالی بود و فضای کافه خیلی دنج است.",
		offer:     "یک فنجان قهوه مهمان ما در مراجعه‌ی بعدی",
		fix:       "از این هفته غذاها را در ظرف‌های گرم‌نگه‌دار سرو می‌کنیم",
		formal:    []string{"گرامی", "ارجمند", "با سلام و احترام", "با عرض سلام"},
		warm:      []string{"عزیز", "سلام و درود", "سلام و وقت بخیر"},
	})
}

// faArFormCases are the reviews and business texts TestLang*Forms uses.
type faArFormCases struct {
	complaint, premium, health, legal, abuse, threat, positive string
	offer, fix                                                 string
	formal, warm                                               []string // greeting words of each tone
}

func faArForms(t *testing.T, lang string, biz Business, c faArFormCases) {
	s := mustDefaults(t)
	req := func(id, text string, b Business, v int) Request {
		return Request{Business: b, Variant: v, Review: sources.Review{ID: id, Author: "Sam", Rating: stars(1), Text: text, Language: lang}}
	}
	apologies := func(text string) int {
		return len(matches(sentences(text), s.rules[lang].apology, clitics[lang]))
	}
	questions := func(text string) int {
		return strings.Count(text, "?") + strings.Count(text, "؟")
	}
	t.Run("tone", func(t *testing.T) {
		formal := biz
		formal.Tone = "formal"
		for v := range 3 {
			f := mustDraft(t, s, req("tone", c.complaint, formal, v))
			w := mustDraft(t, s, req("tone", c.complaint, biz, v))
			fg, _, _ := strings.Cut(f.Text, "\n")
			wg, _, _ := strings.Cut(w.Text, "\n")
			if !slices.ContainsFunc(c.formal, func(x string) bool { return strings.Contains(fg, x) }) {
				t.Errorf("formal greeting %q has none of %q", fg, c.formal)
			}
			if !slices.ContainsFunc(c.warm, func(x string) bool { return strings.Contains(wg, x) }) {
				t.Errorf("warm greeting %q has none of %q", wg, c.warm)
			}
			if len(f.Findings)+len(w.Findings) > 0 {
				t.Errorf("findings %+v %+v", f.Findings, w.Findings)
			}
		}
	})
	t.Run("offer and fix", func(t *testing.T) {
		b := biz
		b.Offers = []string{c.offer}
		b.Fixes = map[string]string{"quality": c.fix}
		for v := range 3 {
			d := mustDraft(t, s, req("offer", c.complaint, b, v))
			if !strings.Contains(d.Text, c.offer) || !strings.Contains(d.Text, c.fix) {
				t.Errorf("offer %q or fix %q missing:\n%s", c.offer, c.fix, d.Text)
			}
			if !slices.Contains(d.Rules, "T2") || apologies(d.Text) != 1 || len(d.Findings) > 0 {
				t.Errorf("Rules %q, %d apologies, findings %+v:\n%s", d.Rules, apologies(d.Text), d.Findings, d.Text)
			}
		}
	})
	for _, tc := range []struct{ name, text, form, review string }{
		{"health claim gets the holding reply", c.health, FormHolding, "health"},
		{"legal claim gets the holding reply", c.legal, FormHolding, "legal"},
		{"abuse gets the boundary", c.abuse, FormBoundary, "abusive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := range 3 {
				d := mustDraft(t, s, req(tc.name, tc.text, biz, v))
				if d.Form != tc.form || d.Review != tc.review || d.Language != lang {
					t.Errorf("Form %q Review %q Language %q, want %q %q %q:\n%s", d.Form, d.Review, d.Language, tc.form, tc.review, lang, d.Text)
				}
				if apologies(d.Text) != 1 || questions(d.Text) != 0 || !strings.Contains(d.Text, biz.Contact) || len(d.Findings) > 0 {
					t.Errorf("%d apologies, %d questions, contact %v, findings %+v:\n%s",
						apologies(d.Text), questions(d.Text), strings.Contains(d.Text, biz.Contact), d.Findings, d.Text)
				}
			}
		})
	}
	t.Run("strict privacy", func(t *testing.T) {
		b := biz
		b.Privacy = "strict"
		for v := range 3 {
			d := mustDraft(t, s, req("strict", c.complaint, b, v))
			body := paragraph(d.Text, 1)
			if d.Form != FormStrict || apologies(d.Text) != 0 || !strings.Contains(body, b.Contact) || len(d.Findings) > 0 {
				t.Errorf("Form %q, %d apologies, findings %+v:\n%s", d.Form, apologies(d.Text), d.Findings, d.Text)
			}
			if n := strings.Count(strings.ReplaceAll(body, b.Contact, ""), "."); n != 2 {
				t.Errorf("strict body has %d sentences, want 2:\n%s", n, body)
			}
		}
	})
	t.Run("positive review gets a thank-you", func(t *testing.T) {
		for v := range 3 {
			r := req("pos", c.positive, biz, v)
			r.Review.Rating = stars(5)
			d := mustDraft(t, s, r)
			if d.Form != FormThanks || d.Language != lang || apologies(d.Text) != 0 || questions(d.Text) != 0 || len(d.Findings) > 0 {
				t.Errorf("Form %q Language %q, %d apologies, findings %+v:\n%s", d.Form, d.Language, apologies(d.Text), d.Findings, d.Text)
			}
			if strings.ContainsFunc(d.Text, faArBidi) {
				t.Errorf("bidi controls in:\n%q", d.Text)
			}
		}
	})
	// T3 and T5: a repeat complaint and a premium price get their own
	// feeling (the optional <lang>/feeling/repeat and /premium parts).
	for _, tc := range []struct {
		name, text, part string
		repeat           bool
		rule             string
	}{
		{"repeat complaint", c.complaint, "feeling/repeat", true, "T3"},
		{"premium price", c.premium, "feeling/premium", false, "T5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, err := s.phrasings(s.t.Lookup(lang+"/"+tc.part), view{})
			if err != nil {
				t.Fatal(err)
			}
			for v := range 3 {
				r := req(tc.name, tc.text, biz, v)
				r.Repeat = tc.repeat
				d := mustDraft(t, s, r)
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(d.Text, l) }) {
					t.Errorf("no %s/%s phrasing in:\n%s", lang, tc.part, d.Text)
				}
				if !slices.Contains(d.Rules, tc.rule) && !slices.Contains(d.Kind, tc.rule) {
					t.Errorf("Rules %q, Kind %q lack %s", d.Rules, d.Kind, tc.rule)
				}
				if apologies(d.Text) != 1 || len(d.Findings) > 0 {
					t.Errorf("%d apologies, findings %+v:\n%s", apologies(d.Text), d.Findings, d.Text)
				}
			}
		})
	}
	t.Run("threat escalates", func(t *testing.T) {
		d := mustDraft(t, s, req("threat", c.threat, biz, 0))
		if !d.Escalate || d.Text != "" {
			t.Errorf("Escalate %v, Text %q; want an escalation and no text", d.Escalate, d.Text)
		}
	})
}

// TestLangFaText: the Persian files themselves use Persian letters and no
// bidi controls.
func TestLangFaText(t *testing.T) {
	b, err := embedded.ReadFile("reply/fa.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(b), "يكى") {
		t.Error("reply/fa.tmpl uses Arabic yeh or kaf (ي ك ى); Persian writes ی ک")
	}
	if strings.ContainsFunc(string(b), faArBidi) {
		t.Error("reply/fa.tmpl contains bidi control characters")
	}
}
