package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/testkit"
)

// Idle keep-alive connections cannot pile up: with --max-conns 3, a
// fourth client is served and the connection idle the longest is closed
// for it; the server never holds more than 3. The idle timeout is the
// configured one.
func TestConnectionCap(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" }, []string{"--max-conns", "3", "--idle-timeout", "7s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	srv, conns := newHTTPServer(context.Background(), cfg, h, slog.New(slog.DiscardHandler))
	if srv.IdleTimeout != 7*time.Second {
		t.Errorf("idle timeout %v", srv.IdleTimeout)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	type client struct {
		conn net.Conn
		r    *bufio.Reader
	}
	get := func(c client) error {
		_ = c.conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c.conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		res, err := http.ReadResponse(c.r, nil)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return err
	}
	var clients []client
	for i := range 6 {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		c := client{conn, bufio.NewReader(conn)}
		clients = append(clients, c)
		if err := get(c); err != nil {
			t.Fatalf("client %d not served: %v", i, err)
		}
		// Wait until the server has seen the answer go out (the
		// connection is idle), then check the cap.
		want := min(i+1, 3)
		testkit.WaitFor(t, "the answered connections to be idle", func() bool {
			open, idle := conns.count()
			if open > 3 {
				t.Fatalf("after client %d: %d connections held, cap 3", i, open)
			}
			return idle == want
		})
	}
	// The three oldest were closed by the server; the three newest still serve.
	for i, c := range clients {
		err := get(c)
		if i < 3 && err == nil {
			t.Errorf("client %d: still served past the cap", i)
		}
		if i >= 3 && err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
}
