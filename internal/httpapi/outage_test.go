package httpapi_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// tcpProxy forwards connections to a database; down cuts every connection
// and refuses new ones (the database is gone), up listens again on the
// same address.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target, addr: "127.0.0.1:0"}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(d, c); d.Close() }()
			go func() { _, _ = io.Copy(c, d); c.Close() }()
		}
	}()
}

func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// While PostgreSQL does not answer, requests get 503 problem+json with
// Retry-After, and the outage is logged once, and once more when the
// database is back, not once per request.
func TestDatabaseOutageIs503LoggedOnce(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("%s is not set", storetest.PostgresEnv)
	}
	var proxy *tcpProxy
	engine := storetest.Engine{Name: "postgres via a proxy", NewURL: func(t testing.TB) string {
		u, err := url.Parse(storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		proxy = newTCPProxy(t.(*testing.T), u.Host)
		u.Host = proxy.addr
		return u.String()
	}}
	e := newEnv(t, engine)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", e.Logs.String())
		}
	})
	alice := e.newUser(t, "alice")
	e.get(t, "/api/v1/tasks", alice.Token).want(t, http.StatusOK)

	proxy.down()
	for _, path := range []string{"/api/v1/tasks", "/api/v1/users/me", "/readyz", "/api/v1/tasks"} {
		for range 5 {
			r := e.get(t, path, alice.Token)
			r.wantProblem(t, http.StatusServiceUnavailable)
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("%s: 503 without Retry-After", path)
			}
		}
	}
	e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "alice", "password": strongPassword}).
		wantProblem(t, http.StatusServiceUnavailable)
	proxy.up()
	testkit.WaitFor(t, "the log to say the database is back", func() bool {
		return strings.Contains(e.Logs.String(), "the database answers again")
	})
	e.get(t, "/api/v1/tasks", alice.Token).want(t, http.StatusOK)

	var errors, down, back int
	for line := range strings.SplitSeq(e.Logs.String(), "\n") {
		// The outbox worker's own polls are not requests.
		if strings.Contains(line, `"level":"ERROR"`) && !strings.Contains(line, `"msg":"outbox"`) {
			errors++
		}
		if strings.Contains(line, "the database does not answer") {
			down++
		}
		if strings.Contains(line, "the database answers again") {
			back++
		}
	}
	if errors != 1 || down != 1 || back != 1 {
		t.Errorf("%d ERROR lines, outage logged %d times, its end %d times; want 1, 1, 1:\n%s", errors, down, back, e.Logs.String())
	}
}
