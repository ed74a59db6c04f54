package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// PermanentError marks a failure that retrying cannot fix, such as a
// recipient the server refuses for good.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *PermanentError) Unwrap() error { return e.Err }

// SMTPSender sends over SMTP with github.com/wneessen/go-mail.
type SMTPSender struct {
	from    string
	host    string
	opts    []gomail.Option
	timeout time.Duration
}

// SMTPOptions tune an SMTPSender.
type SMTPOptions struct {
	// Timeout bounds dialling and each command; 0 means 30 seconds.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own CA with
	// it); nil verifies the server against the system roots.
	TLSConfig *tls.Config
}

// NewSMTPSender returns a sender for an smtp:// or smtps:// URL. smtp:// requires STARTTLS: a server that does not offer
// it is not sent to, so that a network attacker cannot strip the upgrade
// and read the tokens in the mail. smtp://…?tls=none talks in the clear,
// for a local catcher only, and then takes no credentials. smtps://
// speaks TLS from the start (port 465 by default). Credentials in the URL
// are used with the strongest mechanism the server offers.
func NewSMTPSender(rawURL, from string, o SMTPOptions) (*SMTPSender, error) {
	u, plain, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(o.Timeout)}
	port := 25
	switch u.Scheme {
	case "smtp":
		policy := gomail.TLSMandatory
		if plain {
			policy = gomail.NoTLS
		}
		opts = append(opts, gomail.WithTLSPolicy(policy))
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("smtp url: unknown scheme %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, errors.New("smtp url: bad port")
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if o.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(o.TLSConfig))
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	if _, err := gomail.NewClient(u.Hostname(), opts...); err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	return &SMTPSender{from: from, host: u.Hostname(), opts: opts, timeout: o.Timeout}, nil
}

// parseSMTPURL checks an SMTP URL: smtp:// or smtps://, a host, and no
// query but tls=none (smtp:// only, without credentials), which turns off
// the mandatory STARTTLS for a local mail catcher. It reports whether the
// connection is to stay plain. (internal/config checks the same rules at
// start-up.)
func parseSMTPURL(rawURL string) (u *url.URL, plain bool, err error) {
	u, err = url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, false, errors.New("smtp url: must look like smtp://user:pass@host:port")
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, false, fmt.Errorf("smtp url: unknown scheme %q", u.Scheme)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, false, errors.New("smtp url: bad query")
	}
	for k, v := range q {
		if k != "tls" || len(v) != 1 || v[0] != "none" {
			return nil, false, errors.New("smtp url: the only option is tls=none (plain text, for a local catcher)")
		}
		plain = true
	}
	if plain && u.Scheme != "smtp" {
		return nil, false, errors.New("smtp url: tls=none goes with smtp://, not smtps://")
	}
	if plain && u.User != nil {
		return nil, false, errors.New("smtp url: tls=none takes no credentials: they would cross the network in the clear")
	}
	return u, plain, nil
}

// Send delivers m on a connection of its own.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return &PermanentError{Err: fmt.Errorf("from address: %w", err)}
	}
	if err := msg.To(m.To); err != nil {
		return &PermanentError{Err: fmt.Errorf("recipient address: %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		// A refusal of the message itself (501 bad address, 550–554
		// mailbox unavailable, not allowed, too big, rejected) will not
		// change on retry. Anything else, such as 530 "authentication
		// required" from a misconfigured server, may: the message waits.
		if errors.As(err, &se) && !se.IsTemp() && (se.ErrorCode() == 501 || se.ErrorCode() >= 550 && se.ErrorCode() <= 554) {
			return &PermanentError{Err: fmt.Errorf("smtp: %w", err)}
		}
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}

// LogSender writes messages to the log instead of sending them, so that
// a developer without an SMTP server can follow the links. The message
// carries its token: this is for local use only, and the server warns at
// start-up when it runs so. It logs at Warn: a message that is not
// delivered must not vanish because the log level hides Info.
type LogSender struct {
	Log *slog.Logger
}

// Send logs m.
func (l LogSender) Send(ctx context.Context, m Message) error {
	l.Log.WarnContext(ctx, "email (not sent: TASKAPI_SMTP_URL is not set)",
		"to", m.To, "subject", m.Subject, "body", m.Text)
	return nil
}
