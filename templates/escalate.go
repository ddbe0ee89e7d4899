package templates

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// assessment is what a review needs beyond its topics: a person (E1-E4),
// a different reply (holding, boundary) and the kinds of difficult
// customer (T) it shows.
type assessment struct {
	// threat and selfHarm are the words found (E1): no public draft.
	threat, selfHarm []string
	// legal and health claims get the holding reply, for a manager.
	legal, health []string
	// abuse: insults or profanity (E3).
	abuse []string
	// kinds are the T ids the review shows, sorted.
	kinds []string
	// premium (T5), repeat (T3), loud (T7).
	premium, repeat, loud bool
}

// e1 reports a threat of violence or of self-harm: no public reply goes
// out, a manager acts now (E1).
func (as assessment) e1() bool { return len(as.threat) > 0 || len(as.selfHarm) > 0 }

// assess reads a review for escalation (E1-E4) and the customer kinds
// (T1, T3, T5, T6, T7) with the phrase lists of rules/<lang>.yaml. Threats
// and self-harm are also looked for with the English lists, since people
// switch languages for exactly such words; the other English lists are
// not, as their words mean other things in other languages ("court" is
// French for "short").
func (s *Set) assess(lang string, r Request, a analysis) assessment {
	text := r.Review.Title + "\n" + r.Review.Text
	sents := sentences(text)
	rl, cl := s.rules[lang], clitics[lang]
	var as assessment
	find := func(pick func(*rules) []phrase) []string {
		w := matches(sents, pick(rl), cl)
		if en := s.rules["en"]; lang != "en" && en != nil {
			w = append(w, matches(sents, pick(en), nil)...)
		}
		return w
	}
	as.threat = find(func(r *rules) []phrase { return r.threat })
	as.selfHarm = find(func(r *rules) []phrase { return r.selfHarm })
	as.legal = matches(sents, rl.legal, cl)
	as.health = matches(sents, rl.health, cl)
	as.abuse = matches(sents, rl.abuse, cl)
	as.premium = len(matches(sents, rl.premium, cl)) > 0
	as.repeat = r.Repeat || len(matches(sents, rl.repeat, cl)) > 0
	as.loud = loud(text)

	kinds := map[string]bool{}
	for _, k := range a.topics {
		switch topicOf(k) {
		case "broken_promise":
			kinds["T1"] = true // promised one thing, got another
		case "no_response":
			kinds["T3"] = true // feels ignored
		}
	}
	if as.repeat {
		kinds["T3"] = true
	}
	if as.premium {
		kinds["T5"] = true
	}
	if len(a.topics) >= 3 {
		kinds["T6"] = true // finds fault with many things, small ones too
	}
	if as.loud || len(as.abuse) > 0 {
		kinds["T7"] = true
	}
	for k := range kinds {
		as.kinds = append(as.kinds, k)
	}
	slices.Sort(as.kinds)
	return as
}

// loud reports a review written mostly in capitals, or with three or more
// exclamation marks: T7, loud and aggressive.
func loud(text string) bool {
	upper, lower, bangs := 0, 0, 0
	for _, r := range text {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		case r == '!' || r == '！':
			bangs++
		}
	}
	return upper >= 12 && upper > 2*lower || bangs >= 3
}

// reportRoutes say where each platform lets a business report a review
// that breaks its rules (E3), keyed by the lower-case platform label.
var reportRoutes = map[string]string{
	"google":      `"Report review" on the review in your Google Business Profile`,
	"google maps": `"Report review" on the review in your Google Business Profile`,
	"trustpilot":  `"Report" on the review in Trustpilot Business, with the reason "harmful or illegal"`,
	"yelp":        `"Report review" on the review in Yelp for Business`,
	"app store":   `"Report a Problem" on the review in App Store Connect`,
	"tripadvisor": `"Report a problem" on the review in the Tripadvisor Management Center`,
}

// reportRoute returns how to report a review on a platform.
func reportRoute(platform string) string {
	if r, ok := reportRoutes[strings.ToLower(strings.TrimSpace(platform))]; ok {
		return r
	}
	if platform = strings.TrimSpace(platform); platform != "" {
		return "the report link " + platform + " shows on the review"
	}
	return "the platform's report link on the review"
}

// guidance writes the note for staff, in English, that says what a
// person must do (E1-E4) and why; "" when the draft can simply be
// reviewed and sent.
func guidance(as assessment, form, platform string) string {
	var g []string
	if len(as.threat) > 0 {
		g = append(g, fmt.Sprintf("E1: this review contains a threat of violence (%s). Do not reply publicly. "+
			"Involve a manager now and follow your safety procedure; if anyone may be in danger, call the emergency services. "+
			"Keep a record of the review (P2) and report it via %s.", quoteList(as.threat), reportRoute(platform)))
	}
	if len(as.selfHarm) > 0 {
		g = append(g, fmt.Sprintf("E1: the reviewer writes about harming themselves (%s). Do not reply publicly. "+
			"Involve a manager now and follow your procedure; if you can reach the person privately, do so with care "+
			"and point them to local emergency or crisis services.", quoteList(as.selfHarm)))
	}
	if as.e1() {
		return strings.Join(g, " ")
	}
	switch {
	case len(as.legal) > 0:
		what := fmt.Sprintf("Legal claim (%s)", quoteList(as.legal))
		if len(as.health) > 0 {
			what += fmt.Sprintf(" and health claim (%s)", quoteList(as.health))
		}
		g = append(g, what+": a manager must review this reply before it goes out. "+
			"It admits no liability and moves the conversation offline; don't discuss the details in public, "+
			"follow your incident procedure (P1) and record the case (P2).")
	case len(as.health) > 0:
		g = append(g, fmt.Sprintf("Health claim (%s): a manager must review this reply before it goes out. "+
			"It admits no liability and moves the conversation offline; follow your incident procedure (P1) and record the case (P2).",
			quoteList(as.health)))
	}
	if len(as.abuse) > 0 {
		what := "The draft sets a polite boundary (E3)."
		if form != FormBoundary {
			what = "E3:"
		}
		g = append(g, fmt.Sprintf("%s The review uses abusive language (%s) and may break the platform's rules: "+
			"you can report it via %s.", what, quoteList(as.abuse), reportRoute(platform)))
	}
	if as.loud && as.repeat {
		g = append(g, "E2: the reviewer is aggressive and has complained before; involve a manager, "+
			"and tell the reviewer who will handle it and why (E4).")
	}
	if form == FormStrict && (len(as.health) > 0 || len(as.legal) > 0) {
		g = append(g, "Privacy is strict: the reply confirms nothing about the reviewer.")
	}
	return strings.Join(g, " ")
}

// reviewReason says why a draft needs a person before it goes out:
// "legal", "health", "abusive" or "". A claim that names a lawyer and an
// injury is "legal": liability comes first.
func reviewReason(as assessment) string {
	switch {
	case len(as.legal) > 0:
		return "legal"
	case len(as.health) > 0:
		return "health"
	case len(as.abuse) > 0:
		return "abusive"
	}
	return ""
}
