package watcher

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/store"
)

func TestGooglePush(t *testing.T) {
	target := Target{Listing: &sources.Listing{ID: "luna-google", Location: "accounts/1/locations/2"}, Info: store.ListingInfo{ID: "luna-google", Platform: "google_business"}}
	var polled []string
	p := &GooglePush{Token: "s3cret", Targets: PushTargets([]Target{target}), Poll: func(t Target) { polled = append(polled, t.Info.ID) }}
	msg := func(data string) string {
		return `{"message":{"data":"` + base64.StdEncoding.EncodeToString([]byte(data)) + `","messageId":"1"},"subscription":"projects/p/subscriptions/s"}`
	}
	cases := []struct {
		name, method, query, body string
		code                      int
		polls                     int
	}{
		{"new review polls at once", "POST", "?token=s3cret", msg(`{"type":"NEW_REVIEW","location":"accounts/1/locations/2","review":"accounts/1/locations/2/reviews/9"}`), 204, 1},
		{"updated review, location from the review name", "POST", "?token=s3cret", msg(`{"type":"UPDATED_REVIEW","review":"accounts/1/locations/2/reviews/9"}`), 204, 1},
		{"other notification types are acknowledged, not polled", "POST", "?token=s3cret", msg(`{"type":"GOOGLE_UPDATE","location":"accounts/1/locations/2"}`), 204, 0},
		{"unknown location is acknowledged", "POST", "?token=s3cret", msg(`{"type":"NEW_REVIEW","location":"accounts/9/locations/9"}`), 204, 0},
		{"wrong token", "POST", "?token=nope", msg(`{"type":"NEW_REVIEW","location":"accounts/1/locations/2"}`), 401, 0},
		{"no token", "POST", "", msg(`{"type":"NEW_REVIEW","location":"accounts/1/locations/2"}`), 401, 0},
		{"not a push message", "POST", "?token=s3cret", `garbage`, 400, 0},
		{"GET", "GET", "?token=s3cret", "", 405, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			polled = nil
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, httptest.NewRequest(c.method, "/google/pubsub"+c.query, strings.NewReader(c.body)))
			if rec.Code != c.code || len(polled) != c.polls {
				t.Errorf("code %d, polls %d; want %d, %d", rec.Code, len(polled), c.code, c.polls)
			}
		})
	}
	_ = http.MethodPost
}
