package faults

import (
	"context"
	"database/sql"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// privateMariaDB starts a MariaDB of the test's own with scripts/mariadb.sh
// (the shared test server must not be stopped) and returns its directory
// and a DSN for a fresh database on it.
func privateMariaDB(t *testing.T) (dir, dsn string) {
	t.Helper()
	dir = t.TempDir()
	sock := mariadb(t, "start", dir)
	t.Cleanup(func() { mariadb(t, "stop", dir) })
	c := mysql.NewConfig()
	c.User, c.Net, c.Addr = "root", "unix", sock
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE smi_faults CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatal(err)
	}
	c.DBName = "smi_faults"
	return dir, c.FormatDSN()
}

func mariadb(t *testing.T, cmd, dir string) string {
	t.Helper()
	script, _ := filepath.Abs("../../../scripts/mariadb.sh")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", script, cmd, dir).Output()
	if err != nil {
		t.Fatalf("mariadb.sh %s: %v", cmd, err)
	}
	return strings.TrimSpace(string(out))
}

// TestDatabaseRestart stops the daemon's MariaDB in the middle of a run,
// with jobs in flight and Stripe's payment webhooks arriving (and being
// retried, as Stripe does) while it is down, then starts it again. The
// daemon must reconnect by itself, lose nothing and apply nothing twice.
func TestDatabaseRestart(t *testing.T) {
	t.Parallel()
	dir, dsn := privateMariaDB(t)
	// upscaler.timeout well above the outage: a job must not time out
	// because the database was away.
	s := NewStack(t, Options{DSN: dsn, Upsampler: upscaletest.Options{ProcessingTime: 3 * time.Second},
		UpscaleTimeout: time.Minute})
	r := s.AddReplica()
	if !r.Start("", 0) {
		t.Fatal("smid did not start")
	}
	inFlight := s.PlaceOrders(0, 8, 2)
	var late []Order
	for i := range 6 {
		o := Order{N: 100 + i, Failing: i == 5}
		o.ID = s.Order(o.N, o.Failing)
		late = append(late, o)
	}
	time.Sleep(time.Second) // submissions are out, results not yet in

	mariadb(t, "stop", dir)
	down := time.Now()
	var paying sync.WaitGroup
	for _, o := range late {
		paying.Add(1)
		go func() { defer paying.Done(); s.Pay(o.ID) }() // retried until 2xx
	}
	time.Sleep(5 * time.Second)
	mariadb(t, "start", dir)
	t.Logf("MariaDB was down for %s", time.Since(down).Round(time.Millisecond))
	paying.Wait()

	orders := append(inFlight, late...)
	s.Settle(orders, 2*time.Minute)
	out := s.Audit(orders)
	t.Logf("matrix | MariaDB stopped 5 s mid-run | 0 kills | %s", out)
	for _, p := range out.Problems {
		t.Log(p)
	}
	requireClean(t, out)
	if !r.Running() {
		t.Errorf("smid did not survive the database restart")
	}
	for _, o := range orders {
		d := s.Get(o.ID)
		if n := d.Count("payment_received"); n != 1 {
			t.Errorf("%s: %d payment_received events, want 1", o.ID[:8], n)
		}
	}
	if out.DeliveryEmails != out.Completed {
		t.Errorf("%d delivery emails for %d completed jobs (per job %s): a step was applied twice",
			out.DeliveryEmails, out.Completed, histogram(out.EmailsPerJob))
	}
	if out.SubmissionsPerJob[1] != len(orders) {
		t.Errorf("submissions per job %s, want one each", histogram(out.SubmissionsPerJob))
	}
}
