package sources

import (
	"strings"
	"testing"
	"unicode"
)

// TestContentIDGolden pins content ids: they are the stored ids of reviews
// without a platform id, so a change here would make every such review new
// again (duplicate alerts). The values are what the first implementation
// (strings.FieldsFunc folding) gave.
func TestContentIDGolden(t *testing.T) {
	cases := []struct {
		parts []string
		want  string
	}{
		{[]string{"Amir", "2026-11-01", "Cold soup,\n  rude   waiter."}, "h-5e6a22bc8d7de9fd"},
		{[]string{" Ünïcode\u00a0Straße\u2003ÉTÉ ", "x"}, "h-d28ff1c6ba21ee85"},
		{[]string{"bad\xffutf8  \xc3", ""}, "h-cf01ccfa85cbbcea"},
		{nil, "h-e3b0c44298fc1c14"},
		{[]string{""}, "h-6e340b9cffb37a98"},
		{[]string{"ǅ Dž İstanbul"}, "h-69b82f530a5b2e2b"},
	}
	for _, c := range cases {
		if got := ContentID(c.parts...); got != c.want {
			t.Errorf("ContentID(%q) = %s, want %s", c.parts, got, c.want)
		}
	}
}

// foldSpaceRef is the definition foldSpace must keep.
func foldSpaceRef(s string) string { return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ") }

var foldSpaceSeeds = []string{
	"", " ", "a", " a", "a ", "a  b", "a b", "a\tb", "a\nb", "a\u00a0b", "a\u0085b", "\u3000a\u3000",
	"already folded text", "bad\xffutf8 \xc3", "\xe2\x80", "x\u2028y", "Straße ÉTÉ", "  many   spaces  ",
	"\v\f\r", "é", "a \u200bb", // ZERO WIDTH SPACE is not white space
}

func TestFoldSpace(t *testing.T) {
	for _, s := range foldSpaceSeeds {
		if got, want := foldSpace(s), foldSpaceRef(s); got != want {
			t.Errorf("foldSpace(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzFoldSpace(f *testing.F) {
	for _, s := range foldSpaceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := foldSpace(s), foldSpaceRef(s); got != want {
			t.Errorf("foldSpace(%q) = %q, want %q", s, got, want)
		}
	})
}
