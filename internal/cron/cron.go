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

// Scheduler runs tasks.
type Scheduler struct {
	c      *robfig.Cron
	locker Locker
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New checks every schedule and builds the scheduler.
func New(tasks []Task, locker Locker, log *slog.Logger) (*Scheduler, error) {
	s := &Scheduler{c: robfig.New(), locker: locker, log: log}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, t := range tasks {
		if t.Schedule == "" || t.Schedule == "off" {
			continue
		}
		t := t
		if _, err := s.c.AddFunc(t.Schedule, func() { s.runOnce(t) }); err != nil {
			return nil, err
		}
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
	switch {
	case err != nil:
		s.log.Error("cron task failed", "task", t.Name, "err", err)
	case ran && n > 0:
		s.log.Info("cron task", "task", t.Name, "handled", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// Start begins running the schedules.
func (s *Scheduler) Start() { s.c.Start() }

// Stop stops scheduling, cancels running tasks and waits for them.
func (s *Scheduler) Stop() {
	<-s.c.Stop().Done()
	s.cancel()
	s.wg.Wait()
}
