package templates

import (
	"slices"
	"testing"
)

// TestAnalyseEnglish pins the English keyword table: what a review is
// about decides what the draft restates (G2) or asks (G9).
func TestAnalyseEnglish(t *testing.T) {
	for _, tc := range []struct {
		name   string
		text   string
		topics []string
		praise bool
		aspect string
	}{
		{name: "cold food and rude waiter", text: "The food was cold and the waiter was rude.",
			topics: []string{"quality/cold", "staff/rude"}},
		{name: "praise and complaint in one sentence stay apart", text: "Great food but the service was slow.",
			topics: []string{"wait"}, praise: true, aspect: "food"},
		{name: "comma splits clauses", text: "Lovely staff, cold pizza",
			topics: []string{"quality/cold"}, praise: true, aspect: "staff"},
		{name: "slow delivery is one topic, not wait", text: "Slow delivery again.",
			topics: []string{"delivery/late"}},
		{name: "weak noun needs a cue", text: "The service was terrible.",
			topics: []string{"staff"}},
		{name: "weak noun alone is nothing", text: "We had dinner with the team."},
		{name: "negated praise is a cue", text: "The food was not good.",
			topics: []string{"quality"}},
		{name: "negated complaint is none", text: "The soup wasn't cold at all and nothing was dirty."},
		{name: "not bad is no complaint", text: "Not bad."},
		{name: "a negator used by one phrase does not negate the next",
			text:   "My parcel never arrived and nobody answered my emails.",
			topics: []string{"delivery/missing", "no_response"}},
		{name: "longest phrase wins over its words", text: "Still waiting for a reply after two weeks.",
			topics: []string{"no_response"}},
		{name: "T1 broken promise", text: "Advertised as vegan, it was not.",
			topics: []string{"broken_promise"}},
		{name: "a promise kept is praise", text: "Arrived as promised, great product.",
			praise: true, aspect: "product"},
		{name: "one topic once, first detail wins", text: "Cold coffee. Stale bread too.",
			topics: []string{"quality/cold"}},
		{name: "order of appearance", text: "Overpriced and bland. The toilets were filthy!",
			topics: []string{"price", "quality", "cleanliness"}},
		{name: "hyphen splits words", text: "What a rip-off.", topics: []string{"price"}},
		{name: "curly apostrophe", text: "It didn’t arrive.", topics: []string{"delivery/missing"}},
		{name: "prefix match", text: "They overcharged me.", topics: []string{"price"}},
		{name: "booking", text: "They lost our booking.", topics: []string{"booking"}},
		{name: "noise", text: "Way too loud to talk.", topics: []string{"noise"}},
		{name: "refund", text: "Still no refund.", topics: []string{"refund"}},
		{name: "app crash is quality", text: "The app keeps crashing.", topics: []string{"quality/broken"}},
		{name: "vague", text: "Meh. Not what I hoped."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := english.analyse("", tc.text)
			if !slices.Equal(a.topics, tc.topics) {
				t.Errorf("topics = %q, want %q", a.topics, tc.topics)
			}
			if a.praise != tc.praise || a.aspect != tc.aspect {
				t.Errorf("praise, aspect = %v, %q; want %v, %q", a.praise, a.aspect, tc.praise, tc.aspect)
			}
		})
	}
}

func TestAnalyseReadsTitle(t *testing.T) {
	a := english.analyse("Rude staff", "Went on Sunday.")
	if !slices.Equal(a.topics, []string{"staff/rude"}) {
		t.Errorf("topics = %q, want the title's", a.topics)
	}
}

// TestAnalyseHan: Chinese has no spaces; every Han character is a word,
// so a phrase matches as a run of characters anywhere in a clause, and
// full-width punctuation and multi-character breaks split clauses.
func TestAnalyseHan(t *testing.T) {
	lx := compile(lexiconSpec{
		strong: map[string][]string{
			"wait":       {"等了很久", "太慢"},
			"staff/rude": {"态度很差", "不耐烦"},
		},
		weak:     map[string][]string{"quality": {"菜"}, "staff": {"服务员"}},
		negative: []string{"差", "失望"},
		praise:   []string{"好吃", "好", "新鲜"},
		aspects:  map[string][]string{"food": {"菜"}},
		negators: []string{"不", "没有"},
		breaks:   []string{"但是", "不过"},
	})
	for _, tc := range []struct {
		text   string
		topics []string
		praise bool
	}{
		{"菜很好吃，但是服务员态度很差。等了很久！", []string{"staff/rude", "wait"}, true},
		{"菜很好吃但是上菜太慢", []string{"wait"}, true},    // no punctuation: the break word splits
		{"菜不好吃。", []string{"quality"}, false},     // negated praise is a cue
		{"菜没有很新鲜", []string{"quality"}, false},    // a two-character negator a few characters back
		{"服务员不耐烦", []string{"staff/rude"}, false}, // a phrase carrying its own negation
	} {
		a := lx.analyse("", tc.text)
		if !slices.Equal(a.topics, tc.topics) || a.praise != tc.praise {
			t.Errorf("%s: topics %q praise %v; want %q %v", tc.text, a.topics, a.praise, tc.topics, tc.praise)
		}
	}
}

// TestMatchingClitics: Hebrew and Arabic write "and", "the", "in" onto
// the word; a phrase still matches.
func TestMatchingClitics(t *testing.T) {
	for _, tc := range []struct {
		lang, text, entry string
		want              bool
	}{
		{"he", "והמלצר היה גס רוח", "מלצר", true},
		{"he", "והמלצרית", "מלצר*", true},
		{"he", "מלצר", "מלצר", true},
		{"ar", "والنادل كان وقحا", "نادل", true},
		{"ar", "بالطعام", "طعام", true},
		{"ar", "النادل", "ال", false},    // a clitic alone is no word
		{"fa", "والنادل", "نادل", false}, // Persian has no such prefixes
	} {
		words, prefix := phraseWords(tc.entry)
		got := len(matches(sentences(tc.text), []phrase{{words: words, prefix: prefix}}, clitics[tc.lang])) > 0
		if got != tc.want {
			t.Errorf("%s: %q in %q = %v, want %v", tc.lang, tc.entry, tc.text, got, tc.want)
		}
	}
}

// TestSentencesNormalise: the tokenizer folds what people write several
// ways, so one spelling in a phrase list matches them all.
func TestSentencesNormalise(t *testing.T) {
	for _, tc := range []struct {
		text string
		want [][]string
	}{
		{"غذا‌ها سرد بود", [][]string{{"غذا", "ها", "سرد", "بود"}}}, // ZWNJ separates like a space
		{"كيك", [][]string{{"کیک"}}},                                // Arabic kaf and yeh fold to the Persian letters
		{"مُمتاز", [][]string{{"ممتاز"}}},                           // vowel marks dropped
		{"أحمد إلى", [][]string{{"احمد", "الی"}}},                   // alef forms fold
		{"服务员，太慢。", [][]string{{"服", "务", "员"}, {"太", "慢"}}},        // Han characters, full-width punctuation
		{"Don’t GO", [][]string{{"don't", "go"}}},                   // case, curly apostrophe
		{"שָׁלוֹם", [][]string{{"שלום"}}},                           // niqqud dropped
	} {
		if got := sentences(tc.text); !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("sentences(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
