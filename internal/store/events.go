package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/sellmyimages/smid/internal/job"
)

// EventInput is what a caller says about a change; the store stamps time
// and statuses.
type EventInput struct {
	Actor   job.Actor
	Type    string
	Message string
	Data    map[string]any
}

func (s *DB) insertEvent(ctx context.Context, tx *sqlx.Tx, jobID string, at time.Time, ev EventInput, from, to *job.Status) error {
	return s.insertEvents(ctx, tx, []eventRow{{jobID: jobID, at: at, ev: ev, from: from, to: to}})
}

// eventRow is one timeline event to insert.
type eventRow struct {
	jobID    string
	at       time.Time
	ev       EventInput
	from, to *job.Status
}

// insertEvents inserts events with one statement.
func (s *DB) insertEvents(ctx context.Context, tx *sqlx.Tx, rows []eventRow) error {
	if len(rows) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO {events} (job_id, created_at, actor, type, from_status, to_status, message, data) VALUES `)
	args := make([]any, 0, 8*len(rows))
	for i, r := range rows {
		var data any
		if len(r.ev.Data) > 0 {
			b, err := json.Marshal(r.ev.Data)
			if err != nil {
				return fmt.Errorf("event data: %w", err)
			}
			data = string(b)
		}
		actor := r.ev.Actor
		if actor == "" {
			actor = job.ActorSystem
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, r.jobID, r.at, string(actor), r.ev.Type, statusArg(r.from), statusArg(r.to), r.ev.Message, data)
	}
	if _, err := tx.ExecContext(ctx, s.q(q.String()), args...); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

func statusArg(s *job.Status) any {
	if s == nil {
		return nil
	}
	return string(*s)
}

// AddEvent records an event that changes nothing on the job (a download, a
// failed attempt worth showing).
func (s *DB) AddEvent(ctx context.Context, jobID string, ev EventInput) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.insertEvent(ctx, tx, jobID, s.Now(), ev, nil, nil)
	})
}

// AddEventOnce records ev on the job's timeline unless an event of its
// type is there already: for what anyone can make happen again and again
// (a forged callback), so the timeline cannot be grown without end.
// Concurrent calls may each record one.
func (s *DB) AddEventOnce(ctx context.Context, jobID string, ev EventInput) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var seen int
		if err := tx.GetContext(ctx, &seen, s.q(`SELECT COUNT(*) FROM {events} WHERE job_id = ? AND type = ?`), jobID, ev.Type); err != nil {
			return fmt.Errorf("look for event %s: %w", ev.Type, err)
		}
		if seen > 0 {
			return nil
		}
		return s.insertEvent(ctx, tx, jobID, s.Now(), ev, nil, nil)
	})
}

// Events returns a job's timeline, oldest first.
func (s *DB) Events(ctx context.Context, jobID string) ([]job.Event, error) {
	type row struct {
		ID    int64     `db:"id"`
		JobID string    `db:"job_id"`
		At    time.Time `db:"created_at"`
		Actor string    `db:"actor"`
		Type  string    `db:"type"`
		From  *string   `db:"from_status"`
		To    *string   `db:"to_status"`
		Msg   string    `db:"message"`
		Data  *string   `db:"data"`
	}
	var rows []row
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT id, job_id, created_at, actor, type, from_status, to_status, message, data
		FROM {events} WHERE job_id = ? ORDER BY id`), jobID); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	out := make([]job.Event, 0, len(rows))
	for _, r := range rows {
		e := job.Event{ID: r.ID, JobID: r.JobID, At: r.At.UTC(), Actor: job.Actor(r.Actor), Type: r.Type, Message: r.Msg}
		if r.From != nil {
			st := job.Status(*r.From)
			e.FromStatus = &st
		}
		if r.To != nil {
			st := job.Status(*r.To)
			e.ToStatus = &st
		}
		if r.Data != nil {
			_ = json.Unmarshal([]byte(*r.Data), &e.Data)
		}
		out = append(out, e)
	}
	return out, nil
}
