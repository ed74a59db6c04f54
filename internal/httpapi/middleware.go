package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/taskapi/taskapi/internal/events"
)

// middleware wraps the mux in the layers every request passes, outermost
// first: request ID, client address, metrics and the access log; security
// headers and CORS (so that every answer carries them, errors included);
// panic recovery, the deadline, the body limit, conditional GETs
// (If-None-Match → 304), and routing that answers
// unknown paths and methods with problem+json instead of the mux's plain
// text. Rate limits are huma middleware (server.go), as they depend on the
// operation.
func (s *server) middleware(mux *http.ServeMux) http.Handler {
	var h http.Handler = s.route(mux)
	h = conditionalGet(h)
	h = s.limitBody(h)
	h = s.deadline(h)
	h = s.recoverPanics(h)
	h = s.cors(h)
	h = s.securityHeaders(h)
	h = s.accessLog(h)
	return h
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	requestInfoKey
)

// requestInfo is filled in as the request goes through the layers and read
// by the access log once it is done.
type requestInfo struct {
	pattern string
	client  netip.Addr // see clientIP
}

// requestInfoFrom returns the request's info; never nil.
func requestInfoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// clientIPFrom returns the client's address as text (for a session's
// device list): the TCP peer, or what trusted proxies say it is.
func clientIPFrom(ctx context.Context) string {
	if a := requestInfoFrom(ctx).client; a.IsValid() {
		return a.String()
	}
	return ""
}

// trustedProxies are the CIDRs of TASKAPI_TRUSTED_PROXIES.
func (s *server) trustedProxies() []netip.Prefix {
	if s.cfg == nil {
		return nil
	}
	return s.cfg.TrustedProxies
}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// validRequestID accepts a client's ID only when it is short and plain, so
// it cannot forge log lines or bloat them.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// accessLog sets the request ID (echoing a sane one sent by the client),
// finds the client's address, and once the request is answered counts it
// in the metrics and writes one log line. Query strings are left out: they
// may carry tokens (email links) and search terms.
func (s *server) accessLog(next http.Handler) http.Handler {
	trusted := s.trustedProxies()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.InFlight(1)
		defer s.metrics.InFlight(-1)
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-ID", id)
		info := &requestInfo{client: clientIP(r, trusted)}
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, requestInfoKey, info)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		took := time.Since(start)
		s.metrics.ObserveRequest(r.Method, info.pattern, rec.status, took)
		// A 503 (database outage, deadline) is logged where it is found,
		// once per outage; its access lines stay at info.
		level := slog.LevelInfo
		if rec.status >= 500 && rec.status != http.StatusServiceUnavailable {
			level = slog.LevelError
		}
		s.log.LogAttrs(ctx, level, "request",
			slog.String("method", r.Method),
			slog.String("route", info.pattern),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", took),
			slog.Int64("bytes", rec.bytes),
			slog.String("request_id", id),
			slog.String("remote", r.RemoteAddr),
			slog.String("client", clientIPFrom(ctx)),
		)
	})
}

// recoverPanics answers a panic with a 500 problem and logs the stack; the
// client never sees it.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "request_id", requestIDFrom(r.Context()),
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeProblem(w, http.StatusInternalServerError, "an internal error occurred; it has been logged with the request ID")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// deadline gives every request a deadline, which every query inherits.
func (s *server) deadline(next http.Handler) http.Handler {
	timeout := 15 * time.Second
	if s.cfg != nil && s.cfg.RequestTimeout > 0 {
		timeout = s.cfg.RequestTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An event stream (the API's or the web app's) takes the deadline
		// off again with events.WithoutDeadline.
		ctx, cancel := context.WithTimeout(events.KeepForStream(r.Context()), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// limitBody refuses a body announced larger than the limit before reading
// it, then reads the body whole, so that a body the client cuts short (it
// closes the connection before sending what Content-Length announced) or
// whose chunked encoding is malformed is answered here: 400, the client's
// fault, not the 500 huma gives when its read fails. What is read is
// bounded by the limit (413 beyond it), as huma bounds it too.
func (s *server) limitBody(next http.Handler) http.Handler {
	limit := s.maxBodyBytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than the limit of %d bytes", limit))
			return
		}
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than the limit of %d bytes", limit))
				return
			case err != nil:
				writeProblem(w, http.StatusBadRequest, "the body could not be read: it ended before its announced length, or its chunked encoding is malformed")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// route finds the handler once, records the route pattern for logs and
// metrics, and answers the mux's own 404 and 405 as problem+json.
func (s *server) route(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
			info.pattern = pattern
		}
		if pattern == "" {
			// The mux's own answer says which: 404, 405 (with Allow) or a
			// redirect to the cleaned path.
			probe := httptest.NewRecorder()
			h.ServeHTTP(probe, r)
			switch probe.Code {
			case http.StatusMethodNotAllowed:
				w.Header().Set("Allow", probe.Header().Get("Allow"))
				writeProblem(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed here; allowed: %s", r.Method, probe.Header().Get("Allow")))
			case http.StatusNotFound:
				writeProblem(w, http.StatusNotFound, "no such route: "+r.URL.Path)
			default:
				h.ServeHTTP(w, r)
			}
			return
		}
		mux.ServeHTTP(w, r)
	})
}
