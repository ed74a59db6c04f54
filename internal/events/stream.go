package events

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Writer writes a Server-Sent Events stream, each event flushed at once.
type Writer struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// NewWriter starts a stream on w: its headers, and no write deadline (the
// server's write timeout bounds answers, and a stream is not one).
func NewWriter(w http.ResponseWriter) *Writer {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx would hold the events back
	return &Writer{w: w, rc: rc}
}

// Event writes one event: its id (the cursor to resume after it; "" for
// none), its name and its data, one line.
func (sw *Writer) Event(id, name string, data []byte) error {
	var b strings.Builder
	if id != "" {
		fmt.Fprintf(&b, "id: %s\n", id)
	}
	fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", name, strings.ReplaceAll(string(data), "\n", ""))
	return sw.write(b.String())
}

// Comment writes a comment line, which clients ignore: a heartbeat.
func (sw *Writer) Comment(text string) error { return sw.write(": " + text + "\n\n") }

func (sw *Writer) write(s string) error {
	if _, err := sw.w.Write([]byte(s)); err != nil {
		return err
	}
	return sw.rc.Flush()
}

// Follow runs a stream until ctx ends (the client left), the hub closes
// (shutdown), or alive reports the session or token gone: send goes out at
// once and whenever the user's feed moved (wake, from Subscribe); a
// heartbeat every Heartbeat; alive is asked every Recheck. When the
// caller is gone it says so in an "end" event before closing.
func (h *Hub) Follow(ctx context.Context, sw *Writer, wake <-chan struct{}, send func() error, alive func(context.Context) bool) error {
	if err := sw.Comment("stream open"); err != nil {
		return err
	}
	if err := send(); err != nil {
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
			err = send()
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
