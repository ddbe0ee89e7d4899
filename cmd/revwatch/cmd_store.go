package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/revwatch/revwatch/store"
)

func newBackupCmd(g *globals) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "backup --out FILE",
		Short: "Write a consistent copy of the store (works while the daemon runs)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{errors.New("--out FILE is required")}
			}
			cfg, _, err := g.loadConfig()
			if err != nil {
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return usageError{fmt.Errorf("--out: %w (it must not exist yet)", err)}
			}
			err = viaDaemon(cmd.Context(), cfg, http.MethodGet, "/api/backup", nil, f)
			if errors.Is(err, errNoDaemon) {
				var db *store.DB
				if db, err = store.Open(cfg.Store, store.Options{ReadOnly: true}); err == nil {
					_, err = db.Backup(cmd.Context(), f)
					db.Close()
				} else {
					err = inUse(cfg, err)
				}
			}
			if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
				os.Remove(out)
				return err
			}
			if err := store.Verify(out); err != nil {
				return fmt.Errorf("the backup %s does not open: %w", out, err)
			}
			fmt.Fprintf(g.stdout, "backup written to %s\n", out)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "file to write (must not exist)")
	return c
}

func newRestoreCmd(g *globals) *cobra.Command {
	var from string
	c := &cobra.Command{
		Use:   "restore --from FILE",
		Short: "Replace the store with a backup (stop the daemon first; the old store is kept beside it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return usageError{errors.New("--from FILE is required")}
			}
			cfg, _, err := g.loadConfig()
			if err != nil {
				return err
			}
			kept, err := store.Restore(cfg.Store, from)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "restored %s from %s", cfg.Store, from)
			if kept != "" {
				fmt.Fprintf(g.stdout, " (the previous store is kept as %s)", kept)
			}
			fmt.Fprintln(g.stdout)
			return nil
		},
	}
	c.Flags().StringVar(&from, "from", "", "backup file to restore")
	return c
}

func newCompactCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "compact",
		Short: "Rewrite the store without free pages (stop the daemon first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, _, err := g.loadConfig()
			if err != nil {
				return err
			}
			before, after, err := store.Compact(cfg.Store)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "compacted %s: %d -> %d bytes\n", cfg.Store, before, after)
			return nil
		},
	}
}
