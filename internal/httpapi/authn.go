package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
)

type principalKey struct{}

type clientInfoKey struct{}

type carriedKey struct{}

// carried returns what the route's WithSession read along with the
// session check, when it read a T.
func carried[T any](ctx context.Context) (T, bool) {
	v, ok := ctx.Value(carriedKey{}).(T)
	return v, ok
}

// clientFrom returns the device a request comes from, recorded on the
// sessions it opens.
func clientFrom(ctx context.Context) auth.ClientInfo {
	c, _ := ctx.Value(clientInfoKey{}).(auth.ClientInfo)
	return c
}

// clientInfo reads the device of a request: its User-Agent and the
// client's address (the TCP peer, or what trusted proxies say it is).
func clientInfo(ctx huma.Context) auth.ClientInfo {
	return auth.ClientInfo{UserAgent: ctx.Header("User-Agent"), IP: clientIPFrom(ctx.Context())}
}

// principalFrom returns the authenticated caller. Handlers of secured
// operations always have one.
func principalFrom(ctx context.Context) taskapi.Principal {
	p, _ := ctx.Value(principalKey{}).(taskapi.Principal)
	return p
}

// authenticate checks the bearer token of every secured operation and puts
// the caller in the context. Operations without security pass untouched.
func (s *server) authenticate(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		ctx = huma.WithValue(ctx, clientInfoKey{}, clientInfo(ctx))
		if routeOf(ctx.Operation()).Access == public {
			next(ctx)
			return
		}
		token, ok := bearerToken(ctx.Header("Authorization"))
		if !ok {
			s.writeAuthError(api, ctx, taskapi.NewProblem(taskapi.ErrUnauthorized, "an access token is required: send Authorization: Bearer <token>"))
			return
		}
		var read any
		var lookup auth.SessionLookup
		if withSession := routeOf(ctx.Operation()).WithSession; withSession != nil {
			lookup = func(c context.Context, sessionID, userID uuid.UUID) (taskapi.Principal, time.Time, error) {
				p, lastUsed, v, err := withSession(c, ctx, sessionID, userID)
				read = v
				return p, lastUsed, err
			}
		}
		p, err := s.auth.AuthenticateWith(ctx.Context(), token, lookup)
		if err != nil {
			s.writeAuthError(api, ctx, err)
			return
		}
		if read != nil {
			// Only now: the session is live and the token's user's.
			ctx = huma.WithValue(ctx, carriedKey{}, read)
		}
		if p.ViaToken() {
			if err := tokenMayCall(routeOf(ctx.Operation()), p); err != nil {
				s.writeAuthError(api, ctx, err)
				return
			}
		}
		next(huma.WithValue(ctx, principalKey{}, p))
	}
}

// errNeedsSession refuses a personal access token on an operation that
// only a signed-in person may use.
var errNeedsSession = taskapi.NewProblem(taskapi.ErrForbidden,
	"personal access tokens cannot use this operation: managing the password, email, sessions, tokens or the account, "+
		"and administration, need a signed-in session")

// tokenMayCall checks a personal access token against what the route
// declares: superuser and session-only routes refuse every token; the
// others need the route's scope (RFC 6750 §3.1 insufficient_scope).
func tokenMayCall(r route, p taskapi.Principal) error {
	if r.Access != user || r.Scope == sessionOnly {
		return errNeedsSession
	}
	if p.Allows(r.Scope) {
		return nil
	}
	return huma.ErrorWithHeaders(
		huma.Error403Forbidden(fmt.Sprintf("this access token lacks the scope %s that this operation needs", r.Scope)),
		http.Header{"WWW-Authenticate": {fmt.Sprintf(`Bearer realm="taskapi", error="insufficient_scope", scope=%q`, string(r.Scope))}})
}

func (s *server) writeAuthError(api huma.API, ctx huma.Context, err error) {
	herr := s.problem(ctx.Context(), err)
	var he huma.HeadersError
	if errors.As(herr, &he) {
		for k, vs := range he.GetHeaders() {
			for _, v := range vs {
				ctx.AppendHeader(k, v)
			}
		}
	}
	status := http.StatusInternalServerError
	var se huma.StatusError
	if errors.As(herr, &se) {
		status = se.GetStatus()
	}
	_ = huma.WriteErr(api, ctx, status, herr.Error())
}

// bearerToken extracts the token of an "Authorization: Bearer …" header.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
