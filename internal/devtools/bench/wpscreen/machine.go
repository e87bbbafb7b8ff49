package wpscreen

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sellmyimages/smid/internal/devtools/bench"
)

// Machine describes where the figures were measured.
type Machine struct {
	CPUs                int
	CPUModel, RAM       string
	MariaDB, BufferPool string
	PHP, WordPress      string
	PHPWorkers          string // PHP_CLI_SERVER_WORKERS of serve.sh
	Opcache             bool
	Go                  string
	LoadAvg, LoadAvgEnd string // 1, 5 and 15 minute load averages at the start and the end
	Tree                string // the code's commit (bench.HostMachine)
}

// fill takes the hardware, Go and the code's commit from what the other
// benchmarks read (bench.HostMachine), the server's version from the
// database; PHP's and WordPress's come from the screens' probe.
func (m *Machine) fill(ctx context.Context, db *sql.DB) {
	h := bench.HostMachine(ctx)
	m.CPUs, m.CPUModel, m.RAM, m.Go, m.Tree = h.CPUs, h.CPUModel, h.RAM, h.Go, h.Tree
	var pool int64
	if db.QueryRowContext(ctx, "SELECT VERSION(), @@innodb_buffer_pool_size").Scan(&m.MariaDB, &pool) == nil {
		m.BufferPool = fmt.Sprintf("%.0f MiB", float64(pool)/(1<<20))
	}
}
