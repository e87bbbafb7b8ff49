package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// Installation is what the database says about this installation.
type Installation struct {
	// ID is random per installation (made by a migration): a staging copy
	// made from a fresh install, or a site restored next to its original,
	// gets keys of its own at Stripe.
	ID string
	// RefundKeysV2From is the first refund row whose Stripe idempotency
	// key carries ID; older rows keep the key they may have been sent with.
	RefundKeysV2From int64
}

// Installation reads this installation's facts, once per process.
func (s *DB) Installation(ctx context.Context) (Installation, error) {
	s.instMu.Lock()
	defer s.instMu.Unlock()
	if s.inst != nil {
		return *s.inst, nil
	}
	var in Installation
	if err := s.db.GetContext(ctx, &in.ID, s.q(`SELECT value FROM {meta} WHERE name = 'install_id'`)); err != nil {
		return in, fmt.Errorf("install id: %w", err)
	}
	var from string
	err := s.db.GetContext(ctx, &from, s.q(`SELECT value FROM {meta} WHERE name = 'refund_keys_v2_from'`))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("refund keys: %w", err)
	}
	in.RefundKeysV2From, _ = strconv.ParseInt(from, 10, 64)
	s.inst = &in
	return in, nil
}
