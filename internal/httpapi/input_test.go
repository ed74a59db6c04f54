package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
)

// echoInput is a body with a secret, to check what error answers reveal.
type echoInput struct {
	Body struct {
		Name     string `json:"name" minLength:"3" maxLength:"10"`
		Password string `json:"password" minLength:"8"`
	}
}

// newInputTestServer builds the real middleware and huma setup with a few
// extra operations that exercise the error paths.
func newInputTestServer(t *testing.T) (*httptest.Server, *strings.Builder) {
	t.Helper()
	logs := &strings.Builder{}
	s := &server{log: slog.New(slog.NewJSONHandler(logs, nil)), now: nil}
	mux := http.NewServeMux()
	api := s.newAPI(mux)
	register(s, api, route{ID: "echo", Method: http.MethodPost, Path: "/echo"},
		func(_ context.Context, _ taskapi.Principal, in *echoInput) (*StatusOutput, error) {
			switch in.Body.Name {
			case "boom":
				panic("handler exploded")
			case "driver":
				return nil, errors.New(`ERROR: relation "tasks" does not exist (SQLSTATE 42P01)`)
			case "taken":
				return nil, taskapi.ErrConflict
			case "badfield":
				return nil, taskapi.Invalid("name", "is not allowed")
			}
			return okStatus(), nil
		})
	srv := httptest.NewServer(s.middleware(mux))
	t.Cleanup(srv.Close)
	return srv, logs
}

func post(t *testing.T, url, contentType, body string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestInputErrors(t *testing.T) {
	srv, logs := newInputTestServer(t)
	const secret = "hunter2-very-secret"
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		location    string
	}{
		{"ok", "application/json", `{"name":"abc","password":"` + secret + `"}`, 200, ""},
		{"malformed json", "application/json", `{"name":"abc","password":"` + secret + `"`, 400, "body"},
		{"wrong type", "application/json", `{"name":5,"password":"` + secret + `"}`, 422, "body.name"},
		{"unknown field", "application/json", `{"name":"abc","password":"` + secret + `","is_superuser":true}`, 422, "body.is_superuser"},
		{"short password", "application/json", `{"name":"abc","password":"short"}`, 422, "body.password"},
		{"unsupported content type", "text/xml", `<a/>`, 415, ""},
		{"domain field error", "application/json", `{"name":"badfield","password":"` + secret + `"}`, 422, "body.name"},
		{"conflict", "application/json", `{"name":"taken","password":"` + secret + `"}`, 409, ""},
		{"internal error", "application/json", `{"name":"driver","password":"` + secret + `"}`, 500, ""},
		{"panic", "application/json", `{"name":"boom","password":"` + secret + `"}`, 500, ""},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := post(t, srv.URL+"/echo", tt.contentType, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", status, tt.status, body)
			}
			if strings.Contains(body, secret) || strings.Contains(body, "short") && tt.location == "body.password" && strings.Contains(body, `"value"`) {
				t.Errorf("the answer echoes the password: %s", body)
			}
			if status == 200 {
				return
			}
			if ct := h.Get("Content-Type"); ct != problemContentType {
				t.Errorf("Content-Type = %q", ct)
			}
			var p huma.ErrorModel
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			if p.Status != status || p.Title == "" || p.Detail == "" {
				t.Errorf("problem lacks fields: %s", body)
			}
			if tt.location != "" {
				found := false
				for _, d := range p.Errors {
					found = found || d.Location == tt.location
				}
				if !found {
					t.Errorf("no error at %s: %s", tt.location, body)
				}
			}
			if status == 500 && (strings.Contains(body, "SQLSTATE") || strings.Contains(body, "exploded")) {
				t.Errorf("500 leaks the cause: %s", body)
			}
		})
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("a password reached the log")
	}
	if !strings.Contains(logs.String(), "handler exploded") || !strings.Contains(logs.String(), "SQLSTATE 42P01") {
		t.Errorf("internal errors were not logged:\n%s", logs.String())
	}
}
