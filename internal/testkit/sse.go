package testkit

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"
)

// Event is one Server-Sent Event as a test reads it; a comment line (a
// heartbeat) is an Event named "comment" with the comment as its Data.
type Event struct{ ID, Name, Data string }

// ReadEvents reads a text/event-stream from r in a goroutine of its own and
// returns its events as they arrive; the channel closes with the stream.
func ReadEvents(r io.Reader) <-chan Event {
	ch := make(chan Event, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		var ev Event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" {
					ch <- ev
				}
				ev = Event{}
			case strings.HasPrefix(line, ": "):
				ch <- Event{Name: "comment", Data: line[2:]}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			}
		}
	}()
	return ch
}

// NextEvent waits, at most within, for the next event named name, and
// fails the test if the stream closes or the time runs out first.
func NextEvent(t testing.TB, ch <-chan Event, name string, within time.Duration) Event {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the stream closed while waiting for %q", name)
			}
			if ev.Name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event within %s", name, within)
		}
	}
}

// Closed waits, at most within, for the stream to close, and returns the
// events that came before it.
func Closed(t testing.TB, ch <-chan Event, within time.Duration) []Event {
	t.Helper()
	var got []Event
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return got
			}
			got = append(got, ev)
		case <-deadline:
			t.Fatalf("the stream is still open after %s; it sent %+v", within, got)
		}
	}
}
