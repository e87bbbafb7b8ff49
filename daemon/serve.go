package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/httpapi"
)

func serve(ctx context.Context, args []string, _ io.Writer, environ []string) error {
	fs, path := flags("serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := openStore(ctx, *path, environ)
	if err != nil {
		return err
	}
	defer db.Close()
	log := newLogger(cfg)
	for _, r := range cfg.Renamed {
		log.Warn("configuration uses an old key name; rename it", "key", r)
	}
	st, err := db.Schema(ctx)
	if err != nil {
		return err
	}
	if !st.Current {
		return fmt.Errorf("the database schema is behind (%d of %d migrations applied): run `smid migrate --config %s` first", st.Applied, st.Latest, *path)
	}
	parts, err := build(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	api := httpapi.New(parts.apiConfig, db, parts.services, log)

	network, addr := cfg.API.ListenAddr()
	if network == "unix" {
		_ = os.Remove(addr) // a socket left by a crashed run would block the bind; none there is fine
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.API.Listen, err)
	}
	if network == "unix" && !strings.HasPrefix(addr, "@") { // an abstract socket has no file mode
		// The web server's group connects through the socket.
		if err := os.Chmod(addr, 0o660); err != nil { //nolint:gosec // G302: a socket needs write permission to be connected to
			log.Warn("could not let the socket's group connect", "socket", addr, "err", err)
		}
	}
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	parts.start(ctx)
	log.Info("smid serving", "version", version, "listen", cfg.API.Listen, "config", cfg)

	select {
	case err := <-errc:
		parts.stop()
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: no new work, finishing in-flight requests", "timeout", cfg.API.ShutdownTimeout)
	parts.stopTakingWork()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.API.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("in-flight requests cut off at the shutdown timeout", "err", err)
	}
	parts.stop()
	if network == "unix" && !strings.HasPrefix(addr, "@") {
		_ = os.Remove(addr) // tidiness only: the next start removes it too
	}
	log.Info("stopped")
	return nil
}
