package pipeline_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// Cron runs each sweep under a MySQL named lock so that, with several
// replicas on one database, a tick runs once. These use two store handles,
// as two daemons would have.

func TestCronLockRunsOnce(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	a := storetest.Open(t, dsn, storetest.Options{}, true)
	b := storetest.Open(t, dsn, storetest.Options{}, false)
	ctx := context.Background()
	const name = "smi_cron:expire_tokens"

	// Ten ticks at once, half on each replica: the one that gets the lock
	// holds it until all the others have given up.
	const n = 10
	var ran, skipped atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		db := []*store.DB{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got, err := db.WithLock(ctx, name, func(context.Context) error {
				ran.Add(1)
				deadline := time.Now().Add(10 * time.Second)
				for skipped.Load() < n-1 && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
			if !got {
				skipped.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ran.Load() != 1 || skipped.Load() != n-1 {
		t.Fatalf("%d ran, %d skipped; want 1 and %d", ran.Load(), skipped.Load(), n-1)
	}

	// Released when done: the next tick runs, on either replica.
	for _, db := range []*store.DB{b, a} {
		got, err := db.WithLock(ctx, name, func(context.Context) error { return nil })
		if err != nil || !got {
			t.Fatalf("after release: ran %v, %v", got, err)
		}
	}
	// Another task's lock is another lock.
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := a.WithLock(ctx, name, func(context.Context) error { close(held); <-release; return nil }); err != nil {
			t.Error(err)
		}
	}()
	<-held
	other, _ := b.WithLock(ctx, "smi_cron:poll", func(context.Context) error { return nil })
	twice, _ := b.WithLock(ctx, name, func(context.Context) error { return nil })
	close(release)
	<-done
	if !other || twice {
		t.Fatalf("another task ran: %v (want true); the same task ran twice: %v (want false)", other, twice)
	}
}

// Shared hosting runs many WordPress sites, each in its own database, on
// one MySQL server, nearly all with the wp_ prefix. Named locks are
// server-wide: one site's cron must not hold up another's.
func TestCronLockIsPerDatabase(t *testing.T) {
	t.Parallel()
	one := storetest.Open(t, storetest.EmptyDB(t), storetest.Options{}, true)
	two := storetest.Open(t, storetest.EmptyDB(t), storetest.Options{}, true)
	ctx := context.Background()
	const name = "smi_cron:poll"
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan bool)
	go func() {
		got, _ := one.WithLock(ctx, name, func(context.Context) error { close(held); <-release; return nil })
		done <- got
	}()
	<-held
	got, err := two.WithLock(ctx, name, func(context.Context) error { return nil })
	close(release)
	if !<-done {
		t.Fatal("the first site did not run")
	}
	if err != nil || !got {
		t.Fatalf("another site's cron was skipped because this one's ran (%v)", err)
	}
}
