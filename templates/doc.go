// Package templates writes reply drafts: a proposed public answer to a
// review, for a person to approve, edit or reject. It never posts anything.
//
// # Where it sits
//
// When the watcher's rules find a new negative review, the watcher asks a
// [Set] for a [Draft] and attaches it to the alert; the store keeps it (as a
// pending draft, with the alert, in one transaction) and notify shows it
// with the alert, where a person approves, edits or rejects it. "Regenerate"
// asks again with the next [Request.Variant]. Drafting is pure: no I/O after
// [Load], and the same Request always gives the same Draft, so a re-poll or
// a retried commit never changes a draft under a reviewer's eyes.
//
//	set, err := templates.Load(cfg.TemplateDir) // at start-up; "" for the defaults only
//	d, err := set.Draft(templates.Request{
//		Business: templates.Business{Name: "Cafe Blue", Signature: "Anna, Cafe Blue", Contact: "anna@cafeblue.example"},
//		Review:   review,      // a sources.Review
//		Platform: "Trustpilot",
//		Recent:   lastDrafts,  // the listing's last draft texts (G10)
//	})
//	// d.Text, d.Language, d.Topics ("quality", "staff"), d.Rules ("G2", "G4", …),
//	// d.Form, d.Escalate, d.Urgent, d.Guidance, d.Review, d.Kind, d.Findings
//	fs := set.Check(editedText, d.Language, business) // warnings for an edited draft
//
// # What a draft says
//
// The rules are GUIDELINES.md's, cited by id in the templates and the tests.
// A complaint (a complaint topic found, a rating below 4, or no rating and
// negative words) gets, in this order: a greeting by public display name, or
// a neutral one when the name is missing or looks like an e-mail address or
// phone number (G12); thanks for taking the time, and for any praise in a
// mixed review; the complaint restated in our own words, up to two topics
// (G2), or, when the review names nothing concrete, one specific question
// instead of a guessed complaint (G9); the feeling acknowledged (G3),
// tailored for T1 (promised one thing, got another), T3 (feels ignored, or
// Request.Repeat) and T5 (paid a premium); exactly one apology (G4); the
// business's own fix for the topic, when Business.Fixes has one (T2); the
// business's own offer, when Business.Offers has any (G8 allows only
// those); a way to continue privately at Business.Contact, or "reply here
// or contact us directly" when there is none (G7); a warm close (G11); and
// a signature, Business.Signature or else Business.Name (G10). The wording
// keeps G1 (calm), G5 and G6 (no excuses, no blame, no "policy") and G8 (no
// refunds, compensation or "never again"): the tests render every phrasing
// and hold each one to these rules. Anything else gets a short thank-you,
// which the caller uses when Business.PositiveReplies says so.
//
// Some reviews need a person more than a template (Draft.Form says which
// reply was written):
//
//   - A threat of violence or of self-harm (E1): no text at all; Escalate
//     and Urgent are set and Guidance tells staff to involve a manager now,
//     follow their procedure and not reply publicly.
//   - A legal or health claim (a lawyer, a lawsuit, food poisoning, an
//     injury): the holding reply, which thanks them, takes it seriously,
//     admits no liability, repeats no detail and moves to private contact;
//     Review is "legal" or "health" and Guidance asks for a manager's
//     review (E4).
//   - Abuse (E3): the usual thanks, restatement and apology, then a firm,
//     polite boundary with the contact instead of the rest; Review is
//     "abusive" and Guidance names the platform's report route.
//   - Business.Privacy "strict": every draft is the strict reply, which
//     never confirms the reviewer was a customer or patient and says only
//     that the business takes feedback seriously and how to reach it
//     privately (G12).
//
// Draft.Kind lists the kinds of difficult customer the review shows (T1,
// T3, T5, T6, T7); an aggressive repeat complainer also gets E2 guidance.
//
// The review is untrusted. Its text is read for keywords and never parsed as
// a template, and never quoted: the draft names topics with the templates'
// own phrases. Only the display name is printed, as data.
//
// # In the reviewer's language
//
// A draft is written in the platform's language tag when it names one of
// the draft languages (en, es, fr, de, fa, ar, he, zh); else in the
// language detected from the text (langdetect.go: Hebrew and Han by
// script, Arabic script split into Persian and Arabic by the letters only
// Persian uses, Latin text by a small stopword count); else in
// Business.Language; else English. A language is only used when its
// keyword table, templates and checker rules are all loaded, so a draft is
// never written in a language the set cannot write.
//
// Keywords match whole words, case-insensitively, after folding what
// people write several ways (Arabic letter forms, vowel marks, the Persian
// zero-width non-joiner). Hebrew and Arabic words may carry a one- or
// two-letter prefix ("ו", "ה", "ال"). Chinese has no spaces: every Han
// character is a word, so a phrase matches as a run of characters anywhere
// in a clause, and full-width punctuation ends clauses.
//
// # How a draft is built
//
// The engine (draft.go, detect.go) knows no language. It finds topics with a
// language's keyword table, picks the parts of the reply, and renders each
// part from reply/<lang>.tmpl with text/template (missingkey=error). Every
// line a part outputs is one phrasing; the engine picks one from a hash of
// the review ID and the template name, moved on by Variant, so drafts vary
// from review to review (G10) and a regenerate changes every part. A
// phrasing already used in one of Request.Recent (the listing's last
// drafts) is passed over for the next one when the part has another (G10).
// A part named <lang>/<part>/<topic> replaces <lang>/<part> for reviews
// about that topic. Draft.Rules lists the ids the chosen parts apply.
//
// # The checker
//
// [Set.Check] (and [Set.CheckForm], which knows the kind of reply and the
// platform) reads an edited or generated draft and names each rule it
// breaks, with the offending words: G1 sarcasm or insults, G4 not exactly
// one apology, G5 blame or excuses, G6 negative phrasing, G7 the business's
// contact missing, G8 promises outside the business's configured offers,
// G12 e-mail addresses, phone or order numbers, and the platform's length
// limit. Every draft Draft writes carries CheckForm's findings, and the
// tests hold every draft of the corpus (testdata/corpus) to none.
//
// The phrase lists are data, one file per language, rules/<lang>.yaml:
//
//	apology: [sorry, apolog*]                      # G4
//	sarcasm: [obviously, "clearly you", lol]       # G1
//	blame: ["you should have", "our policy"]       # G5
//	negative: ["we can't", unfortunately]          # G6
//	promise: [refund*, guarantee*, "never again"]  # G8
//	premium: ["for this price"]                    # T5, optional
//	repeat: ["yet again", "third time"]            # T3, optional
//	escalation:
//	  threat: ["watch your back"]                  # E1
//	  self_harm: ["end my life"]                   # E1
//	  legal: [lawyer*, lawsuit*]                   # holding reply
//	  health: ["food poisoning", injur*]           # holding reply
//	  abuse: [idiot*]                              # E3
//
// Phrases are lower case and match whole words; a "*" at the end of the
// last word matches any ending.
//
// # Adding a language
//
//  1. Write reply/<lang>.tmpl defining every part en.tmpl defines
//     ("<lang>/greeting", "<lang>/restate", …, "<lang>/offer", "<lang>/fix",
//     "<lang>/boundary", "<lang>/holding", "<lang>/strict"), one
//     "<lang>/topic/<topic>" per topic and one "<lang>/praise/<aspect>" per
//     aspect, in your own words, keeping the rules listed at the top of
//     en.tmpl.
//  2. Write lexicon_<lang>.go: the keyword tables (complaint phrases per
//     topic, topic nouns, negative cues, praise words, praised aspects,
//     negators, clause breaks), as lexicon_en.go does.
//  3. Write rules/<lang>.yaml, the checker's and escalation's phrase lists.
//  4. Add one line to the lexicons table in detect.go, and the language's
//     reviews to testdata/corpus/<lang>.yaml.
//
// Load fails if a part, a topic phrase or the rules file is missing, and the
// tests then hold every phrasing of the new language to G1, G4, G5, G6, G8
// and G9 with its own phrase lists, and every corpus review to the checker.
//
// # Overriding parts
//
// An operator can reword any part without rebuilding: every *.tmpl file in
// the configured template folder is parsed after the defaults, and a
// {{define}} of an existing name replaces it. To change only the closing
// line of English drafts, put this in, say, close.tmpl:
//
//	{{define "en/close"}}
//	Thanks again for telling us; the door is always open.
//	Thank you for the honest words, and we hope to see you again.
//	{{end}}
//
// Names carry their language ("en/close", not "close"). Load reports a
// parse error, text outside {{define}}, a bare part name, or a part that
// fails to render (an unknown field, a phrasing that comes out empty for
// some review) with the file's name, at start-up rather than at the first
// bad review.
//
// The folder may also hold rules/<lang>.yaml: it replaces that language's
// checker and escalation phrase lists as a whole. An unknown key or an
// empty required list is an error naming the file.
//
// # Customising the business
//
// [Business] carries the signature and contact (G7, G10), Tone ("warm", the
// default, or "formal": the templates' .Formal picks the register), Offers
// (what a draft may offer, in the business's words), Fixes (per topic, what
// the business changed), Privacy ("strict") and PositiveReplies.
// [Business.Validate] reports a bad value with the field's name; call it at
// start-up.
package templates
