package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// repeatedQuery lets every list parameter be given either way,
// comma-separated (status=TODO,COMPLETED) or repeated
// (status=TODO&status=COMPLETED), by joining the repeated form into the
// comma-separated one huma reads; any other parameter given more than once
// is refused with 400. Without it huma reads only the first value of a
// repeated parameter and drops the others silently.
func repeatedQuery(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		r, _ := humago.Unwrap(ctx)
		if r == nil || !strings.Contains(r.URL.RawQuery, "&") {
			next(ctx)
			return
		}
		q := r.URL.Query()
		joined := false
		for name, values := range q {
			if len(values) < 2 {
				continue
			}
			list, declared := queryParam(ctx.Operation(), name)
			switch {
			case !declared:
				continue
			case !list:
				_ = huma.WriteErr(api, ctx, http.StatusBadRequest,
					fmt.Sprintf("the query parameter %s is given %d times; it takes one value", name, len(values)))
				return
			}
			q[name] = []string{strings.Join(values, ",")}
			joined = true
		}
		if joined {
			r.URL.RawQuery = q.Encode()
		}
		next(ctx)
	}
}

// queryParam tells whether op declares the query parameter name, and
// whether it is a list.
func queryParam(op *huma.Operation, name string) (list, declared bool) {
	for _, p := range op.Parameters {
		if p.In == "query" && p.Name == name {
			return p.Schema != nil && p.Schema.Type == "array", true
		}
	}
	return false, false
}
