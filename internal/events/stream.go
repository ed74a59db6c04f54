package events

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// Writer writes a Server-Sent Events stream, each event sent at once:
// through net/http's response (flushed), or straight to a connection
// taken over from it (see Serve).
type Writer struct {
	send func([]byte) error
}

// NewWriter starts a stream on w: its headers, and no write deadline (the
// server's write timeout bounds answers, and a stream is not one).
func NewWriter(w http.ResponseWriter) *Writer {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	setHeaders(w.Header())
	return &Writer{send: func(b []byte) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}}
}

func setHeaders(h http.Header) {
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx would hold the events back
}

// Event writes one event: its id (the cursor to resume after it; "" for
// none), its name and its data, one line.
func (sw *Writer) Event(id, name string, data []byte) error {
	var b strings.Builder
	b.Grow(len(id) + len(name) + len(data) + 32)
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	b.WriteString("event: " + name + "\ndata: ")
	b.WriteString(strings.ReplaceAll(string(data), "\n", ""))
	b.WriteString("\n\n")
	return sw.send([]byte(b.String()))
}

// Comment writes a comment line, which clients ignore: a heartbeat.
func (sw *Writer) Comment(text string) error { return sw.send([]byte(": " + text + "\n\n")) }

// Page is one page of a stream's changes, as the stream sends them.
type Page struct {
	// Data is the data of the page's "changes" event; nil when the page
	// holds no change the stream sends.
	Data []byte
	// Next is the feed position after the page; More says whether changes
	// after it were there already.
	Next int64
	More bool
}

// Feed is what a stream sends. Read makes the page of the changes after
// a feed position (store.ErrChangesExpired when the history kept starts
// after it); ID names the event of a page that ends at a position: what
// the client sends back as Last-Event-ID to resume after it; Gone is the
// data of the "gone" event that ends a stream whose position is older
// than the history kept.
type Feed struct {
	Read func(ctx context.Context, after int64) (Page, error)
	ID   func(next int64) string
	Gone []byte
}

// Follow runs a stream that starts after the feed position from, until
// ctx ends (the client left), the hub closes (shutdown), or alive reports
// the session or token gone. The changes are sent at once, then whenever
// the user's feed moved (wake, from Subscribe), a page at a time, each
// page one "changes" event; a heartbeat every Heartbeat; alive is asked
// every Recheck. When the caller is gone it says so in an "end" event
// before closing.
func (h *Hub) Follow(ctx context.Context, sw *Writer, wake <-chan struct{}, feed Feed, from int64, alive func(context.Context) bool) error {
	if err := sw.Comment("stream open"); err != nil {
		return err
	}
	seq := from
	// send writes the changes after seq; gone says the stream fell behind
	// the history kept, and ends.
	send := func() (gone bool, err error) {
		for {
			p, err := feed.Read(ctx, seq)
			if errors.Is(err, store.ErrChangesExpired) {
				return true, sw.Event("", "gone", feed.Gone)
			}
			if err != nil {
				return false, fmt.Errorf("event stream: %w", err)
			}
			seq = p.Next
			if p.Data != nil {
				if err := sw.Event(feed.ID(p.Next), "changes", p.Data); err != nil {
					return false, err
				}
			}
			if !p.More {
				return false, nil
			}
		}
	}
	if gone, err := send(); gone || err != nil {
		return err
	}
	beat := time.NewTicker(h.opts.Heartbeat)
	defer beat.Stop()
	check := time.NewTicker(h.opts.Recheck)
	defer check.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-h.done:
			return sw.Event("", "end", []byte(`{"reason":"the server is shutting down; reconnect"}`))
		case <-wake:
			var gone bool
			if gone, err = send(); gone {
				return err
			}
		case <-beat.C:
			err = sw.Comment("heartbeat")
		case <-check.C:
			if !alive(ctx) {
				return sw.Event("", "end", []byte(`{"reason":"the session or token has ended"}`))
			}
		}
		if err != nil {
			return err
		}
	}
}

// SessionAlive is the alive of Follow for a signed-in session: false once
// the session has ended (logged out, expired, ended from another device).
// A database that does not answer keeps the stream: the next check
// decides.
func (h *Hub) SessionAlive(sessionID uuid.UUID) func(context.Context) bool {
	return func(ctx context.Context) bool {
		_, _, err := h.store.SessionPrincipal(ctx, sessionID)
		return !errors.Is(err, taskapi.ErrUnauthorized) && !errors.Is(err, taskapi.ErrNotFound)
	}
}
