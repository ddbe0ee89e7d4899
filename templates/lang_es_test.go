package templates

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The Spanish, French and German tests share the helpers in this file
// ("eur" for the three European languages):
// eurCase is one realistic review and what its draft must show, and
// checkEurDrafts holds every draft to the bar.

// eurCase is a review written in the language under test.
type eurCase struct {
	name   string
	text   string
	rating float64
	topics []string // Draft.Topics
	// restated matches the body when the topic is said back (G2); empty
	// for a vague review, which gets the one question instead (G9).
	restated *regexp.Regexp
	praise   string // what the thanks for praise names, "" for none
	form     string // "" for FormComplaint
}

// checkEurDrafts drafts every case, unregistered language tag and all,
// so the language is found from the text, and holds each draft, for the
// default and three regenerated variants, to the rules: the right
// language and form, the topic restated in the language's own words,
// exactly one apology by rules/<lang>.yaml (none for strict), the
// contact, the signature, no question mark unless the review is vague,
// and no finding from the checker (Check and the draft's own Findings).
func checkEurDrafts(t *testing.T, lang string, b Business, cases []eurCase) {
	t.Helper()
	s := mustDefaults(t)
	r := s.rules[lang]
	if r == nil {
		t.Fatalf("no rules/%s.yaml loaded", lang)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := cmpOr(tc.form, FormComplaint)
			for v := range 4 {
				req := Request{Business: b, Variant: v,
					Review: review(fmt.Sprintf("%s-%d", lang, i), "Alex M.", stars(tc.rating), tc.text)}
				d := mustDraft(t, s, req)
				if d.Language != lang || d.Form != form {
					t.Fatalf("Language, Form = %q, %q; want %q, %q:\n%s", d.Language, d.Form, lang, form, d.Text)
				}
				if !slices.Equal(d.Topics, tc.topics) {
					t.Errorf("Topics = %q, want %q:\n%s", d.Topics, tc.topics, d.Text)
				}
				body := paragraph(d.Text, 1)
				if tc.restated != nil && !tc.restated.MatchString(body) {
					t.Errorf("G2: body does not restate %s (%s):\n%s", tc.topics, tc.restated, d.Text)
				}
				if tc.praise != "" && !strings.Contains(body, tc.praise) {
					t.Errorf("praise %q not thanked:\n%s", tc.praise, d.Text)
				}
				wantApology := 1
				if form == FormStrict {
					wantApology = 0
				}
				if got := matches(sentences(d.Text), r.apology, clitics[lang]); len(got) != wantApology {
					t.Errorf("G4: apologies %q, want %d:\n%s", got, wantApology, d.Text)
				}
				if !strings.Contains(d.Text, b.Contact) {
					t.Errorf("G7: contact %q missing:\n%s", b.Contact, d.Text)
				}
				if !strings.HasSuffix(d.Text, "\n"+b.Signature) {
					t.Errorf("G10: does not end with the signature %q:\n%s", b.Signature, d.Text)
				}
				wantQ := 0
				if tc.restated == nil && form == FormComplaint {
					wantQ = 1
				}
				if n := strings.Count(d.Text, "?"); n != wantQ {
					t.Errorf("G9: %d question marks, want %d:\n%s", n, wantQ, d.Text)
				}
				if f := s.CheckForm(d.Text, lang, d.Form, req.Platform, b); len(f) > 0 || len(d.Findings) > 0 {
					t.Errorf("checker findings %+v %+v:\n%s", f, d.Findings, d.Text)
				}
				if form == FormComplaint {
					if f := s.Check(d.Text, lang, b); len(f) > 0 {
						t.Errorf("Check: %+v:\n%s", f, d.Text)
					}
				}
				if !utf8.ValidString(d.Text) || strings.Contains(d.Text, "  ") || strings.Contains(d.Text, " ,") ||
					strings.Contains(d.Text, " .") || strings.Contains(d.Text, "..") {
					t.Errorf("spacing or punctuation glitch:\n%q", d.Text)
				}
			}
		})
	}
}

// eurAnalysis is a review and what the keyword table must read in it.
type eurAnalysis struct {
	text   string
	topics []string
	praise bool
	aspect string
}

func checkEurAnalysis(t *testing.T, lx *lexicon, cases []eurAnalysis) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			a := lx.analyse("", tc.text)
			if !slices.Equal(a.topics, tc.topics) {
				t.Errorf("topics = %q, want %q", a.topics, tc.topics)
			}
			if a.praise != tc.praise || a.aspect != tc.aspect {
				t.Errorf("praise, aspect = %v, %q; want %v, %q", a.praise, a.aspect, tc.praise, tc.aspect)
			}
		})
	}
}

// checkEurVariety drafts the same complaints for many reviews and wants
// several openings, closings and sign-offs (G10), and every regenerate
// of one review to change the text.
func checkEurVariety(t *testing.T, lang string, b Business, complaints []string) {
	t.Helper()
	s := mustDefaults(t)
	b.Language = lang // one-line reviews say too little to detect a language
	openings, closings, signoffs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range 40 {
		d := mustDraft(t, s, Request{Business: b,
			Review: review(fmt.Sprintf("var-%s-%d", lang, i), "Alex", stars(1), complaints[i%len(complaints)])})
		if d.Language != lang {
			t.Fatalf("Language = %q, want %q:\n%s", d.Language, lang, d.Text)
		}
		ps := strings.Split(d.Text, "\n\n")
		openings[ps[0]+" "+strings.SplitAfter(ps[1], ".")[0]] = true
		closings[ps[len(ps)-2]] = true
		signoffs[strings.Split(ps[len(ps)-1], "\n")[0]] = true
	}
	if len(openings) < 6 || len(closings) < 3 || len(signoffs) < 3 {
		t.Errorf("G10: 40 reviews got %d openings, %d closings, %d sign-offs; want at least 6, 3, 3",
			len(openings), len(closings), len(signoffs))
	}
	seen := map[string]bool{}
	for v := range 3 {
		d := mustDraft(t, s, Request{Business: b, Variant: v, Review: review("var-regen", "Alex", stars(1), complaints[0])})
		if seen[d.Text] {
			t.Errorf("G10: variant %d repeats an earlier one:\n%s", v, d.Text)
		}
		seen[d.Text] = true
	}
}

// checkEurExtras covers what a business configures: a formal tone
// changes the greeting, the business's own offer and fix appear verbatim
// (and the offer's promise words are no finding, G8), and a positive
// review gets a thank-you with no apology and no question.
func checkEurExtras(t *testing.T, lang string, b Business, complaint, positive, offer, fix string, formalGreeting *regexp.Regexp) {
	t.Helper()
	s := mustDefaults(t)
	formal := b
	formal.Tone = "formal"
	for v := range 3 {
		d := mustDraft(t, s, Request{Business: formal, Variant: v, Review: review("x-formal", "", stars(1), complaint)})
		if first, _, _ := strings.Cut(d.Text, "\n"); !formalGreeting.MatchString(first) {
			t.Errorf("formal greeting %q does not match %s", first, formalGreeting)
		}
	}
	rich := b
	rich.Offers = []string{offer}
	rich.Fixes = map[string]string{"quality": fix}
	d := mustDraft(t, s, Request{Business: rich, Review: review("x-offer", "Alex", stars(1), complaint)})
	if !strings.Contains(d.Text, offer) || !strings.Contains(d.Text, fix) {
		t.Errorf("offer %q or fix %q missing:\n%s", offer, fix, d.Text)
	}
	if len(d.Findings) > 0 {
		t.Errorf("findings with a configured offer: %+v\n%s", d.Findings, d.Text)
	}
	// A short thank-you may say too little to detect its language: the
	// business's own language decides then.
	local := b
	local.Language = lang
	for v := range 3 {
		d := mustDraft(t, s, Request{Business: local, Variant: v, Review: review("x-pos", "Alex", stars(5), positive)})
		if d.Language != lang || d.Form != FormThanks || len(d.Topics) != 0 || strings.Contains(d.Text, "?") ||
			len(matches(sentences(d.Text), s.rules[lang].apology, nil)) != 0 {
			t.Errorf("thank-you: language %q, form %q, topics %q, or an apology or question:\n%s",
				d.Language, d.Form, d.Topics, d.Text)
		}
	}
}

// eurFirstLetter returns the first letter of a paragraph.
func eurFirstLetter(p string) rune {
	for _, r := range p {
		if unicode.IsLetter(r) {
			return r
		}
	}
	return 0
}

var casaLucia = Business{Name: "Casa Lucía", Signature: "Lucía, Casa Lucía", Contact: "hola@casalucia.example"}

func TestLangEsDrafts(t *testing.T) {
	checkEurDrafts(t, "es", casaLucia, []eurCase{
		{name: "cold food", rating: 2,
			text:   "Pedimos dos raciones de paella y llegaron frías a la mesa. Para lo que cuesta, esperaba bastante más.",
			topics: []string{"quality"}, restated: regexp.MustCompile(`fr[ií][ao]s?`)},
		{name: "rude staff", rating: 1,
			text:   "El camarero fue muy grosero con nosotros y nos ignoró durante toda la cena.",
			topics: []string{"staff"}, restated: regexp.MustCompile(`amabilidad|amable|descortés`)},
		{name: "late delivery", rating: 1,
			text:   "El pedido llegó con una semana de retraso y nadie nos avisó de nada.",
			topics: []string{"delivery"}, restated: regexp.MustCompile(`retraso|tardó`)},
		{name: "dirty room", rating: 1,
			text:   "La habitación estaba sucia, con pelos en el baño y las sábanas manchadas.",
			topics: []string{"cleanliness"}, restated: regexp.MustCompile(`limpieza|suciedad`)},
		{name: "overcharged", rating: 2,
			text:   "Nos cobraron de más en la cuenta y encima tuvimos que insistir para que lo revisaran.",
			topics: []string{"price"}, restated: regexp.MustCompile(`precio|cuenta|pagado`)},
		{name: "vague", rating: 2, text: "No volveremos. Una experiencia muy decepcionante."},
		{name: "mixed: good food, slow service", rating: 3,
			text:   "La comida estaba buena pero el servicio fue lento.",
			topics: []string{"wait"}, restated: regexp.MustCompile(`espera|lentitud|esperar`), praise: "nuestra comida"},
		{name: "app crash, no help", rating: 1,
			text:   "La aplicación se cierra cada vez que intento pagar y el servicio de atención al cliente no me ha ayudado nada.",
			topics: []string{"quality", "staff"}, restated: regexp.MustCompile(`fallos|defectuoso|funcionaba`)},
		{name: "health claim gets the holding reply", rating: 1,
			text: "Después de cenar aquí toda la familia acabó en urgencias con una intoxicación.", form: FormHolding},
		{name: "abuse gets a boundary", rating: 1,
			text:   "Sois unos inútiles y unos payasos, la comida estaba fría.",
			topics: []string{"quality"}, restated: regexp.MustCompile(`fr[ií][ao]s?`), form: FormBoundary},
	})
}

func TestLangEsStrict(t *testing.T) {
	clinic := Business{Name: "Clínica Dental Sonrisa", Signature: "Equipo de Clínica Dental Sonrisa",
		Contact: "recepcion@sonrisa.example", Privacy: "strict"}
	checkEurDrafts(t, "es", clinic, []eurCase{
		{name: "strict privacy repeats nothing", rating: 1,
			text:   "La recepcionista fue muy borde y esperé una hora para una limpieza dental.",
			topics: []string{"staff", "wait"}, form: FormStrict},
	})
}

func TestLangEsAnalysis(t *testing.T) {
	checkEurAnalysis(t, spanish, []eurAnalysis{
		{text: "La comida estaba buena pero el servicio fue lento.", topics: []string{"wait"}, praise: true, aspect: "food"},
		{text: "La comida no estaba buena.", topics: []string{"quality"}},
		{text: "El café estaba frío y la camarera fue muy antipática.", topics: []string{"quality/cold", "staff/rude"}},
		{text: "Nada de ruido y el local no estaba sucio.", topics: nil},
		{text: "No está mal.", topics: nil},
		{text: "Buenas tardes, el pedido nunca llegó y nadie responde a mis correos.",
			topics: []string{"delivery/missing", "no_response"}},
		{text: "Muy caro para lo que es.", topics: []string{"price"}},
		{text: "Perdieron nuestra reserva.", topics: []string{"booking"}},
		{text: "Todavía estoy esperando el reembolso.", topics: []string{"refund"}},
		{text: "Nada que ver con las fotos de la web.", topics: []string{"broken_promise"}},
		{text: "Llegó tal como se describe, producto excelente.", praise: true, aspect: "product"},
		{text: "El servicio fue pésimo.", topics: []string{"staff"}},
		{text: "Esperamos volver pronto, todo riquísimo.", praise: true},
		{text: "Un sitio precioso, aunque la música estaba muy alta.", topics: []string{"noise"}, praise: true, aspect: "place"},
	})
}

func TestLangEsVariety(t *testing.T) {
	checkEurVariety(t, "es", casaLucia, []string{
		"La sopa estaba fría.", "El camarero fue muy maleducado.", "Esperamos más de una hora.",
		"Los baños estaban sucios.", "Demasiado caro.", "Mi paquete nunca llegó.", "Había muchísimo ruido.",
		"No me gustó nada, muy decepcionante.", "Perdieron nuestra reserva.",
	})
}

func TestLangEsExtras(t *testing.T) {
	checkEurExtras(t, "es", casaLucia,
		"El producto llegó roto y no funciona.",
		"Una comida deliciosa y un personal encantador, ¡volveremos!",
		"un café gratis en su próxima visita", "hemos cambiado de proveedor para el envío",
		regexp.MustCompile(`^(Buenos días|Muy buenos días|Estimado cliente)`))
}
