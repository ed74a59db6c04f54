package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/taskapi/taskapi/internal/mail"
	"github.com/taskapi/taskapi/internal/mail/mailtest"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

const from = "taskapi <no-reply@example.com>"

func queue(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := range n {
		if err := st.EnqueueMail(context.Background(), store.OutboxMessage{
			To: fmt.Sprintf("user%d@example.com", i), Subject: fmt.Sprintf("message %d", i),
			Text: "see https://example.com/verify-email?token=abc" + fmt.Sprint(i), HTML: "<p>hello</p>",
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// runWorker runs w until the test ends.
func runWorker(t *testing.T, w *mail.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func sender(t *testing.T, c *mailtest.Catcher, user, pass string, tlsOn bool) mail.Sender {
	t.Helper()
	o := mail.SMTPOptions{Timeout: 5 * time.Second}
	if tlsOn {
		o.TLSConfig = c.ClientTLS()
	}
	s, err := mail.NewSMTPSender(c.URL(user, pass), from, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func status(t *testing.T, st *store.Store) []store.MailStatus {
	t.Helper()
	s, err := st.OutboxStatus(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Several workers (as in several instances) on one database send each
// message exactly once.
func TestSeveralWorkersSendEachMessageOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := mailtest.Start(t, mailtest.Options{})
		const n = 30
		queue(t, st, n)
		for range 4 {
			runWorker(t, mail.NewWorker(st, sender(t, c, "", "", false), nil, mail.WorkerOptions{Poll: 10 * time.Millisecond}))
		}
		// Once the outbox records every message sent, nothing is left to
		// claim: a duplicate would have been a second claim, counted in
		// Attempts, and its send would be in the catcher already.
		testkit.WaitFor(t, "the outbox to record every message sent", func() bool {
			rows := status(t, st)
			for _, s := range rows {
				if !s.Sent {
					return false
				}
			}
			return len(rows) == n
		})
		seen := map[string]int{}
		for _, m := range c.Messages() {
			seen[m.Subject]++
		}
		for i := range n {
			if got := seen[fmt.Sprintf("message %d", i)]; got != 1 {
				t.Errorf("message %d sent %d times", i, got)
			}
		}
		for _, s := range status(t, st) {
			if !s.Sent || s.Attempts != 1 {
				t.Errorf("outbox row %+v", s)
			}
		}
	})
}

// Messages wait in the database while no worker runs (a restart) or the
// SMTP server refuses them (an outage), and go out afterwards.
func TestMessagesSurviveRestartAndOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := mailtest.Start(t, mailtest.Options{})
		queue(t, st, 3)
		c.Fail(4, &smtp.SMTPError{Code: 421, Message: "service not available"})
		// A first worker meets the outage and is stopped.
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		w := mail.NewWorker(st, sender(t, c, "", "", false), nil, mail.WorkerOptions{Poll: 10 * time.Millisecond, Backoff: 20 * time.Millisecond})
		go func() { w.Run(ctx); close(done) }()
		testkit.WaitFor(t, "the failed attempts", func() bool { return c.Attempts() >= 4 })
		cancel()
		<-done
		// A new worker (a restarted instance) delivers everything.
		runWorker(t, mail.NewWorker(st, sender(t, c, "", "", false), nil, mail.WorkerOptions{Poll: 10 * time.Millisecond, Backoff: 20 * time.Millisecond}))
		testkit.WaitFor(t, "delivery after the outage", func() bool { return len(c.Messages()) == 3 })
		testkit.WaitFor(t, "the outbox to record it", func() bool {
			for _, s := range status(t, st) {
				if !s.Sent {
					return false
				}
			}
			return true
		})
	})
}

// A recipient refused for good is abandoned at once, and a message that
// keeps failing is abandoned after the last attempt; neither blocks the
// others.
func TestFailuresAreAbandoned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := mailtest.Start(t, mailtest.Options{})
		c.Fail(1, &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
		queue(t, st, 1)
		var logs strings.Builder
		var mu sync.Mutex
		log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return logs.Write(p)
		}), nil))
		runWorker(t, mail.NewWorker(st, sender(t, c, "", "", false), log, mail.WorkerOptions{Poll: 10 * time.Millisecond, Backoff: 10 * time.Millisecond, MaxAttempts: 3}))
		testkit.WaitFor(t, "the permanent failure", func() bool { s := status(t, st); return len(s) == 1 && s[0].Failed })
		if s := status(t, st)[0]; s.Attempts != 1 || s.LastError == nil || !strings.Contains(*s.LastError, "550") {
			t.Errorf("abandoned message: %+v", s)
		}
		c.Fail(100, &smtp.SMTPError{Code: 451, Message: "later"})
		queue(t, st, 1)
		testkit.WaitFor(t, "the last attempt", func() bool {
			s := status(t, st)
			return len(s) == 2 && s[0].Failed
		})
		if s := status(t, st)[0]; s.Attempts != 3 {
			t.Errorf("gave up after %d attempts, want 3", s.Attempts)
		}
		mu.Lock()
		defer mu.Unlock()
		if !strings.Contains(logs.String(), "email abandoned") || strings.Contains(logs.String(), "token=abc") {
			t.Errorf("log:\n%s", logs.String())
		}
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// smtp:// upgrades with STARTTLS when the server offers it, and then
// authenticates with the URL's credentials.
func TestSTARTTLSAndAuth(t *testing.T) {
	c := mailtest.Start(t, mailtest.Options{TLS: true, Username: "mailer", Password: "s3cret"})
	s := sender(t, c, "mailer", "s3cret", true)
	msg := mail.Message{To: "ada@example.com", Subject: "Hello", Text: "text ?token=abc", HTML: "<a href=\"x?token=abc\">x</a>"}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := c.Wait(t, "ada@example.com", "Hello", 0)
	if !got.TLS || got.Token(t) != "abc" || !strings.Contains(got.From, "no-reply@example.com") {
		t.Errorf("received %+v", got)
	}
	if err := sender(t, c, "mailer", "wrong", true).Send(context.Background(), msg); err == nil {
		t.Error("wrong SMTP password accepted")
	}
	// A server whose certificate is not trusted is not talked to.
	untrusting, err := mail.NewSMTPSender(c.URL("mailer", "s3cret"), from, mail.SMTPOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := untrusting.Send(context.Background(), msg); err == nil {
		t.Error("sent over TLS to an untrusted certificate")
	}
	// STARTTLS is mandatory for smtp://: a server that does not offer it
	// (or an attacker who strips the offer) gets neither the credentials
	// nor the message.
	plain := mailtest.Start(t, mailtest.Options{})
	for _, u := range []string{"smtp://" + plain.Addr, "smtp://mailer:s3cret@" + plain.Addr} {
		stripped, err := mail.NewSMTPSender(u, from, mail.SMTPOptions{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := stripped.Send(context.Background(), msg); err == nil {
			t.Errorf("%s: sent without TLS", u)
		}
	}
	if len(plain.Messages()) != 0 {
		t.Error("message sent in the clear")
	}
	// Plain text only when asked for, and never with credentials.
	if _, err := mail.NewSMTPSender("smtp://mailer:s3cret@"+plain.Addr+"?tls=none", from, mail.SMTPOptions{}); err == nil {
		t.Error("credentials accepted for a plain-text connection")
	}
	for _, u := range []string{"smtps://" + plain.Addr + "?tls=none", "smtp://" + plain.Addr + "?tls=maybe"} {
		if _, err := mail.NewSMTPSender(u, from, mail.SMTPOptions{}); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if err := sender(t, plain, "", "", false).Send(context.Background(), msg); err != nil {
		t.Errorf("tls=none: %v", err)
	}
}

func TestTemplates(t *testing.T) {
	tpl := mail.NewTemplates("https://tasks.example.com")
	m, err := tpl.VerifyEmail("ada@example.com", "<ada>", "tok-123_x", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "https://tasks.example.com/verify-email?token=tok-123_x") || !strings.Contains(m.Text, "24 hours") {
		t.Errorf("text:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, `href="https://tasks.example.com/verify-email?token=tok-123_x"`) || strings.Contains(m.HTML, "<ada>") {
		t.Errorf("html is not escaped or lacks the link:\n%s", m.HTML)
	}
	m, err = tpl.ResetPassword("ada@example.com", "ada", "t", time.Hour)
	if err != nil || !strings.Contains(m.Text, "/reset-password?token=t") || !strings.Contains(m.Text, "1 hour") {
		t.Errorf("reset: %v\n%s", err, m.Text)
	}
}

func TestLogSender(t *testing.T) {
	var b strings.Builder
	// At the warn level too: with TASKAPI_LOG_LEVEL=warn and no SMTP, mail
	// must not vanish.
	s := mail.LogSender{Log: slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := s.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "S", Text: "link ?token=abc"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "token=abc") || !strings.Contains(b.String(), "a@example.com") {
		t.Errorf("log: %s", b.String())
	}
}
