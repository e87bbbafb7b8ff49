package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/e2e"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// oldPluginToken makes a token as the original plugin did,
// wp_generate_password(64, false, false): letters and digits.
func oldPluginToken(t *testing.T) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 64)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// TestOriginalPluginLinksKeepWorking upgrades a site that ran the original
// PHP plugin: its table with a sold, delivered image (a plaintext token
// and the absolute path of a real PNG in the site's uploads), then `smid
// migrate` and `smid serve`, and the links it emailed are downloaded
// through WordPress, under both of their addresses.
func TestOriginalPluginLinksKeepWorking(t *testing.T) {
	token := oldPluginToken(t)
	jobID := "6f1c2e0a-9b8d-4c6e-8f4a-3b2c1d0e9f8a"
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(0, 0, color.RGBA{R: 1, A: 255})
	var pngBytes bytes.Buffer
	if err := png.Encode(&pngBytes, img); err != nil {
		t.Fatal(err)
	}
	want := pngBytes.Bytes()
	var filePath string

	st, _ := startStack(t, func(c *e2e.Config) {
		c.SeedJobs = 0
		c.BeforeMigrate = func(ctx context.Context, s *e2e.Stack) error {
			// Where the original plugin put its files: WordPress's own
			// uploads base directory, as PHP reports it.
			out, err := exec.CommandContext(ctx, "php", "-r", `$_SERVER['HTTP_HOST'] = $_SERVER['SERVER_NAME'] = '127.0.0.1'; $_SERVER['REQUEST_URI'] = '/';`+
				` require $argv[1] . '/wp-load.php'; echo wp_upload_dir()['basedir'];`, "--", s.SiteDir).Output()
			if err != nil {
				return fmt.Errorf("wp_upload_dir: %w", err)
			}
			dir := filepath.Join(strings.TrimSpace(string(out)), "sell-my-images")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			filePath = filepath.Join(dir, "smi_"+jobID+"_1770000000.png")
			if err := os.WriteFile(filePath, want, 0o644); err != nil {
				return err
			}
			db, err := s.OpenDB()
			if err != nil {
				return err
			}
			defer db.Close()
			if _, err := db.ExecContext(ctx, storetest.LegacyNewestSchema("wp_smi_jobs")); err != nil {
				return err
			}
			now := time.Now().UTC()
			_, err = db.ExecContext(ctx, `INSERT INTO wp_smi_jobs (job_id, image_url, resolution, email, post_id, attachment_id,
				image_width, image_height, source_type, status, upsampler_job_id, upscaled_file_path, stripe_payment_intent_id,
				stripe_checkout_session_id, payment_status, amount_charged, amount_cost, credits_used, download_token,
				download_expires_at, email_sent, paid_at, processing_started_at, completed_at, created_at)
				VALUES (?, ?, '4x', 'old-customer@example.com', 1, NULL, 16, 12, 'attachment', 'completed', 'ups_old', ?, 'pi_old',
				'cs_old', 'paid', 9.99, 0.08, 2, ?, ?, 1, ?, ?, ?, ?)`,
				jobID, s.SiteURL+"/wp-content/uploads/2026/02/photo.png", filePath, token,
				now.Add(7*24*time.Hour).Format(time.DateTime), now.Add(-time.Hour).Format(time.DateTime),
				now.Add(-59*time.Minute).Format(time.DateTime), now.Add(-58*time.Minute).Format(time.DateTime),
				now.Add(-time.Hour).Format(time.DateTime))
			return err
		}
	})
	t.Logf("old row: %s, file %s (%d bytes)", jobID, filePath, len(want))

	db, err := st.OpenDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored string
	var count int
	row := func() {
		t.Helper()
		if err := db.QueryRow(`SELECT download_token, download_count FROM wp_smi_jobs WHERE job_id = ?`, jobID).Scan(&stored, &count); err != nil {
			t.Fatal(err)
		}
	}
	row()
	sum := sha256.Sum256([]byte(token))
	if stored != hex.EncodeToString(sum[:]) {
		t.Fatalf("after migrate the token is stored as %q, want its SHA-256 digest", stored)
	}

	restURL := st.SiteURL + "/wp-json/smi/v1/download/" + token
	bridgeURL := st.SiteURL + "/smi-download/" + token
	get := func(method, link, rng string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, link, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	for _, link := range []string{restURL, bridgeURL} {
		resp, body := get("GET", link, "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("GET %s: %s %s: %.300s", strings.Replace(link, token, "<token>", 1), resp.Status, resp.Header.Get("Content-Type"), body)
		}
		if !bytes.Equal(body, want) {
			t.Fatalf("GET %s: %d bytes that are not the old file (%d bytes)", strings.Replace(link, token, "<token>", 1), len(body), len(want))
		}
	}
	row()
	if count != 2 {
		t.Fatalf("two downloads, download_count %d", count)
	}

	// A resumed download gets the bytes asked for and is not counted again.
	resp, body := get("GET", restURL, "bytes=10-19")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, want[10:20]) ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 10-19/%d", len(want)) {
		t.Fatalf("Range on the old URL: %s %q %q", resp.Status, resp.Header.Get("Content-Range"), body)
	}
	row()
	if count != 2 {
		t.Fatalf("a resumed download was counted: %d", count)
	}
	resp, body = get("HEAD", restURL, "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Length") != fmt.Sprint(len(want)) || len(body) != 0 {
		t.Fatalf("HEAD on the old URL: %s length %q, %d body bytes", resp.Status, resp.Header.Get("Content-Length"), len(body))
	}
	row()
	if count != 2 {
		t.Fatalf("a HEAD was counted as a download: %d", count)
	}

	// A wrong token on the old URL gets the plugin's page, not JSON.
	resp, body = get("GET", st.SiteURL+"/wp-json/smi/v1/download/"+oldPluginToken(t), "")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "This download link is not valid") {
		t.Fatalf("unknown old token: %s %.300s", resp.Status, body)
	}
}
