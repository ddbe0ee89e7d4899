package templates

import (
	"slices"
	"testing"
	"unicode"
)

// zhBusiness answers the Chinese reviews: a café in Shanghai.
var zhBusiness = Business{Name: "小城咖啡", Signature: "王丽，小城咖啡", Contact: "service@xiaocheng.example"}

var zhCases = []heZhCase{
	{name: "cold food", author: "李娜", rating: 1, topic: "quality",
		text:    "点的牛肉面端上来已经凉了，汤也是温的，吃着很不舒服。",
		restate: []string{"凉", "热"}},
	{name: "rude staff", author: "张伟", rating: 1, topic: "staff",
		text:    "服务员态度很差，问个问题就翻白眼，非常不耐烦。",
		restate: []string{"态度", "礼貌", "尊重"}},
	{name: "late delivery", author: "王芳", rating: 2, topic: "delivery",
		text:    "外卖送晚了一个多小时，骑手也没打电话说明。",
		restate: []string{"晚", "延误", "迟迟"}},
	{name: "dirty room", author: "陈静", rating: 1, topic: "cleanliness",
		text:    "酒店房间很脏，床单上有污渍，卫生间还有头发。",
		restate: []string{"卫生", "干净", "清洁"}},
	{name: "overcharged", author: "刘洋", rating: 2, topic: "price",
		text:    "结账的时候多收了我们两道菜的钱，价格本来就偏贵。",
		restate: []string{"价格", "费用", "账单"}},
	{name: "vague", author: "林琳", rating: 2,
		text: "一般般吧，没有想象中那么好。"},
	{name: "slow service with praise", author: "孙悦", rating: 3, topic: "wait",
		text:    "菜很好吃，但是上菜太慢了，等了快一个小时。",
		restate: []string{"等", "慢"}},
	{name: "parcel never arrived", author: "周杰", rating: 1, topic: "delivery",
		text:    "下单两周了，到现在还没收到包裹。",
		restate: []string{"没有送到", "没有收到"}},
}

// TestLangZhDrafts drafts every Chinese review, for several variants, and
// holds each draft to the rules of a complaint reply in Chinese.
func TestLangZhDrafts(t *testing.T) {
	checkHeZhDrafts(t, "zh", zhBusiness, zhCases, unicode.Han)
}

// TestLangZhForms covers the replies that are not a plain complaint: the
// formal register, the business's offer and fix, the boundary (E3), the
// holding reply (legal, health) and privacy: strict.
func TestLangZhForms(t *testing.T) {
	checkHeZhForms(t, "zh", zhBusiness, heZhForms{
		formal:  "服务员态度很差。",
		formalW: []string{"尊敬的", "此致", "顺颂商祺"},
		offer:   "下次光临时赠送一杯咖啡",
		fix:     "我们在周末增加了服务人员",
		fixText: "等了半个小时都没人来点单，上菜太慢。",
		abuse:   "一群白痴，菜都凉了。",
		health:  "吃完以后我们全家都食物中毒了。",
		legal:   "我在店里摔倒了，我的律师会联系你们。",
		strict:  "医生很不耐烦，治疗也很草率。",
		threat:  "我知道你们住在哪，你们会后悔的。",
	})
}

// TestLangZhAnalyse pins the Chinese keyword table: phrases found inside
// text without spaces, negation by a character just before, praise kept
// apart from the complaint, and the characters that sit inside other words.
func TestLangZhAnalyse(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		topics     []string
		praise     bool
		aspect     string
	}{
		{name: "cold food and rude waiter", text: "菜都凉了，服务员态度也不好。",
			topics: []string{"quality/cold", "staff/rude"}},
		{name: "weak noun with a cue", text: "服务真的很差。", topics: []string{"staff"}},
		{name: "weak noun alone is nothing", text: "我们和服务员聊了几句。"},
		{name: "negated praise is a cue", text: "菜品不太好吃。", topics: []string{"quality"}},
		{name: "negated complaint is none", text: "店里一点也不脏。"},
		{name: "not bad is praise", text: "咖啡不错。", praise: true, aspect: "food"},
		{name: "praise and complaint stay apart", text: "菜很好吃，但是太吵了。",
			topics: []string{"noise"}, praise: true, aspect: "food"},
		{name: "especially good is not negated", text: "环境特别好，服务很周到。", praise: true, aspect: "place"},
		{name: "not only is not a negation", text: "不仅好吃，而且很划算。", praise: true},
		{name: "your shop is not expensive", text: "贵店的服务很好。", praise: true, aspect: "staff"},
		{name: "courier is not quick", text: "快递员把东西送错了。", topics: []string{"delivery"}},
		{name: "late delivery", text: "外卖送晚了半小时。", topics: []string{"delivery/late"}},
		{name: "missing parcel", text: "一直没收到包裹。", topics: []string{"delivery/missing"}},
		{name: "refund not received is refund", text: "退货一个月了还没收到退款。", topics: []string{"refund"}},
		{name: "no answer", text: "打了好几次电话都没人接。", topics: []string{"no_response"}},
		{name: "overcharged", text: "结账时多收了钱。", topics: []string{"price"}},
		{name: "booking lost", text: "到了店里说没有我们的预订。", topics: []string{"booking"}},
		{name: "broken promise", text: "实物与图片不符。", topics: []string{"broken_promise"}},
		{name: "promise kept is praise", text: "和描述一样，产品很好。", praise: true, aspect: "product"},
		{name: "disappointment alone names no topic", text: "体验大打折扣，很失望。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := chinese.analyse("", tc.text)
			if !slices.Equal(a.topics, tc.topics) {
				t.Errorf("topics = %q, want %q", a.topics, tc.topics)
			}
			if a.praise != tc.praise || a.aspect != tc.aspect {
				t.Errorf("praise, aspect = %v, %q; want %v, %q", a.praise, a.aspect, tc.praise, tc.aspect)
			}
		})
	}
}
