package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

// Every operation of the API open to anyone is limited per IP, every
// operation that needs a token per user, and each documents 429: neither a
// new public route nor a new secured one goes unlimited.
func TestEveryRouteDeclaresItsLimit(t *testing.T) {
	s := &server{}
	api := s.newAPI(http.NewServeMux())
	s.routes(api)
	n := 0
	for path, item := range api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Patch, item.Put, item.Delete} {
			if op == nil {
				continue
			}
			n++
			r := routeOf(op)
			want := unlimited
			switch {
			case r.Access != public:
				want = perUser
			case strings.HasPrefix(path, apiPrefix+"/"):
				want = perIP
			}
			if r.Limit != want {
				t.Errorf("%s %s (%s): limit %d, want %d", op.Method, path, op.OperationID, r.Limit, want)
			}
			if _, ok := op.Responses["429"]; want != unlimited && !ok {
				t.Errorf("%s does not document 429", op.OperationID)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d operations registered", n)
	}
}
