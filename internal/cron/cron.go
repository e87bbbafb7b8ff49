// Package cron runs the periodic tasks on robfig/cron schedules. Each run
// holds a MySQL named lock, so with several replicas on one database each
// task runs once per tick, wherever it happens to run.
package cron

import (
	"context"
	"log/slog"
	"sync"
	"time"

	robfig "github.com/robfig/cron/v3"
)

// Locker takes a named lock for the length of fn, or reports that another
// process holds it.
type Locker interface {
	WithLock(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error)
}

// Task is one periodic job.
type Task struct {
	Name     string
	Schedule string // robfig/cron: five fields, or @every 30s, @daily…
	Run      func(ctx context.Context) (int, error)
}

// Observer hears of each task's schedule and of each run this process
// made: its end time, and its error if it failed. Runs skipped because
// another replica held the lock are not reported.
type Observer interface {
	CronScheduled(task string, period time.Duration, since time.Time)
	CronRan(task string, at time.Time, err error)
}

// Scheduler runs tasks.
type Scheduler struct {
	c       *robfig.Cron
	locker  Locker
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	periods map[string]time.Duration
	obs     Observer
}

// New checks every schedule and builds the scheduler.
func New(tasks []Task, locker Locker, log *slog.Logger) (*Scheduler, error) {
	s := &Scheduler{c: robfig.New(), locker: locker, log: log, periods: map[string]time.Duration{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, t := range tasks {
		if t.Schedule == "" || t.Schedule == "off" {
			continue
		}
		t := t
		sched, err := robfig.ParseStandard(t.Schedule)
		if err != nil {
			return nil, err
		}
		s.c.Schedule(sched, robfig.FuncJob(func() { s.runOnce(t) }))
		next := sched.Next(time.Now())
		s.periods[t.Name] = sched.Next(next).Sub(next)
	}
	return s, nil
}

// runOnce runs a task under its lock; a tick that finds the lock taken (the
// task still running here or on another replica) is skipped.
func (s *Scheduler) runOnce(t Task) {
	s.wg.Add(1)
	defer s.wg.Done()
	start := time.Now()
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
		for name, p := range s.periods {
			s.obs.CronScheduled(name, p, now)
		}
	}
	s.c.Start()
}

// Stop stops scheduling, cancels running tasks and waits for them.
func (s *Scheduler) Stop() {
	<-s.c.Stop().Done()
	s.cancel()
	s.wg.Wait()
}
