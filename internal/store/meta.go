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
	// ID is random per installation (made by a migration): a staging site
	// installed fresh gets keys of its own at Stripe. A copy of the
	// database (a dump, a restore) carries the same ID, which is why keys
	// from RefundKeysV3From on also carry the job id.
	ID string
	// RefundKeysV2From is the first refund row whose Stripe idempotency
	// key carries ID; older rows keep the key they may have been sent with.
	RefundKeysV2From int64
	// RefundKeysV3From is the first refund row whose key also carries its
	// job id (0: none yet, before migration 0016).
	RefundKeysV3From int64
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
	for name, to := range map[string]*int64{"refund_keys_v2_from": &in.RefundKeysV2From, "refund_keys_v3_from": &in.RefundKeysV3From} {
		var from string
		err := s.db.GetContext(ctx, &from, s.q(`SELECT value FROM {meta} WHERE name = ?`), name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return in, fmt.Errorf("refund keys: %w", err)
		}
		*to, _ = strconv.ParseInt(from, 10, 64)
	}
	s.inst = &in
	return in, nil
}
