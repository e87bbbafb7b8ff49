package store

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// GetByDownloadDigest finds the job a download token belongs to: its
// current link, or a link being issued (staged until its email is
// accepted). staged says which.
func (s *DB) GetByDownloadDigest(ctx context.Context, digest string) (j *job.Job, staged bool, err error) {
	j, err = s.getBy(ctx, s.db, "download_token", digest, false)
	if errors.Is(err, job.ErrJobNotFound) {
		j, err = s.getBy(ctx, s.db, "next_download_token", digest, false)
		staged = err == nil
	}
	return j, staged, err
}

// StageToken asks to stage a new download link on a job.
type StageToken struct {
	JobID string
	// From is the status the job must be in; To, when set, the status
	// it moves to (an admin completing a failed job whose file exists).
	From, To job.Status
	// Expires is the new link's expiry, given the locked job.
	Expires func(*job.Job) time.Time
	// Digest is the digest of the token derived for seq.
	Digest func(seq int64) string
	// Check sees the locked job and may refuse.
	Check func(*job.Job) error
	Event EventInput
}

// Staged is a link staged on a job: its number, expiry and the job after.
type Staged struct {
	Seq       int64
	ExpiresAt time.Time
	Job       *job.Job
}

// StageToken records a new link beside the current one. Its number is
// the job's next fence, so no two links of a job are ever derived from
// the same number. The current link keeps working until PromoteToken.
func (s *DB) StageToken(ctx context.Context, rq StageToken) (*Staged, error) {
	var out *Staged
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := s.getBy(ctx, tx, "job_id", rq.JobID, true)
		if err != nil {
			return err
		}
		if cur.Status != rq.From {
			return job.ErrConflict
		}
		if err := rq.Check(cur); err != nil {
			return err
		}
		seq := cur.Fence + 1
		exp := rq.Expires(cur).UTC().Truncate(time.Second)
		set := Set{"next_download_token": rq.Digest(seq), "next_download_expires_at": exp, "next_token_seq": seq}
		ch := Change{JobID: rq.JobID, To: rq.To, Override: rq.To != "", Claim: true, Set: set, Event: rq.Event}
		if rq.To == job.StatusCompleted {
			set["completed_at"], set["last_error"] = s.Now(), nil
		}
		ch.Event.Data = withData(ch.Event.Data, "expires_at", exp.Format(time.RFC3339))
		if err := s.applyLocked(ctx, tx, cur, ch, sortedKeys(set)); err != nil {
			return err
		}
		after, err := s.getBy(ctx, tx, "job_id", rq.JobID, false)
		if err != nil {
			return err
		}
		out = &Staged{Seq: seq, ExpiresAt: exp, Job: after}
		return nil
	})
	return out, err
}

// PromoteToken makes the staged link seq the job's link; the one it
// replaces stops working.
func (s *DB) PromoteToken(ctx context.Context, jobID string, seq int64, emailSent bool, ev EventInput) error {
	_, err := s.Apply(ctx, Change{JobID: jobID,
		Check: func(cur *job.Job, set Set) error {
			if cur.NextTokenSeq == nil || *cur.NextTokenSeq != seq {
				return job.Errorf(job.EConflict, "another link was issued meanwhile; reload the job")
			}
			set["download_token"], set["token_seq"] = *cur.NextTokenDigest, seq
			set["download_expires_at"], set["due_at"] = *cur.NextExpiresAt, *cur.NextExpiresAt
			if emailSent {
				set["email_sent"] = true
			}
			return nil
		},
		Set: Set{"next_download_token": nil, "next_download_expires_at": nil, "next_token_seq": nil}, Event: ev})
	return err
}

// DropStagedToken withdraws the staged link seq (its email failed).
func (s *DB) DropStagedToken(ctx context.Context, jobID string, seq int64, ev EventInput) error {
	_, err := s.Apply(ctx, Change{JobID: jobID,
		Check: func(cur *job.Job, _ Set) error {
			if cur.NextTokenSeq == nil || *cur.NextTokenSeq != seq {
				return job.ErrStale
			}
			return nil
		},
		Set: Set{"next_download_token": nil, "next_download_expires_at": nil, "next_token_seq": nil}, Event: ev})
	return err
}

// MarkEmailSent records that the delivery email went out again.
func (s *DB) MarkEmailSent(ctx context.Context, jobID string, ev EventInput) error {
	_, err := s.Apply(ctx, Change{JobID: jobID, Set: Set{"email_sent": true}, Event: ev})
	return err
}

func withData(d map[string]any, k string, v any) map[string]any {
	if d == nil {
		d = map[string]any{}
	}
	d[k] = v
	return d
}
