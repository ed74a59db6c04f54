package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// /openapi.json is open to anyone, without a limit: it is marshalled once
// when the server is built, so a request costs a copy of the bytes, not a
// walk over every schema (thousands of allocations).
func TestOpenAPIIsBuiltOnce(t *testing.T) {
	h := httpapi.NewServer(httpapi.Deps{Config: testConfig(t)})
	serve := func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
		if w.Code != http.StatusOK || w.Body.Len() < 10_000 {
			t.Fatalf("GET /openapi.json: %d, %d bytes", w.Code, w.Body.Len())
		}
	}
	if n := testing.AllocsPerRun(20, serve); n > 300 {
		t.Errorf("GET /openapi.json: %.0f allocations per request", n)
	}
}
