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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Environ())
	stop()
	if err != nil {
		// One line, one "smid:" prefix, whatever the error holds: easy to
		// read and to grep.
		fmt.Fprintln(os.Stderr, "smid:", strings.TrimPrefix(strings.ReplaceAll(err.Error(), "\n", "; "), "smid: "))
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer, environ []string) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage())
		return errors.New("missing command")
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			for _, c := range commands() {
				if c.name == args[1] { //nolint:gosec // G602: len(args) > 1 was checked just above
					fmt.Fprint(out, c.usage)
					return nil
				}
			}
			return fmt.Errorf("unknown command %q (try: smid --help)", args[1]) //nolint:gosec // G602: as above
		}
		fmt.Fprint(out, usage())
		return nil
	case "--version", "-v":
		name = "version"
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		if wantsHelp(args[1:]) {
			fmt.Fprint(out, c.usage)
			return nil
		}
		if err := c.run(ctx, args[1:], out, environ); !errors.Is(err, errHelp) {
			return err
		}
		return nil
	}
	return fmt.Errorf("unknown command %q (try: smid --help)", args[0])
}

// flags builds a flag set with the shared --config flag.
func flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := fs.String("config", os.Getenv("SMI_CONFIG"), "path of the YAML configuration file")
	return fs, cfg
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return errHelp
	} else if err != nil {
		return fmt.Errorf("%s: %w (try: smid %s --help)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
