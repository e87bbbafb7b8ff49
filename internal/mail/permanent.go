package mail

import (
	"errors"

	gomail "github.com/wneessen/go-mail"
)

// IsPermanent reports whether the mail server refused a message for good
// (an SMTP 5xx reply: no such mailbox, rejected as spam…). Trying again
// will not help; a connection failure or a 4xx reply might.
func IsPermanent(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	code := se.ErrorCode()
	return code >= 500 && code < 600 && !se.IsTemp()
}
