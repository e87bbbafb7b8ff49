package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// command is one `smid` subcommand: its usage and what runs it.
type command struct {
	name  string
	usage string // printed by `smid NAME --help` and `smid help NAME`
	run   func(ctx context.Context, args []string, out io.Writer, environ []string) error
}

// commands lists every subcommand, in the order `smid --help` shows them.
// A new command adds one entry here (its usage first line is its summary).
func commands() []command {
	return []command{
		{"serve", serveUsage, serve},
		{"migrate", migrateUsage, migrate},
		{"seed", seedUsage, seedCmd},
		{"check", checkUsage, check},
		{"mail", mailUsage, mailCmd},
		{"version", versionUsage, func(_ context.Context, _ []string, out io.Writer, _ []string) error {
			fmt.Fprintln(out, "smid", version)
			return nil
		}},
	}
}

const configFlag = `  --config FILE   the YAML configuration (default: $SMI_CONFIG); every key can
                  also be set as an SMI_… environment variable
`

const serveUsage = `smid serve --config FILE
  Runs the HTTP API, the workers and cron until SIGTERM or SIGINT, then
  stops taking work and drains within api.shutdown_timeout. Refuses to
  start on a schema that is behind (run smid migrate first).

` + configFlag

const migrateUsage = `smid migrate --config FILE [--status]
  Creates or adopts the tables and applies pending schema migrations.

` + configFlag + `  --status        list applied and pending migrations; change nothing
`

const seedUsage = `smid seed --config FILE --jobs N [--seed S] [--until YYYY-MM-DD]
  Inserts N realistic jobs for demos and benchmarks; the same seed and
  --until give the same jobs.

` + configFlag + `  --jobs N        how many jobs to insert (required)
  --seed S        seed of the generator (default 1)
  --until DATE    the jobs span the 18 months before this date (default today)
`

const checkUsage = `smid check --config FILE
  Checks every configured part and prints one line each: the database and
  its grants, the schema, the Stripe key and its mode, the webhook secret's
  format, SMTP (connects and authenticates, sends nothing), the Upsampler
  key or the local provider, storage, the site URL. Exits 1 if any fails.

` + configFlag

const mailUsage = `smid mail test --config FILE [--to ADDRESS]
  Sends one test email through the configured SMTP server, to ADDRESS or
  the site's admin email.

` + configFlag + `  --to ADDRESS    the recipient (default: the site's admin_email)
`

const versionUsage = `smid version
  Prints the version.
`

// usage is the overview `smid --help` prints.
func usage() string {
	var b strings.Builder
	b.WriteString("smid — the Sell My Images daemon\n\nUsage:\n")
	for _, c := range commands() {
		first, _, _ := strings.Cut(c.usage, "\n")
		fmt.Fprintf(&b, "  %s\n", first)
	}
	b.WriteString("\nsmid COMMAND --help describes a command. Every configuration key can also be\nset as an SMI_… environment variable.\n")
	return b.String()
}

// errHelp means the usage was printed because it was asked for: exit 0.
var errHelp = errors.New("help shown")

// wantsHelp reports -h, -help or --help among a command's arguments,
// before a "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}
