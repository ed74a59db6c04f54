package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
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
	Limit  limitClass
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
}

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
	if r.Access != public {
		op.Security = []map[string][]string{{securityScheme: {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized)
	}
	if r.Access == superuser {
		op.Errors = append(op.Errors, http.StatusForbidden)
	}
	if r.Limit != unlimited {
		op.Errors = append(op.Errors, http.StatusTooManyRequests)
	}
	checkIdempotent[I, O](r)
	checkIfMatch[I](r)
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		caller := principalFrom(ctx)
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
		return out, nil
	})
	if r.Method == http.MethodPatch {
		acceptMergePatch(api, r.Path)
	}
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
