package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// overrideDir writes files into a fresh folder, as an operator would.
func overrideDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadOverrideChangesOnlyThatPart(t *testing.T) {
	const close = "Thanks for the honest words; the door is always open."
	dir := overrideDir(t, map[string]string{
		"close.tmpl":  `{{define "en/close"}}` + close + `{{end}}`,
		"README.txt":  "not a template, ignored",
		"notes.tmpl~": "an editor backup, ignored",
	})
	custom, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	base := mustDefaults(t)
	for _, text := range []string{"The food was cold.", "Meh."} {
		for v := range 3 {
			req := Request{Business: cafe, Review: review("ov-1", "Maria", stars(1), text), Variant: v}
			want := strings.Split(mustDraft(t, base, req).Text, "\n\n")
			got := strings.Split(mustDraft(t, custom, req).Text, "\n\n")
			// Paragraphs: greeting, body, contact, close, signature.
			want[3] = close
			if strings.Join(got, "\n\n") != strings.Join(want, "\n\n") {
				t.Errorf("%q variant %d: override changed more than the close:\n%s\n--- want\n%s",
					text, v, strings.Join(got, "\n\n"), strings.Join(want, "\n\n"))
			}
		}
	}
}

func TestLoadOverrideAddsTopicSpecificPart(t *testing.T) {
	// An operator may tailor a part to one topic: en/<part>/<topic>.
	dir := overrideDir(t, map[string]string{
		"noise.tmpl": `{{define "en/contact/noise"}}Ask for Lena, our manager, at {{.Business.Contact}}; she sets the music.{{end}}`,
	})
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := mustDraft(t, s, Request{Business: cafe, Review: review("ov-2", "Maria", stars(2), "Far too loud.")})
	if !strings.Contains(d.Text, "Ask for Lena") {
		t.Errorf("topic-specific contact not used:\n%s", d.Text)
	}
	d = mustDraft(t, s, Request{Business: cafe, Review: review("ov-2", "Maria", stars(2), "Rude staff.")})
	if strings.Contains(d.Text, "Ask for Lena") {
		t.Errorf("topic-specific contact used for another topic:\n%s", d.Text)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		dir   string // instead of files
		want  []string
	}{
		{name: "nonexistent folder", dir: filepath.Join(t.TempDir(), "nope"),
			want: []string{"templates: override folder", "nope"}},
		{name: "parse error names the file",
			files: map[string]string{"good.tmpl": `{{define "en/close"}}Bye.{{end}}`, "broken.tmpl": `{{define "en/close"}}{{if}}{{end}}`},
			want:  []string{"templates: ", "broken.tmpl"}},
		{name: "unclosed define names the file",
			files: map[string]string{"unclosed.tmpl": `{{define "en/close"}}Bye.`},
			want:  []string{"unclosed.tmpl"}},
		{name: "execution error at load names the file (missingkey)",
			files: map[string]string{"field.tmpl": `{{define "en/close"}}Bye from {{.Business.Owner}}.{{end}}`},
			want:  []string{"field.tmpl", "Owner"}},
		{name: "a part with no phrasing for some review",
			files: map[string]string{"empty.tmpl": `{{define "en/contact"}}{{with .Business.Contact}}Mail {{.}}.{{end}}{{end}}`},
			want:  []string{"empty.tmpl", "no phrasing"}},
		{name: "bare part name needs a language",
			files: map[string]string{"bare.tmpl": `{{define "close"}}Bye.{{end}}`},
			want:  []string{"bare.tmpl", `"en/close"`}},
		{name: "text outside define",
			files: map[string]string{"loose.tmpl": "Bye for now."},
			want:  []string{"loose.tmpl", "outside {{define}}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = overrideDir(t, tc.files)
			}
			s, err := Load(dir)
			if err == nil {
				t.Fatalf("Load succeeded (%v), want an error", s != nil)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadEmptyOverrideFolder(t *testing.T) {
	if _, err := Load(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

// overrideFile writes one file, in a subfolder if the name has one.
func overrideFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
