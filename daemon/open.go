package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/sellmyimages/smid/internal/config"
	"github.com/sellmyimages/smid/internal/reqid"
	"github.com/sellmyimages/smid/internal/store"
)

// openStore loads the configuration and connects to the database.
func openStore(ctx context.Context, path string, environ []string) (*config.Config, *store.DB, error) {
	cfg, err := config.Load(path, environ)
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, storeConfig(cfg))
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

func storeConfig(cfg *config.Config) store.Config {
	return store.Config{
		DSN: cfg.Database.DSN(), TablePrefix: cfg.Database.TablePrefix,
		MaxOpenConns: cfg.Database.MaxOpenConns, MaxIdleConns: cfg.Database.MaxIdleConns,
		ConnMaxLifetime: cfg.Database.ConnMaxLifetime, ConnMaxIdleTime: cfg.Database.ConnMaxIdleTime,
	}
}

func newLogger(cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Log.Level}
	// reqid adds request_id to every line logged with a request's context.
	if cfg.Log.Format == config.LogJSON {
		return slog.New(reqid.Handler(slog.NewJSONHandler(os.Stderr, opts)))
	}
	return slog.New(reqid.Handler(slog.NewTextHandler(os.Stderr, opts)))
}
