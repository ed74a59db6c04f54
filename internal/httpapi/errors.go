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
)

// problemContentType is the media type of every error response.
const problemContentType = "application/problem+json"

// fail turns an error from the domain, auth or store into the HTTP problem
// the client sees. It is the one place where errors meet status codes. Any
// error it does not recognise is logged once, with the request ID, and
// answered with a generic 500: a driver's or library's text never leaves.
func (s *server) fail(ctx context.Context, err error) error {
	var fe *taskapi.FieldError
	var p *taskapi.Problem
	msg := func(def string) string {
		if p != nil {
			return p.Message
		}
		return def
	}
	var limited *ratelimit.ExceededError
	errors.As(err, &p)
	switch {
	case errors.As(err, &limited):
		return s.tooManyRequests(limited)
	case errors.As(err, &fe):
		loc := fe.Field
		if !strings.HasPrefix(loc, "query.") && !strings.HasPrefix(loc, "path.") && !strings.HasPrefix(loc, "header.") {
			loc = "body." + loc
		}
		return huma.Error422UnprocessableEntity("validation failed", &huma.ErrorDetail{Location: loc, Message: fe.Message})
	case errors.Is(err, taskapi.ErrInvalid):
		return huma.Error422UnprocessableEntity(msg("the input is invalid"))
	case errors.Is(err, taskapi.ErrNotFound):
		return huma.Error404NotFound(msg("the resource was not found"))
	case errors.Is(err, taskapi.ErrConflict):
		return huma.Error409Conflict(msg("the resource conflicts with an existing one"))
	case errors.Is(err, taskapi.ErrUnauthorized):
		return huma.ErrorWithHeaders(huma.Error401Unauthorized(msg("missing, invalid or expired credentials")),
			http.Header{"WWW-Authenticate": {`Bearer realm="taskapi"`}})
	case errors.Is(err, taskapi.ErrForbidden):
		return huma.Error403Forbidden(msg("you are not allowed to do this"))
	case errors.Is(err, taskapi.ErrPreconditionFailed):
		return huma.Error412PreconditionFailed(msg("the resource has changed; fetch it again and retry with its new ETag"))
	case errors.Is(err, taskapi.ErrBadRequest):
		return huma.Error400BadRequest(msg("the request cannot be understood"))
	case errors.Is(err, context.DeadlineExceeded):
		s.log.WarnContext(ctx, "request deadline exceeded", "request_id", requestIDFrom(ctx), "err", err.Error())
		return huma.Error503ServiceUnavailable("the request took too long; try again")
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this answer.
		return huma.Error503ServiceUnavailable("the request was canceled")
	}
	s.log.ErrorContext(ctx, "internal error", "request_id", requestIDFrom(ctx), "err", err.Error())
	return huma.Error500InternalServerError("an internal error occurred; it has been logged with the request ID")
}

// requiredProperty matches huma's message for a missing required field.
var requiredProperty = regexp.MustCompile(`^expected required property [A-Za-z0-9_]{1,64} to be present$`)

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
		if d.Location == "body" || secretLocation.MatchString(d.Location) {
			d.Value = nil
		}
		if d.Location == "body" && !requiredProperty.MatchString(d.Message) {
			// Decoder messages may quote the body; keep only a fixed text.
			// A missing required property is reported at "body" too, and its
			// message names only the property: that one is kept, or the
			// client could not tell which field is missing.
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
