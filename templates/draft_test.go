package templates

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/revwatch/revwatch/sources"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// defaults is the embedded set, loaded once: Load drafts samples of every
// language, which is start-up work, not per-test work.
var defaults = sync.OnceValues(func() (*Set, error) { return Load("") })

func mustDefaults(t *testing.T) *Set {
	t.Helper()
	s, err := defaults()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var cafe = Business{Name: "Cafe Blue", Signature: "Anna, Cafe Blue", Contact: "anna@cafeblue.example"}

func review(id, author string, rating *float64, text string) sources.Review {
	return sources.Review{ID: id, Author: author, Rating: rating, Text: text}
}

func stars(v float64) *float64 { return &v }

func mustDraft(t *testing.T, s *Set, r Request) Draft {
	t.Helper()
	d, err := s.Draft(r)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// ruleWords are extra English words a draft must never contain, and the
// pattern of an apology, on top of rules/en.yaml. Other languages are
// held to their rules/<lang>.yaml alone.
var ruleWords = map[string]struct {
	promise, blame []string
	apology        *regexp.Regexp
}{
	"en": {
		// G8: no promises the business has not made.
		promise: []string{"refund", "compensat", "never happen again", "won't happen again",
			"will not happen again", "guarantee", "promise", "voucher", "discount", "free of charge"},
		// G5, G6: no excuses, no blame, no lecturing, no "we don't".
		blame: []string{"you should have", "you should", "policy", "unfortunately", "can't",
			"cannot", "we don't", "we do not", "not our fault", "however", "actually", "calm down"},
		apology: regexp.MustCompile(`(?i)sorry|apolog`),
	},
}

var (
	promiseWords = ruleWords["en"].promise
	blameWords   = ruleWords["en"].blame
	apologyRE    = ruleWords["en"].apology
)

// checkComplaintReply asserts what every complaint draft keeps, rule by rule.
func checkComplaintReply(t *testing.T, d Draft, r Request, vague bool) {
	t.Helper()
	lower := strings.ToLower(d.Text)
	if n := len(apologyRE.FindAllString(d.Text, -1)); n != 1 {
		t.Errorf("G4: %d apologies, want exactly 1:\n%s", n, d.Text)
	}
	if c := r.Business.Contact; c != "" && !strings.Contains(d.Text, c) {
		t.Errorf("G7: contact %q missing:\n%s", c, d.Text)
	}
	if r.Business.Contact == "" && !strings.Contains(lower, "reply here or contact us directly") {
		t.Errorf("G7: no contact configured, want \"reply here or contact us directly\":\n%s", d.Text)
	}
	for _, w := range promiseWords {
		if strings.Contains(lower, w) {
			t.Errorf("G8: promise word %q:\n%s", w, d.Text)
		}
	}
	for _, w := range blameWords {
		if strings.Contains(lower, w) {
			t.Errorf("G5/G6: blame or negative word %q:\n%s", w, d.Text)
		}
	}
	wantQ := 0
	if vague {
		wantQ = 1
	}
	if n := strings.Count(d.Text, "?"); n != wantQ {
		t.Errorf("G9: %d question marks, want %d:\n%s", n, wantQ, d.Text)
	}
	sig := cmpOr(r.Business.Signature, r.Business.Name)
	if !strings.HasSuffix(d.Text, "\n"+sig) {
		t.Errorf("G10: does not end with the signature %q:\n%s", sig, d.Text)
	}
	if n := len(strings.Fields(d.Text)); n < 60 || n > 120 {
		t.Errorf("length: %d words, want 60-120:\n%s", n, d.Text)
	}
	if strings.ContainsAny(d.Text, "*#`[]<>") {
		t.Errorf("plain text: markup characters in:\n%s", d.Text)
	}
	for _, id := range []string{"G3", "G4", "G7", "G10", "G11", "G12"} {
		if !slices.Contains(d.Rules, id) {
			t.Errorf("Rules %q lack %s", d.Rules, id)
		}
	}
	if vague != slices.Contains(d.Rules, "G9") || vague == slices.Contains(d.Rules, "G2") {
		t.Errorf("Rules %q: vague=%v wants G9 and no G2, specific wants G2 and no G9", d.Rules, vague)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestDraftComplaint(t *testing.T) {
	s := mustDefaults(t)
	noContact := Business{Name: "Cafe Blue"}
	for _, tc := range []struct {
		name     string
		req      Request
		topics   []string
		vague    bool
		reviewer string // "" when the greeting must be neutral
		praise   bool
	}{
		{name: "G2 cold food and rude staff",
			req:    Request{Business: cafe, Review: review("r1", "Maria", stars(1), "The food was cold and the waiter was rude.")},
			topics: []string{"quality", "staff"}, reviewer: "Maria"},
		{name: "G2 three topics, two restated",
			req:    Request{Business: cafe, Review: review("r2", "Tom B.", stars(2), "Overpriced and bland. The toilets were filthy.")},
			topics: []string{"price", "quality", "cleanliness"}, reviewer: "Tom B."},
		{name: "G9 vague review asks one question",
			req:   Request{Business: cafe, Review: review("r3", "Lee", stars(2), "Meh. Not what I hoped.")},
			vague: true, reviewer: "Lee"},
		{name: "G9 empty text with a low rating",
			req:   Request{Business: cafe, Review: review("r4", "Lee", stars(1), "")},
			vague: true, reviewer: "Lee"},
		{name: "G7 no contact configured",
			req:    Request{Business: noContact, Review: review("r5", "Sam", stars(1), "Our parcel never arrived.")},
			topics: []string{"delivery"}, reviewer: "Sam"},
		{name: "G12 e-mail as author gets a neutral greeting",
			req:    Request{Business: cafe, Review: review("r6", "jane.doe@mail.example", stars(1), "Rude staff.")},
			topics: []string{"staff"}},
		{name: "G12 phone number as author gets a neutral greeting",
			req:    Request{Business: cafe, Review: review("r7", "+1 555 010 9999", stars(1), "Dirty tables.")},
			topics: []string{"cleanliness"}},
		{name: "mixed review thanks for the praise",
			req:    Request{Business: cafe, Review: review("r8", "Ana", stars(3), "Great food but the service was slow.")},
			topics: []string{"wait"}, reviewer: "Ana", praise: true},
		{name: "mixed review rated 4 is still a complaint",
			req:    Request{Business: cafe, Review: review("r9", "Ana", stars(4), "Loved the coffee, but it was way too loud.")},
			topics: []string{"noise"}, reviewer: "Ana", praise: true},
		{name: "T1 broken promise",
			req:    Request{Business: cafe, Review: review("r10", "Kim", stars(2), "Advertised as vegan, it was not.")},
			topics: []string{"broken_promise"}, reviewer: "Kim"},
		{name: "T3 no response",
			req:    Request{Business: cafe, Review: review("r11", "Kim", stars(1), "I emailed three times and nobody replied.")},
			topics: []string{"no_response"}, reviewer: "Kim"},
		{name: "nil rating with a complaint topic",
			req:    Request{Business: cafe, Review: review("r12", "Jo", nil, "They lost our booking.")},
			topics: []string{"booking"}, reviewer: "Jo"},
		{name: "nil rating with only negative words is a vague complaint",
			req:   Request{Business: cafe, Review: review("r13", "Jo", nil, "Terrible. Avoid.")},
			vague: true, reviewer: "Jo"},
		{name: "refund request is restated without the word (G8)",
			req:    Request{Business: noContact, Review: review("r14", "Jo", stars(1), "Still no refund after a month.")},
			topics: []string{"refund"}, reviewer: "Jo"},
		{name: "no signature signs with the business name (G10)",
			req:    Request{Business: Business{Name: "Cafe Blue", Contact: "0123 456"}, Review: review("r15", "Jo", stars(2), "The app keeps crashing.")},
			topics: []string{"quality"}, reviewer: "Jo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every rule holds for the default and for the wordings a
			// regenerate offers.
			for v := range 6 {
				r := tc.req
				r.Variant = v
				d := mustDraft(t, s, r)
				checkComplaintReply(t, d, r, tc.vague)
				if !slices.Equal(d.Topics, tc.topics) {
					t.Errorf("Topics = %q, want %q", d.Topics, tc.topics)
				}
				if d.Language != "en" {
					t.Errorf("Language = %q, want en", d.Language)
				}
				first, _, _ := strings.Cut(d.Text, "\n")
				if tc.reviewer != "" && !strings.Contains(first, tc.reviewer) {
					t.Errorf("G12: greeting %q lacks the reviewer's name %q", first, tc.reviewer)
				}
				if tc.reviewer == "" && strings.ContainsAny(first, "@0123456789") {
					t.Errorf("G12: greeting %q repeats private details", first)
				}
				lower := strings.ToLower(d.Text)
				thanked := strings.Contains(lower, "kind words") || strings.Contains(lower, "thank you for saying so") ||
					strings.Contains(lower, "what you liked")
				if thanked != tc.praise {
					t.Errorf("praise thanked = %v, want %v:\n%s", thanked, tc.praise, d.Text)
				}
			}
		})
	}
}

// topicWords are words that every phrasing of a topic uses (G2).
var topicWords = map[string][]string{
	"cold food":     {"cold"},
	"rude staff":    {"rude", "unfriendly"},
	"late delivery": {"late", "delay"},
}

func TestDraftDifferentComplaintsDiffer(t *testing.T) {
	s := mustDefaults(t)
	texts := map[string]string{
		"cold food":     "My soup was cold.",
		"rude staff":    "The waiter was rude.",
		"late delivery": "The delivery was three days late.",
	}
	for v := range 4 {
		bodies := map[string]string{}
		for name, text := range texts {
			// Same ID and variant: only the complaint differs.
			d := mustDraft(t, s, Request{Business: cafe, Review: review("same", "Maria", stars(1), text), Variant: v})
			restate := paragraph(d.Text, 1)
			if !slices.ContainsFunc(topicWords[name], func(w string) bool { return strings.Contains(restate, w) }) {
				t.Errorf("G2 %s, variant %d: restatement lacks any of %q:\n%s", name, v, topicWords[name], d.Text)
			}
			for other, b := range bodies {
				if b == restate {
					t.Errorf("G2 variant %d: %s and %s got the same body:\n%s", v, name, other, b)
				}
			}
			bodies[name] = restate
		}
	}
}

// paragraph returns the i-th paragraph of a draft.
func paragraph(text string, i int) string {
	ps := strings.Split(text, "\n\n")
	if i >= len(ps) {
		return ""
	}
	return ps[i]
}

func TestDraftDeterministicAndVariants(t *testing.T) {
	s := mustDefaults(t)
	req := Request{Business: cafe, Review: review("det-1", "Maria", stars(1), "The food was cold.")}
	a, b := mustDraft(t, s, req), mustDraft(t, s, req)
	if a.Text != b.Text {
		t.Fatalf("same request, different drafts:\n%s\n---\n%s", a.Text, b.Text)
	}
	// Regenerating: each Variant moves every part on by one phrasing, so
	// the next few variants all differ from each other (G10).
	seen := map[string]int{}
	for v := range 3 {
		req.Variant = v
		d := mustDraft(t, s, req)
		if prev, dup := seen[d.Text]; dup {
			t.Errorf("G10: variant %d repeats variant %d:\n%s", v, prev, d.Text)
		}
		seen[d.Text] = v
	}
	// Loading again gives the same drafts: nothing depends on map order.
	s2, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	req.Variant = 0
	if c := mustDraft(t, s2, req); c.Text != a.Text {
		t.Errorf("a fresh Set drafts differently:\n%s\n---\n%s", a.Text, c.Text)
	}
}

func TestDraftVarietyAcrossReviews(t *testing.T) {
	s := mustDefaults(t)
	complaints := []string{
		"The food was cold.", "Rude staff.", "We waited an hour.", "Dirty toilets.",
		"Overpriced.", "My parcel never arrived.", "Too loud.", "Not good at all.", "Meh.",
		"They lost our booking.",
	}
	openings, closings, signoffs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range 50 {
		r := Request{Business: cafe, Review: review(fmt.Sprintf("syn-%03d", i), "Maria", stars(1), complaints[i%len(complaints)])}
		d := mustDraft(t, s, r)
		checkComplaintReply(t, d, r, d.Topics == nil)
		ps := strings.Split(d.Text, "\n\n")
		openings[ps[0]+" "+strings.SplitAfter(ps[1], ".")[0]] = true
		closings[ps[len(ps)-2]] = true
		signoffs[strings.Split(ps[len(ps)-1], "\n")[0]] = true
	}
	// G10: customers notice a canned line repeated under every review.
	if len(openings) < 6 || len(closings) < 3 || len(signoffs) < 3 {
		t.Errorf("G10: 50 reviews got %d openings, %d closings, %d sign-offs; want at least 6, 3, 3",
			len(openings), len(closings), len(signoffs))
	}
}

func TestDraftPositive(t *testing.T) {
	s := mustDefaults(t)
	for _, tc := range []struct {
		name  string
		r     sources.Review
		about string
	}{
		{name: "rated 5 with praise for the place", r: review("p1", "Maria", stars(5), "Lovely place, loved the coffee!"), about: "the place"},
		{name: "rated 4 with no text", r: review("p2", "Maria", stars(4), "")},
		{name: "no rating, kind words", r: review("p3", "", nil, "Friendly staff and great value.")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for v := range 3 {
				d := mustDraft(t, s, Request{Business: cafe, Review: tc.r, Variant: v})
				if len(d.Topics) != 0 || apologyRE.MatchString(d.Text) || strings.Contains(d.Text, "?") {
					t.Errorf("a thank-you has topics %q, an apology or a question:\n%s", d.Topics, d.Text)
				}
				body := paragraph(d.Text, 1)
				if n := strings.Count(body, ". ") + 1; n < 2 || n > 3 {
					t.Errorf("thank-you body has %d sentences, want 2-3:\n%s", n, d.Text)
				}
				if !strings.Contains(body, tc.about) {
					t.Errorf("thank-you does not mention %q:\n%s", tc.about, d.Text)
				}
				if !strings.HasSuffix(d.Text, "\n"+cafe.Signature) {
					t.Errorf("G10: no signature:\n%s", d.Text)
				}
				if !slices.Equal(d.Rules, []string{"G10", "G11", "G12"}) {
					t.Errorf("Rules = %q", d.Rules)
				}
			}
		})
	}
}

// TestDraftInjection: the review is untrusted. Its text and name are only
// ever data; nothing in them is parsed as a template.
func TestDraftInjection(t *testing.T) {
	s := mustDefaults(t)
	payload := `{{.Business.Contact}} {{define "en/close"}}HACKED{{end}} {{template "en/apology" .}} {{printf "%s" "EXEC"}}`
	for _, tc := range []struct {
		name string
		r    sources.Review
	}{
		{name: "in the text", r: review("inj-1", "Maria", stars(1), "The food was cold. "+payload)},
		{name: "in the title", r: sources.Review{ID: "inj-2", Author: "Maria", Rating: stars(1), Title: payload}},
		{name: "as the author", r: review("inj-3", "{{.Business.Contact}}", stars(1), "Rude staff.")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDraft(t, s, Request{Business: cafe, Review: tc.r})
			if strings.Contains(d.Text, "HACKED") || strings.Contains(d.Text, "EXEC") {
				t.Errorf("review text was executed:\n%s", d.Text)
			}
			if n := strings.Count(d.Text, cafe.Contact); n != 1 {
				t.Errorf("contact appears %d times, want once (from the contact part):\n%s", n, d.Text)
			}
			if n := len(apologyRE.FindAllString(d.Text, -1)); n != 1 {
				t.Errorf("G4: %d apologies:\n%s", n, d.Text)
			}
			if strings.Contains(d.Text, "{{") && !strings.Contains(d.Text, "{{.Business.Contact}}") {
				t.Errorf("template syntax echoed in a changed form:\n%s", d.Text)
			}
		})
	}
	// The set itself is unchanged: the default close still comes out.
	after := mustDraft(t, s, Request{Business: cafe, Review: review("inj-1", "Maria", stars(1), "The food was cold.")})
	if strings.Contains(after.Text, "HACKED") {
		t.Errorf("a review redefined a template:\n%s", after.Text)
	}
}

func TestDisplayName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Maria", "Maria"},
		{"  Tom   B. ", "Tom B."},
		{"Zoë\u200b\nK.", "Zoë K."},
		{"", ""},
		{"jane@mail.example", ""},                          // G12: e-mail
		{"+44 20 7946 0958", ""},                           // G12: phone
		{"call 555-0199", ""},                              // G12: phone in words
		{"www.spam.example", ""},                           // a link, not a name
		{"Anonymous", ""},                                  // a platform placeholder
		{"A Google User", ""},                              // a platform placeholder
		{strings.Repeat("x", 41), ""},                      // a sentence, not a name
		{"R2D2", "R2D2"},                                   // a few digits are fine
		{"{{.Business.Contact}}", "{{.Business.Contact}}"}, // data, printed as is
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := displayName(tc.in); got != tc.want {
				t.Errorf("displayName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDraftLanguage(t *testing.T) {
	s := mustDefaults(t)
	for _, tc := range []struct{ name, review, business string }{
		{"regional tag", "en-GB", ""},
		{"no templates for the review's language", "it", ""},
		{"unknown business fallback", "", "xx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := review("lang", "Maria", stars(1), "Rude staff.")
			r.Language = tc.review
			b := cafe
			b.Language = tc.business
			if d := mustDraft(t, s, Request{Business: b, Review: r}); d.Language != "en" {
				t.Errorf("Language = %q, want en", d.Language)
			}
		})
	}
}

func TestDraftErrors(t *testing.T) {
	s := mustDefaults(t)
	for _, tc := range []struct {
		name string
		req  Request
		want string
	}{
		{"negative variant", Request{Business: cafe, Variant: -1}, "negative variant"},
		{"G10 nobody to sign", Request{Business: Business{Contact: "x@y.example"}}, "signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Draft(tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "templates: ") {
				t.Errorf("err = %v, want templates: …%s…", err, tc.want)
			}
		})
	}
}

// TestEveryPhrasing renders every line of every part, in every language,
// for every sample, and holds each to the rules it must keep whichever
// line the hash picks, with the language's own phrase lists
// (rules/<lang>.yaml): no sarcasm (G1), apologies only in the apology and
// holding parts (G4), no blame or excuses (G5), no negative phrasing (G6),
// no promises outside the business's own offer (G8), a question mark only
// in the question part (G9), no markup. English is also held to the
// extra word lists of ruleWords.
func TestEveryPhrasing(t *testing.T) {
	s := mustDefaults(t)
	for _, lang := range languages() {
		r := s.rules[lang]
		if r == nil {
			t.Errorf("no rules/%s.yaml: its phrasings go unchecked", lang)
			continue
		}
		for _, tmpl := range s.t.Templates() {
			name := tmpl.Name()
			part, ok := strings.CutPrefix(name, lang+"/")
			if !ok || tmpl.Tree == nil || part == "topics" {
				continue
			}
			part, _, _ = strings.Cut(part, "/") // "feeling/no_response" keeps the feeling's rules
			t.Run(name, func(t *testing.T) {
				// Both sides of every {{if}} on the data.
				for _, req := range sampleRequests {
					for _, who := range []string{"", "Alex"} {
						for _, praise := range []string{"", "the food"} {
							v := view{Reviewer: who, Business: req.Business, Signature: "Sam", Platform: req.Platform,
								Topics: []string{"the long wait"}, Praise: praise,
								Offer: "a coffee on us", Fix: "we have added staff", Formal: who == ""}
							lines, err := s.phrasings(tmpl, v)
							if err != nil {
								t.Fatal(err)
							}
							for _, l := range lines {
								checkPhrasingRules(t, lang, part, l, r, v.Offer)
								if w, ok := ruleWords[lang]; ok {
									checkPhrasing(t, part, l, w.promise, w.blame, w.apology)
								}
							}
						}
					}
				}
			})
		}
	}
}

// questionMarks are the question marks of the draft languages' scripts.
const questionMarks = "?؟？"

func checkPhrasingRules(t *testing.T, lang, part, l string, r *rules, offer string) {
	t.Helper()
	sents := sentences(l)
	cl := clitics[lang]
	for _, c := range []struct {
		rule string
		ps   []phrase
		text string
	}{
		{"G1", slices.Concat(r.sarcasm, r.abuse), l},
		{"G5", r.blame, l},
		{"G6", r.negative, l},
		{"G8", r.promise, withoutOffers(l, []string{offer})},
	} {
		if w := matches(sentences(c.text), c.ps, cl); len(w) > 0 {
			t.Errorf("%s: %q in %s: %q", c.rule, w, part, l)
		}
	}
	wantApology := 0
	if part == "apology" || part == "holding" {
		wantApology = 1
	}
	if n := len(matches(sents, r.apology, cl)); n != wantApology {
		t.Errorf("G4: %s has %d apologies, want %d: %q", part, n, wantApology, l)
	}
	wantQ := 0
	if part == "question" {
		wantQ = 1
	}
	if n := strings.Count(l, "?") + strings.Count(l, "؟") + strings.Count(l, "？"); n != wantQ {
		t.Errorf("G9: %s has %d question marks, want %d: %q", part, n, wantQ, l)
	}
	if strings.ContainsAny(l, "*#`[]<>") {
		t.Errorf("plain text: markup in %s: %q", part, l)
	}
	if strings.ContainsFunc(l, func(r rune) bool {
		return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F
	}) {
		t.Errorf("bidi control characters in %s: %q", part, l)
	}
}

func checkPhrasing(t *testing.T, part, l string, promise, blame []string, apology *regexp.Regexp) {
	t.Helper()
	lower := strings.ToLower(l)
	for _, w := range slices.Concat(promise, blame) {
		if strings.Contains(lower, w) {
			t.Errorf("G5/G6/G8: %q in %s: %q", w, part, l)
		}
	}
	wantApology := 0
	if part == "apology" || part == "holding" { // holding: sympathy is its one apology (G4)
		wantApology = 1
	}
	if n := len(apology.FindAllString(l, -1)); n != wantApology {
		t.Errorf("G4: %s has %d apologies, want %d: %q", part, n, wantApology, l)
	}
}

func TestDraftConcurrent(t *testing.T) {
	s := mustDefaults(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			r := Request{Business: cafe, Review: review(fmt.Sprint("c", i), "Maria", stars(1), "Cold food, rude staff."), Variant: i % 3}
			if _, err := s.Draft(r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestDraftGolden pins whole drafts; run `go test ./templates -update`
// after changing a phrasing on purpose, and read the diff.
func TestDraftGolden(t *testing.T) {
	s := mustDefaults(t)
	for _, tc := range []struct {
		name string
		req  Request
	}{
		{"g2_cold_food_rude_staff", Request{Business: cafe, Platform: "Trustpilot",
			Review: review("gold-1", "Maria", stars(1), "The food was cold and the waiter was rude.")}},
		{"g2_cold_food_rude_staff_variant1", Request{Business: cafe, Platform: "Trustpilot", Variant: 1,
			Review: review("gold-1", "Maria", stars(1), "The food was cold and the waiter was rude.")}},
		{"g2_mixed_praise_slow_service", Request{Business: cafe, Platform: "Website",
			Review: review("gold-2", "Ana", stars(3), "Great food but the service was slow.")}},
		{"g9_vague", Request{Business: cafe, Platform: "App Store",
			Review: review("gold-3", "Lee", stars(2), "Meh. Not what I hoped.")}},
		{"g7_no_contact_late_delivery", Request{Business: Business{Name: "Shop Nine"},
			Review: review("gold-4", "Sam", stars(1), "The delivery was a week late.")}},
		{"g12_email_author", Request{Business: cafe,
			Review: review("gold-5", "jane.doe@mail.example", stars(1), "Dirty toilets and loud music.")}},
		{"t1_broken_promise", Request{Business: cafe,
			Review: review("gold-6", "Kim", stars(2), "Advertised as vegan, it was not.")}},
		{"t3_no_response", Request{Business: cafe,
			Review: review("gold-7", "Kim", stars(1), "I emailed three times and nobody replied.")}},
		{"positive", Request{Business: cafe,
			Review: review("gold-8", "Maria", stars(5), "Lovely place, loved the coffee!")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDraft(t, s, tc.req)
			got := fmt.Sprintf("%s\n---\nlanguage: %s\ntopics: %s\nrules: %s\n",
				d.Text, d.Language, strings.Join(d.Topics, " "), strings.Join(d.Rules, " "))
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs (run with -update if intended):\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}
