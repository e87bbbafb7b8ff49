package wpscreen

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// Params are the values the cases filter and search for, read from the
// data the way internal/devtools/bench picks them (the job in the middle of the
// table), so both benchmarks ask for the same things.
type Params struct {
	Rows      int
	Status    string
	Email     string // a customer's whole address
	JobPrefix string // the first 8 characters of a job's UUID
	Deep      int    // the deep page of the status view
}

func (r *runner) params(ctx context.Context) (*Params, error) {
	p := &Params{Status: "completed", Deep: 5000}
	if err := r.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM wp_smi_jobs").Scan(&p.Rows); err != nil {
		return nil, err
	}
	var jobID string
	err := r.db.QueryRowContext(ctx, "SELECT email, job_id FROM wp_smi_jobs WHERE id >= (SELECT (MIN(id) + MAX(id)) DIV 2 FROM wp_smi_jobs) ORDER BY id LIMIT 1").Scan(&p.Email, &jobID)
	if err != nil {
		return nil, fmt.Errorf("wpscreen: pick a job: %w", err)
	}
	p.JobPrefix = jobID[:8]
	var n int
	if err := r.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM wp_smi_jobs WHERE status = ?", p.Status).Scan(&n); err != nil {
		return nil, err
	}
	if n < p.Deep*PerPage {
		return nil, fmt.Errorf("wpscreen: only %d %s jobs: page %d of %d would be empty", n, p.Status, p.Deep, PerPage)
	}
	return p, nil
}

// Case is one view of the Jobs screen: its query on the plugin's screen,
// on the original plugin's page, and the daemon requests the plugin's
// screen makes for it.
type Case struct {
	Name string
	// Smid and Legacy are the query strings after admin.php?.
	Smid, Legacy url.Values
	// Jobs is the plugin's GET /v1/jobs query (GET /v1/stats?only=counts
	// goes with it).
	Jobs url.Values
}

func cases(p *Params) []Case {
	smid := func(kv ...string) url.Values { return values(append([]string{"page", "smi-jobs"}, kv...)) }
	legacy := func(kv ...string) url.Values {
		return values(append([]string{"page", "smi-legacy-jobs", "per_page", strconv.Itoa(PerPage)}, kv...))
	}
	// What SMI_Jobs_List_Table::prepare_items sends.
	jobs := func(page int, kv ...string) url.Values {
		return values(append(kv, "orderby", "created_at", "order", "desc", "per_page", strconv.Itoa(PerPage), "page", strconv.Itoa(page)))
	}
	deep := strconv.Itoa(p.Deep)
	return []Case{
		{Name: "first page",
			Smid: smid(), Legacy: legacy(), Jobs: jobs(1)},
		{Name: "status view (" + p.Status + ")",
			Smid: smid("status", p.Status), Legacy: legacy("status", p.Status), Jobs: jobs(1, "status", p.Status)},
		{Name: fmt.Sprintf("page %s of the %s view", deep, p.Status),
			Smid: smid("status", p.Status, "paged", deep), Legacy: legacy("status", p.Status, "paged", deep), Jobs: jobs(p.Deep, "status", p.Status)},
		{Name: "search: an exact email",
			Smid: smid("s", p.Email), Legacy: legacy("search", p.Email), Jobs: jobs(1, "q", p.Email)},
		{Name: "search: job-id prefix (8 chars)",
			Smid: smid("s", p.JobPrefix), Legacy: legacy("search", p.JobPrefix), Jobs: jobs(1, "q", p.JobPrefix)},
	}
}

func values(kv []string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
