package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/sources"
	"github.com/revwatch/revwatch/templates"
)

// draftContext is the business (and template set) drafts are written for:
// from the config when there is one, else a neutral stand-in, so a new
// user can try the drafts before writing a config.
func (g *globals) draftContext(businessID string) (*templates.Set, templates.Business, error) {
	cfg, _, err := g.loadConfig()
	switch {
	case err == nil:
	case businessID == "" && errors.Is(err, os.ErrNotExist):
		set, err := templates.Load("")
		return set, templates.Business{Name: "Your business", Signature: "The team"}, err
	default:
		return nil, templates.Business{}, err
	}
	set, err := templates.Load(cfg.Templates)
	if err != nil {
		return nil, templates.Business{}, usageError{fmt.Errorf("templates: %w", err)}
	}
	var ids []string
	for _, b := range cfg.Businesses {
		if b.ID == businessID || businessID == "" {
			return set, b.drafting(), nil
		}
		ids = append(ids, b.ID)
	}
	return nil, templates.Business{}, usageError{fmt.Errorf("--business %q: no such business in %s (have: %v)", businessID, g.config, ids)}
}

func newDraftCheckCmd(g *globals) *cobra.Command {
	var lang, business, platform string
	c := &cobra.Command{
		Use:   "check",
		Short: "Check a reply (on stdin) against the guidelines; prints each finding with its rule id",
		Long: `check reads a reply on stdin and prints what breaks the reply guidelines, one finding
per line with its rule id (G1 sarcasm, G4 apologies, G5 blame, G6 negative wording, G7 contact,
G8 promises, G12 personal data, length). Exit code 1 when there are findings.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, b, err := g.draftContext(business)
			if err != nil {
				return err
			}
			text, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
			if err != nil {
				return err
			}
			if lang == "" {
				lang = set.Language(string(text), b.Language)
			}
			fs := set.CheckForm(strings.TrimSpace(string(text)), lang, templates.FormComplaint, platform, b)
			if len(fs) == 0 {
				fmt.Fprintln(g.stdout, "no findings")
				return nil
			}
			for _, f := range fs {
				fmt.Fprintln(g.stdout, formatFinding(f))
			}
			return fmt.Errorf("%d guideline findings", len(fs))
		},
	}
	c.Flags().StringVar(&lang, "lang", "", "language of the reply (default: detected)")
	c.Flags().StringVar(&business, "business", "", "business whose contact and offers apply (default: the first)")
	c.Flags().StringVar(&platform, "platform", "", "platform whose length limit applies (Google, Trustpilot, ...)")
	return c
}

// formatFinding is "<rule id>: <message>", naming the offending words.
func formatFinding(f templates.Finding) string {
	s := f.Message
	if !strings.HasPrefix(s, f.Rule) {
		s = f.Rule + ": " + s
	}
	if len(f.Words) > 0 && !strings.Contains(s, f.Words[0]) {
		s += " (" + strings.Join(quoteAll(f.Words), ", ") + ")"
	}
	return s
}

func quoteAll(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = fmt.Sprintf("%q", w)
	}
	return out
}

// previewJSON is the contract of `drafts preview --format json`.
type previewJSON struct {
	Draft    string   `json:"draft"`
	Language string   `json:"language"`
	Topics   []string `json:"topics"`
	Kind     []string `json:"kind"`
	Escalate bool     `json:"escalate"`
	Guidance string   `json:"guidance"`
	Findings []string `json:"findings"`
}

func newDraftPreviewCmd(g *globals) *cobra.Command {
	var text, author, lang, business, format, platform string
	var rating float64
	c := &cobra.Command{
		Use:   "preview --text \"...\" [--rating N] [--author NAME] [--lang xx] [--business ID]",
		Short: "Show what an alert would carry for a made-up review: the draft (or escalation), language, topics, findings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(text) == "" {
				return usageError{errors.New("--text is required: the review to answer")}
			}
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format %q: want text or json", format)}
			}
			set, b, err := g.draftContext(business)
			if err != nil {
				return err
			}
			r := sources.Review{ID: sources.ContentID(author, text), Author: author, Text: text, Language: lang, Published: time.Now().UTC()}
			if rating != 0 {
				if rating < 1 || rating > 5 {
					return usageError{fmt.Errorf("--rating %v: want 1 to 5", rating)}
				}
				r.Rating = sources.Stars(rating)
			}
			d, err := set.Draft(templates.Request{Business: b, Review: r, Platform: platform})
			if err != nil {
				return err
			}
			out := previewJSON{Draft: d.Text, Language: d.Language, Topics: nonNil(d.Topics), Kind: nonNil(d.Kind),
				Escalate: d.Escalate, Guidance: d.Guidance, Findings: []string{}}
			for _, f := range d.Findings {
				out.Findings = append(out.Findings, formatFinding(f))
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			w := g.stdout
			fmt.Fprintf(w, "language: %s\ntopics:   %s\nkind:     %s\n", out.Language, orNone(out.Topics), orNone(out.Kind))
			if d.Review != "" {
				fmt.Fprintf(w, "review:   needs a manager (%s)\n", d.Review)
			}
			if d.Escalate {
				fmt.Fprintf(w, "\nescalation: no public reply (urgent)\n\nguidance: %s\n", d.Guidance)
				return nil
			}
			fmt.Fprintf(w, "\n%s\n", d.Text)
			if d.Guidance != "" {
				fmt.Fprintf(w, "\nguidance: %s\n", d.Guidance)
			}
			fmt.Fprintf(w, "\nfindings: %s\n", orNone(out.Findings))
			return nil
		},
	}
	c.Flags().StringVar(&text, "text", "", "the review's text (required)")
	c.Flags().Float64Var(&rating, "rating", 0, "the review's stars, 1-5 (default: none)")
	c.Flags().StringVar(&author, "author", "", "the reviewer's display name")
	c.Flags().StringVar(&lang, "lang", "", "the review's language as the platform says (default: detected)")
	c.Flags().StringVar(&business, "business", "", "business to write for (default: the first in the config)")
	c.Flags().StringVar(&platform, "platform", "", "platform name (Google, Trustpilot, ...): report route and length limit")
	c.Flags().StringVar(&format, "format", "text", "text or json")
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
