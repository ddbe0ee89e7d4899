package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

// globals are the flags every command shares.
type globals struct {
	config    string
	logLevel  string
	logFormat string
	stdout    io.Writer
	stderr    io.Writer
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "revwatch",
		Short: "Watch review platforms, store every review, alert in Slack with a reply draft",
		Long: `revwatch polls review platforms and map listings on cron schedules, stores every
review and rating snapshot in one bbolt file, and alerts in Slack (or on the console)
when a negative review arrives, the rating drops or a source breaks, with a suggested
reply written from the customer-service guidelines.

Exit codes: 0 success, 1 failure, 2 bad usage or configuration.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.config, "config", "revwatch.yaml", "config file (YAML or JSON)")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "", "log format: text or json (default: json for run, text otherwise)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newInitCmd(g), newRunCmd(g), newPollCmd(g), newBackfillCmd(g),
		newListCmd(g, "reviews"), newListCmd(g, "ratings"), newDraftsCmd(g), newDemoCmd(g),
		newBackupCmd(g), newRestoreCmd(g), newCompactCmd(g),
		newReportCmd(g), newChartCmd(g), newExportCmd(g),
	)
	return root
}

// logger returns a logger on stderr: JSON for the daemon and text for the
// CLI unless --log-format says otherwise.
func (g *globals) logger(json bool) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToUpper(g.logLevel))); err != nil {
		return nil, usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)}
	}
	switch g.logFormat {
	case "":
	case "json":
		json = true
	case "text":
		json = false
	default:
		return nil, usageError{fmt.Errorf("--log-format %q: want text or json", g.logFormat)}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if json {
		return slog.New(slog.NewJSONHandler(g.stderr, opts)), nil
	}
	return slog.New(slog.NewTextHandler(g.stderr, opts)), nil
}
