package cron_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sort"
	"sync"
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
	var mu sync.Mutex
	var starts []time.Time
	task := func(ctx context.Context) (int, error) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
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
	// Ticks are a second apart; two runs closer than half of that are the
	// same tick run by both replicas.
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	if len(starts) < 2 {
		t.Fatalf("only %d runs in three seconds", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < 500*time.Millisecond {
			t.Fatalf("two runs %s apart: one tick ran on both replicas", gap)
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
