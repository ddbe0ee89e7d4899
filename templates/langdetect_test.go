package templates

import (
	"testing"

	"github.com/revwatch/revwatch/sources"
)

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"The food was cold and the waiter was rude.", "en"},
		{"We waited an hour and nobody came to our table.", "en"},
		{"La comida estaba fría y el camarero fue muy grosero.", "es"},
		{"Esperamos una hora y nadie nos atendió.", "es"},
		{"Le plat était froid et le serveur très désagréable.", "fr"},
		{"C'est la troisième fois que j'écris, aucune réponse.", "fr"},
		{"Das Essen war kalt und der Kellner sehr unfreundlich.", "de"},
		{"Wir haben eine Stunde gewartet, keiner kam.", "de"},
		{"غذا سرد بود و گارسون خیلی بی‌ادب بود.", "fa"},
		{"یک ساعت منتظر ماندیم", "fa"}, // Persian yeh and kaf, no پ چ ژ گ
		{"كان الطعام باردا والنادل وقحا جدا.", "ar"},
		{"انتظرنا ساعة كاملة ولم يأت أحد", "ar"},
		{"האוכל היה קר והמלצר היה גס רוח.", "he"},
		{"菜都凉了，服务员态度也很差。", "zh"},
		{"料理が冷たかったです。", "ja"},
		{"음식이 차가웠어요", "ko"},
		{"کھانا ٹھنڈا تھا اور ویٹر بدتمیز تھا", "ur"},
		{"Еда была холодной.", "ru"},
		{"Meh.", ""},                    // too short to tell
		{"Terrible!", ""},               // one word: the business's language decides
		{"", ""},                        // nothing
		{"12345 !!!", ""},               // no letters
		{"Pizza, pasta, tiramisu.", ""}, // names, no function words
		{"Il cibo era freddo e il cameriere scortese.", "it"}, // a decoy: no drafts in Italian
		{"A comida estava fria e o garçom foi muito grosseiro.", "pt"},
		{"Het eten was koud en de ober was niet vriendelijk.", "nl"},
	} {
		if got := detectLanguage(tc.text); got != tc.want {
			t.Errorf("detectLanguage(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestSetLanguage: the platform's tag wins when it names a draft language
// the set can write; then the text; then the business's language; then
// English. Never a language without templates.
func TestSetLanguage(t *testing.T) {
	s := mustDefaults(t)
	usable := func(l string) bool { return s.usable(l) }
	for _, tc := range []struct {
		name, tag, text, business string
		want                      func() string
	}{
		{"platform tag", "en-GB", "Rude staff.", "", func() string { return "en" }},
		{"platform tag without templates falls to the text", "it", "The food was cold and the waiter was rude.", "", func() string { return "en" }},
		{"text detected", "", "The food was cold and the waiter was rude.", "de", func() string { return "en" }},
		{"nothing to go on: the business's language", "", "Meh.", "de", func() string {
			if usable("de") {
				return "de"
			}
			return "en"
		}},
		{"unknown business language: English", "", "Meh.", "xx", func() string { return "en" }},
		{"Persian text", "", "غذا سرد بود و گارسون خیلی بی‌ادب بود.", "", func() string {
			if usable("fa") {
				return "fa"
			}
			return "en"
		}},
		{"Hebrew via the old tag", "iw", "האוכל היה קר", "", func() string {
			if usable("he") {
				return "he"
			}
			return "en"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Request{Business: Business{Name: "B", Language: tc.business},
				Review: sources.Review{ID: "l", Language: tc.tag, Text: tc.text}}
			if got, want := s.language(r), tc.want(); got != want {
				t.Errorf("language = %q, want %q", got, want)
			}
		})
	}
}

// Short Arabic-script reviews often carry none of the letters only Persian
// uses; their words still tell Persian from Arabic.
func TestDetectShortPersianArabic(t *testing.T) {
	tests := []struct{ text, want string }{
		{"غذا سرد بود", "fa"},
		{"خیلی بد بود", "fa"},
		{"سرویس افتضاح است", "fa"},
		{"الطعام كان باردا", "ar"},
		{"الخدمة سيئة جدا", "ar"},
		{"لم يرد أحد على الهاتف", "ar"},
	}
	for _, tt := range tests {
		if got := detectLanguage(tt.text); got != tt.want {
			t.Errorf("detectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// Two-word reviews carry too few stopwords; the keyword tables decide.
func TestDetectShortLatin(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Trop cher.", "fr"},
		{"Service lent.", "fr"},
		{"Zu teuer.", "de"},
		{"Sehr unfreundlich.", "de"},
		{"Muy caro.", "es"},
		{"Too slow.", "en"},
		{"OK", ""},
	}
	for _, tt := range tests {
		if got := detectLanguage(tt.text); got != tt.want {
			t.Errorf("detectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
