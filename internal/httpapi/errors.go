package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
)

// problemContentType is the media type of every error response.
const problemContentType = "application/problem+json"

// problems maps the domain's sentinel errors to statuses, with the detail
// said when the error carries no message of its own (a taskapi.Problem).
// A new sentinel is one line here.
var problems = []struct {
	err     error
	status  int
	detail  string
	headers http.Header
}{
	{taskapi.ErrInvalid, http.StatusUnprocessableEntity, "the input is invalid", nil},
	{taskapi.ErrNotFound, http.StatusNotFound, "the resource was not found", nil},
	{taskapi.ErrConflict, http.StatusConflict, "the resource conflicts with an existing one", nil},
	{taskapi.ErrUnauthorized, http.StatusUnauthorized, "missing, invalid or expired credentials",
		http.Header{"WWW-Authenticate": {`Bearer realm="taskapi"`}}},
	{taskapi.ErrForbidden, http.StatusForbidden, "you are not allowed to do this", nil},
	{taskapi.ErrPreconditionFailed, http.StatusPreconditionFailed, "the resource has changed; fetch it again and retry with its new ETag", nil},
	{taskapi.ErrBadRequest, http.StatusBadRequest, "the request cannot be understood", nil},
	{taskapi.ErrQuotaExceeded, http.StatusForbidden, "the account keeps as many of these as it may", nil},
	{taskapi.ErrTooManyRequests, http.StatusTooManyRequests, "too many requests; try again later", nil},
	{taskapi.ErrGone, http.StatusGone, "this is no longer available", nil},
}

// problem turns an error from a handler (the domain, auth or store) into
// the HTTP problem the client sees. It is the one place where errors meet
// status codes; register and authenticate reach it. Any error it does not
// recognise is logged once, with the request ID, and answered with a
// generic 500: a driver's or library's text never leaves.
func (s *server) problem(ctx context.Context, err error) error {
	var (
		se      huma.StatusError
		fe      *taskapi.FieldError
		p       *taskapi.Problem
		limited *ratelimit.ExceededError
	)
	detail := func(def string) string {
		if errors.As(err, &p) {
			return p.Message
		}
		return def
	}
	switch {
	case errors.As(err, &se):
		return err // already a problem (readyz's 503)
	case errors.As(err, &limited):
		return s.tooManyRequests(limited)
	case errors.As(err, &fe):
		loc := fe.Field
		if !strings.HasPrefix(loc, "query.") && !strings.HasPrefix(loc, "path.") && !strings.HasPrefix(loc, "header.") {
			loc = "body." + loc
		}
		return huma.Error422UnprocessableEntity("validation failed", &huma.ErrorDetail{Location: loc, Message: fe.Message})
	}
	for _, m := range problems {
		if !errors.Is(err, m.err) {
			continue
		}
		if m.headers != nil {
			return huma.ErrorWithHeaders(huma.NewError(m.status, detail(m.detail)), m.headers)
		}
		return huma.NewError(m.status, detail(m.detail))
	}
	switch {
	case store.Unavailable(err):
		return s.outage.failed(ctx, err)
	case errors.Is(err, context.DeadlineExceeded):
		s.log.WarnContext(ctx, "request deadline exceeded", "request_id", requestIDFrom(ctx), "err", err.Error())
		return huma.Error503ServiceUnavailable(detail("the request took too long; try again"))
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer.
		return huma.Error503ServiceUnavailable("the request was canceled")
	}
	s.log.ErrorContext(ctx, "internal error", "request_id", requestIDFrom(ctx), "err", err.Error())
	return huma.Error500InternalServerError("an internal error occurred; it has been logged with the request ID")
}

// requiredProperty matches huma's message for a missing required field,
// which huma reports at the object that lacks it.
var requiredProperty = regexp.MustCompile(`^expected required property ([A-Za-z0-9_]{1,64}) to be present$`)

// secretLocation matches error locations whose value must not be echoed.
var secretLocation = regexp.MustCompile(`(?i)password|token|secret|key`)

// scrubProblem runs on every response body huma writes. For problems it
// makes sure no secret and no internal detail is echoed: huma would put the
// whole body of a malformed request, or the value of a failing password
// field, into the answer.
func scrubProblem(_ huma.Context, _ string, v any) (any, error) {
	em, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	if em.Status >= 500 {
		em.Errors = nil
	}
	for _, d := range em.Errors {
		if d == nil {
			continue
		}
		// Objects and arrays are dropped whole: an "unexpected property"
		// error carries the entire body, password included.
		switch d.Value.(type) {
		case map[string]any, []any:
			d.Value = nil
		}
		if m := requiredProperty.FindStringSubmatch(d.Message); m != nil &&
			(d.Location == "body" || strings.HasPrefix(d.Location, "body.")) {
			// A missing field is named where it is missing, like every
			// other field error: body.password, not body.
			d.Location += "." + m[1]
		}
		if d.Location == "body" || secretLocation.MatchString(d.Location) {
			d.Value = nil
		}
		if d.Location == "body" {
			// Decoder messages may quote the body; keep only a fixed text.
			d.Message = "the body is not valid for its content type"
		}
	}
	if em.Detail == "" {
		em.Detail = em.Title
	}
	return em, nil
}

// writeProblem writes a problem outside huma (unknown route, wrong method,
// panic, body too large before routing).
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", problemContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(&huma.ErrorModel{
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
	})
}

// internalError logs err and answers a generic 500.
func (s *server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
		slog.String("request_id", requestIDFrom(r.Context())), slog.String("err", err.Error()))
	writeProblem(w, http.StatusInternalServerError, "an internal error occurred; it has been logged with the request ID")
}
