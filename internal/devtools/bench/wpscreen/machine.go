package wpscreen

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
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
}

// fill reads the hardware from /proc, the server's version from the
// database; PHP's and WordPress's come from the screens' probe.
func (m *Machine) fill(ctx context.Context, db *sql.DB) {
	m.CPUs, m.CPUModel, m.RAM, m.Go = runtime.NumCPU(), "unknown", "unknown", runtime.Version()
	if body, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(body), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if body, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(body), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				m.RAM = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	var pool int64
	if db.QueryRowContext(ctx, "SELECT VERSION(), @@innodb_buffer_pool_size").Scan(&m.MariaDB, &pool) == nil {
		m.BufferPool = fmt.Sprintf("%.0f MiB", float64(pool)/(1<<20))
	}
}
