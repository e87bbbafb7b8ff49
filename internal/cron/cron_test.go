package cron_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/cron"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// Two replicas run the same schedule on one database: each tick runs the
// task once, wherever, because the run holds the task's named lock.
func TestTwoReplicasRunATickOnce(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	a := storetest.Open(t, dsn, storetest.Options{}, true)
	b := storetest.Open(t, dsn, storetest.Options{}, false)
	var runs atomic.Int32
	task := func(ctx context.Context) (int, error) {
		runs.Add(1)
		time.Sleep(400 * time.Millisecond) // longer than the replicas' tick skew
		return 1, nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var scheds []*cron.Scheduler
	for _, db := range []cron.Locker{a, b} {
		s, err := cron.New([]cron.Task{{Name: "tick", Schedule: "@every 1s", Run: task}}, db, log)
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	for _, s := range scheds {
		s.Start()
	}
	time.Sleep(3500 * time.Millisecond)
	for _, s := range scheds {
		s.Stop()
	}
	if n := runs.Load(); n < 2 || n > 3 {
		t.Fatalf("%d runs in 3 ticks of two replicas; want one run per tick", n)
	}
}

func TestBadScheduleIsRefused(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	if _, err := cron.New([]cron.Task{{Name: "x", Schedule: "every day", Run: func(context.Context) (int, error) { return 0, nil }}}, db, slog.Default()); err == nil {
		t.Fatal("a bad schedule was accepted")
	}
}
