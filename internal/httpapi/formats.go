package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"
)

// formContentType is the body type of the OAuth2 password flow (login).
const formContentType = "application/x-www-form-urlencoded"

// formats are the body formats huma accepts: JSON, and URL-encoded forms so
// that OAuth2 clients (Swagger UI's "Authorize") can log in.
func formats() map[string]huma.Format {
	return map[string]huma.Format{
		"application/json": huma.DefaultJSONFormat,
		"json":             huma.DefaultJSONFormat,
		formContentType:    {Marshal: marshalFormUnsupported, Unmarshal: unmarshalForm},
	}
}

func marshalFormUnsupported(io.Writer, any) error {
	return fmt.Errorf("responses are never form-encoded")
}

// unmarshalForm decodes a form into v by way of JSON: each field becomes a
// string (the first value when repeated), which the schema then validates.
func unmarshalForm(data []byte, v any) error {
	values, err := url.ParseQuery(string(data))
	if err != nil {
		return fmt.Errorf("malformed form body")
	}
	m := make(map[string]any, len(values))
	for k, vs := range values {
		if len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// formOnlyForLogin refuses a form body (415) everywhere but login, where
// OAuth2 clients send one: a cross-site page can post a form without a
// preflight, so a form-encoded register, forgot-password or
// resend-verification would be a request any site could make in a
// visitor's name.
func formOnlyForLogin(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		mt, _, _ := mime.ParseMediaType(ctx.Header("Content-Type"))
		if mt == formContentType && ctx.Operation().OperationID != "auth-login" {
			_ = huma.WriteErr(api, ctx, http.StatusUnsupportedMediaType, "send the body as application/json")
			return
		}
		next(ctx)
	}
}
