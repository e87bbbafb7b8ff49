package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// The pipeline's fenced writes (a submission recorded, a file stored, a
// job completed) are many and small. Writers that arrive while another
// one's transaction runs are committed together in the next transaction:
// one conditional UPDATE each, their events in one INSERT, the counters
// in one INSERT. Each UPDATE carries the holder's fence and what the
// holder knows of the row (status, payment status) in its WHERE, so it
// needs no locking read first; a write whose UPDATE matches nothing is
// applied again alone on the locking path (Apply), which says exactly why
// it was refused, or applies it if only the payment status had moved.

// maxGroup bounds the writes committed in one transaction.
const maxGroup = 32

// groupCommit is the queue of fenced writes waiting for a transaction and
// whether a writer is committing one (the leader, who then also commits
// what queued up behind it).
type groupCommit struct {
	mu      sync.Mutex
	queue   []*fencedWrite
	leading bool
}

// fencedWrite is one holder's change of a job it holds.
type fencedWrite struct {
	h        Holder
	from, to job.Status
	set      Set
	ev       EventInput
	done     chan error
}

// applyFenced applies a holder's change: grouped with other writers'
// when the holder knows the row (HolderOf), on the locking path otherwise.
func (s *DB) applyFenced(ctx context.Context, h Holder, from, to job.Status, set Set, ev EventInput) error {
	if h.created.IsZero() || h.payment == "" || ctx.Value(txKey{}) != nil {
		_, err := s.Apply(ctx, h.change(from, to, set, ev))
		return err
	}
	if err := checkMove(from, to, false); err != nil {
		return err
	}
	for c := range set {
		if !writable[c] {
			return fmt.Errorf("apply: column %q is not writable", c)
		}
	}
	w := &fencedWrite{h: h, from: from, to: to, set: set, ev: ev, done: make(chan error, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if g.leading {
		g.mu.Unlock()
		if err := <-w.done; err != errLead {
			return err
		}
		g.mu.Lock()
	}
	// Leading: w is first in the queue. Commit it and what queued behind
	// it, then hand the lead to the next writer waiting, if any, so no
	// writer commits others' changes for ever.
	g.leading = true
	n := min(len(g.queue), maxGroup)
	batch := append([]*fencedWrite(nil), g.queue[:n]...)
	g.queue = g.queue[n:]
	g.mu.Unlock()
	s.commitGroup(ctx, batch)
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- errLead
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return <-w.done
}

// errLead tells a waiting writer that it commits the next group.
var errLead = errors.New("lead the next group")

// commitGroup commits batch in one transaction and answers each writer.
// It runs on the leader's context without its cancellation: the other
// writers' changes do not depend on the leader still wanting its own.
func (s *DB) commitGroup(ctx context.Context, batch []*fencedWrite) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	// One lock order for every group: by job id.
	sort.Slice(batch, func(i, j int) bool { return batch[i].h.JobID < batch[j].h.JobID })
	var missed []*fencedWrite
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		missed = missed[:0]
		now := s.Now()
		var events []eventRow
		deltas := map[int][]countDelta{}
		for _, w := range batch {
			ok, err := s.updateHeld(ctx, tx, w, now)
			if err != nil {
				return err
			}
			if !ok {
				missed = append(missed, w)
				continue
			}
			var from, to *job.Status
			if w.to != "" && w.to != w.from {
				f, t := w.from, w.to
				from, to = &f, &t
				slot := slotFor(w.h.JobID)
				deltas[slot] = append(deltas[slot], deltasFor(w.from, w.h.payment, w.h.created, -1)...)
				deltas[slot] = append(deltas[slot], deltasFor(w.to, w.h.payment, w.h.created, 1)...)
			}
			if w.ev.Type != "" {
				events = append(events, eventRow{jobID: w.h.JobID, at: now, ev: w.ev, from: from, to: to})
			}
		}
		if err := s.insertEvents(ctx, tx, events); err != nil {
			return err
		}
		return s.bumpSlots(ctx, tx, deltas)
	})
	isMissed := map[*fencedWrite]bool{}
	for _, w := range missed {
		isMissed[w] = true
	}
	for _, w := range batch {
		switch {
		case err != nil:
			w.done <- err
		case isMissed[w]:
			_, aerr := s.Apply(ctx, w.h.change(w.from, w.to, w.set, w.ev))
			w.done <- aerr
		default:
			w.done <- nil
		}
	}
}

// updateHeld is the conditional UPDATE of one grouped write: it matches
// only while the row is as its holder knows it.
func (s *DB) updateHeld(ctx context.Context, tx *sqlx.Tx, w *fencedWrite, now time.Time) (bool, error) {
	sets := []string{"updated_at = ?"}
	args := []any{now}
	if w.to != "" && w.to != w.from {
		sets = append(sets, "status = ?")
		args = append(args, string(w.to))
	}
	for _, c := range sortedKeys(w.set) {
		sets = append(sets, c+" = ?")
		args = append(args, dbValue(w.set[c]))
	}
	args = append(args, w.h.JobID, string(w.from), w.h.Fence, string(w.h.payment))
	res, err := tx.ExecContext(ctx, s.q("UPDATE {jobs} SET "+strings.Join(sets, ", ")+
		" WHERE job_id = ? AND status = ? AND fence = ? AND payment_status = ?"), args...)
	if err != nil {
		return false, fmt.Errorf("update job: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
