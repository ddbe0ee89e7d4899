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
//	})
//	// d.Text, d.Language, d.Topics ("quality", "staff"), d.Rules ("G2", "G4", …)
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
// instead of a guessed complaint (G9); the feeling acknowledged (G3); exactly
// one apology (G4); a way to continue privately at Business.Contact, or
// "reply here or contact us directly" when there is none (G7); a warm close
// (G11); and a signature, Business.Signature or else Business.Name (G10).
// The wording keeps G1 (calm), G5 and G6 (no excuses, no blame, no
// "policy") and G8 (no refunds, compensation or "never again"): the tests
// render every phrasing and hold each one to these rules. For T1 (promised
// one thing, got another) and T3 (feels ignored) the feeling is tailored.
// Anything else gets a short thank-you, which the caller may or may not use.
//
// The review is untrusted. Its text is read for keywords and never parsed as
// a template, and never quoted: the draft names topics with the templates'
// own phrases. Only the display name is printed, as data.
//
// # How a draft is built
//
// The engine (draft.go, detect.go) knows no language. It finds topics with a
// language's keyword table, picks the parts of the reply, and renders each
// part from reply/<lang>.tmpl with text/template (missingkey=error). Every
// line a part outputs is one phrasing; the engine picks one from a hash of
// the review ID and the template name, moved on by Variant, so drafts vary
// from review to review (G10) and a regenerate changes every part. A part
// named <lang>/<part>/<topic> replaces <lang>/<part> for reviews about that
// topic. Draft.Rules lists the ids the chosen parts apply.
//
// # Adding a language
//
//  1. Write reply/<lang>.tmpl defining every part en.tmpl defines
//     ("<lang>/greeting", "<lang>/restate", …), one "<lang>/topic/<topic>"
//     per topic and one "<lang>/praise/<aspect>" per aspect, in your own
//     words, keeping the rules listed at the top of en.tmpl.
//  2. Write lexicon_<lang>.go: the keyword tables (complaint phrases per
//     topic, topic nouns, negative cues, praise words, praised aspects,
//     negators, clause breaks), as lexicon_en.go does.
//  3. Add one line to the lexicons table in detect.go, and the language's
//     promise, blame and apology words to ruleWords in draft_test.go.
//
// Load fails if a part or a topic phrase is missing, and the tests then
// hold every phrasing of the new language to G4, G5, G6, G8 and G9. A review in a language without
// templates is answered in Business.Language, else English.
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
package templates
