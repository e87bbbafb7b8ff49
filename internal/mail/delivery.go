package mail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Delivery is what the customer needs to fetch a finished image.
type Delivery struct {
	To          string
	JobID       string
	DownloadURL string
	// ExpiresAt is when DownloadURL stops working; shown in the site's
	// time zone and date and time formats.
	ExpiresAt time.Time
	// Resolution is the upscale the customer bought, such as "4x" or "4K".
	Resolution string
	// Width and Height are the output's pixel size; shown when both are set.
	Width, Height int
	// SiteName names the shop when the site has no name of its own; optional.
	SiteName string
}

// SendDelivery mails the customer the download link for a finished job, as
// an HTML part and a plain-text part, greeting them in the shop's name.
func (m *Mailer) SendDelivery(ctx context.Context, d Delivery) error {
	if err := checkJobID(d.JobID); err != nil {
		return fmt.Errorf("mail: delivery: %w", err)
	}
	if err := checkDownloadURL(d.DownloadURL); err != nil {
		return fmt.Errorf("mail: delivery for job %s: %w", d.JobID, err)
	}
	if d.ExpiresAt.IsZero() {
		return fmt.Errorf("mail: delivery for job %s: ExpiresAt is required", d.JobID)
	}
	info := m.cfg.Site.Info(ctx)
	info.Name = cmp.Or(info.Name, d.SiteName)
	view := deliveryView{
		shopView:    shop(info),
		JobID:       d.JobID,
		DownloadURL: d.DownloadURL,
		Expires:     info.DateTime(d.ExpiresAt),
		ExpiresDate: info.Date(d.ExpiresAt),
		ExpiresTime: info.Time(d.ExpiresAt),
		Resolution:  d.Resolution,
		SiteName:    info.Name,
	}
	if d.Width > 0 && d.Height > 0 {
		view.Dimensions = fmt.Sprintf("%d × %d pixels", d.Width, d.Height)
	}
	return m.send(ctx, letter{
		kind: "delivery", to: d.To, jobID: d.JobID, subject: m.cfg.Subject,
		name: "delivery", data: view, info: info,
	})
}

// checkDownloadURL accepts only absolute http(s) links: anything else in a
// mail's button is a bug or an attack.
func checkDownloadURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("DownloadURL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("DownloadURL %q must be an absolute http(s) URL", raw)
	}
	return nil
}

// checkJobID keeps the job ID to the characters an ID has, since it goes
// into a mail header.
func checkJobID(id string) error {
	if id == "" || len(id) > 64 {
		return errors.New("JobID must be 1 to 64 characters")
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return fmt.Errorf("JobID %q has a character other than letters, digits, - and _", id)
		}
	}
	return nil
}
