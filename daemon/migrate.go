package main

import (
	"context"
	"fmt"
	"io"
)

func migrate(ctx context.Context, args []string, out io.Writer, environ []string) error {
	fs, path := flags("migrate")
	status := fs.Bool("status", false, "list applied and pending migrations; change nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, db, err := openStore(ctx, *path, environ)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		ms, err := db.Migrations(ctx)
		if err != nil {
			return err
		}
		pending := 0
		for _, m := range ms {
			state := "applied " + m.AppliedAt
			if !m.Applied {
				state, pending = "pending", pending+1
			}
			fmt.Fprintf(out, "%-32s %s\n", m.Name, state)
		}
		fmt.Fprintf(out, "%d applied, %d pending\n", len(ms)-pending, pending)
		return nil
	}
	done, err := db.Migrate(ctx)
	for _, name := range done {
		fmt.Fprintln(out, "applied", name)
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Fprintln(out, "schema is up to date")
	}
	return nil
}
