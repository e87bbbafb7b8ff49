package cron_test

import (
	"context"
	"errors"
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

type observed struct {
	mu     sync.Mutex
	period map[string]time.Duration
	ok     map[string]int
	failed map[string]int
}

func (o *observed) CronScheduled(task string, p time.Duration, _ time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.period[task] = p
}

func (o *observed) CronRan(task string, _ time.Time, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.failed[task]++
	} else {
		o.ok[task]++
	}
}

// The observer (the metrics) learns each task's period and hears of each
// success and failure, so a task that keeps failing looks silent.
func TestObserverHearsRunsAndPeriods(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	o := &observed{period: map[string]time.Duration{}, ok: map[string]int{}, failed: map[string]int{}}
	s, err := cron.New([]cron.Task{
		{Name: "good", Schedule: "@every 1s", Run: func(context.Context) (int, error) { return 0, nil }},
		{Name: "bad", Schedule: "@every 1s", Run: func(context.Context) (int, error) { return 0, errors.New("stripe down") }},
		{Name: "daily", Schedule: "@daily", Run: func(context.Context) (int, error) { return 0, nil }},
	}, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.Observe(o)
	s.Start()
	time.Sleep(2500 * time.Millisecond)
	s.Stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.period["good"] != time.Second || o.period["daily"] != 24*time.Hour {
		t.Errorf("periods %v", o.period)
	}
	if o.ok["good"] < 1 || o.failed["good"] != 0 || o.ok["bad"] != 0 || o.failed["bad"] < 1 || o.ok["daily"]+o.failed["daily"] != 0 {
		t.Errorf("ok %v, failed %v", o.ok, o.failed)
	}
}
