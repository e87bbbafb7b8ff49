package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/sellmyimages/smid/internal/job"
)

// BulkLoadConfig tunes BulkLoad.
type BulkLoadConfig struct {
	// Chunk is how many jobs go in one LOAD DATA (or INSERT) statement.
	Chunk int
	// Progress is called after each chunk with the jobs loaded so far.
	Progress func(done int)
	// Phase, when set, is told how long each step took: "generate"
	// (making and encoding rows, beside the loads), "load jobs", "load
	// events", "indexes <table>" and "counters".
	Phase func(name string, took time.Duration)
}

// BulkLoad writes every job next returns (until nil), each with one event
// saying how it arrived: the seeder's path. Into an empty table it loads
// the jobs and the events side by side on a connection each, with LOAD
// DATA LOCAL INFILE (multi-row INSERTs when the server refuses local
// files) while the next chunk is being made; each table drops the
// secondary indexes that take random keys before its load and builds them
// again in one sorted pass (one ALTER) right after it; the counters are
// written once at the end. A table that already holds rows gets batched
// InsertBulk calls instead, indexes untouched. The jobs must come in
// created_at order for ids to follow created_at.
func (s *DB) BulkLoad(ctx context.Context, next func() *job.Job, ev EventInput, cfg BulkLoadConfig) (int, error) {
	chunk := max(cfg.Chunk, 1000)
	phase := cfg.Phase
	if phase == nil {
		phase = func(string, time.Duration) {}
	}
	var nonEmpty int
	if err := s.db.GetContext(ctx, &nonEmpty, s.q("SELECT COUNT(*) FROM (SELECT 1 FROM {jobs} LIMIT 1) t")); err != nil {
		return 0, fmt.Errorf("bulk load: %w", err)
	}
	if nonEmpty > 0 {
		return s.insertBatches(ctx, next, ev, chunk, cfg.Progress)
	}
	local, err := s.localFilesAllowed(ctx)
	if err != nil {
		return 0, err
	}
	done, deltas, err := s.loadChunks(ctx, next, ev, chunk, local, cfg.Progress, phase)
	if err != nil {
		return done, err
	}
	start := time.Now()
	err = s.writeCounts(ctx, deltas)
	phase("counters", time.Since(start))
	return done, err
}

// keptDuringLoad are the indexes that grow at their right-hand end (or at
// one end per status) when jobs arrive in created_at order: keeping them
// through the load cost nothing measurable, while sorting them afterwards
// took 7 of the 17 seconds of the rebuild for a million jobs. The others
// (job_id, email, domain, post, attachment, amount, tokens, payment
// intent) take random keys and are dropped and rebuilt.
var keptDuringLoad = map[string]bool{"smi_created": true, "smi_status_created": true, "smi_payment_created": true,
	"smi_paid": true, "smi_completed": true, "smi_status_due": true, "smi_next_download_token": true}

// localFilesAllowed loads nothing with LOAD DATA LOCAL INFILE to learn
// whether the server takes local files, before any row is made.
func (s *DB) localFilesAllowed(ctx context.Context) (bool, error) {
	err := s.loadData(ctx, s.db, s.jobs, insertColumns, nil)
	if isMySQLErr(err, 1148, 3948, 4166) || (err != nil && strings.Contains(err.Error(), "local file")) {
		return false, nil
	}
	return err == nil, err
}

// secondaryIndexes reads a table's indexes other than the primary key and
// those kept during a load, and returns one ALTER that drops them all and
// one that adds them back as they were (names, uniqueness, columns, prefix
// lengths); both empty when there are none.
func (s *DB) secondaryIndexes(ctx context.Context, table string) (drop, add string, err error) {
	var rows []struct {
		Name     string `db:"INDEX_NAME"`
		NonUniq  int    `db:"NON_UNIQUE"`
		Column   string `db:"COLUMN_NAME"`
		SubPart  *int   `db:"SUB_PART"`
		Sequence int    `db:"SEQ_IN_INDEX"`
	}
	err = s.db.SelectContext(ctx, &rows, `SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, SEQ_IN_INDEX
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY'
		ORDER BY INDEX_NAME, SEQ_IN_INDEX`, table)
	var drops, adds []string
	for i := 0; i < len(rows); {
		name, unique := rows[i].Name, rows[i].NonUniq == 0
		if keptDuringLoad[name] {
			for i < len(rows) && rows[i].Name == name {
				i++ // past the kept index's columns
			}
			continue
		}
		var cols []string
		for ; i < len(rows) && rows[i].Name == name; i++ {
			c := "`" + rows[i].Column + "`"
			if rows[i].SubPart != nil {
				c += "(" + strconv.Itoa(*rows[i].SubPart) + ")"
			}
			cols = append(cols, c)
		}
		kind := "INDEX"
		if unique {
			kind = "UNIQUE INDEX"
		}
		drops = append(drops, "DROP INDEX `"+name+"`")
		adds = append(adds, "ADD "+kind+" `"+name+"` ("+strings.Join(cols, ", ")+")")
	}
	if err != nil || len(drops) == 0 {
		return "", "", err
	}
	return "ALTER TABLE " + table + " " + strings.Join(drops, ", "), "ALTER TABLE " + table + " " + strings.Join(adds, ", "), nil
}

// chunkText is one chunk of one table as LOAD DATA text, or, when the
// server takes no local files, the jobs themselves for INSERTs.
type chunkText struct {
	text  []byte
	batch []*job.Job
	n     int
}

// loadChunks makes and encodes chunks in one goroutine while the jobs and
// the events load on a connection each, and sums the counter deltas as it
// goes. Each loader hands its spent buffers back, so at most three chunks
// of each table are in memory at a time.
func (s *DB) loadChunks(ctx context.Context, next func() *job.Job, ev EventInput, chunk int, local bool, progress func(int), phase func(string, time.Duration)) (int, map[[3]string]int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobsQ, eventsQ := make(chan *chunkText, 1), make(chan *chunkText, 1)
	jobsFree, eventsFree := make(chan []byte, 3), make(chan []byte, 3)
	deltas := map[[3]string]int64{}
	go func() {
		defer close(jobsQ)
		defer close(eventsQ)
		var busy time.Duration
		defer func() { phase("generate", busy) }()
		for ctx.Err() == nil {
			start := time.Now()
			jc, ec := &chunkText{text: reuse(jobsFree)}, &chunkText{text: reuse(eventsFree)}
			for jc.n < chunk {
				j := next()
				if j == nil {
					break
				}
				fillDefaults(j)
				jc.n++
				if local {
					jc.text = appendRow(jc.text, insertArgs(j))
					ec.text = appendRow(ec.text, []any{j.JobID, j.CreatedAt.UTC(), string(ev.Actor), ev.Type, string(j.Status), ev.Message})
				} else {
					jc.batch = append(jc.batch, j)
				}
				for _, d := range deltasFor(j.Status, j.PaymentStatus, j.CreatedAt, 1) {
					deltas[[3]string{d.dim, d.value}] += d.n
				}
			}
			busy += time.Since(start)
			if jc.n == 0 {
				return
			}
			if !send(ctx, jobsQ, jc) || (local && !send(ctx, eventsQ, ec)) {
				return // without local files the INSERTs write both
			}
		}
	}()
	var done int
	errs := make(chan error, 2)
	go func() {
		errs <- s.loadTable(ctx, s.jobs, insertColumns, jobsQ, jobsFree, func(c *chunkText) error {
			if c.batch != nil {
				if err := s.insertRows(ctx, c.batch, ev); err != nil {
					return err
				}
			}
			done += c.n
			if progress != nil {
				progress(done)
			}
			return nil
		}, phase)
	}()
	go func() {
		errs <- s.loadTable(ctx, s.events, "job_id, created_at, actor, type, to_status, message", eventsQ, eventsFree, nil, phase)
	}()
	var err error
	for range 2 {
		if e := <-errs; e != nil && err == nil {
			err = e
			cancel() // the other loader and the generator stop too
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return done, deltas, err
}

func send(ctx context.Context, q chan<- *chunkText, c *chunkText) bool {
	select {
	case q <- c:
		return true
	case <-ctx.Done():
		return false
	}
}

// reuse takes a spent buffer back if one is free.
func reuse(free <-chan []byte) []byte {
	select {
	case b := <-free:
		return b[:0]
	default:
		return nil
	}
}

// loadTable loads every chunk of one table on a connection of its own,
// in one transaction with unique and foreign key checks off: into an
// empty table InnoDB then writes no undo log row by row. after, when set,
// is called once each chunk is in.
func (s *DB) loadTable(ctx context.Context, table, cols string, in <-chan *chunkText, free chan<- []byte, after func(*chunkText) error, phase func(string, time.Duration)) (err error) {
	start := time.Now()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk load %s: %w", table, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET SESSION unique_checks = 0, foreign_key_checks = 0"); err != nil {
		return fmt.Errorf("bulk load %s: %w", table, err)
	}
	drop, add, err := s.secondaryIndexes(ctx, table)
	if err != nil {
		return err
	}
	if drop != "" {
		if _, err := conn.ExecContext(ctx, drop); err != nil {
			return fmt.Errorf("bulk load %s: drop indexes: %w", table, err)
		}
		// The indexes come back however the load ends, even cancelled.
		defer func() {
			start := time.Now()
			if _, rerr := s.db.ExecContext(context.WithoutCancel(ctx), add); rerr != nil { // this connection may have died with the load
				err = errors.Join(err, fmt.Errorf("bulk load: rebuild indexes (run by hand: %s): %w", add, rerr))
				return
			}
			phase("indexes "+table, time.Since(start))
		}()
	}
	for c := range in {
		if c.batch == nil {
			if err := s.loadData(ctx, conn, table, cols, c.text); err != nil {
				return err
			}
			select {
			case free <- c.text:
			default:
			}
		}
		if after != nil {
			if err := after(c); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	loaded := time.Now()
	phase("load "+table, loaded.Sub(start))
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

var readerSeq atomic.Int64

// loadData streams rows of LOAD DATA text into a table with LOAD DATA
// LOCAL INFILE.
func (s *DB) loadData(ctx context.Context, ex execer, table, cols string, text []byte) error {
	name := fmt.Sprintf("smid-bulk-%d", readerSeq.Add(1))
	mysql.RegisterReaderHandler(name, func() io.Reader { return bytes.NewReader(text) })
	defer mysql.DeregisterReaderHandler(name)
	_, err := ex.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+name+"' INTO TABLE "+table+
		" CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ("+cols+")")
	if err != nil {
		return fmt.Errorf("bulk load %s: %w", table, err)
	}
	return nil
}

// insertRows is loadData's fallback: multi-row INSERTs of 1,000 rows.
func (s *DB) insertRows(ctx context.Context, jobs []*job.Job, ev EventInput) error {
	row := "(" + placeholders(insertColumnCount) + ")"
	for start := 0; start < len(jobs); start += 1000 {
		part := jobs[start:min(start+1000, len(jobs))]
		var b, eb strings.Builder
		b.WriteString("INSERT INTO {jobs} (" + insertColumns + ") VALUES ")
		eb.WriteString("INSERT INTO {events} (job_id, created_at, actor, type, to_status, message) VALUES ")
		args := make([]any, 0, len(part)*insertColumnCount)
		var eargs []any
		for i, j := range part {
			if i > 0 {
				b.WriteString(", ")
				eb.WriteString(", ")
			}
			b.WriteString(row)
			eb.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, insertArgs(j)...)
			eargs = append(eargs, j.JobID, j.CreatedAt.UTC(), string(ev.Actor), ev.Type, string(j.Status), ev.Message)
		}
		if _, err := s.db.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return fmt.Errorf("bulk insert jobs: %w", err)
		}
		if _, err := s.db.ExecContext(ctx, s.q(eb.String()), eargs...); err != nil {
			return fmt.Errorf("bulk insert events: %w", err)
		}
	}
	return nil
}

// insertBatches is the path into a table that already holds rows.
func (s *DB) insertBatches(ctx context.Context, next func() *job.Job, ev EventInput, chunk int, progress func(int)) (int, error) {
	done := 0
	for {
		batch := make([]*job.Job, 0, min(chunk, 5000))
		for len(batch) < cap(batch) {
			j := next()
			if j == nil {
				break
			}
			batch = append(batch, j)
		}
		if len(batch) == 0 {
			return done, nil
		}
		if err := s.InsertBulk(ctx, batch, ev); err != nil {
			return done, err
		}
		done += len(batch)
		if progress != nil {
			progress(done)
		}
	}
}

// writeCounts sets the counters from the loaded jobs' deltas, once. The
// table was empty, so the counters start from nothing.
func (s *DB) writeCounts(ctx context.Context, deltas map[[3]string]int64) error {
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM {counts}")); err != nil {
		return fmt.Errorf("bulk load counters: %w", err)
	}
	var b strings.Builder
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := s.db.ExecContext(ctx, s.q("INSERT INTO {counts} (dim, value, slot, n) VALUES "+b.String()+" ON DUPLICATE KEY UPDATE n = n + VALUES(n)"), args...)
		b.Reset()
		args = args[:0]
		if err != nil {
			return fmt.Errorf("bulk load counters: %w", err)
		}
		return nil
	}
	for k, n := range deltas {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, 0, ?)")
		args = append(args, k[0], k[1], n)
		if len(args) >= 3000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// fillDefaults fills what a new job leaves empty but its row needs.
func fillDefaults(j *job.Job) {
	if j.UpdatedAt.IsZero() {
		j.UpdatedAt = j.CreatedAt
	}
	if j.Currency == "" {
		j.Currency = "usd"
	}
	if j.SourceType == "" {
		j.SourceType = "attachment"
	}
}
