package main

import (
	"context"
	"fmt"
	"io"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/store"
)

// migrate runs "taskapi migrate up|down|status".
func migrate(ctx context.Context, cfg *config.Config, action string, stdout, stderr io.Writer) error {
	switch action {
	case "up", "down", "status":
	default:
		return usageError("migrate needs one of: up, down, status; got %q", action)
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "up":
		n, err := st.MigrateUp(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	case "down":
		if err := st.MigrateDown(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "rolled back the latest migration")
	case "status":
		statuses, err := st.MigrationStatuses(ctx)
		if err != nil {
			return err
		}
		store.WriteMigrationStatus(stdout, statuses)
	}
	return nil
}
