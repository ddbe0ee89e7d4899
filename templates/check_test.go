package templates

import (
	"slices"
	"strings"
	"testing"
)

// rulesOf returns the rule ids of findings, in order.
func rulesOf(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Rule)
	}
	return ids
}

func finding(fs []Finding, rule string) (Finding, bool) {
	for _, f := range fs {
		if f.Rule == rule {
			return f, true
		}
	}
	return Finding{}, false
}

// TestCheckIssueExample is the issue's own example: an edited draft that
// lectures and promises gets G5 and G8, each naming the offending words.
func TestCheckIssueExample(t *testing.T) {
	s := mustDefaults(t)
	fs := s.Check("You should have read our policy. We guarantee a full refund.", "en", Business{Name: "Cafe Blue"})
	g5, ok5 := finding(fs, "G5")
	g8, ok8 := finding(fs, "G8")
	if !ok5 || !ok8 {
		t.Fatalf("findings %q, want G5 and G8", rulesOf(fs))
	}
	if !slices.Equal(g5.Words, []string{"you should have", "our policy"}) {
		t.Errorf("G5 words = %q", g5.Words)
	}
	if !slices.Equal(g8.Words, []string{"guarantee", "refund"}) {
		t.Errorf("G8 words = %q", g8.Words)
	}
	for _, f := range fs {
		if !strings.HasPrefix(f.Message, f.Rule+":") {
			t.Errorf("message %q does not start with its rule id", f.Message)
		}
	}
}

func TestCheckRules(t *testing.T) {
	s := mustDefaults(t)
	const ok = "Hi Maria, thank you for telling us about the cold soup. We're sorry it went this way. Please write to us at anna@cafeblue.example. Warm regards, Anna"
	offer := cafe
	offer.Offers = []string{"a free dessert on your next visit"}
	for _, tc := range []struct {
		name, text     string
		b              Business
		form, platform string
		rule           string   // "" for no finding at all
		words          []string // the finding's words, when given
	}{
		{name: "a good draft", text: ok, b: cafe},
		{name: "G1 sarcasm", text: ok + " Obviously the soup was hot, lol.", b: cafe, rule: "G1",
			words: []string{"obviously", "lol"}},
		{name: "G1 insult", text: ok + " Only an idiot orders soup in July.", b: cafe, rule: "G1", words: []string{"idiot"}},
		{name: "G4 no apology", text: "Hi Maria, thanks. Write to anna@cafeblue.example.", b: cafe, rule: "G4"},
		{name: "G4 two apologies are named", text: ok + " Apologies again, and sorry once more.", b: cafe, rule: "G4",
			words: []string{"sorry", "apologies", "sorry"}},
		{name: "G5 blame", text: ok + " It is not our fault the kitchen was busy.", b: cafe, rule: "G5", words: []string{"not our fault"}},
		{name: "G6 negative", text: ok + " Unfortunately we can't change the menu.", b: cafe, rule: "G6",
			words: []string{"unfortunately", "we can't"}},
		{name: "G6 curly apostrophe", text: ok + " We don’t do that.", b: cafe, rule: "G6", words: []string{"we don't"}},
		{name: "G7 contact missing", text: strings.ReplaceAll(ok, "anna@cafeblue.example", "us"), b: cafe, rule: "G7"},
		{name: "G7 no contact configured", text: strings.ReplaceAll(ok, " Please write to us at anna@cafeblue.example.", ""), b: Business{Name: "Cafe Blue"}},
		{name: "G8 promise", text: ok + " It will never happen again, and the next meal is free.", b: cafe, rule: "G8",
			words: []string{"never happen again", "free"}},
		{name: "G8 inside a configured offer is allowed", text: ok + " We'd like to offer you a free dessert on your next visit.", b: offer},
		{name: "G8 outside the configured offer is not", text: ok + " We'd like to offer you a free dessert on your next visit, and free parking.", b: offer,
			rule: "G8", words: []string{"free"}},
		{name: "G12 e-mail address", text: ok + " We also wrote to maria.k@mail.example.", b: cafe, rule: "G12", words: []string{"maria.k@mail.example"}},
		{name: "G12 phone number", text: ok + " We called you on +44 20 7946 0958.", b: cafe, rule: "G12", words: []string{"+44 20 7946 0958"}},
		{name: "G12 order number", text: ok + " About order #48213:", b: cafe, rule: "G12", words: []string{"order #48213"}},
		{name: "G12 the business's own phone is fine", text: strings.ReplaceAll(ok, "anna@cafeblue.example", "+44 20 7946 0000"),
			b: Business{Name: "Cafe Blue", Contact: "+44 20 7946 0000"}},
		{name: "length over Google Play's limit", text: ok + strings.Repeat(" Thank you.", 30), b: cafe, platform: "Google Play", rule: "length"},
		{name: "length within Google's", text: ok + strings.Repeat(" Thank you.", 30), b: cafe, platform: "Google"},
		{name: "Google counts bytes", text: ok + strings.Repeat(" 谢谢", 700), b: cafe, platform: "Google", rule: "length"},
		{name: "length over the default", text: ok + strings.Repeat(" Thank you.", 400), b: cafe, rule: "length"},
		{name: "a thank-you needs no apology or contact", text: "Hi Maria, thank you for the lovely words. Anna", b: cafe, form: FormThanks},
		{name: "strict must not apologise", text: "We take all feedback seriously and we're sorry. Contact anna@cafeblue.example.", b: cafe,
			form: FormStrict, rule: "G4", words: []string{"sorry"}},
		{name: "whole words only", text: ok + " We hope the freezer repair and the refundable deposit went well.", b: cafe, rule: "G8", words: []string{"refundable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := s.CheckForm(tc.text, "en", cmpOr(tc.form, FormComplaint), tc.platform, tc.b)
			if tc.rule == "" {
				if len(fs) > 0 {
					t.Errorf("findings %+v, want none", fs)
				}
				return
			}
			f, found := finding(fs, tc.rule)
			if !found {
				t.Fatalf("findings %+v, want %s", fs, tc.rule)
			}
			if tc.words != nil && !slices.Equal(f.Words, tc.words) {
				t.Errorf("%s words = %q, want %q", tc.rule, f.Words, tc.words)
			}
			if len(fs) != 1 {
				t.Errorf("findings %q, want only %s", rulesOf(fs), tc.rule)
			}
		})
	}
}

func TestCheckUnknownLanguageUsesEnglish(t *testing.T) {
	s := mustDefaults(t)
	fs := s.Check("We guarantee it. Sorry. anna@cafeblue.example", "xx", cafe)
	if !slices.Equal(rulesOf(fs), []string{"G8"}) {
		t.Errorf("findings %q, want G8 from the English lists", rulesOf(fs))
	}
}

func TestPlatformLimit(t *testing.T) {
	for platform, want := range map[string]int{"Google": 4096, "google maps": 4096, "Google Play": 350,
		"App Store": 5970, "Trustpilot": defaultLimit, "Website": defaultLimit, "": defaultLimit} {
		if got := platformLimit(platform); got.n != want {
			t.Errorf("platformLimit(%q) = %d, want %d", platform, got.n, want)
		}
	}
}

func TestRulesOverride(t *testing.T) {
	dir := overrideDir(t, map[string]string{"close.tmpl": `{{define "en/close"}}Bye.{{end}}`})
	writeRules := func(text string) string {
		t.Helper()
		return overrideFile(t, dir, "rules/en.yaml", text)
	}
	full := `apology: [sorry]
sarcasm: [lol]
blame: [policy]
negative: ["we can't"]
promise: [voucher]
escalation:
  threat: ["kill you"]
  self_harm: [suicide]
  legal: [lawyer]
  health: [hospital]
  abuse: [idiot]
`
	writeRules(full)
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The operator's list replaces the default one: "refund" is no longer
	// a promise word, "voucher" is.
	fs := s.Check("Sorry. A refund and a voucher. anna@cafeblue.example", "en", cafe)
	if g8, ok := finding(fs, "G8"); !ok || !slices.Equal(g8.Words, []string{"voucher"}) {
		t.Errorf("findings %+v, want G8 for voucher only", fs)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"unknown key", full + "sarcsm: [lol]\n", "sarcsm"},
		{"empty list", strings.Replace(full, "promise: [voucher]", "promise: []", 1), `"promise" lists no phrase`},
		{"missing escalation list", strings.Replace(full, "  abuse: [idiot]\n", "", 1), "escalation.abuse"},
		{"not yaml", "apology: [sorry", "en.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeRules(tc.text)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "en.yaml") {
				t.Errorf("err = %v, want one naming en.yaml and %q", err, tc.want)
			}
		})
	}
}
