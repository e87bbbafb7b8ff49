package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sellmyimages/smid/internal/seed"
)

func seedCmd(ctx context.Context, args []string, out io.Writer, environ []string) error {
	fs, path := flags("seed")
	n := fs.Int("jobs", 0, "how many jobs to insert")
	s := fs.Uint64("seed", 1, "seed of the generator: the same seed gives the same jobs")
	until := fs.String("until", time.Now().UTC().Format("2006-01-02"), "the jobs span the 18 months before this date")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		return fmt.Errorf("seed: --jobs must be a positive number")
	}
	end, err := time.Parse("2006-01-02", *until)
	if err != nil {
		return fmt.Errorf("seed: --until must be YYYY-MM-DD")
	}
	_, db, err := openStore(ctx, *path, environ)
	if err != nil {
		return err
	}
	defer db.Close()
	if st, err := db.Schema(ctx); err != nil {
		return err
	} else if !st.Current {
		return fmt.Errorf("seed: the schema is behind (%d of %d migrations applied): run smid migrate first", st.Applied, st.Latest)
	}
	start := time.Now()
	last := start
	var mu sync.Mutex
	var phases []string
	done, err := seed.Run(ctx, db, seed.New(*s, *n, end), func(done int) {
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(out, "  %d jobs…\n", done)
		}
	}, func(name string, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		phases = append(phases, fmt.Sprintf("%s %s", name, took.Round(10*time.Millisecond)))
	})
	el := time.Since(start)
	fmt.Fprintf(out, "inserted %d jobs in %s (%.0f rows/s)\n", done, el.Round(time.Millisecond), float64(done)/el.Seconds())
	mu.Lock()
	defer mu.Unlock()
	if len(phases) > 0 {
		fmt.Fprintf(out, "  took: %s\n", strings.Join(phases, ", "))
	}
	return err
}
