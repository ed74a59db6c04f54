// Package mail writes taskapi's emails, sends them over SMTP (or to the log
// when no SMTP server is configured) and runs the outbox worker that
// delivers the messages the account rules queue in the database.
package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	texttemplate "text/template"
	"time"
)

// Message is one email: a plain-text body and an HTML alternative.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Templates renders the emails. Links point at the public base URL: the
// front end's /verify-email and /reset-password pages, which read the
// token from the query string and post it to the API.
type Templates struct {
	baseURL string
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// NewTemplates returns the templates for links under baseURL (no trailing
// slash).
func NewTemplates(baseURL string) *Templates {
	return &Templates{
		baseURL: baseURL,
		text:    texttemplate.Must(texttemplate.Must(texttemplate.Must(texttemplate.New("text").Parse(textTemplates)).Parse(webhookText)).Parse(ownTextTemplates)),
		html:    htmltemplate.Must(htmltemplate.Must(htmltemplate.Must(htmltemplate.New("html").Parse(htmlTemplates)).Parse(webhookHTML)).Parse(ownHTMLTemplates)),
	}
}

// data is what every template sees.
type data struct {
	Username string
	Link     string
	Valid    string
	NewEmail string
	URL      string
	Reason   string
}

// VerifyEmail is the message that confirms an address.
func (t *Templates) VerifyEmail(to, username, token string, valid time.Duration) (Message, error) {
	return t.render("verify", to, "Confirm your email address for taskapi",
		data{Username: username, Link: t.link("/verify-email", token), Valid: humanDuration(valid)})
}

// ResetPassword is the message with a password reset link.
func (t *Templates) ResetPassword(to, username, token string, valid time.Duration) (Message, error) {
	return t.render("reset", to, "Reset your taskapi password",
		data{Username: username, Link: t.link("/reset-password", token), Valid: humanDuration(valid)})
}

// EmailChanged tells the old address that the account moved to a new one.
func (t *Templates) EmailChanged(to, username, newEmail string) (Message, error) {
	return t.render("email-changed", to, "Your taskapi email address was changed",
		data{Username: username, NewEmail: newEmail})
}

// PasswordChanged tells the owner that the password was changed.
func (t *Templates) PasswordChanged(to, username string) (Message, error) {
	return t.render("password-changed", to, "Your taskapi password was changed",
		data{Username: username, Link: t.baseURL + "/forgot-password"})
}

func (t *Templates) link(path, token string) string {
	return t.baseURL + path + "?" + url.Values{"token": {token}}.Encode()
}

// render executes the text and HTML templates name with d (data, or a
// message's own fields).
func (t *Templates) render(name, to, subject string, d any) (Message, error) {
	var text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&text, name, d); err != nil {
		return Message{}, fmt.Errorf("render %s text: %w", name, err)
	}
	if err := t.html.ExecuteTemplate(&html, name, d); err != nil {
		return Message{}, fmt.Errorf("render %s html: %w", name, err)
	}
	return Message{To: to, Subject: subject, Text: text.String(), HTML: html.String()}, nil
}

// humanDuration says a token lifetime the way a person would: "24 hours",
// "1 hour", "30 minutes".
func humanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int64(d/time.Minute), "minute")
	}
	return plural(int64(d/time.Second), "second")
}

const textTemplates = `
{{define "verify"}}Hello {{.Username}},

please confirm your email address for taskapi by opening this link:

{{.Link}}

The link works once and for {{.Valid}}. If you did not sign up, ignore this email.
{{end}}
{{define "reset"}}Hello {{.Username}},

someone (hopefully you) asked to reset your taskapi password. To choose a new one, open:

{{.Link}}

The link works once and for {{.Valid}}. Resetting signs you out everywhere. If you did not ask, ignore this email: your password stays as it is.
{{end}}
{{define "email-changed"}}Hello {{.Username}},

the email address of your taskapi account was changed to {{.NewEmail}}. Mail about the account, password reset links included, now goes there.

If you did not do this, tell the administrators of this service at once: someone may have taken over your account.
{{end}}
{{define "password-changed"}}Hello {{.Username}},

the password of your taskapi account was changed, and other sessions were signed out.

If you did not do this, reset your password at once: {{.Link}}
{{end}}`

const htmlTemplates = `
{{define "head"}}<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">{{end}}
{{define "foot"}}</body></html>{{end}}
{{define "verify"}}{{template "head"}}<p>Hello {{.Username}},</p>
<p>please confirm your email address for taskapi:</p>
<p><a href="{{.Link}}">Confirm my email address</a></p>
<p>Or copy this link into your browser: {{.Link}}</p>
<p>The link works once and for {{.Valid}}. If you did not sign up, ignore this email.</p>{{template "foot"}}{{end}}
{{define "reset"}}{{template "head"}}<p>Hello {{.Username}},</p>
<p>someone (hopefully you) asked to reset your taskapi password.</p>
<p><a href="{{.Link}}">Choose a new password</a></p>
<p>Or copy this link into your browser: {{.Link}}</p>
<p>The link works once and for {{.Valid}}. Resetting signs you out everywhere. If you did not ask, ignore this email: your password stays as it is.</p>{{template "foot"}}{{end}}
{{define "email-changed"}}{{template "head"}}<p>Hello {{.Username}},</p>
<p>the email address of your taskapi account was changed to {{.NewEmail}}. Mail about the account, password reset links included, now goes there.</p>
<p>If you did not do this, tell the administrators of this service at once: someone may have taken over your account.</p>{{template "foot"}}{{end}}
{{define "password-changed"}}{{template "head"}}<p>Hello {{.Username}},</p>
<p>the password of your taskapi account was changed, and other sessions were signed out.</p>
<p>If you did not do this, <a href="{{.Link}}">reset your password</a> at once.</p>{{template "foot"}}{{end}}`
