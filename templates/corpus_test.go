package templates

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/revwatch/revwatch/sources"
)

// corpusCase is one review of testdata/corpus/<lang>.yaml and what its
// draft must show.
type corpusCase struct {
	ID       string   `yaml:"id"`
	Author   string   `yaml:"author"`
	Rating   *float64 `yaml:"rating"`
	Title    string   `yaml:"title"`
	Text     string   `yaml:"text"`
	Tag      string   `yaml:"tag"`
	Platform string   `yaml:"platform"`
	Repeat   bool     `yaml:"repeat"`
	Business string   `yaml:"business"` // "", "strict", "formal", "offers"
	Want     struct {
		Language string   `yaml:"language"`
		Topics   []string `yaml:"topics"`
		Form     string   `yaml:"form"`
		Escalate bool     `yaml:"escalate"`
		Review   string   `yaml:"review"`
	} `yaml:"want"`
}

// corpusBusiness is who answers a language's corpus: a café or shop, a
// clinic with privacy: strict, and the business's own offer and fix, in
// the language the business writes.
type corpusBusiness struct {
	base, clinic Business
	offer, fix   string
}

var corpusBusinesses = map[string]corpusBusiness{
	"en": {Business{Name: "Cafe Blue", Signature: "Anna, Cafe Blue", Contact: "anna@cafeblue.example"},
		Business{Name: "Smile Dental", Signature: "The team at Smile Dental", Contact: "office@smiledental.example"},
		"a free coffee on your next visit", "we have released an update that fixes the crash at checkout"},
	"es": {Business{Name: "Casa Lucía", Signature: "Lucía, Casa Lucía", Contact: "hola@casalucia.example"},
		Business{Name: "Clínica Dental Sonrisa", Signature: "Equipo de Clínica Dental Sonrisa", Contact: "recepcion@sonrisa.example"},
		"un café por cuenta de la casa en su próxima visita", "hemos publicado una actualización que corrige el fallo al pagar"},
	"fr": {Business{Name: "Le Petit Zinc", Signature: "Claire, Le Petit Zinc", Contact: "contact@petitzinc.example"},
		Business{Name: "Cabinet dentaire du Parc", Signature: "L'équipe du Cabinet dentaire du Parc", Contact: "accueil@cabinetduparc.example"},
		"un café offert lors de votre prochaine visite", "nous avons publié une mise à jour qui corrige le plantage au paiement"},
	"de": {Business{Name: "Gasthaus Linde", Signature: "Jonas Weber, Gasthaus Linde", Contact: "service@gasthaus-linde.example"},
		Business{Name: "Zahnarztpraxis am Markt", Signature: "Ihr Praxisteam am Markt", Contact: "praxis@ammarkt.example"},
		"einen Kaffee aufs Haus bei Ihrem nächsten Besuch", "wir haben ein Update veröffentlicht, das den Absturz beim Bezahlen behebt"},
	"fa": {Business{Name: "کافه نارنج", Signature: "مریم، کافه نارنج", Contact: "info@narenj.example"},
		Business{Name: "کلینیک دندان‌پزشکی لبخند", Signature: "کلینیک دندان‌پزشکی لبخند", Contact: "clinic@labkhand.example"},
		"یک نوشیدنی مهمان ما در مراجعهٔ بعدی", "به‌روزرسانی تازه‌ای منتشر کرده‌ایم که مشکل بسته شدن برنامه هنگام پرداخت را برطرف می‌کند"},
	"ar": {Business{Name: "مطعم الياسمين", Signature: "سارة، مطعم الياسمين", Contact: "info@yasmine.example"},
		Business{Name: "عيادة الابتسامة لطب الأسنان", Signature: "فريق عيادة الابتسامة", Contact: "clinic@ibtisama.example"},
		"مشروبًا على حسابنا في زيارتكم القادمة", "أصدرنا تحديثًا يعالج مشكلة توقف التطبيق عند الدفع"},
	"he": {Business{Name: "קפה לימון", Signature: "נועה, קפה לימון", Contact: "noa@cafelimon.example"},
		Business{Name: "מרפאת שיניים חיוך", Signature: "צוות מרפאת חיוך", Contact: "office@chiyuch.example"},
		"קפה על חשבון הבית בביקור הבא", "פרסמנו עדכון שמתקן את הקריסה בזמן התשלום"},
	"zh": {Business{Name: "小城咖啡", Signature: "王丽，小城咖啡", Contact: "service@xiaocheng.example"},
		Business{Name: "微笑牙科诊所", Signature: "微笑牙科诊所", Contact: "clinic@weixiao.example"},
		"下次光临时赠送一杯咖啡", "我们已发布更新，修复了付款时闪退的问题"},
}

// business returns the Business a corpus case is drafted for.
func (c corpusCase) business(lang string) Business {
	cb := corpusBusinesses[lang]
	b := cb.base
	b.Language = lang
	switch c.Business {
	case "strict":
		b = cb.clinic
		b.Language, b.Privacy = lang, "strict"
	case "formal":
		b.Tone = "formal"
	case "offers":
		b.Offers = []string{cb.offer}
		b.Fixes = map[string]string{"quality": cb.fix}
	}
	return b
}

func (c corpusCase) request(lang string, recent []string) Request {
	return Request{
		Business: c.business(lang),
		Review: sources.Review{ID: c.ID, Author: c.Author, Rating: c.Rating, Title: c.Title, Text: c.Text,
			Language: c.Tag},
		Platform: c.Platform,
		Repeat:   c.Repeat,
		Recent:   recent,
	}
}

func loadCorpus(t *testing.T, lang string) []corpusCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("%s.yaml: %v", lang, err)
	}
	return cases
}

// recentWindow is how many of a listing's last drafts the corpus passes
// as Request.Recent: each language's corpus is one listing (G10).
const recentWindow = 10

// TestCorpus drafts every review of the corpus, in order, one listing
// per language, and holds each draft to the bar: no checker
// finding, the right language, the expected topics restated with the
// language's own topic phrases, escalations without text, and no two
// bodies in the corpus the same. A language whose templates are not
// loaded yet is skipped, with a message.
func TestCorpus(t *testing.T) {
	s := mustDefaults(t)
	bodies := map[string]string{} // body -> case id
	total := 0
	for _, lang := range draftLanguages {
		cases := loadCorpus(t, lang)
		total += len(cases)
		if len(cases) < 15 {
			t.Errorf("%s: %d corpus reviews, want at least 15", lang, len(cases))
		}
		t.Run(lang, func(t *testing.T) {
			if !s.usable(lang) {
				t.Skipf("no %s templates, keyword table or rules loaded yet: %d corpus reviews skipped", lang, len(cases))
			}
			var recent []string
			for _, c := range cases {
				t.Run(c.ID, func(t *testing.T) {
					d := mustDraft(t, s, c.request(lang, slices.Clone(recent)))
					checkCorpusDraft(t, s, c, d)
					if d.Text == "" {
						return
					}
					recent = append([]string{d.Text}, recent[:min(len(recent), recentWindow-1)]...)
					body := draftBody(d.Text)
					if other, dup := bodies[body]; dup {
						t.Errorf("same body as %s:\n%s", other, body)
					}
					bodies[body] = c.ID
				})
			}
		})
	}
	if total < 120 {
		t.Errorf("corpus has %d reviews, want at least 120", total)
	}
}

func checkCorpusDraft(t *testing.T, s *Set, c corpusCase, d Draft) {
	t.Helper()
	w := c.Want
	if d.Language != w.Language {
		t.Errorf("Language = %q, want %q", d.Language, w.Language)
	}
	if d.Escalate != w.Escalate {
		t.Errorf("Escalate = %v, want %v (guidance %q)", d.Escalate, w.Escalate, d.Guidance)
	}
	if w.Escalate {
		if d.Text != "" || !d.Urgent || !strings.Contains(d.Guidance, "manager") {
			t.Errorf("E1: text %q, urgent %v, guidance %q; want no text, urgent, a manager", d.Text, d.Urgent, d.Guidance)
		}
		return
	}
	if d.Form != w.Form {
		t.Errorf("Form = %q, want %q:\n%s", d.Form, w.Form, d.Text)
	}
	if d.Review != w.Review {
		t.Errorf("Review = %q, want %q", d.Review, w.Review)
	}
	if len(d.Findings) > 0 {
		t.Errorf("checker findings %+v in:\n%s", d.Findings, d.Text)
	}
	if d.Form == FormComplaint || d.Form == FormBoundary || d.Form == FormThanks {
		got, want := slices.Sorted(slices.Values(d.Topics)), slices.Sorted(slices.Values(w.Topics))
		if !slices.Equal(got, want) {
			t.Errorf("Topics = %q, want %q:\n%s", d.Topics, w.Topics, d.Text)
		}
	}
	if d.Form == FormComplaint || d.Form == FormBoundary {
		for _, topic := range d.Topics[:min(2, len(d.Topics))] {
			if !restates(t, s, d, topic) {
				t.Errorf("G2: no %s/topic/%s phrase in:\n%s", d.Language, topic, d.Text)
			}
		}
	}
	if strings.TrimSpace(d.Text) != d.Text {
		t.Errorf("draft has leading or trailing space: %q", d.Text)
	}
}

// restates reports whether the draft says one of the phrasings of the
// language's topic/<topic> or topic/<topic>/<detail> parts (G2).
func restates(t *testing.T, s *Set, d Draft, topic string) bool {
	t.Helper()
	prefix := d.Language + "/topic/" + topic
	for _, tmpl := range s.t.Templates() {
		if n := tmpl.Name(); n != prefix && !strings.HasPrefix(n, prefix+"/") {
			continue
		}
		lines, err := s.phrasings(tmpl, view{})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if strings.Contains(d.Text, l) {
				return true
			}
		}
	}
	return false
}

// draftBody is a draft without its greeting and signature paragraphs.
func draftBody(text string) string {
	ps := strings.Split(text, "\n\n")
	if len(ps) <= 2 {
		return text
	}
	return strings.Join(ps[1:len(ps)-1], "\n\n")
}

// samples are the corpus reviews SAMPLES.md shows, two per language.
var samplesShown = []string{
	"en-01", "en-14", "es-01", "es-07", "fr-01", "fr-17", "de-01", "de-20",
	"fa-01", "fa-09", "ar-01", "ar-12", "he-01", "he-05", "zh-01", "zh-02",
}

// TestSamples keeps SAMPLES.md true: it is generated from the corpus by
// `go test ./templates -run TestSamples -update`.
func TestSamples(t *testing.T) {
	s := mustDefaults(t)
	var b strings.Builder
	b.WriteString("# Sample reply drafts\n\n")
	b.WriteString("Sixteen drafts, two per language, written by the engine for reviews from the test corpus\n")
	b.WriteString("(`testdata/corpus/<lang>.yaml`). Generated by `go test ./templates -run TestSamples -update`;\n")
	b.WriteString("the test fails when this file and the engine disagree. Each draft is a proposal for a person\n")
	b.WriteString("to approve, edit or reject; nothing is posted.\n")
	for _, id := range samplesShown {
		lang, _, _ := strings.Cut(id, "-")
		var c corpusCase
		for _, k := range loadCorpus(t, lang) {
			if k.ID == id {
				c = k
			}
		}
		if c.ID == "" {
			t.Fatalf("no corpus case %s", id)
		}
		fmt.Fprintf(&b, "\n## %s (%s)\n\n", id, lang)
		rating := "no rating"
		if c.Rating != nil {
			rating = fmt.Sprintf("%g★", *c.Rating)
		}
		fmt.Fprintf(&b, "**Review** by %s, %s%s:\n\n", c.Author, rating, map[bool]string{true: ", on " + c.Platform}[c.Platform != ""])
		for _, l := range strings.Split(strings.TrimSpace(c.Title+"\n"+c.Text), "\n") {
			fmt.Fprintf(&b, "> %s\n", l)
		}
		if !s.usable(lang) {
			fmt.Fprintf(&b, "\n*No %s templates are loaded yet: no draft.*\n", lang)
			continue
		}
		d := mustDraft(t, s, c.request(lang, nil))
		fmt.Fprintf(&b, "\n**Draft** (language %s, form %s", d.Language, cmpOr(d.Form, "none"))
		if len(d.Topics) > 0 {
			fmt.Fprintf(&b, ", topics %s", strings.Join(d.Topics, ", "))
		}
		if d.Review != "" {
			fmt.Fprintf(&b, ", for manager review: %s", d.Review)
		}
		fmt.Fprintf(&b, "; rules %s):\n\n", strings.Join(d.Rules, " "))
		if d.Text == "" {
			b.WriteString("*No public draft.*\n")
		} else {
			b.WriteString("```text\n" + d.Text + "\n```\n")
		}
		if d.Guidance != "" {
			fmt.Fprintf(&b, "\n**Guidance for staff:** %s\n", d.Guidance)
		}
	}
	got := b.String()
	const path = "SAMPLES.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s is out of date: run go test ./templates -run TestSamples -update, and read the diff", path)
	}
}
