package httpapi_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"

	"github.com/taskapi/taskapi/internal/store/storetest"
)

// pgCounter is a TCP proxy in front of PostgreSQL that counts round
// trips: every exchange with the server, a single query or a pipelined
// batch, ends the client's part with one Sync ('S') message, or is one
// simple Query ('Q'). database/sql's check of a connection idle for over
// a second (pgx's "-- ping") is not counted: it is the pool's, not the
// request's.
type pgCounter struct {
	ln    net.Listener
	trips atomic.Int64
	wg    sync.WaitGroup
}

// newPGCounter proxies to the host of TASKAPI_TEST_POSTGRES_URL; its
// engine hands out fresh databases reached through the proxy. The URL
// must not ask for TLS, or the messages could not be read.
func newPGCounter(t *testing.T) (*pgCounter, storetest.Engine) {
	t.Helper()
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("%s is not set", storetest.PostgresEnv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCounter{ln: ln}
	var target string
	engine := storetest.Engine{Name: "postgres", NewURL: func(t testing.TB) string {
		u, err := url.Parse(storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		target = u.Host
		u.Host = ln.Addr().String()
		return u.String()
	}}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			c.wg.Add(2)
			go func() { defer c.wg.Done(); c.relay(client, server); server.Close() }()
			go func() { defer c.wg.Done(); _, _ = io.Copy(client, server); client.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return c, engine
}

// relay copies the client's messages to the server, counting the Sync
// and Query ones. The first message, the startup, has no type byte.
func (c *pgCounter) relay(client io.Reader, server io.Writer) {
	var size [4]byte
	if _, err := io.ReadFull(client, size[:]); err != nil {
		return
	}
	if _, err := server.Write(size[:]); err != nil {
		return
	}
	if _, err := io.CopyN(server, client, int64(binary.BigEndian.Uint32(size[:]))-4); err != nil {
		return
	}
	var head [5]byte
	for {
		if _, err := io.ReadFull(client, head[:]); err != nil {
			return
		}
		body := make([]byte, int(binary.BigEndian.Uint32(head[1:]))-4)
		if _, err := io.ReadFull(client, body); err != nil {
			return
		}
		if head[0] == 'S' || head[0] == 'Q' && !bytes.HasPrefix(body, []byte("-- ping")) {
			c.trips.Add(1)
		}
		if _, err := server.Write(append(head[:], body...)); err != nil {
			return
		}
	}
}

// of returns how many round trips fn made.
func (c *pgCounter) of(fn func()) int64 {
	before := c.trips.Load()
	fn()
	return c.trips.Load() - before
}

// TestGetTaskRoundTrips counts what an authenticated read of one task
// costs in round trips to PostgreSQL: one with a session's token (the
// session check and the read in one pipeline), two with a personal access
// token (its check, then the read).
func TestGetTaskRoundTrips(t *testing.T) {
	counter, engine := newPGCounter(t)
	// No outbox worker: its poll every 100 ms would be counted whenever it
	// fell inside a measured request.
	e := newIdleEnv(t, engine)
	u := e.newUser(t, "trips")
	pat := e.newToken(t, u.Token, "trips", taskapi.ScopeTasksRead).Token
	task, etag := e.createTask(t, u, map[string]any{"title": "one trip"})
	path := "/api/v1/tasks/" + task.ID
	cases := []struct {
		name  string
		req   request
		trips int64
	}{
		{"session", request{Method: http.MethodGet, Path: path, Token: u.Token}, 1},
		{"session, not modified", request{Method: http.MethodGet, Path: path, Token: u.Token,
			Header: http.Header{"If-None-Match": {etag}}}, 1},
		{"session, another's task", request{Method: http.MethodGet, Path: "/api/v1/tasks/" + uuid.NewString(), Token: u.Token}, 1},
		{"access token", request{Method: http.MethodGet, Path: path, Token: pat}, 2},
	}
	for _, c := range cases {
		// The first request prepares the statements on its connection.
		e.do(t, c.req)
		var status int
		if n := counter.of(func() { status = e.do(t, c.req).Status }); n != c.trips {
			t.Errorf("%s: GET answered %d in %d round trips, want %d", c.name, status, n, c.trips)
		}
	}
}
