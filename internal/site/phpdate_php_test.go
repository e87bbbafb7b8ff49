package site

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestParsePHPDateMatchesPHP formats the same instants with PHP's own
// date() and with ParsePHPDate, in several zones, and wants the same text.
// PHP is installed with WordPress by scripts/deps.sh.
func TestParsePHPDateMatchesPHP(t *testing.T) {
	t.Parallel()
	php, err := exec.LookPath("php")
	if err != nil {
		t.Fatal("php is not installed: run scripts/deps.sh (make test does)")
	}
	formats := []string{"F j, Y", "Y-m-d", "m/d/Y", "d/m/Y", "g:i a", "g:i A", "H:i", "jS F Y", "l, F jS, Y",
		"D, d M y", "N w z t L", "W o", "n G h s", "e T I", "O P Z", "c", "r", "U", "B",
		`\T\o\d\a\y \i\s l`, `j \d\e F \d\e Y`, "Y年n月j日", `\Y\-\m 2006 Jan`, `H\h\ i`}
	zones := []string{"America/New_York", "Asia/Kolkata", "Europe/Berlin", "UTC", "Australia/Lord_Howe"}
	instants := []int64{1796445007, 1719839100, 1798761599, 1709208000, 0}
	in, _ := json.Marshal(map[string]any{"formats": formats, "zones": zones, "instants": instants})
	cmd := exec.Command(php, "-r", `$in = json_decode(file_get_contents('php://stdin'), true); $out = [];
		foreach ($in['zones'] as $z) { date_default_timezone_set($z);
			foreach ($in['instants'] as $i) { foreach ($in['formats'] as $f) { $out[] = date($f, $i); } } }
		echo json_encode($out, JSON_UNESCAPED_UNICODE);`)
	cmd.Stdin = strings.NewReader(string(in))
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("php: %v", err)
	}
	var want []string
	if err := json.Unmarshal(raw, &want); err != nil || len(want) != len(zones)*len(instants)*len(formats) {
		t.Fatalf("php said %q: %v", raw, err)
	}
	k := 0
	for _, z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range instants {
			at := time.Unix(i, 0).In(loc)
			for _, f := range formats {
				if got := ParsePHPDate(f).Format(at); got != want[k] {
					t.Errorf("%s at %s: Go %q, PHP %q", strings.ReplaceAll(f, "\\", `\\`), at, got, want[k])
				}
				k++
			}
		}
	}
}
