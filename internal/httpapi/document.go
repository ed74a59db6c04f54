package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
)

// polishDocument completes the OpenAPI document huma generated from the
// route table with what generated clients need and huma does not say, so
// that the document lints clean under Redocly's recommended rules and the
// types generated from it match what the server does:
//   - public operations say they need no credentials (security: []);
//   - a field the server fills in when left out (it has a default) is not
//     required; arrays in bodies are never null;
//   - ErrorModel.type is optional (no problem of ours sets it);
//   - PATCH bodies are JSON or merge-patch JSON only (an operation that
//     reads its raw body does not take octet-stream);
//   - the headers every answer may carry (X-Request-ID, RateLimit-*,
//     Retry-After, WWW-Authenticate) and the 413/415 a body can get;
//   - a server entry and a license.
//
// huma's non-standard patternDescription keyword, which its validation
// messages use, is left out when the document is written (documentJSON).
func polishDocument(o *huma.OpenAPI) {
	o.Servers = []*huma.Server{{URL: "/", Description: "The server that serves this document"}}
	o.Info.License = &huma.License{Name: "Proprietary", Identifier: "LicenseRef-Proprietary"}
	if o.Components != nil {
		for name, s := range o.Components.Schemas.Map() {
			polishSchema(s)
			if name == "ErrorModel" {
				s.Required = slices.DeleteFunc(s.Required, func(p string) bool { return p == "type" })
			}
		}
	}
	// One value per documented header, shared by every answer that
	// carries it: the document stays in memory for the server's life.
	headers := map[string]*huma.Param{}
	for _, item := range o.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op != nil {
				polishOperation(op, headers)
			}
		}
	}
}

// polishSchema makes fields with a default optional and arrays non-null.
func polishSchema(s *huma.Schema) {
	if s == nil {
		return
	}
	if s.Type == huma.TypeArray {
		s.Nullable = false
	}
	s.Required = slices.DeleteFunc(s.Required, func(p string) bool {
		ps := s.Properties[p]
		return ps != nil && ps.Default != nil
	})
	for _, p := range s.Properties {
		polishSchema(p)
	}
	polishSchema(s.Items)
}

// polishOperation documents what every operation's answers may carry.
func polishOperation(op *huma.Operation, headers map[string]*huma.Param) {
	r := routeOf(op)
	if r.Access == public {
		op.Security = []map[string][]string{}
	}
	for _, p := range op.Parameters {
		polishSchema(p.Schema)
	}
	if rb := op.RequestBody; rb != nil {
		if op.Method == http.MethodPatch {
			delete(rb.Content, "application/octet-stream")
		}
		for _, mt := range rb.Content {
			polishSchema(mt.Schema)
		}
		addProblem(op, http.StatusRequestEntityTooLarge, "The body is larger than the limit")
		addProblem(op, http.StatusUnsupportedMediaType, "The body's Content-Type is not one the operation takes")
	}
	for code, resp := range op.Responses {
		status, _ := strconv.Atoi(code)
		addHeader(resp, headers, "X-Request-ID", "The request's ID (the client's own when it sent a valid one); logs carry it")
		if r.Limit != unlimited {
			addHeader(resp, headers, "RateLimit-Limit", "Requests allowed in the window of the limit that counts this operation")
			addHeader(resp, headers, "RateLimit-Remaining", "Requests left in the current window")
			addHeader(resp, headers, "RateLimit-Reset", "Seconds until the window resets")
			addHeader(resp, headers, "RateLimit-Policy", "The limit, as quota;w=window-seconds")
		}
		switch status {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			addHeader(resp, headers, "Retry-After", "Seconds to wait before trying again")
		case http.StatusUnauthorized:
			addHeader(resp, headers, "WWW-Authenticate", "Bearer: how to authenticate")
		case http.StatusForbidden:
			if r.Access == user && r.Scope != sessionOnly {
				addHeader(resp, headers, "WWW-Authenticate", `For a personal access token without the scope: Bearer error="insufficient_scope", scope="`+string(r.Scope)+`"`)
			}
		}
	}
}

// addProblem documents a problem+json answer of the given status.
func addProblem(op *huma.Operation, status int, description string) {
	code := strconv.Itoa(status)
	if op.Responses == nil {
		op.Responses = map[string]*huma.Response{}
	}
	if _, ok := op.Responses[code]; ok {
		return
	}
	op.Responses[code] = &huma.Response{Description: description, Content: map[string]*huma.MediaType{
		problemContentType: {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorModel"}},
	}}
}

func addHeader(resp *huma.Response, headers map[string]*huma.Param, name, description string) {
	if resp.Ref != "" {
		return
	}
	if resp.Headers == nil {
		resp.Headers = map[string]*huma.Param{}
	}
	if _, ok := resp.Headers[name]; !ok {
		key := name + "\x00" + description
		p := headers[key]
		if p == nil {
			p = &huma.Param{Description: description, Schema: &huma.Schema{Type: huma.TypeString}}
			headers[key] = p
		}
		resp.Headers[name] = p
	}
}

// documentJSON writes the document of api as JSON without huma's
// patternDescription keyword, which is not OpenAPI (the schemas keep it:
// huma's validation messages quote it).
func documentJSON(api huma.API) ([]byte, error) {
	b, err := api.OpenAPI().MarshalJSON()
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	dropKey(doc, "patternDescription")
	describeDefaults(doc)
	return json.Marshal(doc)
}

// describeDefaults moves the default of every optional property into its
// description: generators such as openapi-typescript make a property with
// a default required (it is always there in an answer), which for a
// request body it is not. huma still fills the defaults in.
func describeDefaults(v any) {
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			required, _ := v["required"].([]any)
			for name, p := range props {
				p, ok := p.(map[string]any)
				def, has := p["default"]
				if !ok || !has || slices.Contains(required, any(name)) {
					continue
				}
				text, _ := json.Marshal(def)
				desc, _ := p["description"].(string)
				if desc != "" {
					desc += ". "
				}
				p["description"] = desc + "Default: " + string(text) + "."
				delete(p, "default")
			}
		}
		for _, e := range v {
			describeDefaults(e)
		}
	case []any:
		for _, e := range v {
			describeDefaults(e)
		}
	}
}

// dropKey deletes key from every object in v.
func dropKey(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for _, e := range v {
			dropKey(e, key)
		}
	case []any:
		for _, e := range v {
			dropKey(e, key)
		}
	}
}
