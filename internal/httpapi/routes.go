package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// routes lists every operation of the API in one place. The docs pages and
// /openapi.json are added by NewServer.
func (s *server) routes(api huma.API) {
	// Service routes, outside /api/v1.
	register(s, api, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz",
		Summary: "Liveness", Description: "200 while the process runs.", Tags: []string{"service"}}, s.healthz)
	register(s, api, huma.Operation{OperationID: "readyz", Method: http.MethodGet, Path: "/readyz",
		Summary: "Readiness", Description: "200 when the database answers, 503 otherwise.", Tags: []string{"service"},
		Errors: []int{http.StatusServiceUnavailable}}, s.readyz)

	// Accounts and authentication: each list is in its resource's file
	// (auth.go, users.go, admin.go).
	s.authRoutes(api)
	s.userRoutes(api)
	s.adminRoutes(api)
}

// register adds one operation with the settings every operation shares:
// the body limit and the problem responses it can give.
func register[I, O any](s *server, api huma.API, op huma.Operation, handler func(context.Context, *I) (*O, error)) {
	op.MaxBodyBytes = s.maxBodyBytes()
	huma.Register(api, op, handler)
}
