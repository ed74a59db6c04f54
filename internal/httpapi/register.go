package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// access says who may call an operation.
type access int

const (
	// public operations need no token.
	public access = iota
	// user operations need an access token of a live session.
	user
	// superuser operations need an access token of an administrator;
	// anyone else gets 403.
	superuser
)

// limitClass says which rate limit counts an operation's requests.
type limitClass int

const (
	// unlimited operations are counted by no limit (the service routes).
	unlimited limitClass = iota
	// perIP operations take from the client address's budget
	// (TASKAPI_RATE_LIMIT_AUTH) before the body is read.
	perIP
	// perUser operations take from the caller's budget
	// (TASKAPI_RATE_LIMIT_API) once the caller is authenticated.
	perUser
)

// route is one entry of the route table: the operation as the OpenAPI
// document shows it, and what register applies around its handler.
type route struct {
	ID, Method, Path     string
	Summary, Description string
	Tags                 []string
	// Status is the status of a success; 0 means 200.
	Status int
	// Errors are the statuses the operation itself may answer; register
	// adds those its declarations bring (401, 403, 429).
	Errors []int
	Access access
	// Scope is what a personal access token must hold to call a user
	// operation, or sessionOnly when no token may (a signed-in session
	// only).
	//
	// !!! EVERY `user` ROUTE MUST DECLARE A SCOPE: register panics at
	// start-up otherwise, and TestTokenScopesEveryRoute drives every user
	// route with tokens of each scope. Reading your resource → its :read
	// scope; changing it → its :write scope (which includes :read):
	// tasks and what hangs off them (subtasks, comments, recurrence,
	// reminders, completions) → taskapi.ScopeTasksRead/ScopeTasksWrite;
	// tags → ScopeTagsRead/ScopeTagsWrite; categories →
	// ScopeCategoriesRead/Write; webhooks → ScopeWebhooksManage. Anything
	// that manages the password, email, sessions, tokens or the account
	// itself → sessionOnly. Superuser routes never accept tokens and
	// declare no scope.
	Scope taskapi.Scope
	Limit limitClass
	// Idempotent creates accept Idempotency-Key: a repeat gets the first
	// answer again. The input embeds IdempotencyKeyHeader, the output
	// ReplayedHeader; the handler passes in.key() to the store and renders
	// through answer.
	Idempotent bool
	// IfMatch names the kind of resource (task, category, user) whose
	// ETag the If-Match header of a conditional change holds. The input
	// has the header and embeds precondition; register turns the header
	// into the versions the store's write must find (in.ifMatch()).
	IfMatch string
	// WithSession, for a read of a user route, reads what the operation
	// answers with in the same round trip as the session check of an
	// access JWT (see sessionRead); the handler takes it with carried.
	// Personal access tokens take the usual path: the handler reads.
	WithSession sessionRead
}

// sessionRead checks the session sessionID as store.SessionPrincipal does
// and, in the same round trip, reads what the operation at hc answers
// with, as the user userID (the token's): it returns the principal, when
// the session was last marked used, and what it read, which authenticate
// hands to the handler only once the session is live and userID's.
type sessionRead func(ctx context.Context, hc huma.Context, sessionID, userID uuid.UUID) (taskapi.Principal, time.Time, any, error)

// handler is the one shape of every operation: the caller (zero for public
// operations) and the decoded input in, the output or a domain error out.
type handler[I, O any] func(ctx context.Context, caller taskapi.Principal, in *I) (*O, error)

// routeKey is the key of a route in its huma operation's Metadata, where
// the middleware that runs before the handler (authenticate, the rate
// limits) reads it.
const routeKey = "taskapi.route"

// register adds one operation and applies, in this order, what its route
// declares: authentication (the authenticate middleware, from the
// operation's security), the rate limit (limitByIP, limitByUser), the
// superuser check, the idempotency key, the If-Match condition, then the
// handler, whose error is mapped to a problem
// once, by problem (errors.go).
func register[I, O any](s *server, api huma.API, r route, h handler[I, O]) {
	op := huma.Operation{
		OperationID: r.ID, Method: r.Method, Path: r.Path, Summary: r.Summary, Description: r.Description,
		Tags: r.Tags, DefaultStatus: r.Status, Errors: append([]int(nil), r.Errors...),
		MaxBodyBytes: s.maxBodyBytes(), Metadata: map[string]any{routeKey: r},
	}
	checkScope(r)
	if r.Access != public {
		op.Security = []map[string][]string{{securityScheme: {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized)
	}
	if r.Access == user && r.Scope != sessionOnly {
		op.Security = append(op.Security, map[string][]string{tokenScheme: {string(r.Scope)}})
		op.Description = strings.TrimSpace(op.Description + " Personal access tokens need the scope `" + string(r.Scope) + "`" +
			impliedNote(r.Scope) + ".")
	}
	if r.Access == user && r.Scope == sessionOnly {
		op.Description = strings.TrimSpace(op.Description + " Needs a signed-in session: personal access tokens get 403.")
	}
	if r.Access == superuser || r.Access == user {
		// A disabled scope or a token on a session-only route; for
		// superuser routes, anyone who is not an administrator.
		op.Errors = append(op.Errors, http.StatusForbidden)
	}
	if r.Limit != unlimited {
		op.Errors = append(op.Errors, http.StatusTooManyRequests)
	}
	checkIdempotent[I, O](r)
	checkIfMatch[I](r)
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		caller := principalFrom(ctx)
		if r.Access != public {
			// The change feed names who made each write.
			ctx = store.WithActor(ctx, store.PrincipalActor(caller))
		}
		if r.Access == superuser && !caller.User.IsSuperuser {
			return nil, s.problem(ctx, errNotAdmin)
		}
		if r.Idempotent {
			if err := claimIdempotencyKey(r, in); err != nil {
				return nil, s.problem(ctx, err)
			}
		}
		if r.IfMatch != "" {
			if err := applyIfMatch(r, caller, in); err != nil {
				return nil, s.problem(ctx, err)
			}
		}
		out, err := h(ctx, caller, in)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if r.Access == user && r.Method != http.MethodGet && s.webhooksQueued != nil {
			// A write may have queued webhook deliveries (from its change
			// records): send them now rather than at the worker's next poll.
			s.webhooksQueued()
		}
		return out, nil
	})
	if r.Method == http.MethodPatch {
		acceptMergePatch(api, r.Path)
	}
}

// sessionOnly is the Scope of user routes that no personal access token
// may call: those that manage the password, email, sessions, tokens or
// the account itself.
const sessionOnly taskapi.Scope = "session-only"

// checkScope panics at start-up when a user route declares no scope (or
// one that does not exist), or a public or superuser route declares one.
func checkScope(r route) {
	switch {
	case r.Access == user && r.Scope == "":
		panic(fmt.Sprintf("route %s: a user route must declare Scope (a taskapi.Scope, or sessionOnly); see route.Scope in register.go", r.ID))
	case r.Access == user && r.Scope != sessionOnly && !slices.Contains(taskapi.Scopes, r.Scope):
		panic(fmt.Sprintf("route %s: unknown Scope %q", r.ID, r.Scope))
	case r.Access != user && r.Scope != "":
		panic(fmt.Sprintf("route %s: only user routes declare a Scope", r.ID))
	}
}

// impliedNote says which write scope also grants a read scope.
func impliedNote(need taskapi.Scope) string {
	for _, s := range taskapi.Scopes {
		if s != need && taskapi.Grants([]taskapi.Scope{s}, need) {
			return " (or `" + string(s) + "`)"
		}
	}
	return ""
}

// routeOf returns the route an operation was registered from.
func routeOf(op *huma.Operation) route {
	r, _ := op.Metadata[routeKey].(route)
	return r
}

// errNotAdmin answers a caller who is not a superuser.
var errNotAdmin = taskapi.NewProblem(taskapi.ErrForbidden, "only administrators may use /admin routes")

// acceptMergePatch documents that the PATCH at path takes
// application/merge-patch+json as well as application/json (huma decodes
// every +json type as JSON).
func acceptMergePatch(api huma.API, path string) {
	op := api.OpenAPI().Paths[path].Patch
	op.RequestBody.Content["application/merge-patch+json"] = op.RequestBody.Content["application/json"]
}
