package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where the figures were measured.
type Machine struct {
	CPUs       int
	CPUModel   string
	RAM        string
	MariaDB    string
	BufferPool string
	Go         string
	LoadAvg    string // the 1, 5 and 15 minute load averages when the run began
	LoadAvgEnd string // and when it ended
	Tree       string // git describe of the working tree, if it is one
	Tables     []TableSize
}

// TableSize is a table's rows and on-disk data and index sizes.
type TableSize struct {
	Name        string
	Data, Index int64
	IndexCount  int
}

func (b *Bench) machine(ctx context.Context) Machine {
	m := hostMachine(ctx)
	var pool int64
	if err := b.raw.QueryRowContext(ctx, "SELECT VERSION(), @@innodb_buffer_pool_size").Scan(&m.MariaDB, &pool); err == nil {
		m.BufferPool = fmt.Sprintf("%.0f MiB", float64(pool)/(1<<20))
	}
	rows, err := b.raw.QueryContext(ctx, `SELECT t.table_name, t.data_length, t.index_length,
		(SELECT COUNT(DISTINCT s.index_name) FROM information_schema.statistics s WHERE s.table_schema = t.table_schema AND s.table_name = t.table_name)
		FROM information_schema.tables t WHERE t.table_schema = ? AND t.table_name IN ('wp_smi_jobs', ?) ORDER BY t.table_name DESC`, b.cfg.DB, legacyTable)
	if err == nil {
		defer rows.Close()
		for rows.Next() {
			var t TableSize
			if rows.Scan(&t.Name, &t.Data, &t.Index, &t.IndexCount) == nil {
				m.Tables = append(m.Tables, t)
			}
		}
	}
	return m
}

// hostMachine is what the machine itself says: CPUs, RAM, load, Go and
// the git tree.
func hostMachine(ctx context.Context) Machine {
	m := Machine{CPUs: runtime.NumCPU(), CPUModel: "unknown", RAM: "unknown", Go: runtime.Version()}
	if body, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(body), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	m.LoadAvg = LoadAvg()
	m.Tree = describeTree(ctx)
	if body, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(body), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				m.RAM = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return m
}

// benchOutputs are the files the benchmarks themselves write. `make bench`
// runs three of them one after another, so the second and third find the
// first's figures in docs/benchmarks.md: a change there says nothing about
// the code being measured.
var benchOutputs = []string{"docs/benchmarks.md", "docs/bench-baseline.json"}

// describeTree is the commit the working tree is at (git describe
// --always), with "-dirty" when a tracked file other than the benchmarks'
// own outputs differs from it; "" outside a git tree.
func describeTree(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "describe", "--always").Output()
	if err != nil {
		return ""
	}
	tree := strings.TrimSpace(string(out))
	args := []string{"status", "--porcelain", "--untracked-files=no", "--", ":/"}
	for _, f := range benchOutputs {
		args = append(args, ":(top,exclude)"+f)
	}
	changed, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil || len(bytes.TrimSpace(changed)) > 0 {
		tree += "-dirty" // a tree we cannot read is not claimed clean
	}
	return tree
}

// LoadAvg is /proc/loadavg's 1, 5 and 15 minute figures: a busy machine
// makes every timing slower, so the doc says how busy it was.
func LoadAvg() string {
	body, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(body))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// Load1 is the 1-minute load average, 0 when unknown.
func Load1() float64 {
	f := strings.Fields(LoadAvg())
	if len(f) == 0 {
		return 0
	}
	x, _ := strconv.ParseFloat(f[0], 64)
	return x
}
