package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ErrDuplicateEvent is returned by WithStripeEvent for an event id
// already applied.
var ErrDuplicateEvent = errors.New("stripe event already applied")

// WithStripeEvent applies a Stripe event exactly once: it records the
// event id and runs fn in one transaction, so the record exists if and
// only if fn's effect does. Store calls fn makes with the context it is
// given join that transaction. A repeat of an applied event returns
// ErrDuplicateEvent without running fn; a concurrent delivery of the same
// event waits for the first and then finds it applied. If fn fails,
// nothing of it, and no record, remains: Stripe's retry runs it again.
func (s *DB) WithStripeEvent(ctx context.Context, eventID, typ, jobID string, fn func(ctx context.Context) error) error {
	var jid any
	if jobID != "" {
		jid = jobID
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT IGNORE INTO {stripe_events} (event_id, type, job_id, received_at) VALUES (?, ?, ?, ?)`),
			eventID, typ, jid, s.Now())
		if err != nil {
			return fmt.Errorf("record stripe event: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrDuplicateEvent
		}
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}
