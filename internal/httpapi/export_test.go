package httpapi

import (
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
)

// RouteInfo is what tests read of one entry of the route table.
type RouteInfo struct {
	ID, Method, Path string
	// User and Superuser: the route's access (neither: public).
	User, Superuser bool
	// SessionOnly: a user route no personal access token may call.
	SessionOnly bool
	// Scope: what a token needs for a user route that is not SessionOnly.
	Scope taskapi.Scope
}

// RouteTable returns every operation the route table registers, so that
// tests cover routes added later without being edited.
func RouteTable() []RouteInfo {
	s := &server{version: "test", log: slog.New(slog.DiscardHandler), now: time.Now}
	api := s.newAPI(http.NewServeMux())
	s.routes(api)
	var out []RouteInfo
	for _, item := range api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			r := routeOf(op)
			info := RouteInfo{ID: r.ID, Method: r.Method, Path: r.Path, User: r.Access == user, Superuser: r.Access == superuser}
			if r.Access == user {
				info.SessionOnly = r.Scope == sessionOnly
				if !info.SessionOnly {
					info.Scope = r.Scope
				}
			}
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
