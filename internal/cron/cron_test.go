package cron_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/cron"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// Three replicas run the same schedule on one database, with a task far
// shorter than the period: each tick runs the task once, wherever. (A
// named lock alone only stops overlapping runs; short tasks would run on
// every replica.)
func TestReplicasRunEachTickOnce(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	dbs := []cron.Locker{storetest.Open(t, dsn, storetest.Options{}, true)}
	for range 2 {
		dbs = append(dbs, storetest.Open(t, dsn, storetest.Options{}, false))
	}
	var mu sync.Mutex
	runs := map[time.Time]int{}
	task := func(ctx context.Context) (int, error) {
		mu.Lock()
		runs[cron.Tick(time.Now(), time.Second)]++
		mu.Unlock()
		return 1, nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var scheds []*cron.Scheduler
	for _, db := range dbs {
		s, err := cron.New([]cron.Task{{Name: "tick", Schedule: "@every 1s", Run: task}}, db, log)
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	for _, s := range scheds {
		s.Start()
		time.Sleep(300 * time.Millisecond) // started apart: "@every" fires at different moments
	}
	time.Sleep(4 * time.Second)
	for _, s := range scheds {
		s.Stop()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(runs) < 3 {
		t.Fatalf("only %d ticks ran in four seconds", len(runs))
	}
	for tick, n := range runs {
		if n != 1 {
			t.Fatalf("tick %s ran %d times across the replicas", tick.Format("15:04:05"), n)
		}
	}
}

func TestPeriod(t *testing.T) {
	for sched, want := range map[string]time.Duration{"@every 30s": 30 * time.Second, "@every 5m": 5 * time.Minute, "*/5 * * * *": time.Minute, "@daily": time.Minute} {
		if got, err := cron.Period(sched); err != nil || got != want {
			t.Errorf("Period(%q) = %v, %v; want %v", sched, got, err, want)
		}
	}
}

func TestBadScheduleIsRefused(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	if _, err := cron.New([]cron.Task{{Name: "x", Schedule: "every day", Run: func(context.Context) (int, error) { return 0, nil }}}, db, slog.Default()); err == nil {
		t.Fatal("a bad schedule was accepted")
	}
}
