package watcher

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// GooglePush accepts Google Business Profile notifications (NEW_REVIEW,
// UPDATED_REVIEW, ...) delivered by a Cloud Pub/Sub push subscription,
// and polls the named location at once, so alerts arrive within seconds
// instead of at the next scheduled poll. The push URL must carry the
// configured token (?token=...): Pub/Sub can't sign requests without
// extra setup, and anyone who finds the URL could otherwise make
// revwatch poll (harmless, but a waste of quota).
type GooglePush struct {
	Token string
	// Poll starts a poll of a target; it must not block.
	Poll func(t Target)
	// Targets maps a location ("accounts/1/locations/2") to its target.
	Targets map[string]Target
	Log     *slog.Logger
}

// pushEnvelope is Pub/Sub's push request body.
type pushEnvelope struct {
	Message struct {
		Data      string `json:"data"`
		MessageID string `json:"messageId"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

// gbpNotification is a Business Profile notification's data.
type gbpNotification struct {
	Type     string `json:"type"`
	Location string `json:"location"`
	Review   string `json:"review"`
}

// ServeHTTP answers 204 for handled (and for ignored) notifications, so
// Pub/Sub doesn't redeliver them; 401 for a wrong token; 400 for a body
// that isn't a push message.
func (p *GooglePush) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if p.Token == "" || subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("token")), []byte(p.Token)) != 1 {
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	var env pushEnvelope
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&env); err != nil {
		http.Error(w, "not a Pub/Sub push message", http.StatusBadRequest)
		return
	}
	data, err := base64.StdEncoding.DecodeString(env.Message.Data)
	if err != nil {
		http.Error(w, "message data is not base64", http.StatusBadRequest)
		return
	}
	var n gbpNotification
	if err := json.Unmarshal(data, &n); err != nil {
		http.Error(w, "message data is not a Business Profile notification", http.StatusBadRequest)
		return
	}
	loc := n.Location
	if loc == "" {
		if i := strings.Index(n.Review, "/reviews/"); i > 0 {
			loc = n.Review[:i]
		}
	}
	t, ok := p.Targets[loc]
	switch {
	case !ok:
		p.log().Warn("google push for a location not in the config", "location", loc, "type", n.Type)
	case n.Type == "NEW_REVIEW" || n.Type == "UPDATED_REVIEW" || n.Type == "":
		p.log().Info("google push: polling now", "listing", t.Info.ID, "type", n.Type)
		p.Poll(t)
	default:
		p.log().Debug("google push ignored", "listing", t.Info.ID, "type", n.Type)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *GooglePush) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}

// PushTargets maps the google_business targets by location.
func PushTargets(ts []Target) map[string]Target {
	m := map[string]Target{}
	for _, t := range ts {
		if t.Info.Platform == "google_business" && t.Listing.Location != "" {
			m[t.Listing.Location] = t
		}
	}
	return m
}

// PollAsync returns a Poll func for GooglePush that polls in the
// background under the scheduler's limits, with the daemon's ctx.
func (s *Scheduler) PollAsync(ctx context.Context) func(Target) {
	return func(t Target) { s.enqueue(ctx, &t, Live, "push") }
}
