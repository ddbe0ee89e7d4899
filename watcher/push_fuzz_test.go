package watcher

import (
	"encoding/base64"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

// FuzzGooglePush feeds the Pub/Sub push endpoint (reachable from the
// network) arbitrary bodies and tokens. It never panics, answers only
// 204, 400 or 401, never polls without the right token, and polls at most
// once, only a configured location.
func FuzzGooglePush(f *testing.F) {
	msg := func(data string) []byte {
		return []byte(`{"message":{"data":"` + base64.StdEncoding.EncodeToString([]byte(data)) + `","messageId":"1"},"subscription":"s"}`)
	}
	for _, d := range []string{`{"type":"NEW_REVIEW","location":"accounts/1/locations/2"}`, `{"type":"UPDATED_REVIEW","review":"accounts/1/locations/2/reviews/9"}`,
		`{"review":"/reviews/"}`, `{"type":7}`, `null`, `[]`} {
		f.Add(msg(d), "s3cret")
	}
	f.Add([]byte(`{"message":{"data":"!!"}}`), "s3cret")
	f.Add([]byte(`garbage`), "")
	target := Target{Listing: &sources.Listing{ID: "luna-google", Location: "accounts/1/locations/2"}, Info: store.ListingInfo{ID: "luna-google", Platform: "google_business"}}
	f.Fuzz(func(t *testing.T, body []byte, token string) {
		var polled []string
		p := &GooglePush{Token: "s3cret", Targets: PushTargets([]Target{target}), Poll: func(t Target) { polled = append(polled, t.Info.ID) }}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest("POST", "/google/pubsub?token="+url.QueryEscape(token), strings.NewReader(string(body))))
		switch {
		case rec.Code != 204 && rec.Code != 400 && rec.Code != 401:
			t.Fatalf("status %d", rec.Code)
		case token != "s3cret" && (rec.Code != 401 || len(polled) > 0):
			t.Fatalf("wrong token %q: status %d, %d polls", token, rec.Code, len(polled))
		case len(polled) > 1 || (len(polled) == 1 && (polled[0] != "luna-google" || rec.Code != 204)):
			t.Fatalf("polled %v with status %d", polled, rec.Code)
		}
	})
}
