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
