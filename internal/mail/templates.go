package mail

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var templateFS embed.FS

// shopView is what every template sees about the shop.
type shopView struct {
	Shop       string // the shop's name (blogname or site.name); may be empty
	ShopURL    string // the site's home URL
	AdminEmail string // the owner's address
}

// deliveryView is what delivery.html and delivery.txt see.
type deliveryView struct {
	shopView
	JobID       string
	DownloadURL string
	Expires     string // date, time and zone in the site's formats
	ExpiresDate string // the date alone, in the site's date format
	ExpiresTime string // the time alone, in the site's time format
	Resolution  string
	Dimensions  string // "3840 × 2160 pixels", or empty
	SiteName    string // the same as Shop; kept for templates written before Shop
}

// refundView is what refund.* (a failed job, refunded) and refund_manual.*
// (a refund an admin made) see.
type refundView struct {
	shopView
	JobID  string
	Amount string // in the site's locale: "$12.34", "12,34 €"
	Reason string // for the customer: the admin's words, never an internal code
}

// ownerView is what owner_sale.*, owner_failed.*, owner_dispute.* and
// owner_stuck.* see, and owner_details.*, the part they share.
type ownerView struct {
	shopView
	JobID         string
	JobURL        string // the job's page in wp-admin
	CustomerEmail string
	Amount        string // in the site's locale, or empty
	Resolution    string
	PostID        int64
	When          string // when it happened (stuck: when processing began), site time
	Reason        string // failed: the error; dispute: Stripe's reason; stuck: the last error
}

// testView is what test.* see.
type testView struct {
	shopView
	SentAt string
}

// templateSamples holds, for every template, data of the type it is given:
// start-up executes each template on it, so a misspelt field in a
// replacement fails there and not on a customer's order.
var templateSamples = map[string]any{
	"delivery": deliveryView{shopView: sampleShop, JobID: sampleJob, DownloadURL: "https://shop.example/smi-download/abc",
		Expires: "December 4, 2026 11:30 pm EST", ExpiresDate: "December 4, 2026", ExpiresTime: "11:30 pm",
		Resolution: "4x", Dimensions: "3840 × 2160 pixels", SiteName: sampleShop.Shop},
	"refund":        refundView{shopView: sampleShop, JobID: sampleJob, Amount: "$12.34", Reason: "The image could not be upscaled."},
	"refund_manual": refundView{shopView: sampleShop, JobID: sampleJob, Amount: "$12.34", Reason: "Sorry for the wait."},
	"owner_sale":    sampleOwner,
	"owner_failed":  sampleOwner,
	"owner_dispute": sampleOwner,
	"owner_stuck":   sampleOwner,
	"owner_details": sampleOwner,
	"test":          testView{shopView: sampleShop, SentAt: "December 4, 2026 11:30 pm EST"},
}

var (
	sampleJob   = "3f2a9c1e-7b4d-4e8a-9f00-1c2d3e4f5a6b"
	sampleShop  = shopView{Shop: "Example Photos", ShopURL: "https://shop.example", AdminEmail: "owner@shop.example"}
	sampleOwner = ownerView{shopView: sampleShop, JobID: sampleJob, JobURL: "https://shop.example/wp-admin/admin.php?page=smi-jobs&job=" + sampleJob,
		CustomerEmail: "customer@example.com", Amount: "$12.34", Resolution: "4x", PostID: 42,
		When: "December 4, 2026 11:30 pm EST", Reason: "upscale timed out"}
)

// loadTemplates parses the embedded templates, each replaced by the file
// of the same name in dir when there is one, and tries every one on
// sample data. A file in dir that replaces nothing is an error too: it is
// most likely a misspelt name that would otherwise be silently ignored.
func loadTemplates(dir string) (*htmltemplate.Template, *texttemplate.Template, error) {
	embedded, err := fs.Glob(templateFS, "templates/*.*")
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, p := range embedded {
		names = append(names, filepath.Base(p))
	}
	if dir != "" {
		if err := checkOverrideDir(dir, names); err != nil {
			return nil, nil, err
		}
	}
	html, text := htmltemplate.New(""), texttemplate.New("")
	for _, name := range names {
		src, from, err := templateSource(dir, name)
		if err != nil {
			return nil, nil, err
		}
		if strings.HasSuffix(name, ".html") {
			_, err = html.New(name).Parse(src)
		} else {
			_, err = text.New(name).Parse(src)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("template %s: %w", from, err)
		}
	}
	for _, name := range names {
		data, ok := templateSamples[strings.TrimSuffix(name, filepath.Ext(name))]
		if !ok {
			return nil, nil, fmt.Errorf("template %s has no sample data", name)
		}
		// Full data takes the {{if}} branches, empty data the {{else}} ones.
		for _, d := range []any{data, reflect.Zero(reflect.TypeOf(data)).Interface()} {
			if strings.HasSuffix(name, ".html") {
				err = html.ExecuteTemplate(io.Discard, name, d)
			} else {
				err = text.ExecuteTemplate(io.Discard, name, d)
			}
			if err != nil {
				_, from, _ := templateSource(dir, name)
				return nil, nil, fmt.Errorf("template %s does not run: %w (see the README for the variables each template gets)", from, err)
			}
		}
	}
	return html, text, nil
}

// templateSource is the text of one template and where it came from.
func templateSource(dir, name string) (src, from string, err error) {
	if dir != "" {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p) //nolint:gosec // G304: mail.templates_dir is the operator's setting; name is ours
		if err == nil {
			return string(b), p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", p, fmt.Errorf("template %s: %w", p, err)
		}
	}
	b, err := templateFS.ReadFile("templates/" + name)
	return string(b), "(embedded) " + name, err
}

func checkOverrideDir(dir string, known []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("templates_dir: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || (!strings.HasSuffix(n, ".html") && !strings.HasSuffix(n, ".txt")) {
			continue
		}
		if !slices.Contains(known, n) {
			return fmt.Errorf("template %s replaces no template: the names are %s",
				filepath.Join(dir, n), strings.Join(known, ", "))
		}
	}
	return nil
}
