// Package deploy holds what runs smid in production (the systemd unit,
// the container files' companions, Prometheus rules, a Grafana dashboard);
// these tests check each with its own tool or parser.
package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/config"
)

// tool finds a checker on PATH or in sbin; make test installs them
// (scripts/deps.sh).
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/usr/bin", filepath.Join(os.Getenv("HOME"), "go", "bin")} {
		if p := filepath.Join(d, name); fileExists(p) {
			return p
		}
	}
	t.Fatalf("%s is not installed: run scripts/deps.sh (make test does)", name)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// verifyUnit runs systemd-analyze verify on unit text, with ExecStart
// pointing at an executable that exists (the test binary stands in).
func verifyUnit(t *testing.T, unit string) (string, error) {
	t.Helper()
	self, _ := os.Executable()
	dir := t.TempDir()
	path := filepath.Join(dir, "smid.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/smid", self)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool(t, "systemd-analyze"), "verify", path).CombinedOutput()
	return string(out), err
}

func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("smid.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(raw)
	if out, err := verifyUnit(t, unit); err != nil || out != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The check can fail: a misspelt value is reported.
	if out, _ := verifyUnit(t, strings.Replace(unit, "ProtectSystem=strict", "ProtectSystem=strcit", 1)); !strings.Contains(out, "strcit") {
		t.Fatalf("a broken unit passed verify: %q", out)
	}
	for _, want := range []string{"User=smid", "EnvironmentFile=/etc/smid/smid.env", "ProtectSystem=strict",
		"ReadWritePaths=/var/lib/smid", "Restart=on-failure", "NoNewPrivileges=true"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).MatchString(unit) {
			t.Errorf("unit lacks %s", want)
		}
	}
	// The default storage directory is inside what the unit may write.
	cfg, err := config.Load("", []string{"SMI_API_SECRET=" + strings.Repeat("x", 32), "SMI_DATABASE_DSN=u@tcp(127.0.0.1:3306)/wp"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cfg.Storage.Dir, "/var/lib/smid/") {
		t.Errorf("storage.dir default %s is outside ReadWritePaths=/var/lib/smid", cfg.Storage.Dir)
	}
	// systemd's own exposure score, 0 (locked down) to 10: keep it low.
	self, _ := os.Executable()
	path := filepath.Join(t.TempDir(), "smid.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/smid", self)), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(tool(t, "systemd-analyze"), "security", "--offline=true", path).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for smid.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure score in:\n%s", out)
	}
	if score, _ := strconv.ParseFloat(string(m[1]), 64); score > 2.0 {
		t.Errorf("exposure %.1f; want at most 2.0 (OK)", score)
	}
}
