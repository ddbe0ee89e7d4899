package templates

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/revwatch/revwatch/sources"
)

// Business is who replies.
type Business struct {
	// Name signs the draft when Signature is empty.
	Name string
	// Signature signs the draft: a real name reads less like a robot (G10).
	Signature string
	// Contact is where the reviewer can continue privately: an e-mail, a
	// phone number, a named person (G7). Empty: "reply here or contact us
	// directly", never an invented address.
	Contact string
	// Language is the draft language when the review's own has no
	// templates; "" means "en".
	Language string
}

// Request asks for one draft.
type Request struct {
	Business Business
	// Review is untrusted: its text is only ever read as data, never
	// parsed as a template, and never quoted in the draft.
	Review sources.Review
	// Platform is the platform's name for people: "Trustpilot", "App Store".
	Platform string
	// Variant 0 is the deterministic default; a "regenerate" passes 1, 2, …
	// and gets different wording for the same review.
	Variant int
}

// Draft is a proposed reply.
type Draft struct {
	Text string
	// Language is the language Text is written in.
	Language string
	// Topics are the complaint topics found ("wait", "staff", "quality",
	// "cleanliness", "price", "delivery", "booking", "noise", "refund",
	// "no_response", "broken_promise"), in the order the review names them.
	Topics []string
	// Rules are the guideline ids (GUIDELINES.md) the draft's parts apply,
	// e.g. ["G2","G3","G4","G7","G10","G11","G12"].
	Rules []string
}

// positiveAt is the lowest rating that reads as praise when the text
// names no complaint.
const positiveAt = 4

// partRules says which guideline each part of a draft applies.
var partRules = map[string]string{
	"greeting":     "G12", // the display name or a neutral greeting, nothing private
	"restate":      "G2",
	"question":     "G9",
	"feeling":      "G3",
	"apology":      "G4",
	"contact":      "G7",
	"close":        "G11",
	"welcome-back": "G11",
	"signature":    "G10",
}

// topicRules says which kind of difficult customer (T) a restated topic
// is; the templates tailor the feeling part for it.
var topicRules = map[string]string{
	"broken_promise": "T1",
	"no_response":    "T3",
}

// Draft writes a reply to r.Review. A complaint (a topic found, or a
// rating below 4, or no rating and negative words) gets the full reply of
// GUIDELINES.md G1-G12; anything else a short thank-you, which the caller
// may or may not use. The same Request always gives the same Draft.
func (s *Set) Draft(r Request) (Draft, error) {
	if r.Variant < 0 {
		return Draft{}, fmt.Errorf("templates: review %s: negative variant %d", r.Review.ID, r.Variant)
	}
	lang := language(r.Review.Language, r.Business.Language)
	a := lexicons[lang].analyse(r.Review.Title, r.Review.Text)
	d, err := s.compose(lang, a, r)
	if err != nil {
		return Draft{}, fmt.Errorf("%w (review %s)", err, r.Review.ID)
	}
	return d, nil
}

// language returns the first of the review's language, the business's
// and English that has templates. "en-GB" counts as "en".
func language(tags ...string) string {
	for _, t := range tags {
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(t)), "-")
		base, _, _ = strings.Cut(base, "_")
		if lexicons[base] != nil {
			return base
		}
	}
	return "en"
}

// view is the data every template sees.
type view struct {
	// Reviewer is the public display name, "" when there is none or it
	// looks private (G12).
	Reviewer  string
	Business  Business
	Signature string
	Platform  string
	// Topics are at most two phrases saying what went wrong (G2).
	Topics []string
	// Praise says what the reviewer liked, "" if they named nothing.
	Praise string
}

// composer builds one draft; its first error sticks, so compose reads as
// the draft's outline.
type composer struct {
	s       *Set
	lang    string
	id      string
	variant uint64
	keys    []string // the review's topic keys, for topic-specific parts
	v       view
	rules   map[string]bool
	err     error
}

// say renders a part, specialised for the review's topics when the
// templates have a version for them.
func (c *composer) say(part string) string {
	return c.phrase(part, c.keys...)
}

func (c *composer) phrase(part string, keys ...string) string {
	if c.err != nil {
		return ""
	}
	text, err := c.s.pick(c.lang, part, keys, c.v, c.id, c.variant)
	if err != nil {
		c.err = err
		return ""
	}
	if r := partRules[part]; r != "" {
		c.rules[r] = true
	}
	return text
}

func (s *Set) compose(lang string, a analysis, r Request) (Draft, error) {
	sig := cmp.Or(strings.TrimSpace(r.Business.Signature), strings.TrimSpace(r.Business.Name))
	if sig == "" {
		return Draft{}, errors.New("templates: business has neither a signature nor a name to sign with (G10)")
	}
	c := &composer{
		s: s, lang: lang, id: r.Review.ID, variant: uint64(r.Variant), keys: a.topics,
		v: view{
			Reviewer:  displayName(r.Review.Author),
			Business:  r.Business,
			Signature: sig,
			Platform:  r.Platform,
		},
		rules: map[string]bool{},
	}
	rating := r.Review.Rating
	complaint := len(a.topics) > 0 ||
		(rating != nil && *rating < positiveAt) ||
		(rating == nil && a.negative && !a.praise)
	// Praise with nothing named, in a review rated 1 or 2, is more often
	// sarcasm ("great, cold again") than thanks worth returning.
	thankPraise := a.praise && (a.aspect != "" || rating == nil || *rating >= 3)

	// What they liked and what went wrong become phrases first: the parts
	// below speak of them.
	if thankPraise && a.aspect != "" {
		c.v.Praise = c.phrase("praise", a.aspect)
	}
	restated := a.topics[:min(2, len(a.topics))]
	for _, k := range restated {
		c.v.Topics = append(c.v.Topics, c.phrase("topic", k))
		if t := topicRules[topicOf(k)]; t != "" {
			c.rules[t] = true
		}
	}

	var paras [][]string
	if complaint {
		body := []string{c.say("thanks")}
		if thankPraise {
			body = append(body, c.say("thanks-for-praise"))
		}
		if len(restated) > 0 {
			body = append(body, c.say("restate"))
		}
		body = append(body, c.say("feeling"), c.say("apology"))
		var next []string
		if len(restated) == 0 {
			next = append(next, c.say("question"))
		}
		next = append(next, c.say("contact"))
		paras = [][]string{{c.say("greeting")}, body, next, {c.say("close")}, {c.say("signature")}}
	} else {
		paras = [][]string{
			{c.say("greeting")},
			{c.say("positive"), c.say("welcome-back")},
			{c.say("signature")},
		}
	}
	if c.err != nil {
		return Draft{}, c.err
	}
	text := make([]string, len(paras))
	for i, p := range paras {
		text[i] = strings.Join(p, " ")
	}
	d := Draft{Text: strings.Join(text, "\n\n"), Language: lang, Rules: sortRules(c.rules)}
	for _, k := range a.topics {
		d.Topics = append(d.Topics, topicOf(k))
	}
	return d, nil
}

// sortRules orders ids as people number them: G2 before G10, G before T.
func sortRules(set map[string]bool) []string {
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		na, _ := strconv.Atoi(a[1:])
		nb, _ := strconv.Atoi(b[1:])
		return cmp.Or(cmp.Compare(a[:1], b[:1]), cmp.Compare(na, nb))
	})
	return ids
}

// maxNameRunes is the longest display name used in a greeting; anything
// longer is more likely a sentence or spam than a name.
const maxNameRunes = 40

// placeholders are display names platforms show for people without one.
var placeholders = map[string]bool{
	"anonymous": true, "a google user": true, "google user": true, "customer": true,
	"a customer": true, "guest": true, "user": true, "verified buyer": true,
	"verified customer": true, "app store user": true,
}

// displayName returns the reviewer's public display name, tidied, or ""
// when there is none or it looks like private contact details (an e-mail
// address, a phone number, a link): a reply names the person, never their
// details (G12).
func displayName(author string) string {
	name := strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Zl, unicode.Zp) {
			return ' '
		}
		return r
	}, author)), " ")
	lower := strings.ToLower(name)
	digits := 0
	for _, r := range name {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	switch {
	case name == "", utf8.RuneCountInString(name) > maxNameRunes, placeholders[lower]:
		return ""
	case strings.Contains(name, "@"), digits >= 5,
		strings.Contains(lower, "http"), strings.Contains(lower, "www."):
		return ""
	}
	return name
}
