package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/revwatch/revwatch/sources"
)

// embedded holds the default phrasings, one file per language.
//
//go:embed reply/*.tmpl rules/*.yaml
var embedded embed.FS

// parts are the templates every language defines as <lang>/<part>.
var parts = []string{
	"greeting", "thanks", "thanks-for-praise", "restate", "question", "feeling",
	"feeling/no_response", "feeling/broken_promise",
	"apology", "contact", "close", "signature", "positive", "welcome-back",
	"offer", "fix", "boundary", "holding", "strict",
}

// lineBreak is what {{br}} writes: a line break inside one phrasing, kept
// apart from "\n", which separates phrasings, until a phrasing is chosen.
const lineBreak = "\u2029"

var funcs = template.FuncMap{"br": func() string { return lineBreak }}

// Set is a loaded set of reply templates. It is safe for concurrent use.
type Set struct {
	// t holds every template; each one's Tree.ParseName is the file that
	// defined it, so errors point an operator at their own override file.
	t *template.Template
	// rules are the checker's and the escalation's phrase lists, by
	// language, from rules/<lang>.yaml.
	rules map[string]*rules
}

// Load parses the embedded default templates, then every *.tmpl file in
// overrideDir ("" for none) in name order; a {{define}} there replaces the
// default of the same name, so an operator can reword one part and keep
// the rest. A missing folder, an unreadable or unparsable file, text outside
// {{define}} blocks and a bare part name ("close" for "en/close") are
// errors naming the file. Load then drafts a few sample reviews in every
// language, so a template that fails to execute fails here, at start-up,
// not when the first bad review arrives.
func Load(overrideDir string) (*Set, error) {
	s := &Set{t: template.New("").Option("missingkey=error").Funcs(funcs), rules: map[string]*rules{}}
	ruleFiles, err := fs.Glob(embedded, "rules/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	for _, f := range ruleFiles {
		b, err := embedded.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		if err := s.parseRules(f, b); err != nil {
			return nil, err
		}
	}
	files, err := fs.Glob(embedded, "reply/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	for _, f := range files {
		b, err := embedded.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		if err := s.parse(f, b); err != nil {
			return nil, err
		}
	}
	if overrideDir != "" {
		entries, err := os.ReadDir(overrideDir)
		if err != nil {
			return nil, fmt.Errorf("templates: override folder: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
				continue
			}
			path := filepath.Join(overrideDir, e.Name())
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("templates: %w", err)
			}
			if err := s.parse(path, b); err != nil {
				return nil, err
			}
		}
		if err := s.loadRuleOverrides(filepath.Join(overrideDir, "rules")); err != nil {
			return nil, err
		}
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// loadRuleOverrides reads every rules/<lang>.yaml in an operator's
// folder; each replaces the default list of its language as a whole. No
// rules folder is fine.
func (s *Set) loadRuleOverrides(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("templates: override folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("templates: %w", err)
		}
		if err := s.parseRules(path, b); err != nil {
			return err
		}
	}
	return nil
}

// parseRules adds one rules/<lang>.yaml file to the set.
func (s *Set) parseRules(file string, b []byte) error {
	r, err := parseRules(file, b)
	if err != nil {
		return err
	}
	s.rules[strings.TrimSuffix(filepath.Base(file), ".yaml")] = r
	return nil
}

// parse adds the {{define}} blocks of one file to the set.
func (s *Set) parse(file string, text []byte) error {
	f, err := template.New(file).Funcs(funcs).Parse(string(text))
	if err != nil {
		return fmt.Errorf("templates: %w", err) // text/template names the file and line
	}
	if f.Tree != nil && !parse.IsEmptyTree(f.Tree.Root) {
		return fmt.Errorf("templates: %s: text outside {{define}} blocks would never be used", file)
	}
	for _, d := range f.Templates() {
		name := d.Name()
		if name == file {
			continue
		}
		if slices.Contains(parts, name) {
			return fmt.Errorf("templates: %s: %q names no language; define %q (or another <lang>/%s) instead",
				file, name, "en/"+name, name)
		}
		if _, err := s.t.AddParseTree(name, d.Tree); err != nil {
			return fmt.Errorf("templates: %s: %w", file, err)
		}
	}
	return nil
}

// check makes sure every language has every part and a phrase for every
// topic and aspect its keyword table can report, then drafts a sample of
// reviews in each.
func (s *Set) check() error {
	var errs []error
	langs := languages()
	for _, lang := range langs {
		lx := lexicons[lang]
		var need []string
		for _, p := range parts {
			need = append(need, lang+"/"+p)
		}
		for _, k := range lx.topicKeys {
			need = append(need, lang+"/topic/"+topicOf(k))
		}
		for _, a := range lx.aspectKeys {
			need = append(need, lang+"/praise/"+a)
		}
		for _, n := range need {
			if s.t.Lookup(n) == nil {
				errs = append(errs, fmt.Errorf("templates: no template %q (reply/%s.tmpl should define it)", n, lang))
			}
		}
		if s.rules[lang] == nil {
			errs = append(errs, fmt.Errorf("templates: no checker phrase lists for %q (rules/%s.yaml)", lang, lang))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, lang := range langs {
		for i, a := range samples(lexicons[lang]) {
			// The first samples (vague, praise, two topics) take every
			// form; the topic and aspect phrases only need the usual one.
			ass := sampleAssessments
			if i >= 3 {
				ass = ass[:1]
			}
			for _, r := range sampleRequests {
				for _, as := range ass {
					if _, err := s.compose(lang, a, as, r); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// sampleAssessments reach the holding (health, legal), boundary and
// tailored-feeling drafts.
var sampleAssessments = []assessment{
	{},
	{health: []string{"sample"}},
	{legal: []string{"sample"}},
	{abuse: []string{"sample"}},
	{repeat: true, premium: true},
}

// samples are analyses that reach every part and every topic and aspect
// phrase of a language.
func samples(lx *lexicon) []analysis {
	out := []analysis{{}, {praise: true}, {topics: lx.topicKeys[:2]}}
	for _, k := range lx.topicKeys {
		out = append(out, analysis{topics: []string{k}})
	}
	for _, a := range lx.aspectKeys {
		out = append(out,
			analysis{praise: true, aspect: a},
			analysis{topics: lx.topicKeys[:1], praise: true, aspect: a})
	}
	return out
}

// sampleRequests cover both sides of every {{if}} the default templates
// make: rated bad and good, with and without name, contact and platform,
// warm and formal, with an offer and a fix, and strict privacy.
var sampleRequests = func() []Request {
	one, five := 1.0, 5.0
	full := Business{Name: "Sample", Signature: "Sam", Contact: "hello@example.com"}
	rich := full
	rich.Tone, rich.Offers, rich.Fixes = "formal", []string{"a coffee on us"}, map[string]string{}
	for t := range knownTopics() {
		rich.Fixes[t] = "we have changed how we work"
	}
	strict := Business{Name: "Sample", Privacy: "strict"}
	strictFull := full
	strictFull.Privacy, strictFull.Tone = "strict", "formal"
	return []Request{
		{Business: Business{Name: "Sample"}},
		{Business: Business{Name: "Sample"}, Review: sampleReview("", &one)},
		{Business: full, Review: sampleReview("Alex", &one), Platform: "Trustpilot"},
		{Business: full, Review: sampleReview("Alex", &five), Platform: "Trustpilot"},
		{Business: rich, Review: sampleReview("Alex", &one), Platform: "Google"},
		{Business: rich, Review: sampleReview("", &five)},
		{Business: strict, Review: sampleReview("", &one)},
		{Business: strictFull, Review: sampleReview("Alex", &one)},
	}
}()

func sampleReview(author string, rating *float64) (r sources.Review) {
	r.ID, r.Author, r.Rating = "sample", author, rating
	return r
}

// pick renders the first of <lang>/<part>/<key>, <lang>/<part>/<topic>
// (for each key in turn) and <lang>/<part> that exists, and chooses one of
// its phrasings (G10): the choice hashes the review ID with the template
// name, and each Variant moves every part on by one phrasing, so a
// regenerate always changes every part that has a second phrasing. A
// phrasing that appears in one of the recent drafts is passed over for the
// next one that does not, when there is one (G10).
func (s *Set) pick(lang, part string, keys []string, v view, id string, variant uint64, recent []string) (string, error) {
	var names []string
	for _, k := range keys {
		names = append(names, lang+"/"+part+"/"+k, lang+"/"+part+"/"+topicOf(k))
	}
	names = append(names, lang+"/"+part)
	var t *template.Template
	for _, n := range names {
		if t = s.t.Lookup(n); t != nil {
			break
		}
	}
	if t == nil {
		return "", fmt.Errorf("templates: no template %q", names[len(names)-1])
	}
	lines, err := s.phrasings(t, v)
	if err != nil {
		return "", err
	}
	first := choose(id, t.Name(), variant, len(lines))
	for i := range lines {
		l := lines[(first+i)%len(lines)]
		if !slices.ContainsFunc(recent, func(d string) bool { return strings.Contains(d, l) }) {
			return l, nil
		}
	}
	return lines[first], nil
}

// phrasings renders t and returns its non-empty lines, tidied.
func (s *Set) phrasings(t *template.Template, v view) ([]string, error) {
	var b strings.Builder
	if err := t.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("templates: %w", err) // text/template names the file and line
	}
	var lines []string
	for l := range strings.SplitSeq(b.String(), "\n") {
		if l = tidy(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("templates: %s: %q gave no phrasing for this review", t.Tree.ParseName, t.Name())
	}
	return lines, nil
}

// tidy folds the spaces {{if}} blocks leave behind and turns {{br}} into a
// real line break.
func tidy(line string) string {
	var out []string
	for seg := range strings.SplitSeq(line, lineBreak) {
		out = append(out, strings.Join(strings.Fields(seg), " "))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
