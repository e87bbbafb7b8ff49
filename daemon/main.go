// Command smid is the Sell My Images daemon. main only wires: it reads the
// configuration, builds every part with its dependencies, and starts and
// stops them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `smid — the Sell My Images daemon

Usage:
  smid serve   --config FILE            run the API, workers and cron
  smid migrate --config FILE [--status] apply (or list) schema migrations
  smid seed    --config FILE --jobs N [--seed S] [--until YYYY-MM-DD]
  smid mail test --config FILE [--to ADDRESS]  send a test email
  smid version

Every configuration key can also be set as an SMI_… environment variable.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Environ())
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			// One line, whatever the error holds: easy to read and to grep.
			fmt.Fprintln(os.Stderr, "smid:", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer, environ []string) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("missing command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], out, environ)
	case "migrate":
		return migrate(ctx, args[1:], out, environ)
	case "seed":
		return seedCmd(ctx, args[1:], out, environ)
	case "mail":
		return mailCmd(ctx, args[1:], out, environ)
	case "version", "--version", "-v":
		fmt.Fprintln(out, "smid", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (try: smid help)", args[0])
}

// flags builds a flag set with the shared --config flag.
func flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("smid "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := fs.String("config", os.Getenv("SMI_CONFIG"), "path of the YAML configuration file")
	return fs, cfg
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
