package templates

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
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
	// Tone is "warm" (the default, also for "") or "formal"; templates
	// see it as .Formal and pick the register (Sie, vous, "Dear").
	Tone string
	// Offers are what the business allows a draft to offer, written by
	// the business ("a coffee on us on your next visit"). A complaint
	// draft offers one of them, chosen from the review, verbatim; the
	// promise words inside an offer are then allowed (G8).
	Offers []string
	// Fixes map a topic ("wait", "staff", "quality", …) to a sentence
	// the business wrote about what it changed ("we have added staff on
	// Friday evenings"); a draft about that topic says it (T2).
	Fixes map[string]string
	// Privacy "strict" (health, legal or other regulated businesses)
	// makes every complaint draft the strict reply: it never confirms the
	// reviewer was a customer or patient and repeats no detail (G12).
	Privacy string
	// PositiveReplies says the business wants thank-yous for 4-5 star
	// reviews drafted too; Draft always writes one, the caller decides
	// whether to use it.
	PositiveReplies bool
}

// Validate reports a business configuration the drafts cannot use, with
// a message naming the field: an unknown Tone or Privacy, an empty offer,
// a fix for a topic no keyword table knows. Call it at start-up; Draft
// calls it too.
func (b Business) Validate() error {
	var errs []error
	switch strings.ToLower(strings.TrimSpace(b.Tone)) {
	case "", "warm", "formal":
	default:
		errs = append(errs, fmt.Errorf("templates: business %q: tone %q: want \"warm\" or \"formal\"", b.Name, b.Tone))
	}
	switch strings.ToLower(strings.TrimSpace(b.Privacy)) {
	case "", "strict":
	default:
		errs = append(errs, fmt.Errorf("templates: business %q: privacy %q: want \"strict\" or nothing", b.Name, b.Privacy))
	}
	for i, o := range b.Offers {
		if strings.TrimSpace(o) == "" {
			errs = append(errs, fmt.Errorf("templates: business %q: offer %d is empty", b.Name, i+1))
		}
	}
	known := knownTopics()
	for _, t := range slices.Sorted(maps.Keys(b.Fixes)) {
		switch {
		case !known[topicOf(t)]:
			errs = append(errs, fmt.Errorf("templates: business %q: fix for unknown topic %q (known: %s)",
				b.Name, t, strings.Join(slices.Sorted(maps.Keys(known)), ", ")))
		case strings.TrimSpace(b.Fixes[t]) == "":
			errs = append(errs, fmt.Errorf("templates: business %q: fix for %q is empty", b.Name, t))
		}
	}
	return errors.Join(errs...)
}

// knownTopics are the topics any keyword table can report.
func knownTopics() map[string]bool {
	m := map[string]bool{}
	for _, lx := range lexicons {
		for _, k := range lx.topicKeys {
			m[topicOf(k)] = true
		}
	}
	return m
}

// Request asks for one draft.
type Request struct {
	Business Business
	// Review is untrusted: its text is only ever read as data, never
	// parsed as a template, and never quoted in the draft.
	Review sources.Review
	// Platform is the platform's name for people: "Trustpilot", "App
	// Store", "Google". It picks the report route (E3) and the length
	// limit the checker holds the draft to.
	Platform string
	// Variant 0 is the deterministic default; a "regenerate" passes 1, 2, …
	// and gets different wording for the same review.
	Variant int
	// Repeat says the caller knows this reviewer has complained before
	// (T3): the draft shows they are heard this time.
	Repeat bool
	// Recent are the texts of the listing's last drafts, newest first. A
	// phrasing that appears in one of them is passed over when the part
	// has another (G10: no line repeated under review after review). On a
	// regenerate, include the draft being replaced, so the new one moves
	// away from its wording too.
	Recent []string
}

// Draft is a proposed reply, or, when a person must act instead, none.
type Draft struct {
	// Text is the reply, "" when Escalate is set (E1).
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
	// Form is the kind of reply: FormComplaint, FormThanks, FormHolding,
	// FormBoundary, FormStrict, or "" when Escalate is set. CheckForm
	// takes it back.
	Form string
	// Escalate: the review threatens violence or self-harm (E1). No
	// public reply is drafted; Guidance says what to do.
	Escalate bool
	// Urgent: a person must act now (E1).
	Urgent bool
	// Guidance tells staff, in English, what a person must do and why
	// (E1-E4): involve a manager now, follow the procedure, don't reply
	// publicly; have a manager review a legal or health reply, admitting
	// no liability; report an abusive review, and where. "" when the
	// draft only needs the usual approval.
	Guidance string
	// Review says why the draft needs a person before it goes out:
	// "legal", "health", "abusive", or "".
	Review string
	// Kind lists the kinds of difficult customer the review shows
	// (GUIDELINES.md T): "T1" promised one thing, got another; "T3"
	// complains again or feels ignored; "T5" paid a premium; "T6" finds
	// fault with many things; "T7" loud or aggressive.
	Kind []string
	// Findings are what CheckForm finds in Text; a generated draft has
	// none, and the tests hold every draft to that.
	Findings []Finding
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
	"fix":          "T2", // name the fix
	"boundary":     "E3",
	"holding":      "E4", // says who takes it on: a manager
	"strict":       "G12",
}

// formRules are the guideline ids a form applies beyond its parts': the
// holding and strict parts carry the contact (G7), holding its one
// expression of sympathy (G4), the boundary its contact.
var formRules = map[string][]string{
	FormHolding:  {"G4", "G7"},
	FormStrict:   {"G7"},
	FormBoundary: {"G7"},
}

// topicRules says which kind of difficult customer (T) a restated topic
// is; the templates tailor the feeling part for it.
var topicRules = map[string]string{
	"broken_promise": "T1",
	"no_response":    "T3",
}

// Draft writes a reply to r.Review in the reviewer's language (see
// Set.language). A threat of violence or self-harm gets no reply at all,
// only Escalate, Urgent and Guidance (E1). Otherwise a complaint (a topic
// found, or a rating below 4, or no rating and negative words) gets the
// full reply of GUIDELINES.md G1-G12; a complaint with a legal or health
// claim the careful holding reply, marked for a manager; an abusive one a
// polite boundary (E3) and the platform's report route; and, with
// Business.Privacy "strict", every review gets the strict reply (G12).
// Anything else gets a short thank-you, which the caller may or may not
// use (Business.PositiveReplies). The same Request always gives the same
// Draft.
func (s *Set) Draft(r Request) (Draft, error) {
	if r.Variant < 0 {
		return Draft{}, fmt.Errorf("templates: review %s: negative variant %d", r.Review.ID, r.Variant)
	}
	if err := r.Business.Validate(); err != nil {
		return Draft{}, err
	}
	lang := s.language(r)
	a := lexicons[lang].analyse(r.Review.Title, r.Review.Text)
	as := s.assess(lang, r, a)
	d, err := s.compose(lang, a, as, r)
	if err != nil {
		return Draft{}, fmt.Errorf("%w (review %s)", err, r.Review.ID)
	}
	if d.Text != "" {
		d.Findings = s.CheckForm(d.Text, lang, d.Form, r.Platform, r.Business)
	}
	return d, nil
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
	// Offer is one of Business.Offers, verbatim, for <lang>/offer; "" when
	// the business configured none.
	Offer string
	// Fix is Business.Fixes for the first restated topic that has one,
	// verbatim, for <lang>/fix; "" when there is none.
	Fix string
	// Formal is Business.Tone == "formal".
	Formal bool
}

// composer builds one draft; its first error sticks, so compose reads as
// the draft's outline.
type composer struct {
	s       *Set
	lang    string
	id      string
	variant uint64
	keys    []string // the review's topic keys, for topic-specific parts
	recent  []string // the listing's last drafts (G10)
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
	text, err := c.s.pick(c.lang, part, keys, c.v, c.id, c.variant, c.recent)
	if err != nil {
		c.err = err
		return ""
	}
	if r := partRules[part]; r != "" {
		c.rules[r] = true
	}
	return text
}

// trimEnd drops the closing punctuation of a sentence the business wrote,
// so the template's own punctuation ends it.
func trimEnd(s string) string {
	return strings.TrimRightFunc(strings.TrimSpace(s), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(".!。！…", r)
	})
}

// choose picks one of n items from the review ID, a salt, and the
// variant, as pick does for phrasings.
func choose(id, salt string, variant uint64, n int) int {
	h := fnv.New64a()
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	return int((h.Sum64() + variant) % uint64(n))
}

func (s *Set) compose(lang string, a analysis, as assessment, r Request) (Draft, error) {
	sig := cmp.Or(strings.TrimSpace(r.Business.Signature), strings.TrimSpace(r.Business.Name))
	if sig == "" {
		return Draft{}, errors.New("templates: business has neither a signature nor a name to sign with (G10)")
	}
	d := Draft{Language: lang, Kind: as.kinds}
	for _, k := range a.topics {
		d.Topics = append(d.Topics, topicOf(k))
	}
	if as.e1() {
		// E1: no public text at all; a manager acts now.
		d.Escalate, d.Urgent = true, true
		d.Guidance = guidance(as, "", r.Platform)
		d.Rules = []string{"E1"}
		return d, nil
	}
	c := &composer{
		s: s, lang: lang, id: r.Review.ID, variant: uint64(r.Variant), keys: a.topics, recent: r.Recent,
		v: view{
			Reviewer:  displayName(r.Review.Author),
			Business:  r.Business,
			Signature: sig,
			Platform:  r.Platform,
			Formal:    strings.EqualFold(strings.TrimSpace(r.Business.Tone), "formal"),
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

	switch {
	case strings.EqualFold(strings.TrimSpace(r.Business.Privacy), "strict"):
		d.Form = FormStrict
	case complaint && (len(as.health) > 0 || len(as.legal) > 0):
		d.Form = FormHolding
	case complaint && len(as.abuse) > 0:
		d.Form = FormBoundary
	case complaint:
		d.Form = FormComplaint
	default:
		d.Form = FormThanks
	}
	if complaint {
		// Praise that swears, or mentions the hospital next door, needs
		// no person.
		d.Review = reviewReason(as)
		d.Guidance = guidance(as, d.Form, r.Platform)
	}

	// What they liked and what went wrong become phrases first: the parts
	// below speak of them.
	if thankPraise && a.aspect != "" {
		c.v.Praise = c.phrase("praise", a.aspect)
	}
	restated := a.topics[:min(2, len(a.topics))]
	if d.Form == FormComplaint || d.Form == FormBoundary {
		for _, k := range restated {
			c.v.Topics = append(c.v.Topics, c.phrase("topic", k))
			if t := topicRules[topicOf(k)]; t != "" {
				c.rules[t] = true
			}
		}
	}
	// The feeling is tailored to the kind of customer first (T3 repeat,
	// T5 premium), then to the topics (T1, T3), when the language has a
	// part for it: <lang>/feeling/repeat and <lang>/feeling/premium are
	// optional. A repeat the caller knows of (Request.Repeat) falls back
	// to the feeling of someone left unanswered; one only guessed from
	// words ("yet again") does not.
	feelingKeys := slices.Clone(a.topics)
	if as.premium {
		feelingKeys = append([]string{"premium"}, feelingKeys...)
	}
	if r.Repeat {
		feelingKeys = append([]string{"no_response"}, feelingKeys...)
	}
	if as.repeat {
		feelingKeys = append([]string{"repeat"}, feelingKeys...)
	}

	var paras [][]string
	switch d.Form {
	case FormStrict:
		paras = [][]string{{c.say("greeting")}, {c.say("strict")}, {c.say("signature")}}
	case FormHolding:
		key := "health"
		if len(as.legal) > 0 {
			key = "legal"
		}
		paras = [][]string{{c.say("greeting")}, {c.phrase("holding", key)}, {c.say("signature")}}
	case FormBoundary:
		body := []string{c.say("thanks")}
		if len(restated) > 0 {
			body = append(body, c.say("restate"))
		}
		body = append(body, c.say("apology"))
		paras = [][]string{{c.say("greeting")}, body, {c.say("boundary")}, {c.say("signature")}}
	case FormComplaint:
		for _, k := range restated {
			if f := cmp.Or(r.Business.Fixes[k], r.Business.Fixes[topicOf(k)]); strings.TrimSpace(f) != "" {
				c.v.Fix = trimEnd(f)
				break
			}
		}
		if n := len(r.Business.Offers); n > 0 {
			c.v.Offer = trimEnd(r.Business.Offers[choose(r.Review.ID, "offer", uint64(r.Variant), n)])
		}
		body := []string{c.say("thanks")}
		if thankPraise {
			body = append(body, c.say("thanks-for-praise"))
		}
		if len(restated) > 0 {
			body = append(body, c.say("restate"))
		}
		body = append(body, c.phrase("feeling", feelingKeys...), c.say("apology"))
		if c.v.Fix != "" {
			body = append(body, c.say("fix"))
		}
		var next []string
		if len(restated) == 0 {
			next = append(next, c.say("question"))
		}
		if c.v.Offer != "" {
			next = append(next, c.say("offer"))
		}
		next = append(next, c.say("contact"))
		paras = [][]string{{c.say("greeting")}, body, next, {c.say("close")}, {c.say("signature")}}
	default:
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
		text[i] = joinSentences(p)
	}
	d.Text = strings.Join(text, "\n\n")
	for _, id := range formRules[d.Form] {
		c.rules[id] = true
	}
	d.Rules = sortRules(c.rules)
	return d, nil
}

// joinSentences joins the sentences of a paragraph: with a space, except
// after full-width punctuation, which carries its own spacing (Chinese
// "。" is followed directly by the next sentence).
func joinSentences(ss []string) string {
	var b strings.Builder
	for i, s := range ss {
		if i > 0 {
			last, _ := utf8.DecodeLastRuneInString(ss[i-1])
			if !strings.ContainsRune("。！？；，：", last) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s)
	}
	return b.String()
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
