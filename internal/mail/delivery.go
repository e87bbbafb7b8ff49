package mail

import (
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
	// ExpiresAt is when DownloadURL stops working; shown in UTC.
	ExpiresAt time.Time
	// Resolution is the upscale the customer bought, such as "4x" or "4K".
	Resolution string
	// Width and Height are the output's pixel size; shown when both are set.
	Width, Height int
	// SiteName names the shop in the greeting; optional.
	SiteName string
}

// deliveryView is the data both delivery templates see, formatted once.
type deliveryView struct {
	JobID, DownloadURL, Expires, Resolution, Dimensions, SiteName string
}

// ExpiryLayout formats link expiry, e.g. "Tuesday, 1 December 2026 18:00 UTC".
const ExpiryLayout = "Monday, 2 January 2006 15:04 MST"

// SendDelivery mails the customer the download link for a finished job, as
// an HTML part and a plain-text part.
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
	view := deliveryView{
		JobID:       d.JobID,
		DownloadURL: d.DownloadURL,
		Expires:     d.ExpiresAt.UTC().Format(ExpiryLayout),
		Resolution:  d.Resolution,
		SiteName:    d.SiteName,
	}
	if d.Width > 0 && d.Height > 0 {
		view.Dimensions = fmt.Sprintf("%d × %d pixels", d.Width, d.Height)
	}
	return m.send(ctx, letter{
		kind: "delivery", to: d.To, jobID: d.JobID, subject: m.cfg.Subject,
		textName: "delivery.txt", htmlName: "delivery.html", data: view,
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
