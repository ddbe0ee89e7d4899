package sources

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// replyStandIn records reply calls and answers with status.
type replyStandIn struct {
	status int
	method string
	path   string
	auth   string
	body   map[string]any
}

func (r *replyStandIn) server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.method, r.path, r.auth = req.Method, req.URL.Path, req.Header.Get("Authorization")
		r.body = nil
		json.Unmarshal(b, &r.body)
		w.WriteHeader(r.status)
		if r.status >= 400 {
			io.WriteString(w, `{"error":{"code":`+http.StatusText(r.status)+`,"message":"nope","status":"UNAUTHENTICATED"},"errors":[{"status":"401","code":"NOT_AUTHORIZED","title":"nope","detail":"nope"}]}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGoogleBusinessReply(t *testing.T) {
	cases := []struct {
		name   string
		status int
		is     error
	}{
		{"published", 200, nil},
		{"token refused", 401, ErrAuth},
		{"server error", 500, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &replyStandIn{status: c.status}
			srv := st.server(t)
			l := Listing{ID: "g", Source: "google_business", Location: "accounts/1/locations/2", AccessToken: "ya29.SECRETVALUE", Endpoint: srv.URL + "/"}
			src := newGoogleBusiness(testEnv()).(Replier)
			if !src.CanReply(l) {
				t.Fatal("a Business Profile listing can reply")
			}
			err := src.Reply(context.Background(), l, "r 1", "Thank you, Amir.")
			if st.method != http.MethodPut || st.path != "/v4/accounts/1/locations/2/reviews/r 1/reply" || st.auth != "Bearer ya29.SECRETVALUE" || st.body["comment"] != "Thank you, Amir." {
				t.Errorf("request = %s %s auth=%q body=%v", st.method, st.path, st.auth, st.body)
			}
			switch {
			case c.status == 200 && err != nil:
				t.Fatalf("err = %v", err)
			case c.is != nil && !errors.Is(err, c.is):
				t.Fatalf("err = %v, want %v", err, c.is)
			case c.status >= 500 && err == nil:
				t.Fatal("a 500 must fail so the reply is retried")
			}
			if err != nil && strings.Contains(err.Error(), "SECRETVALUE") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestAppStoreReply(t *testing.T) {
	_, p8 := ascTestKey(t)
	cases := []struct {
		name    string
		status  int
		wantErr bool
	}{
		{"created", 201, false},
		{"already answered counts as done", 409, false},
		{"forbidden", 403, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &replyStandIn{status: c.status}
			srv := st.server(t)
			l := Listing{ID: "a", Source: "appstore", AppID: "123", Endpoint: srv.URL + "/", KeyID: "ABC123DEFG", IssuerID: "57246542-96fe-1a63-e053-0824d011072a", PrivateKey: Secret(p8)}
			src := newAppStore(testEnv()).(Replier)
			if !src.CanReply(l) || src.CanReply(Listing{ID: "a", Source: "appstore", AppID: "123"}) {
				t.Fatal("only App Store Connect listings can reply")
			}
			err := src.Reply(context.Background(), l, "9f3c", "Thanks!")
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			data, _ := st.body["data"].(map[string]any)
			if st.method != http.MethodPost || st.path != "/v1/customerReviewResponses" || !strings.HasPrefix(st.auth, "Bearer ") || data["type"] != "customerReviewResponses" {
				t.Errorf("request = %s %s body=%v", st.method, st.path, st.body)
			}
		})
	}
}
