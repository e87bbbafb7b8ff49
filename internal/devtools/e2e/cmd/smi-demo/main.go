// Command smi-demo is `make demo`: it brings up a private MariaDB, a
// WordPress site with the plugin, smid, stripe-mock and Mailpit, walks one
// purchase through every status, prints where everything is, and keeps it
// all running until Ctrl-C, when it stops what it started.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/e2e"
)

func main() {
	root := flag.String("root", ".", "repository root")
	varDir := flag.String("var", ".var", "where the demo keeps its database, site and files")
	smid := flag.String("smid", "bin/smid", "smid binary")
	port := flag.Int("port", 8080, "WordPress port")
	jobs := flag.Int("jobs", 5000, "jobs to seed when the table is empty")
	flag.Parse()
	if err := run(*root, *varDir, *smid, *port, *jobs); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func say(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

func run(root, varDir, smid string, port, jobs int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if root, err = filepath.Abs(root); err != nil {
		return err
	}
	if varDir, err = filepath.Abs(varDir); err != nil {
		return err
	}
	if smid, err = filepath.Abs(smid); err != nil {
		return err
	}
	if m := e2e.Missing(); m != "" {
		return fmt.Errorf("%s", strings.Replace(m, "make test", "make demo", 1))
	}

	dbDir := filepath.Join(varDir, "demo-db")
	sock, startedDB, err := startMariaDB(ctx, root, dbDir)
	if err != nil {
		return err
	}
	if startedDB {
		defer func() {
			say("stopping MariaDB")
			exec.Command("bash", filepath.Join(root, "scripts/mariadb.sh"), "stop", dbDir).Run()
		}()
	}
	say("MariaDB on %s", sock)

	dir := filepath.Join(varDir, "demo") // configuration, logs, Mailpit's database
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	st, err := e2e.Start(ctx, e2e.Config{
		Root: root, Dir: dir, SiteDir: filepath.Join(varDir, "demo-wp"), FilesDir: filepath.Join(varDir, "demo-files"), DBSocket: sock, DBName: "smi_demo", SMID: smid,
		SitePort: port, DaemonPort: 8787, StripePort: 12111, StripeHTTPSPort: 12112, SMTPPort: 1025, MailpitPort: 8025,
		SeedJobs: jobs, AdminPassword: adminPassword(dir),
		Logf: func(f string, a ...any) { say(f, a...) },
	})
	if err != nil {
		return err
	}
	defer func() {
		say("stopping smid, WordPress, Mailpit and stripe-mock")
		st.Stop()
	}()
	say("everything is up (%s)", time.Since(start).Round(100*time.Millisecond))

	if err := showPurchase(ctx, st); err != nil {
		fmt.Fprintln(os.Stderr, "demo: the sample purchase failed:", err)
		fmt.Fprintln(os.Stderr, "logs are in", st.LogDir)
	}
	printAccess(st)

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fmt.Println()
			return nil
		case <-tick.C:
			if msg := st.Exited(); msg != "" {
				return fmt.Errorf("%s", msg)
			}
		}
	}
}

// startMariaDB reuses a server already answering on dir's socket, else
// starts one; startedDB says whether it is ours to stop.
func startMariaDB(ctx context.Context, root, dir string) (sock string, startedDB bool, err error) {
	sock = filepath.Join(dir, "mysqld.sock")
	admin, _ := e2e.LookTool("mariadb-admin")
	ping := exec.CommandContext(ctx, admin, "--socket="+sock, "-uroot", "ping")
	if ping.Run() == nil {
		return sock, false, nil
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts/mariadb.sh"), "start", dir)
	cmd.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin")
	cmd.Stderr = os.Stderr
	// Its own process group: the terminal's Ctrl-C is for us, and we stop
	// the server ourselves, after smid.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.Output()
	if err != nil {
		return "", false, fmt.Errorf("start MariaDB: %w", err)
	}
	return strings.TrimSpace(string(out)), true, nil
}

// adminPassword is random on the first run and kept, so a browser that
// saved it keeps working.
func adminPassword(dir string) string {
	path := filepath.Join(dir, "admin-password")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 12 {
		return strings.TrimSpace(string(b))
	}
	pw := "demo-" + fmt.Sprintf("%x", time.Now().UnixNano())[:10]
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		fmt.Fprintf(os.Stderr, "smi-demo: the admin password is not kept for the next run: %v\n", err)
	}
	return pw
}

// showPurchase buys one image the way a visitor and Stripe would, and
// prints the job's statuses as it moves.
func showPurchase(ctx context.Context, st *e2e.Stack) error {
	say("putting a photo up for sale")
	p, err := st.AddProduct(ctx, "smi-demo-photo", "Demo photo: an evening gradient", 320, 240)
	if err != nil {
		return err
	}
	say("post %s (attachment #%d, %d×%d px)", p.Permalink, p.AttachmentID, p.Width, p.Height)

	email := "buyer@example.com"
	c, err := st.CheckoutREST(ctx, p, "4x", email)
	if err != nil {
		return err
	}
	say("checkout created through POST /wp-json/smi/v1/checkout: job %s", c.JobID)
	say("  the visitor would now pay at %s", c.CheckoutURL)
	fmt.Printf("    status: %s\n", mustStatus(ctx, st, c.JobID))

	code, body, err := st.PayThroughSite(ctx, c.JobID)
	if err != nil {
		return err
	}
	say("signed checkout.session.completed sent through %s/smi-webhook/stripe/: HTTP %d %s", st.SiteURL, code, strings.TrimSpace(body))
	if code != 200 {
		return fmt.Errorf("the webhook was refused")
	}
	d, err := st.WaitStatus(ctx, c.JobID, "completed", time.Minute, func(s string) { fmt.Printf("    status: %s\n", s) })
	if err != nil {
		return err
	}
	// Polling can miss a status the local upscaler passes through in a few
	// milliseconds; the timeline has every move.
	say("the job's timeline:")
	for _, ev := range d.Events {
		move := ""
		if ev.FromStatus != nil || ev.ToStatus != nil {
			move = fmt.Sprintf(" %s → %s", deref(ev.FromStatus), deref(ev.ToStatus))
		}
		fmt.Printf("    %s  %-18s%s  (%s)\n", ev.At.Format("15:04:05.000"), ev.Type, move, ev.Actor)
	}
	m, err := st.WaitMail(ctx, email, 30*time.Second, nil)
	if err != nil {
		return err
	}
	say("delivery email %q to %s: %s/view/%s", m.Subject, email, st.MailpitURL, m.ID)
	if link := m.DownloadLink(); link != "" {
		say("download link in it: %s", link)
	}
	return nil
}

func mustStatus(ctx context.Context, st *e2e.Stack, id string) string {
	d, err := st.Job(ctx, id)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return d.Job.Status
}

func deref(s *string) string {
	if s == nil {
		return "—"
	}
	return *s
}

func printAccess(st *e2e.Stack) {
	fmt.Printf(`
Sell My Images demo is running. Ctrl-C stops it.

  Jobs screen    %s/wp-admin/admin.php?page=smi-jobs
  Login          admin / %s
  Shop post      %s/smi-demo-photo/
  Mail (Mailpit) %s
  Daemon         %s   (config %s)
  stripe-mock    %s

  List jobs from the daemon:
    curl -s -H 'Authorization: Bearer %s' '%s/v1/jobs?per_page=5&status=completed'

  Logs: %s
`, st.SiteURL, st.AdminPassword, st.SiteURL, st.MailpitURL, st.DaemonURL, st.ConfigPath, st.StripeURL,
		st.Secret, st.DaemonURL, st.LogDir)
}
