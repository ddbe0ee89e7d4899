package main

import (
	_ "embed"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

//go:embed sample.yaml
var sampleConfig []byte

func newInitCmd(g *globals) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "init",
		Short: "Write a commented sample config to --config (default ./revwatch.yaml)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			// 0600: the file may come to hold secrets.
			f, err := os.OpenFile(g.config, flags, 0o600)
			if errors.Is(err, os.ErrExist) {
				return usageError{fmt.Errorf("%s already exists: pass --force to overwrite it", g.config)}
			}
			if err != nil {
				return err
			}
			if _, err := f.Write(sampleConfig); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "wrote %s: edit the business and listings, then run `revwatch poll --config %s`\n", g.config, g.config)
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return c
}
