package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/notify"
	"github.com/revwatch/revwatch/sources"
)

func newDemoCmd(g *globals) *cobra.Command {
	var after, stopAfter time.Duration
	c := &cobra.Command{
		Use:   "demo",
		Short: "See the whole flow with no setup: a local review page gains a 1-star review",
		Long: `demo serves an embedded review page on 127.0.0.1, polls it every 2 s with a
temporary store, and prints alerts on the console (or posts to Slack when
SLACK_BOT_TOKEN and SLACK_CHANNEL are set). A few seconds in, the page gains a
1-star review and its rating drops: an alert with a reply draft follows.
Ctrl-C stops it; the temporary store is removed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if stopAfter > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, stopAfter)
				defer cancel()
			}
			return runDemo(ctx, g, after)
		},
	}
	c.Flags().DurationVar(&after, "after", 5*time.Second, "when the negative review appears")
	c.Flags().DurationVar(&stopAfter, "stop-after", 0, "stop by itself after this long (0: run until Ctrl-C)")
	return c
}

func runDemo(ctx context.Context, g *globals, after time.Duration) error {
	log, err := g.logger(false)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "revwatch-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	page := &demoPage{start: time.Now(), after: after}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: listen: %w", err)
	}
	srv := &http.Server{Handler: page, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/reviews"

	cfg := &Config{
		Store: filepath.Join(dir, "revwatch.db"),
		Rules: defaultRules(),
		Businesses: []Business{{
			ID: "luna", Name: "Trattoria Luna (demo)", Signature: "Maria, owner",
			Contact: "maria@trattorialuna.example", Language: "en",
			Listings: []sources.Listing{{ID: "luna-site", Source: "schemaorg", URL: url, Schedule: "@every 2s", Business: "luna"}},
		}},
		Listen: "off",
		path:   "(demo)",
	}
	if tok, ch := os.Getenv("SLACK_BOT_TOKEN"), os.Getenv("SLACK_CHANNEL"); tok != "" && ch != "" {
		cfg.Slack = notify.SlackConfig{Token: sources.Secret(tok), Channel: ch}
	}
	reg := sources.Default()
	if err := cfg.validate(reg, nil); err != nil {
		return err
	}
	a, err := openApp(cfg, reg, log, g.stdout)
	if err != nil {
		return err
	}
	defer a.close()
	a.env.HostInterval = 0 // our own loopback page: no politeness needed
	fmt.Fprintf(g.stderr, "demo: review page at %s; a 1-star review appears in %s; alerts go to %s. Ctrl-C to stop.\n",
		url, after, a.notifier.Name())
	return a.daemon(ctx, 1)
}

// demoPage is a restaurant's review page with schema.org JSON-LD that gains
// a negative review (and a lower rating) after a while.
type demoPage struct {
	start time.Time
	after time.Duration
	hits  atomic.Int64
}

func (p *demoPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/reviews" {
		http.NotFound(w, r)
		return
	}
	p.hits.Add(1)
	type rating struct {
		Type  string `json:"@type"`
		Value string `json:"ratingValue"`
		Count int    `json:"reviewCount,omitempty"`
	}
	type review struct {
		Type   string            `json:"@type"`
		Author map[string]string `json:"author"`
		Date   string            `json:"datePublished"`
		Body   string            `json:"reviewBody"`
		Rating rating            `json:"reviewRating"`
	}
	person := func(n string) map[string]string { return map[string]string{"@type": "Person", "name": n} }
	day := func(d int) string { return p.start.AddDate(0, 0, -d).UTC().Format("2006-01-02") }
	reviews := []review{
		{"Review", person("Giulia R."), day(3), "Best carbonara in town, and the staff remembered our names.", rating{"Rating", "5", 0}},
		{"Review", person("Tom B."), day(9), "Lovely terrace, a bit pricey but worth it.", rating{"Rating", "4", 0}},
		{"Review", person("Aiko"), day(15), "Fresh pasta, friendly service. We'll be back!", rating{"Rating", "5", 0}},
	}
	agg := rating{"AggregateRating", "4.6", 128}
	if time.Since(p.start) >= p.after {
		// A fixed date: a page re-rendering a review identically is what
		// keeps its content-derived id stable.
		bad := review{"Review", person("Daniel K."), p.start.Add(p.after).UTC().Format(time.RFC3339),
			"We waited 50 minutes for our mains & the pasta arrived cold. When we asked, the waiter was rude. <!channel> avoid!",
			rating{"Rating", "1", 0}}
		reviews = append([]review{bad}, reviews...)
		agg = rating{"AggregateRating", "4.5", 129}
	}
	doc := map[string]any{
		"@context": "https://schema.org", "@type": "Restaurant", "name": "Trattoria Luna",
		"aggregateRating": agg, "review": reviews,
	}
	js, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>%s</title>
<script type="application/ld+json">%s</script></head>
<body><h1>Trattoria Luna: reviews</h1></body></html>`, html.EscapeString("Trattoria Luna reviews"), js)
}
