package templates

import (
	"slices"
	"strings"

	"github.com/revwatch/revwatch/sources"
)

// Topics lists the complaint topics the English lexicon knows (the keys
// Business.Fixes may use): "wait", "staff", "quality", ...
func Topics() []string {
	var out []string
	for _, p := range english.sentiment {
		if p.class != strong || p.key == "" {
			continue
		}
		t, _, _ := strings.Cut(p.key, "/")
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Language is the language s would answer text in (a draft language with
// templates), falling back to fallback, then English: for checking a text
// a person wrote.
func (s *Set) Language(text, fallback string) string {
	return s.language(Request{Review: sources.Review{Text: text}, Business: Business{Language: fallback}})
}

// Languages lists the languages drafts are written in ("en", "es", …).
func Languages() []string { return slices.Clone(draftLanguages) }

// WritesLanguage reports whether drafts can be written in tag, a language
// tag such as "de" or "pt-BR" (its region is ignored).
func WritesLanguage(tag string) bool { return slices.Contains(draftLanguages, baseTag(tag)) }
