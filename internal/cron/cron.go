// Package cron runs the periodic tasks on robfig/cron schedules. With
// several replicas on one database each task runs once per tick, wherever
// it happens to run: a tick is claimed in the database (one row per task
// and tick, so only one replica gets it), and the run holds a MySQL named
// lock, so a long run never overlaps the next.
package cron

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	robfig "github.com/robfig/cron/v3"
)

// Locker takes a named lock for the length of fn, or reports that another
// process holds it.
type Locker interface {
	WithLock(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error)
	// ClaimCronTick reports whether owner got tick of task; one caller
	// per task and tick does.
	ClaimCronTick(ctx context.Context, task string, tick time.Time, owner string) (bool, error)
}

// Task is one periodic job.
type Task struct {
	Name     string
	Schedule string // robfig/cron: five fields, or @every 30s, @daily…
	Run      func(ctx context.Context) (int, error)
}

// Observer hears of each task's schedule and of each run this process
// made: its end time, and its error if it failed. Ticks another replica
// claimed are not reported.
type Observer interface {
	CronScheduled(task string, interval time.Duration, since time.Time)
	CronRan(task string, at time.Time, err error)
}

// Scheduler runs tasks.
type Scheduler struct {
	intervals map[string]time.Duration
	obs       Observer
	owner     string
	now       func() time.Time
	c         *robfig.Cron
	locker    Locker
	log       *slog.Logger
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// New checks every schedule and builds the scheduler.
func New(tasks []Task, locker Locker, log *slog.Logger) (*Scheduler, error) {
	h, _ := os.Hostname()
	s := &Scheduler{c: robfig.New(), locker: locker, log: log, owner: fmt.Sprintf("%s-%d", h, os.Getpid()), now: time.Now,
		intervals: map[string]time.Duration{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, t := range tasks {
		if t.Schedule == "" || t.Schedule == "off" {
			continue
		}
		t := t
		period, err := Period(t.Schedule)
		if err != nil {
			return nil, err
		}
		if _, err := s.c.AddFunc(t.Schedule, func() { s.runOnce(t, period) }); err != nil {
			return nil, err
		}
		// The time between runs (a day for @daily), for the metrics.
		sched, _ := parser.Parse(t.Schedule)
		next := sched.Next(time.Now())
		s.intervals[t.Name] = sched.Next(next).Sub(next)
	}
	return s, nil
}

var parser = robfig.NewParser(robfig.Minute | robfig.Hour | robfig.Dom | robfig.Month | robfig.Dow | robfig.Descriptor)

// Period is the length of a schedule's tick: the delay of an "@every"
// schedule, a minute for a cron expression (whose runs fall on minutes).
func Period(schedule string) (time.Duration, error) {
	sched, err := parser.Parse(schedule)
	if err != nil {
		return 0, fmt.Errorf("cron schedule %q: %w", schedule, err)
	}
	if c, ok := sched.(robfig.ConstantDelaySchedule); ok {
		return c.Delay, nil
	}
	return time.Minute, nil
}

// Tick is the tick a run at now belongs to: now rounded down to the
// period, counted from the Unix epoch, so every replica names it alike
// whatever the moment it started (robfig's "@every" counts from start).
func Tick(now time.Time, period time.Duration) time.Time {
	return now.UTC().Truncate(period)
}

// runOnce runs a task under its lock; a tick that finds the lock taken (the
// task still running here or on another replica) is skipped.
func (s *Scheduler) runOnce(t Task, period time.Duration) {
	s.wg.Add(1)
	defer s.wg.Done()
	start := time.Now()
	mine, err := s.locker.ClaimCronTick(s.ctx, t.Name, Tick(s.now(), period), s.owner)
	if err != nil || !mine {
		if err != nil && s.ctx.Err() == nil {
			s.log.Error("cron tick claim failed", "task", t.Name, "err", err)
		}
		return // another replica runs this tick
	}
	var n int
	ran, err := s.locker.WithLock(s.ctx, "smi_cron:"+t.Name, func(ctx context.Context) error {
		var err error
		n, err = t.Run(ctx)
		return err
	})
	if s.obs != nil && (ran || err != nil) {
		s.obs.CronRan(t.Name, time.Now(), err)
	}
	switch {
	case err != nil:
		s.log.Error("cron task failed", "task", t.Name, "err", err)
	case ran && n > 0:
		s.log.Info("cron task", "task", t.Name, "handled", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// Observe reports schedules and runs to o; call it before Start.
func (s *Scheduler) Observe(o Observer) { s.obs = o }

// Start begins running the schedules.
func (s *Scheduler) Start() {
	if s.obs != nil {
		now := time.Now()
		for name, d := range s.intervals {
			s.obs.CronScheduled(name, d, now)
		}
	}
	s.c.Start()
}

// Stop stops scheduling, cancels running tasks and waits for them to
// let go (they stop at their next database call).
func (s *Scheduler) Stop() {
	done := s.c.Stop().Done()
	s.cancel()
	<-done
	s.wg.Wait()
}
