package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Owner notification kinds, each switched by Config.Notify.
const (
	NotifySale    = "sale"
	NotifyFailed  = "failed"
	NotifyDispute = "dispute"
	NotifyStuck   = "stuck"
)

// OwnerNotice is what the shop owner is told about one job.
type OwnerNotice struct {
	JobID         string
	CustomerEmail string
	// Amount and Currency are the charge, in minor units; Amount 0 omits it.
	Amount   int64
	Currency string
	// Resolution is the upscale bought, such as "4x".
	Resolution string
	PostID     int64
	// At is when it happened; for a stuck job, when processing began.
	At time.Time
	// Reason is the error (failed, stuck) or Stripe's dispute reason.
	Reason string
}

// ErrNoOwnerAddress says the site has no admin_email to notify.
var ErrNoOwnerAddress = errors.New("the site has no admin_email (set site.admin_email)")

// Notifies reports whether the owner wants notifications of this kind: the
// switch saved on the plugin's Settings screen when there is one (read
// with the site's other options), else the notify.* configuration key.
func (m *Mailer) Notifies(ctx context.Context, kind string) bool {
	if on, ok := m.cfg.Site.Info(ctx).Notify[kind]; ok {
		return on
	}
	switch kind {
	case NotifySale:
		return m.cfg.Notify.Sale
	case NotifyFailed:
		return m.cfg.Notify.Failed
	case NotifyDispute:
		return m.cfg.Notify.Dispute
	case NotifyStuck:
		return m.cfg.Notify.Stuck
	}
	return false
}

// SendOwnerSale tells the owner about a new paid order, when notify.sale is on.
func (m *Mailer) SendOwnerSale(ctx context.Context, n OwnerNotice) error {
	return m.sendOwner(ctx, NotifySale, "New sale", n)
}

// SendOwnerFailed tells the owner a job failed (and was refunded), when
// notify.failed is on.
func (m *Mailer) SendOwnerFailed(ctx context.Context, n OwnerNotice) error {
	return m.sendOwner(ctx, NotifyFailed, "A job failed", n)
}

// SendOwnerDispute tells the owner a customer disputed a payment, when
// notify.dispute is on.
func (m *Mailer) SendOwnerDispute(ctx context.Context, n OwnerNotice) error {
	return m.sendOwner(ctx, NotifyDispute, "A payment was disputed", n)
}

// SendOwnerStuck tells the owner a job has been processing past the upscale
// timeout, when notify.stuck is on.
func (m *Mailer) SendOwnerStuck(ctx context.Context, n OwnerNotice) error {
	return m.sendOwner(ctx, NotifyStuck, "A job is stuck", n)
}

// sendOwner sends one owner notification; a kind switched off sends
// nothing and is no error.
func (m *Mailer) sendOwner(ctx context.Context, kind, title string, n OwnerNotice) error {
	if !m.Notifies(ctx, kind) {
		return nil
	}
	if err := checkJobID(n.JobID); err != nil {
		return fmt.Errorf("mail: owner %s: %w", kind, err)
	}
	info := m.cfg.Site.Info(ctx)
	if info.AdminEmail == "" {
		return fmt.Errorf("mail: owner %s for job %s: %w", kind, n.JobID, ErrNoOwnerAddress)
	}
	view := ownerView{shopView: shop(info), JobID: n.JobID, CustomerEmail: n.CustomerEmail,
		Resolution: n.Resolution, PostID: n.PostID, Reason: n.Reason}
	if n.Amount != 0 {
		amount, err := info.Money(n.Amount, n.Currency)
		if err != nil {
			return fmt.Errorf("mail: owner %s for job %s: %w", kind, n.JobID, err)
		}
		view.Amount = amount
	}
	if !n.At.IsZero() {
		view.When = info.DateTime(n.At)
	}
	if base := adminBase(info.SiteURL, info.URL); base != "" {
		view.JobURL = base + "/wp-admin/admin.php?page=smi-jobs&job=" + url.QueryEscape(n.JobID)
	}
	subject := "[" + info.Name + "] " + title
	if info.Name == "" {
		subject = title
	}
	if view.Amount != "" && kind == NotifySale {
		subject += ": " + view.Amount
	}
	return m.send(ctx, letter{kind: "owner " + kind, to: info.AdminEmail, jobID: n.JobID, subject: subject,
		name: "owner_" + kind, data: view, info: info})
}

// adminBase is where wp-admin lives: WordPress's siteurl, else home.
func adminBase(siteURL, home string) string {
	if siteURL != "" {
		return siteURL
	}
	return home
}

// SendTest sends a short message through the configured SMTP server to to,
// or to the site's admin_email when to is empty, and returns the address
// it went to: the Settings screen's "Send test email" and `smid mail test`.
func (m *Mailer) SendTest(ctx context.Context, to string, now time.Time) (string, error) {
	info := m.cfg.Site.Info(ctx)
	if to == "" {
		to = info.AdminEmail
	}
	if to == "" {
		return "", fmt.Errorf("mail: test: no recipient given and %w", ErrNoOwnerAddress)
	}
	subject := "Test email from " + info.Name
	if info.Name == "" {
		subject = "Test email from Sell My Images"
	}
	return to, m.send(ctx, letter{kind: "test", to: to, subject: subject, name: "test", info: info,
		data: testView{shopView: shop(info), SentAt: info.DateTime(now)}})
}
