package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/store"
)

func newDraftsCmd(g *globals) *cobra.Command {
	c := newListCmd(g, "drafts")
	c.Use = "drafts [approve|reject|edit|regenerate ID | check | preview]"
	c.Long = `drafts lists reply drafts; its subcommands act on one, exactly like the Slack
buttons (the Slack message is updated the same way). They work while the daemon
runs, through its local API.`
	for _, act := range []struct {
		action store.DraftAction
		short  string
	}{
		{store.ActionApprove, "Approve a draft (published where the platform allows, else \"approved - post manually\")"},
		{store.ActionReject, "Reject a draft"},
		{store.ActionEdit, "Replace a draft's text (--text, or stdin); it needs approving again"},
		{store.ActionRegenerate, "Write another variant of a pending draft"},
	} {
		c.AddCommand(newDraftActionCmd(g, act.action, act.short))
	}
	c.AddCommand(newDraftCheckCmd(g), newDraftPreviewCmd(g))
	return c
}

func newDraftActionCmd(g *globals, action store.DraftAction, short string) *cobra.Command {
	var text string
	c := &cobra.Command{
		Use:   string(action) + " ID",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return usageError{fmt.Errorf("draft id %q: want a number from `revwatch drafts`", args[0])}
			}
			if action == store.ActionEdit && text == "" {
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
				if err != nil {
					return err
				}
				text = strings.TrimSpace(string(b))
				if text == "" {
					return usageError{errors.New("edit needs the new text: --text \"...\" or on stdin")}
				}
			}
			ev := store.DraftEvent{DraftID: id, Action: action, By: "cli:" + whoami(), Text: text}
			d, err := g.draftAction(cmd.Context(), ev)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "draft %d: %s\n", d.ID, describe(d))
			return nil
		},
	}
	if action == store.ActionEdit {
		c.Flags().StringVar(&text, "text", "", "the new text (default: read stdin)")
	}
	return c
}

// draftAction applies ev directly, or through the daemon when it runs.
func (g *globals) draftAction(ctx context.Context, ev store.DraftEvent) (store.Draft, error) {
	cfg, reg, err := g.loadConfig()
	if err != nil {
		return store.Draft{}, err
	}
	log, err := g.logger(false)
	if err != nil {
		return store.Draft{}, err
	}
	body, _ := json.Marshal(ev)
	var out bytes.Buffer
	err = viaDaemon(ctx, cfg, http.MethodPost, fmt.Sprintf("/api/drafts/%d/%s", ev.DraftID, ev.Action), bytes.NewReader(body), &out)
	if !errors.Is(err, errNoDaemon) {
		if err != nil {
			return store.Draft{}, err
		}
		var d store.Draft
		return d, json.Unmarshal(out.Bytes(), &d)
	}
	a, err := openApp(cfg, reg, log, g.stdout)
	if err != nil {
		return store.Draft{}, inUse(cfg, err)
	}
	defer a.close()
	d, err := a.drafts.Act(ctx, ev)
	if err != nil {
		return d, err
	}
	if ev.Action == store.ActionApprove {
		if err := a.drafts.Publish(ctx); err != nil {
			return d, err
		}
		if d, err = a.db.Draft(ctx, d.ID); err != nil {
			return d, err
		}
	}
	return d, a.flush(ctx, 30*time.Second)
}

func describe(d store.Draft) string {
	switch {
	case d.Status == store.DraftApproved && d.Manual:
		return "approved - post it manually on the platform"
	case d.Status == store.DraftApproved && d.Publish.State == "failed":
		return "approved, but publishing failed: " + d.Publish.LastError + " (approve again to retry)"
	default:
		return string(d.Status)
	}
}

func whoami() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
