package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/revwatch/revwatch/store"
	"github.com/revwatch/revwatch/watcher"
)

// The daemon's local API lets the CLI work while `revwatch run` holds the
// store (bbolt allows one process per file): the CLI sends its request to
// the daemon, which stays the single writer. Requests carry a token the
// daemon writes next to the store (mode 0600), so only users who can read
// the store's folder can use it.

// apiTokenPath is where the daemon keeps its API token.
func apiTokenPath(storePath string) string { return storePath + ".api-token" }

// newAPIToken writes a fresh token for this daemon run, with the address
// the listener really got (listen: 127.0.0.1:0 picks a free port).
func newAPIToken(storePath, addr string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(b)
	if err := os.WriteFile(apiTokenPath(storePath), []byte(addr+"\n"+tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write the API token: %w", err)
	}
	return tok, nil
}

// apiHandler serves /api/list/<name> and /api/drafts/<id>/<action>.
func (a *app) apiHandler(token string, drafts *watcher.Drafts) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/list/{name}", func(w http.ResponseWriter, r *http.Request) {
		f := listFlags{format: r.URL.Query().Get("format"), listing: r.URL.Query().Get("listing")}
		if _, ok := lists[r.PathValue("name")]; !ok || f.check() != nil {
			http.Error(w, "no such list or format", http.StatusBadRequest)
			return
		}
		if err := writeList(r.Context(), w, a.db, r.PathValue("name"), f); err != nil {
			a.log.Warn("api list", "err", err)
		}
	})
	mux.HandleFunc("GET /api/backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		// The whole store streams through here: past the listener's short
		// write timeout, which is for everything else.
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(a.listenerLimits().BackupWrite))
		if _, err := a.db.Backup(r.Context(), w); err != nil {
			a.log.Error("api backup", "err", err)
		}
	})
	a.reportAPI(mux)
	mux.HandleFunc("POST /api/drafts/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad draft id", http.StatusBadRequest)
			return
		}
		var ev store.DraftEvent
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev); err != nil && !errors.Is(err, io.EOF) {
			if tooLarge(w, err) {
				return
			}
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		ev.DraftID, ev.Action = id, store.DraftAction(r.PathValue("action"))
		d, err := drafts.Act(r.Context(), ev)
		if err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
				code = http.StatusConflict
			}
			http.Error(w, err.Error(), code)
			return
		}
		json.NewEncoder(w).Encode(d)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			http.Error(w, "bad API token", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// errNoDaemon: no daemon answers (no token file, or nobody listening):
// the CLI opens the store itself.
var errNoDaemon = errors.New("no daemon answering")

// viaDaemon sends one request to the running daemon's API and copies the
// answer to out; errNoDaemon when there is none to ask.
func viaDaemon(ctx context.Context, cfg *Config, method, path string, body io.Reader, out io.Writer) error {
	raw, err := os.ReadFile(apiTokenPath(cfg.Store))
	if err != nil || cfg.Listen == "off" {
		return errNoDaemon
	}
	addr, tok, ok := strings.Cut(strings.TrimSpace(string(raw)), "\n")
	if !ok {
		return errNoDaemon
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+addr+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() == nil && isRefused(err) {
			return errNoDaemon // a token left by a daemon that was killed
		}
		return fmt.Errorf("the daemon did not answer at %s: %w", addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		err := fmt.Errorf("daemon: %s", strings.TrimSpace(string(msg)))
		if resp.StatusCode == http.StatusConflict {
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		}
		return err
	}
	_, err = io.Copy(out, resp.Body)
	return err
}

func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// inUse explains a store held by a daemon the CLI can't reach.
func inUse(cfg *Config, err error) error {
	if cfg.Listen == "off" {
		return fmt.Errorf("%w, and its listener is off (listen: off): stop the daemon, or set listen: so the CLI can reach it", err)
	}
	return err
}
