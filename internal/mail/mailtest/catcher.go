// Package mailtest gives tests a real SMTP server (github.com/emersion/go-smtp)
// on a loopback port that keeps what it receives, so a test can read the
// email the server sent and follow its link. It can offer STARTTLS with a
// certificate of its own, ask for a password, and refuse mail on demand
// to simulate an outage.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one email the catcher accepted, decoded.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
	TLS     bool // whether it came over an encrypted connection
}

var tokenRE = regexp.MustCompile(`[?&]token=([A-Za-z0-9_-]+)`)

// Token returns the token of the link in the message, failing t when
// there is none or the HTML part disagrees with the text part.
func (m Message) Token(t testing.TB) string {
	t.Helper()
	tm := tokenRE.FindStringSubmatch(m.Text)
	hm := tokenRE.FindStringSubmatch(m.HTML)
	if tm == nil || hm == nil || tm[1] != hm[1] {
		t.Fatalf("no matching token link in both parts of %q:\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
	return tm[1]
}

// Options configure a Catcher.
type Options struct {
	// TLS makes the catcher offer STARTTLS with a self-signed certificate
	// for 127.0.0.1; ClientTLS then returns a config that trusts it.
	TLS bool
	// Username and Password, when set, make the catcher require AUTH PLAIN.
	Username, Password string
}

// Catcher is a running SMTP server.
type Catcher struct {
	// Addr is host:port of the server.
	Addr string

	roots *x509.CertPool
	auth  bool

	mu       sync.Mutex
	msgs     []Message
	failures int   // how many deliveries to refuse still
	failErr  error // with what
	attempts int
	arrived  chan struct{}
}

// Start runs a catcher until t ends.
func Start(t testing.TB, o Options) *Catcher {
	t.Helper()
	c := &Catcher{arrived: make(chan struct{}, 1), auth: o.Username != ""}
	srv := smtp.NewServer(smtp.BackendFunc(func(conn *smtp.Conn) (smtp.Session, error) {
		_, secure := conn.TLSConnectionState()
		return &session{c: c, conn: conn, user: o.Username, pass: o.Password, tls: secure}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.ErrorLog = discardLogger{}
	if o.TLS {
		cert, roots := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		c.roots = roots
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		// Closing the listener too: when the test ends before Serve has
		// registered it, srv.Close alone would leave Serve in Accept.
		_ = srv.Close()
		_ = ln.Close()
		<-done
	})
	return c
}

// URL is the TASKAPI_SMTP_URL of the catcher. A catcher without TLS is
// reached with tls=none, as the sender otherwise insists on STARTTLS.
func (c *Catcher) URL(user, pass string) string {
	u := "smtp://" + c.Addr
	if user != "" {
		u = "smtp://" + user + ":" + pass + "@" + c.Addr
	}
	if c.roots == nil {
		u += "?tls=none"
	}
	return u
}

// ClientTLS returns a TLS configuration that trusts the catcher.
func (c *Catcher) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: c.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Fail makes the next n deliveries fail with err (an *smtp.SMTPError such
// as a 451 for a temporary failure or a 550 for a permanent one).
func (c *Catcher) Fail(n int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures, c.failErr = n, err
}

// Attempts counts the deliveries tried, refused ones included.
func (c *Catcher) Attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts
}

// Messages returns a copy of what arrived so far.
func (c *Catcher) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message(nil), c.msgs...)
}

// Wait returns the first message to "to" whose subject contains subject
// that arrived after the skip first such messages, waiting up to 15
// seconds.
func (c *Catcher) Wait(t testing.TB, to, subject string, skip int) Message {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		n := 0
		for _, m := range c.Messages() {
			if len(m.To) == 1 && strings.EqualFold(m.To[0], to) && strings.Contains(m.Subject, subject) {
				if n == skip {
					return m
				}
				n++
			}
		}
		select {
		case <-c.arrived:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no email %q to %s arrived (have %d messages)", subject, to, len(c.Messages()))
		}
	}
}

// Count returns how many messages to "to" with subject containing subject
// arrived.
func (c *Catcher) Count(to, subject string) int {
	n := 0
	for _, m := range c.Messages() {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], to) && strings.Contains(m.Subject, subject) {
			n++
		}
	}
	return n
}

type session struct {
	c          *Catcher
	conn       *smtp.Conn
	user, pass string
	tls        bool
	authed     bool
	from       string
	to         []string
}

func (s *session) AuthMechanisms() []string {
	if s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.user || pass != s.pass {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.c.auth && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	s.c.attempts++
	if s.c.failures > 0 {
		s.c.failures--
		err := s.c.failErr
		s.c.mu.Unlock()
		return err
	}
	s.c.mu.Unlock()
	_, secure := s.conn.TLSConnectionState()
	m, err := decode(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "cannot parse: " + err.Error()}
	}
	m.From, m.To, m.TLS = s.from, append([]string(nil), s.to...), secure || s.tls
	s.c.mu.Lock()
	s.c.msgs = append(s.c.msgs, m)
	s.c.mu.Unlock()
	select {
	case s.c.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// decode reads a MIME message: its subject and its text and HTML parts.
func decode(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return Message{}, err
	}
	var m Message
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Message{}, err
	}
	err = walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &m)
	return m, err
}

func walk(contentType, encoding string, body io.Reader, m *Message) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			// multipart decodes quoted-printable itself.
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
