package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/httpapi/docsui"
)

func TestHealthAndReadiness(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.get(t, "/healthz", "").want(t, http.StatusOK)
		e.get(t, "/readyz", "").want(t, http.StatusOK)
		// With the database gone, the process is alive but not ready.
		e.Store.Close()
		e.get(t, "/healthz", "").want(t, http.StatusOK)
		e.get(t, "/readyz", "").wantProblem(t, http.StatusServiceUnavailable)
	})
}

func TestRequestID(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		r := e.get(t, "/healthz", "")
		if len(r.Header.Get("X-Request-ID")) < 16 {
			t.Errorf("X-Request-ID = %q, want a generated ID", r.Header.Get("X-Request-ID"))
		}
		r = e.do(t, request{Method: "GET", Path: "/healthz", Header: http.Header{"X-Request-Id": {"client-id-123"}}})
		if got := r.Header.Get("X-Request-ID"); got != "client-id-123" {
			t.Errorf("X-Request-ID = %q, want the client's echoed", got)
		}
		// An ID that could forge log lines is replaced.
		r = e.do(t, request{Method: "GET", Path: "/nope", Header: http.Header{"X-Request-Id": {"a b\"c"}}})
		if got := r.Header.Get("X-Request-ID"); got == "" || strings.ContainsAny(got, " \"") {
			t.Errorf("X-Request-ID = %q", got)
		}
		if !strings.Contains(e.Logs.String(), `"request_id":"client-id-123"`) {
			t.Errorf("access log lacks the request ID:\n%s", e.Logs.String())
		}
	})
}

func TestRoutingProblems(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.get(t, "/healthz", "").want(t, http.StatusOK)
		e.get(t, "/no/such/route", "").wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/nothing-here", "").wantProblem(t, http.StatusNotFound)
		r := e.do(t, request{Method: http.MethodDelete, Path: "/healthz"})
		r.wantProblem(t, http.StatusMethodNotAllowed)
		if !strings.Contains(r.Header.Get("Allow"), "GET") {
			t.Errorf("Allow = %q", r.Header.Get("Allow"))
		}
		// A body announced over the limit is refused before it is read.
		big := strings.Repeat("x", int(e.Config.MaxBodyBytes)+1)
		e.do(t, request{Method: http.MethodPost, Path: "/healthz", Body: big}).wantProblem(t, http.StatusRequestEntityTooLarge)
		// Every request is logged once with its route pattern.
		if !strings.Contains(e.Logs.String(), `"route":"GET /healthz"`) {
			t.Errorf("access log lacks the route pattern:\n%s", e.Logs.String())
		}
	})
}

func TestOpenAPIServedAndCheckedIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		r := e.get(t, "/openapi.json", "").want(t, http.StatusOK)
		var doc struct {
			OpenAPI string         `json:"openapi"`
			Paths   map[string]any `json:"paths"`
		}
		r.decode(t, &doc)
		if doc.OpenAPI != "3.1.0" || doc.Paths["/healthz"] == nil {
			t.Errorf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
		}
	})
	generated, err := httpapi.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	checkedIn, err := os.ReadFile("../../openapi.json")
	if err != nil {
		t.Fatalf("read the checked-in document: %v (regenerate: go run ./cmd/taskapi openapi > openapi.json)", err)
	}
	if !jsonEqual(t, generated, checkedIn) {
		t.Errorf("openapi.json is out of date; regenerate it with: go run ./cmd/taskapi openapi > openapi.json")
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

func TestDocsPagesServeLocally(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		r := e.get(t, "/docs", "")
		if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/docs/" {
			t.Fatalf("/docs: %d to %q", r.Status, r.Header.Get("Location"))
		}
		page := e.get(t, "/docs/", "").want(t, http.StatusOK)
		for _, asset := range []string{"swagger-ui-bundle.js", "swagger-ui.css", "swagger-initializer.js"} {
			if !strings.Contains(string(page.Body), asset) {
				t.Errorf("/docs/ does not load %s", asset)
			}
			e.get(t, "/docs/"+asset, "").want(t, http.StatusOK)
		}
		init := e.get(t, "/docs/swagger-initializer.js", "").want(t, http.StatusOK)
		if !strings.Contains(string(init.Body), `"/openapi.json"`) || strings.Contains(string(init.Body), "petstore") {
			t.Errorf("initializer does not point at our document:\n%s", init.Body)
		}
		redoc := e.get(t, "/redoc", "").want(t, http.StatusOK)
		if docsui.HasReDoc() {
			if !strings.Contains(string(redoc.Body), "/redoc/redoc.standalone.js") {
				t.Errorf("/redoc page does not load the bundle")
			}
			e.get(t, "/redoc/redoc.standalone.js", "").want(t, http.StatusOK)
		} else if !strings.Contains(string(redoc.Body), "go generate ./internal/httpapi/docsui") {
			t.Errorf("/redoc without the bundle does not say how to add it")
		}
		// Nothing on the pages points at another origin.
		for _, p := range [][]byte{page.Body, init.Body, redoc.Body} {
			if strings.Contains(string(p), "http://") || strings.Contains(string(p), "https://") {
				t.Errorf("a docs page references another origin:\n%s", p)
			}
		}
	})
}
