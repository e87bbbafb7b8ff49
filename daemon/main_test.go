package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

const secret = "main-test-secret-0123456789abcdefghij"

func env(dsn string, extra ...string) []string {
	return append([]string{"SMI_DATABASE_DSN=" + dsn, "SMI_API_SECRET=" + secret}, extra...)
}

func TestCommandErrorsAreOneClearLine(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	// A user with a password, to get a real "wrong password" answer.
	cfg, _ := mysql.ParseDSN(dsn)
	admin := sqlx.MustOpen("mysql", dsn)
	defer admin.Close()
	user := "u" + strings.TrimPrefix(cfg.DBName, "smi_test_")
	admin.MustExec(fmt.Sprintf("CREATE USER '%s'@'localhost' IDENTIFIED BY 'right-password'", user))
	t.Cleanup(func() { admin.Exec(fmt.Sprintf("DROP USER '%s'@'localhost'", user)) })
	wrong := *cfg
	wrong.User, wrong.Passwd = user, "wrong-password-xyz"

	cases := []struct {
		name    string
		args    []string
		environ []string
		want    string
	}{
		{"bad key", []string{"migrate"}, env(dsn, "SMI_API_LISTEN=nonsense"), "api.listen"},
		{"short secret", []string{"migrate"}, []string{"SMI_DATABASE_DSN=" + dsn, "SMI_API_SECRET=short"}, "api.secret"},
		{"unreachable", []string{"migrate"}, env("root@tcp(127.0.0.1:1)/x"), "cannot reach the database"},
		{"wrong password", []string{"migrate"}, env(wrong.FormatDSN()), "Access denied"},
		{"behind schema", []string{"serve"}, env(dsn), "run `smid migrate"},
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
		{"seed needs jobs", []string{"seed"}, env(dsn), "--jobs"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := run(context.Background(), c.args, &out, c.environ)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error mentioning %q", c.name, err, c.want)
			continue
		}
		msg := strings.ReplaceAll(err.Error(), "\n", "; ")
		if strings.Contains(msg, "wrong-password-xyz") || strings.Contains(msg, secret) {
			t.Errorf("%s: error leaks a secret: %s", c.name, msg)
		}
	}
}

func TestMigrateSeedServeAndShutdown(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, &out, env(dsn)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied 0001_jobs_table.sql") {
		t.Fatalf("migrate output: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "--status"}, &out, env(dsn)); err != nil || !strings.Contains(out.String(), "0 pending") {
		t.Fatalf("status: %v %s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"seed", "--jobs", "500", "--seed", "9", "--until", "2026-11-01"}, &out, env(dsn)); err != nil {
		t.Fatal(err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(sctx, []string{"serve"}, &out, env(dsn, "SMI_API_LISTEN="+addr, "SMI_LOG_LEVEL=error"))
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/jobs?per_page=5", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		var err error
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("serve did not answer: %v", resp)
	}
	resp.Body.Close()
	cancel() // SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("still listening after shutdown")
	}
}
