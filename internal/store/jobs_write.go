package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// Set lists columns to write and their values. Keys must be job columns;
// values are Go values (job.Money and *job.Money become DECIMAL text).
type Set map[string]any

// Change is one conditional update of a job plus its event, applied in
// one transaction.
type Change struct {
	JobID string
	// From lists the statuses the job must be in; empty means any.
	From []job.Status
	// To is the new status; empty leaves the status alone.
	To job.Status
	// Check, when set, sees the locked row before anything is written: it
	// may refuse the change (its error is returned as is) or add to set.
	Check func(cur *job.Job, set Set) error
	// NoRefundInFlight refuses the change while a refund of the job waits
	// for Stripe's answer (checked under the row lock).
	NoRefundInFlight bool
	// Override checks the move against the admin override table instead
	// of the lifecycle's.
	Override bool
	// Fence, when set, is the fence the writer was given with the job:
	// the change applies only while the job still carries it (ErrStale
	// otherwise). Claim moves the fence on by one in the same write.
	Fence *int64
	Claim bool
	Set   Set
	Event EventInput
}

var writable = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Split(jobColumns, ",") {
		m[strings.TrimSpace(c)] = true
	}
	for _, c := range []string{"id", "job_id", "created_at", "updated_at", "status"} {
		delete(m, c)
	}
	m["file_deleted_at"] = true
	delete(m, "fence")
	return m
}()

// Apply performs a Change: it locks the row, checks the expected status,
// writes the new values with a conditional UPDATE, records the event and
// moves the counters, all or nothing. It returns the job as it was before
// and ErrConflict when the job had moved on.
func (s *DB) Apply(ctx context.Context, ch Change) (before *job.Job, err error) {
	if ch.To != "" && !ch.To.Valid() {
		return nil, fmt.Errorf("apply: unknown status %q", ch.To)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		before, err = s.applyTx(ctx, tx, ch)
		return err
	})
	return before, err
}

// applyTx is Apply inside a transaction the caller holds.
func (s *DB) applyTx(ctx context.Context, tx *sqlx.Tx, ch Change) (*job.Job, error) {
	before, err := s.getBy(ctx, tx, "job_id", ch.JobID, true)
	if err != nil {
		return nil, err
	}
	err = func(cur *job.Job) error {
		if len(ch.From) > 0 && !slices.Contains(ch.From, cur.Status) {
			return job.ErrConflict
		}
		if ch.Fence != nil && *ch.Fence != cur.Fence {
			return job.ErrStale
		}
		if ch.NoRefundInFlight {
			var n int
			if err := tx.GetContext(ctx, &n, s.q(`SELECT COUNT(*) FROM {refunds} WHERE job_id = ? AND status = 'pending' AND stripe_refund_id IS NULL`), cur.JobID); err != nil {
				return err
			}
			if n > 0 {
				return job.Errorf(job.EConflict, "a refund of this job is waiting for Stripe's answer; retry once it has settled")
			}
		}
		set := Set{}
		for k, v := range ch.Set {
			set[k] = v
		}
		if ch.Check != nil {
			if err := ch.Check(cur, set); err != nil {
				return err
			}
		}
		cols := make([]string, 0, len(set))
		for c := range set {
			if !writable[c] {
				return fmt.Errorf("apply: column %q is not writable", c)
			}
			cols = append(cols, c)
		}
		sort.Strings(cols)
		ch.Set = set
		return s.applyLocked(ctx, tx, cur, ch, cols)
	}(before)
	return before, err
}

func (s *DB) applyLocked(ctx context.Context, tx *sqlx.Tx, cur *job.Job, ch Change, cols []string) error {
	if err := checkMove(cur.Status, ch.To, ch.Override); err != nil {
		return err
	}
	now := s.Now()
	sets := []string{"updated_at = ?"}
	args := []any{now}
	if ch.Claim {
		sets = append(sets, "fence = fence + 1")
	}
	newStatus := cur.Status
	if ch.To != "" {
		sets = append(sets, "status = ?")
		args = append(args, string(ch.To))
		newStatus = ch.To
	}
	newPayment := cur.PaymentStatus
	for _, c := range cols {
		sets = append(sets, c+" = ?")
		v := dbValue(ch.Set[c])
		args = append(args, v)
		if c == "payment_status" {
			if ps, ok := ch.Set[c].(job.PaymentStatus); ok {
				newPayment = ps
			} else if str, ok := v.(string); ok {
				newPayment = job.PaymentStatus(str)
			}
		}
	}
	args = append(args, cur.ID, string(cur.Status), cur.Fence)
	res, err := tx.ExecContext(ctx, s.q("UPDATE {jobs} SET "+strings.Join(sets, ", ")+" WHERE id = ? AND status = ? AND fence = ?"), args...)
	if err != nil {
		return fmt.Errorf("update job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return job.ErrConflict
	}
	if ch.Claim {
		cur.Fence++
	}
	ev := ch.Event
	var from, to *job.Status
	if newStatus != cur.Status {
		f, t := cur.Status, newStatus
		from, to = &f, &t
	}
	if ev.Type != "" {
		if err := s.insertEvent(ctx, tx, cur.JobID, now, ev, from, to); err != nil {
			return err
		}
	}
	if newStatus == cur.Status && newPayment == cur.PaymentStatus {
		return nil
	}
	deltas := append(deltasFor(cur.Status, cur.PaymentStatus, cur.CreatedAt, -1), deltasFor(newStatus, newPayment, cur.CreatedAt, 1)...)
	return s.bumpCounts(ctx, tx, slotFor(cur.JobID), deltas)
}

// checkMove refuses a status move the lifecycle (or, for an admin
// override, the override table) does not allow. Staying put is no move.
func checkMove(from, to job.Status, override bool) error {
	if to == "" || to == from {
		return nil
	}
	if !to.Valid() {
		return fmt.Errorf("apply: unknown status %q", to)
	}
	if override && job.CanOverride(from, to) || !override && job.CanTransition(from, to) {
		return nil
	}
	return job.TransitionRefused(from, to, override)
}

// dbValue converts domain values into driver arguments.
func dbValue(v any) any {
	switch x := v.(type) {
	case job.Money:
		return x.Decimal()
	case *job.Money:
		return decimal(x)
	case job.Status:
		return string(x)
	case job.PaymentStatus:
		return string(x)
	case time.Time:
		return x.UTC()
	case *time.Time:
		return utc(x)
	case *string:
		if x == nil {
			return nil
		}
		return *x
	case *int:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}

func sortedKeys(set Set) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
