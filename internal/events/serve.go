package events

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"time"
)

// writeTimeout bounds one write to a stream's connection: a client that
// stops reading is dropped, not waited for.
const writeTimeout = 30 * time.Second

// Serve answers a request with a stream and runs follow for it.
//
// When it can, it takes the connection over from net/http (Hijack),
// writes the response's head itself and returns at once, leaving follow
// to a goroutine of its own: a stream held in the handler keeps the
// handler's goroutine, whose stack grew through the whole request path
// and stays grown, net/http's goroutine that watches the connection, and
// its read and write buffers, for as long as the stream lasts. A stream
// on its own connection costs a shallow goroutine and one that reads the
// connection to notice the client leave; ctx is canceled then.
//
// Where the connection cannot be taken over (HTTP/2, a test recorder),
// follow runs in the handler as before. Either way follow owns the
// stream until it returns.
func Serve(ctx context.Context, w http.ResponseWriter, follow func(ctx context.Context, sw *Writer)) {
	setHeaders(w.Header())
	head := responseHead(w.Header())
	// What the client sends after its request is not read (net/http's
	// buffered reader is dropped): a stream's client only listens.
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		follow(ctx, NewWriter(w))
		return
	}
	// The request's context ends with the handler: the stream's ends with
	// the connection.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	_ = conn.SetDeadline(time.Time{})
	sw := &Writer{send: func(b []byte) error {
		_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		_, err := conn.Write(b)
		return err
	}}
	go func() {
		defer cancel()
		defer conn.Close()
		if err := sw.send(head); err != nil {
			return
		}
		go watchClose(conn, cancel)
		follow(ctx, sw)
	}()
}

// watchClose cancels when the client closes conn (or it breaks).
func watchClose(conn net.Conn, cancel context.CancelFunc) {
	var b [1]byte
	for {
		if _, err := conn.Read(b[:]); err != nil {
			cancel()
			return
		}
	}
}

// responseHead is the 200 status line and headers of a stream written on
// a connection taken over: the body lasts until the connection closes.
func responseHead(h http.Header) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	h = h.Clone()
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("Connection", "close")
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	_ = h.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}
