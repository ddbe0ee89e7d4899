package templates

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The helpers (checkEurDrafts and the others) are in lang_es_test.go.

var gasthausLinde = Business{Name: "Gasthaus Linde", Signature: "Jonas Weber, Gasthaus Linde", Contact: "service@gasthaus-linde.example"}

func TestLangDeDrafts(t *testing.T) {
	checkEurDrafts(t, "de", gasthausLinde, []eurCase{
		{name: "cold food", rating: 2,
			text:   "Das Essen kam kalt an den Tisch und die Pommes waren matschig.",
			topics: []string{"quality"}, restated: regexp.MustCompile(`kalt`)},
		{name: "rude staff", rating: 1,
			text:   "Die Kellnerin war extrem unfreundlich und hat uns den ganzen Abend ignoriert.",
			topics: []string{"staff"}, restated: regexp.MustCompile(`unfreundlich|Unhöflichkeit|unhöflich`)},
		{name: "late delivery", rating: 1,
			text:   "Die Lieferung kam zehn Tage zu spät, obwohl ich für den Expressversand bezahlt habe.",
			topics: []string{"delivery"}, restated: regexp.MustCompile(`verspätet|Verzögerung`)},
		{name: "dirty room", rating: 1,
			text:   "Das Zimmer war schmutzig und im Bad lagen noch Haare vom Vorgänger.",
			topics: []string{"cleanliness"}, restated: regexp.MustCompile(`Sauberkeit|unsauber`)},
		{name: "overcharged", rating: 2,
			text:   "Uns wurde zu viel berechnet und die Rechnung mussten wir zweimal korrigieren lassen.",
			topics: []string{"price"}, restated: regexp.MustCompile(`Preis|Rechnung`)},
		{name: "vague", rating: 1, text: "Nicht zu empfehlen. Wir waren sehr enttäuscht von dem Abend."},
		{name: "mixed: good food, slow service", rating: 3,
			text:   "Das Essen war gut, aber der Service war langsam.",
			topics: []string{"wait"}, restated: regexp.MustCompile(`Warte|Warten|langsam`), praise: "unser Essen"},
		{name: "app crash, no help", rating: 1,
			text:   "Die App stürzt jedes Mal ab, wenn ich bezahlen will, und der Kundenservice war überhaupt keine Hilfe.",
			topics: []string{"quality", "staff"}, restated: regexp.MustCompile(`defekt|Defekt|Mängel`)},
		{name: "health claim gets the holding reply", rating: 1,
			text: "Nach dem Abendessen bei Ihnen hatten wir alle eine Lebensmittelvergiftung.", form: FormHolding},
		{name: "abuse gets a boundary", rating: 1,
			text:   "Ihr Idioten, das Essen war kalt und keinen hat es interessiert.",
			topics: []string{"quality"}, restated: regexp.MustCompile(`kalt`), form: FormBoundary},
	})
}

// TestLangDeLowerCaseAfterGreeting: a German greeting ends with a comma,
// so the body's first word starts in lower case, whatever the form.
func TestLangDeLowerCaseAfterGreeting(t *testing.T) {
	s := mustDefaults(t)
	strict := gasthausLinde
	strict.Privacy = "strict"
	for _, r := range []Request{
		{Business: gasthausLinde, Review: review("de-lc-1", "Anna", stars(1), "Das Essen war kalt.")},
		{Business: gasthausLinde, Review: review("de-lc-2", "", stars(5), "Sehr lecker und ein tolles Team, gerne wieder!")},
		{Business: gasthausLinde, Review: review("de-lc-3", "Anna", stars(1), "Nach dem Essen hatten wir eine Lebensmittelvergiftung.")},
		{Business: strict, Review: review("de-lc-4", "Anna", stars(1), "Das Essen war kalt und der Kellner unfreundlich.")},
	} {
		r.Business.Language = "de"
		for v := range 4 {
			r.Variant = v
			d := mustDraft(t, s, r)
			greeting, body := paragraph(d.Text, 0), paragraph(d.Text, 1)
			if !strings.HasSuffix(greeting, ",") || !unicode.IsLower(eurFirstLetter(body)) {
				t.Errorf("%s form: greeting %q, body starts %q; want a comma and a small letter:\n%s",
					d.Form, greeting, body[:min(20, len(body))], d.Text)
			}
		}
	}
}

func TestLangDeStrict(t *testing.T) {
	praxis := Business{Name: "Zahnarztpraxis am Markt", Signature: "Ihr Praxisteam am Markt",
		Contact: "praxis@ammarkt.example", Privacy: "strict"}
	checkEurDrafts(t, "de", praxis, []eurCase{
		{name: "strict privacy repeats nothing", rating: 1,
			text:   "Die Dame am Empfang war unfreundlich und wir haben eine Stunde gewartet.",
			topics: []string{"staff", "wait"}, form: FormStrict},
	})
}

func TestLangDeAnalysis(t *testing.T) {
	checkEurAnalysis(t, german, []eurAnalysis{
		{text: "Das Essen war gut, aber der Service war langsam.", topics: []string{"wait"}, praise: true, aspect: "food"},
		{text: "Das Essen war nicht gut.", topics: []string{"quality"}},
		{text: "Der Kaffee war kalt und der Kellner unhöflich.", topics: []string{"quality/cold", "staff/rude"}},
		{text: "Kein Lärm, keine Wartezeit, alles bestens.", topics: nil},
		{text: "Guten Tag, das Paket ist nie angekommen und niemand antwortet auf meine Mails.",
			topics: []string{"delivery/missing", "no_response"}},
		{text: "Viel zu teuer für das, was man bekommt.", topics: []string{"price"}},
		{text: "Sie haben unsere Reservierung verloren.", topics: []string{"booking"}},
		{text: "Ich warte immer noch auf die Rückerstattung.", topics: []string{"refund"}},
		{text: "Sah ganz anders aus als auf den Fotos, irreführende Werbung.", topics: []string{"broken_promise"}},
		{text: "Wie beschrieben geliefert, super Produkt.", praise: true, aspect: "product"},
		{text: "Der Service war katastrophal.", topics: []string{"staff"}},
		{text: "Das Gericht war lauwarm.", topics: []string{"quality/cold"}},
		{text: "Lieferung problemlos und schnell.", praise: true, aspect: "delivery"},
		{text: "Essen lecker, nur die Musik war viel zu laut.", topics: []string{"noise"}, praise: true, aspect: "food"},
	})
}

func TestLangDeVariety(t *testing.T) {
	checkEurVariety(t, "de", gasthausLinde, []string{
		"Die Suppe war kalt.", "Der Kellner war sehr unhöflich.", "Wir haben über eine Stunde gewartet.",
		"Die Toiletten waren dreckig.", "Viel zu teuer.", "Mein Paket ist nie angekommen.", "Viel zu laut.",
		"Sehr enttäuschend.", "Sie haben unsere Reservierung verloren.",
	})
}

func TestLangDeExtras(t *testing.T) {
	checkEurExtras(t, "de", gasthausLinde,
		"Das Produkt kam kaputt an und funktioniert nicht.",
		"Tolles Ambiente und super leckeres Essen, gerne wieder!",
		"einen Gutschein über 10 Euro für Ihren nächsten Besuch", "wir haben den Versanddienstleister gewechselt",
		regexp.MustCompile(`^(Guten Tag|Sehr geehrte Damen und Herren)`))
}
