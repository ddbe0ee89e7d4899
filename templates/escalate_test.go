package templates

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// TestDraftEscalation: E1 threats and self-harm get no public text at all
// and urgent guidance; legal and health claims the holding reply for a
// manager; abuse a boundary and the platform's report route.
func TestDraftEscalation(t *testing.T) {
	s := mustDefaults(t)
	for _, tc := range []struct {
		name, text, platform string
		rating               float64
		escalate             bool
		form, review         string
		guidance             []string // words the guidance must contain
	}{
		{name: "E1 threat of violence", text: "Rude staff. I'll burn this place down, watch your back.", rating: 1,
			escalate: true, guidance: []string{"E1", "Do not reply publicly", "manager", "threat"}},
		{name: "E1 self-harm", text: "After this I just want to end my life.", rating: 1,
			escalate: true, guidance: []string{"E1", "Do not reply publicly", "manager", "crisis"}},
		{name: "E1 threat in a five-star review still escalates", text: "Great food. Touch my car again and I will kill you.", rating: 5,
			escalate: true, guidance: []string{"E1"}},
		{name: "health claim", text: "Got food poisoning after the chicken, spent the night in hospital.", rating: 1,
			form: FormHolding, review: "health", guidance: []string{"manager", "no liability"}},
		{name: "legal claim", text: "The waiter was rude and my solicitor will be in touch.", rating: 1,
			form: FormHolding, review: "legal", guidance: []string{"manager", "no liability"}},
		{name: "abusive, Google", text: "You useless idiots, the food was cold.", rating: 1, platform: "Google",
			form: FormBoundary, review: "abusive", guidance: []string{"E3", `"Report review"`, "Google Business Profile"}},
		{name: "abusive, Trustpilot", text: "Shut up and learn to cook, morons.", rating: 1, platform: "Trustpilot",
			form: FormBoundary, review: "abusive", guidance: []string{`"Report"`, `"harmful or illegal"`}},
		{name: "abusive, Yelp", text: "Stupid place.", rating: 1, platform: "Yelp",
			form: FormBoundary, review: "abusive", guidance: []string{"Yelp for Business"}},
		{name: "abusive, App Store", text: "Stupid app, crashes.", rating: 1, platform: "App Store",
			form: FormBoundary, review: "abusive", guidance: []string{`"Report a Problem"`}},
		{name: "abusive, Tripadvisor", text: "Idiots run this hotel.", rating: 1, platform: "Tripadvisor",
			form: FormBoundary, review: "abusive", guidance: []string{"Management Center"}},
		{name: "abusive, another platform", text: "Idiots.", rating: 1, platform: "Website",
			form: FormBoundary, review: "abusive", guidance: []string{"report link Website shows"}},
		{name: "a hospital in a happy review is no claim", text: "Lovely café right by the hospital, great coffee.", rating: 5,
			form: FormThanks},
		{name: "profanity in praise is no abuse", text: "Fucking great burgers, loved it.", rating: 5, form: FormThanks},
		{name: "E2 aggressive and repeated", text: "THIRD TIME I WRITE AND THE ORDER IS STILL WRONG!!!", rating: 1,
			form: FormComplaint, guidance: []string{"E2", "manager"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Business: cafe, Platform: tc.platform, Review: review("esc", "Maria", stars(tc.rating), tc.text)}
			d := mustDraft(t, s, req)
			if d.Escalate != tc.escalate || d.Urgent != tc.escalate {
				t.Errorf("Escalate, Urgent = %v, %v; want %v", d.Escalate, d.Urgent, tc.escalate)
			}
			if tc.escalate {
				if d.Text != "" || d.Form != "" || len(d.Findings) != 0 || !slices.Equal(d.Rules, []string{"E1"}) {
					t.Errorf("E1 draft has text %q, form %q, findings %v, rules %q", d.Text, d.Form, d.Findings, d.Rules)
				}
			} else {
				if d.Form != tc.form {
					t.Errorf("Form = %q, want %q:\n%s", d.Form, tc.form, d.Text)
				}
				if len(d.Findings) > 0 {
					t.Errorf("findings %+v in:\n%s", d.Findings, d.Text)
				}
				if d.Form != FormThanks && !strings.Contains(d.Text, cafe.Contact) {
					t.Errorf("G7: no contact in:\n%s", d.Text)
				}
			}
			if d.Review != tc.review {
				t.Errorf("Review = %q, want %q", d.Review, tc.review)
			}
			for _, w := range tc.guidance {
				if !strings.Contains(d.Guidance, w) {
					t.Errorf("Guidance lacks %q: %s", w, d.Guidance)
				}
			}
			if len(tc.guidance) == 0 && d.Guidance != "" {
				t.Errorf("Guidance = %q, want none", d.Guidance)
			}
		})
	}
}

// TestHoldingRepeatsNothing: the holding reply names no detail of the
// incident and admits no fault (G12; a manager reviews it).
func TestHoldingRepeatsNothing(t *testing.T) {
	s := mustDefaults(t)
	for v := range 4 {
		d := mustDraft(t, s, Request{Business: cafe, Variant: v,
			Review: review("hold", "Maria", stars(1), "The chicken gave my son food poisoning and we went to hospital. I'm calling a lawyer.")})
		lower := " " + strings.Join(strings.FieldsFunc(strings.ToLower(d.Text), func(r rune) bool { return !unicode.IsLetter(r) }), " ") + " "
		for _, w := range []string{"chicken", " son ", "poison", "hospital", "lawyer", "our fault", "we are responsible", "liab"} {
			if strings.Contains(lower, w) {
				t.Errorf("holding reply repeats or admits %q:\n%s", w, d.Text)
			}
		}
		if d.Review != "legal" || !strings.Contains(d.Guidance, "health claim") {
			t.Errorf("Review %q, Guidance %q: want legal, and the health claim named too", d.Review, d.Guidance)
		}
	}
}

func TestDraftPrivacyStrict(t *testing.T) {
	s := mustDefaults(t)
	clinic := Business{Name: "Smile Dental", Signature: "Dr. Lee, Smile Dental", Contact: "office@smile.example", Privacy: "strict"}
	for _, tc := range []struct {
		text   string
		rating float64
		review string
	}{
		{"The dentist was rude and my filling fell out after two days.", 1, ""},
		{"Dr. Lee hurt me and I got an infection, my lawyer will call.", 1, "legal"},
		{"Wonderful hygienist, thank you!", 5, ""},
	} {
		d := mustDraft(t, s, Request{Business: clinic, Review: review("strict", "Sam", stars(tc.rating), tc.text)})
		if d.Form != FormStrict || len(d.Findings) > 0 || d.Review != tc.review {
			t.Errorf("form %q, findings %v, review %q:\n%s", d.Form, d.Findings, d.Review, d.Text)
		}
		lower := strings.ToLower(d.Text)
		for _, w := range []string{"visit", "dentist", "filling", "hygienist", "treatment", "sorry", "welcome you back", "see you again"} {
			if strings.Contains(lower, w) {
				t.Errorf("strict reply says %q, which confirms or repeats something:\n%s", w, d.Text)
			}
		}
		if !strings.Contains(d.Text, clinic.Contact) || !strings.Contains(lower, "seriously") {
			t.Errorf("strict reply lacks the contact or \"seriously\":\n%s", d.Text)
		}
	}
}

func TestDraftKinds(t *testing.T) {
	s := mustDefaults(t)
	for _, tc := range []struct {
		name, text string
		repeat     bool
		want       []string
	}{
		{"T1 advertised", "Advertised as vegan, it was not.", false, []string{"T1"}},
		{"T3 no response", "I emailed three times and nobody replied.", false, []string{"T3"}},
		{"T3 the caller knows", "The soup was cold.", true, []string{"T3"}},
		{"T3 in words", "Yet again the soup was cold.", false, []string{"T3"}},
		{"T5 premium", "For this price the soup should not be cold.", false, []string{"T5"}},
		{"T6 many small things", "Cold soup, sticky table, loud music and an overpriced bill.", false, []string{"T6"}},
		{"T7 all caps", "THE SOUP WAS COLD AND NOBODY CARED", false, []string{"T7"}},
		{"T7 exclamation marks", "Cold soup!!! Again!!!", false, []string{"T7"}},
		{"none", "The soup was cold.", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDraft(t, s, Request{Business: cafe, Repeat: tc.repeat, Review: review("kind", "Maria", stars(2), tc.text)})
			if !slices.Equal(d.Kind, tc.want) {
				t.Errorf("Kind = %q, want %q", d.Kind, tc.want)
			}
			if len(d.Findings) > 0 {
				t.Errorf("findings %+v in:\n%s", d.Findings, d.Text)
			}
			if tc.repeat && !strings.Contains(d.Text, "this time") && !strings.Contains(d.Text, "listening now") && !strings.Contains(d.Text, "attention now") {
				t.Errorf("T3: a repeat reviewer is not told they are heard this time:\n%s", d.Text)
			}
		})
	}
}
