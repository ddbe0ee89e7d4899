package templates

import (
	"slices"
	"strings"
	"testing"
)

// The shared helpers (faArCheckDraft, faArRun, faArForms) are in
// lang_fa_test.go.

var arShop = Business{Name: "مطعم الواحة", Signature: "ليلى حسن، مطعم الواحة", Contact: "layla@alwaha.example"}

var arCases = []faArCase{
	{name: "cold food", author: "أحمد", rating: 1, key: "quality/cold",
		text: "الطعام وصل باردًا تمامًا ولم يكن صالحًا للأكل."},
	{name: "rude staff", author: "سارة العلي", rating: 1, key: "staff/rude",
		text: "الموظف كان وقحًا جدًا وتعامل معنا بقلة احترام."},
	{name: "late delivery", author: "محمد", rating: 2, key: "delivery/late",
		text: "تأخر التوصيل ثلاثة أيام عن الموعد المحدد."},
	{name: "dirty room", author: "Omar K.", rating: 1, key: "cleanliness",
		text: "الغرفة كانت متسخة والحمام غير نظيف."},
	{name: "overcharged", author: "خالد", rating: 2, key: "price",
		text: "الأسعار مبالغ فيها جدًا ودفعنا أكثر من المكتوب في القائمة."},
	{name: "vague", author: "نور", rating: 2,
		text: "تجربة مخيبة للآمال."},
	{name: "mixed: tasty food but slow service", author: "ريم", rating: 3, key: "wait", praise: true,
		text: "الأكل لذيذ لكن الخدمة بطيئة جدًا."},
	{name: "Egyptian: order never came, nobody answers", author: "مصطفى", rating: 1, key: "delivery/missing",
		text: "الأوردر موصلش لحد دلوقتي ومحدش بيرد على التليفون."},
	{name: "Gulf: staff without manners, dirty place", author: "فهد", rating: 1, key: "staff/rude",
		text: "الموظفين ما عندهم ذوق والمكان وسخ."},
}

// TestLangArDrafts: realistic Arabic reviews (Modern Standard and
// dialect) get Arabic drafts that keep every house rule.
func TestLangArDrafts(t *testing.T) {
	faArRun(t, "ar", arShop, arCases)
	noContact := Business{Name: "متجر النخبة"}
	faArRun(t, "ar", noContact, arCases[2:3])
}

// TestLangArAnalyse pins the Arabic keyword table: clitics ("والطعام"),
// negation before the word ("لم يكن جيدًا"), dialect forms.
func TestLangArAnalyse(t *testing.T) {
	for _, tc := range []struct {
		text   string
		topics []string
		praise bool
		aspect string
	}{
		{text: "كان الطعام باردا والنادل وقحا جدا.", topics: []string{"quality/cold", "staff/rude"}},
		{text: "الأكل لذيذ لكن الخدمة بطيئة جدًا.", topics: []string{"wait"}, praise: true, aspect: "food"},
		{text: "الطعام لم يكن جيدًا.", topics: []string{"quality"}},
		{text: "الخدمة سيئة جدا.", topics: []string{"staff"}},
		{text: "لا توجد أي مشكلة، كل شيء ممتاز.", praise: true},
		{text: "الحمام غير نظيف.", topics: []string{"cleanliness"}},
		{text: "غالي جدا.", topics: []string{"price"}},
		{text: "الطلب لم يصل ولا أحد يرد.", topics: []string{"delivery/missing", "no_response"}},
		{text: "تأخر التوصيل يومين.", topics: []string{"delivery/late"}},
		{text: "ألغوا حجزنا بدون إبلاغ.", topics: []string{"booking"}},
		{text: "الموسيقى عالية جدا.", topics: []string{"noise"}},
		{text: "لم يتم استرداد المبلغ حتى الآن.", topics: []string{"refund"}},
		{text: "المنتج ليس كما في الصور.", topics: []string{"broken_promise"}},
		{text: "التطبيق يعلق باستمرار.", topics: []string{"quality/broken"}},
		{text: "الخبز بايت.", topics: []string{"quality/stale"}},
		{text: "المكان جميل والقهوة رائعة.", praise: true, aspect: "place"},
		{text: "ما عجبني الأكل.", topics: []string{"quality"}},
		{text: "الأكل ما كان حار.", topics: []string{"quality/cold"}},
		{text: "تجربة مخيبة للآمال."},
	} {
		a := arabic.analyse("", tc.text)
		if !slices.Equal(a.topics, tc.topics) || a.praise != tc.praise || a.aspect != tc.aspect {
			t.Errorf("%s: topics %q praise %v aspect %q; want %q %v %q",
				tc.text, a.topics, a.praise, a.aspect, tc.topics, tc.praise, tc.aspect)
		}
	}
}

// TestLangArForms: the formal tone, the business's offer (a promise word
// inside it is allowed, G8) and fix, and the holding, boundary, strict and
// thank-you forms, in Arabic.
func TestLangArForms(t *testing.T) {
	faArForms(t, "ar", arShop, faArFormCases{
		complaint: "الطعام كان باردًا.",
		premium:   "بهذا السعر لم أتوقع أن يكون الطعام باردًا.",
		health:    "أصبت بتسمم غذائي بعد الأكل عندكم وذهبت إلى المستشفى.",
		legal:     "سأرفع دعوى قضائية ضدكم، والطعام كان باردًا.",
		abuse:     "النادل غبي وحمار والأكل بارد.",
		threat:    "سأحرق المحل إذا تكرر هذا.",
		positive:  "القهوة رائعة والمكان مريح جدًا.",
		offer:     "فنجان قهوة على حسابنا في زيارتكم القادمة",
		fix:       "أصبحنا نقدّم الأطباق في أوانٍ تحافظ على حرارتها",
		formal:    []string{"تحية طيبة", "حضرة", "السلام عليكم"},
		warm:      []string{"مرحبًا", "أهلًا"},
	})
}

// TestLangArText: the Arabic template file uses Arabic letters (no
// Persian ی ک and no non-joiner) and no bidi controls.
func TestLangArText(t *testing.T) {
	b, err := embedded.ReadFile("reply/ar.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(b), "یکپچگژ\u200c") {
		t.Error("reply/ar.tmpl uses Persian letters or a zero-width non-joiner")
	}
	if strings.ContainsFunc(string(b), faArBidi) {
		t.Error("reply/ar.tmpl contains bidi control characters")
	}
}
