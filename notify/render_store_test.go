package notify

import (
	"strings"
	"testing"

	"github.com/revwatch/revwatch/store"
)

// The store alarm names the cause and the file, in Slack (escaped) and on
// the console.
func TestRenderStoreAlarm(t *testing.T) {
	for _, c := range []struct {
		a    store.Alert
		want []string
	}{
		{store.Alert{Kind: store.KindStoreUnwritable, Listing: store.ListingRef{ID: "store", Name: "/var/lib/revwatch/<x>.db"},
			Failure: &store.Failure{Cause: "no space left on device"}},
			[]string{"Store not writable: no space left on device", "store not writable: no space left on device", "/var/lib/revwatch/&lt;x&gt;.db"}},
		{store.Alert{Kind: store.KindStoreWritable, Listing: store.ListingRef{ID: "store", Name: "/data/r.db"}},
			[]string{"Store writable again", "/data/r.db takes writes again"}},
	} {
		m := render(c.a)
		texts := append(slackTexts(t, slackBlocks(m)), slackFallback(m))
		all := strings.Join(texts, "\n")
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: Slack text lacks %q:\n%s", c.a.Kind, w, all)
			}
		}
		checkInert(t, texts)
		if con := consoleText(m); !strings.Contains(con, strings.ReplaceAll(c.want[0], "&lt;", "<")) {
			t.Errorf("%s: console text lacks %q:\n%s", c.a.Kind, c.want[0], con)
		}
	}
}
