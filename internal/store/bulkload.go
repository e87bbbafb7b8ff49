package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
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
}

// BulkLoad writes every job next returns (until nil), each with one event
// saying how it arrived: the seeder's path. Into an empty table it drops
// the secondary indexes of the jobs and events tables, streams the rows in
// id order with LOAD DATA LOCAL INFILE (multi-row INSERTs when the server
// refuses local files), builds each table's indexes again in one sorted
// pass, and writes the counters once at the end. A table that already
// holds rows gets batched InsertBulk calls instead, indexes untouched.
// The jobs must come in created_at order for ids to follow created_at.
func (s *DB) BulkLoad(ctx context.Context, next func() *job.Job, ev EventInput, cfg BulkLoadConfig) (int, error) {
	chunk := max(cfg.Chunk, 1000)
	var nonEmpty int
	if err := s.db.GetContext(ctx, &nonEmpty, s.q("SELECT COUNT(*) FROM (SELECT 1 FROM {jobs} LIMIT 1) t")); err != nil {
		return 0, fmt.Errorf("bulk load: %w", err)
	}
	if nonEmpty > 0 {
		return s.insertBatches(ctx, next, ev, chunk, cfg.Progress)
	}
	var restore []string
	for _, table := range []string{s.jobs, s.events} {
		drop, add, err := s.secondaryIndexes(ctx, table)
		if err != nil {
			return 0, err
		}
		if drop == "" {
			continue
		}
		if _, err := s.db.ExecContext(ctx, drop); err != nil {
			return 0, fmt.Errorf("bulk load: drop indexes: %w", err)
		}
		restore = append(restore, add)
	}
	// The indexes come back however the load ends, even cancelled.
	rebuild := func() error {
		errs := make(chan error, len(restore))
		for _, ddl := range restore { // one table each, side by side
			go func() {
				if _, err := s.db.ExecContext(context.WithoutCancel(ctx), ddl); err != nil {
					errs <- fmt.Errorf("bulk load: rebuild indexes (run by hand: %s): %w", ddl, err)
					return
				}
				errs <- nil
			}()
		}
		var first error
		for range restore {
			if err := <-errs; err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	done, deltas, err := s.loadChunks(ctx, next, ev, chunk, cfg.Progress)
	if rerr := rebuild(); err == nil {
		err = rerr
	}
	if err != nil {
		return done, err
	}
	return done, s.writeCounts(ctx, deltas)
}

// secondaryIndexes reads a table's indexes other than the primary key and
// returns one ALTER that drops them all and one that adds them back as
// they were (names, uniqueness, columns, prefix lengths).
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
	if err != nil || len(rows) == 0 {
		return "", "", err
	}
	var drops, adds []string
	for i := 0; i < len(rows); {
		name, unique := rows[i].Name, rows[i].NonUniq == 0
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
	return "ALTER TABLE " + table + " " + strings.Join(drops, ", "), "ALTER TABLE " + table + " " + strings.Join(adds, ", "), nil
}

// encoded is one chunk of jobs as LOAD DATA text, with its events.
type encoded struct {
	jobs, events bytes.Buffer
	batch        []*job.Job
}

// loadChunks encodes chunks in one goroutine while the database loads the
// previous one, and sums the counter deltas as it goes.
func (s *DB) loadChunks(ctx context.Context, next func() *job.Job, ev EventInput, chunk int, progress func(int)) (int, map[[3]string]int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan *encoded, 2)
	deltas := map[[3]string]int64{}
	go func() {
		defer close(out)
		for ctx.Err() == nil {
			e := &encoded{}
			for len(e.batch) < chunk {
				j := next()
				if j == nil {
					break
				}
				fillDefaults(j)
				e.batch = append(e.batch, j)
				encodeRow(&e.jobs, insertArgs(j))
				encodeRow(&e.events, []any{j.JobID, j.CreatedAt.UTC(), string(ev.Actor), ev.Type, string(j.Status), ev.Message})
				for _, d := range deltasFor(j.Status, j.PaymentStatus, j.CreatedAt, 1) {
					deltas[[3]string{d.dim, d.value}] += d.n
				}
			}
			if len(e.batch) == 0 {
				return
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	// The events load on a second connection, beside the next jobs chunk.
	evq := make(chan *bytes.Buffer, 2)
	evErr := make(chan error, 1)
	go func() {
		var err error
		for buf := range evq {
			if err == nil {
				if err = s.loadData(ctx, s.events, "job_id, created_at, actor, type, to_status, message", buf); err != nil {
					cancel()
				}
			}
		}
		evErr <- err
	}()
	done, err := s.loadJobs(ctx, out, evq, ev, progress)
	close(evq)
	if eerr := <-evErr; err == nil {
		err = eerr
	}
	if err == nil {
		err = ctx.Err()
	}
	return done, deltas, err
}

// loadJobs loads each chunk's jobs and hands its events to evq; if the
// server refuses local files it inserts both with multi-row INSERTs.
func (s *DB) loadJobs(ctx context.Context, out <-chan *encoded, evq chan<- *bytes.Buffer, ev EventInput, progress func(int)) (int, error) {
	done := 0
	useInsert := false
	for e := range out {
		if !useInsert {
			err := s.loadData(ctx, s.jobs, insertColumns, &e.jobs)
			if isMySQLErr(err, 1148, 3948, 4166) || (err != nil && strings.Contains(err.Error(), "local file")) {
				useInsert = true // the server refuses local files
			} else if err != nil {
				return done, err
			} else {
				evq <- &e.events
			}
		}
		if useInsert {
			if err := s.insertRows(ctx, e.batch, ev); err != nil {
				return done, err
			}
		}
		done += len(e.batch)
		if progress != nil {
			progress(done)
		}
	}
	return done, nil
}

var readerSeq atomic.Int64

// loadData streams one buffer of rows into a table with LOAD DATA LOCAL
// INFILE.
func (s *DB) loadData(ctx context.Context, table, cols string, buf *bytes.Buffer) error {
	name := fmt.Sprintf("smid-bulk-%d", readerSeq.Add(1))
	mysql.RegisterReaderHandler(name, func() io.Reader { return buf })
	defer mysql.DeregisterReaderHandler(name)
	_, err := s.db.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+name+"' INTO TABLE "+table+
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

// encodeRow appends one row of LOAD DATA text: tab-separated, \N for
// NULL, backslash escapes.
func encodeRow(b *bytes.Buffer, vals []any) {
	for i, v := range vals {
		if i > 0 {
			b.WriteByte('\t')
		}
		encodeValue(b, v)
	}
	b.WriteByte('\n')
}

func encodeValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString(`\N`)
	case string:
		escapeText(b, x)
	case *string:
		if x == nil {
			b.WriteString(`\N`)
		} else {
			escapeText(b, *x)
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case *int64:
		if x == nil {
			b.WriteString(`\N`)
		} else {
			b.WriteString(strconv.FormatInt(*x, 10))
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case *int:
		if x == nil {
			b.WriteString(`\N`)
		} else {
			b.WriteString(strconv.Itoa(*x))
		}
	case bool:
		if x {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	case time.Time:
		b.WriteString(x.UTC().Format("2006-01-02 15:04:05.999999"))
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				b.WriteString(`\N`)
			} else {
				encodeValue(b, rv.Elem().Interface())
			}
			return
		}
		escapeText(b, fmt.Sprint(x))
	}
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

func escapeText(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
}
