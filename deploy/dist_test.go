//go:build deploylint

package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// make lint-deploy runs this after make dist (two full cross-compiles are
// too slow for every make test): SMI_DIST_DIR and SMI_DIST_VERSION name
// what it built.
// Release binaries are static, for the right machine, carry their version
// and match their checksums.
func TestDist(t *testing.T) {
	dir, version := os.Getenv("SMI_DIST_DIR"), os.Getenv("SMI_DIST_VERSION")
	if dir == "" || version == "" {
		t.Fatal("run through make lint-deploy, which builds dist/ first")
	}
	for arch, machine := range map[string]string{"amd64": "x86-64", "arm64": "aarch64"} {
		bin := filepath.Join(dir, "smid-"+version+"-linux-"+arch)
		if info := elfInfo(t, bin); info.machine != machine || !info.static {
			t.Errorf("%s: %+v; want a static %s binary", bin, info, machine)
		}
	}
	sum := exec.Command("sha256sum", "-c", "SHA256SUMS")
	sum.Dir = dir
	if out, err := sum.CombinedOutput(); err != nil || bytes.Count(out, []byte(": OK")) != 2 {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(dir, "smid-"+version+"-linux-amd64"), "version").Output()
	if err != nil || string(out) != "smid "+version+"\n" {
		t.Errorf("version: %q %v", out, err)
	}
}
