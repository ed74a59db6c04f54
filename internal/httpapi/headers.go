package httpapi

import (
	"net/http"
	"strings"
)

// Content security policies. The API answers JSON that no browser should
// ever run or frame; the docs pages run only their own scripts. Swagger UI
// and ReDoc set inline styles (React style attributes, styled-components),
// ReDoc starts a search worker from a blob: URL, and both draw icons from
// data: URLs; everything else stays 'none' or 'self'. Both pages were
// checked in headless Chromium under these policies: they render fully,
// and the one violation reported is ReDoc's footer logo on cdn.redoc.ly,
// which is meant to be blocked (the docs fetch nothing from elsewhere).
const (
	apiCSP  = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; manifest-src 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

// securityHeaders sets the headers every response carries, errors and
// docs pages included, before anything else can write.
func (s *server) securityHeaders(next http.Handler) http.Handler {
	hsts := s.cfg != nil && s.cfg.HSTS
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if isDocsPath(r.URL.Path) {
			h.Set("Content-Security-Policy", docsCSP)
		} else {
			h.Set("Content-Security-Policy", apiCSP)
		}
		if hsts {
			// Sent over plain HTTP too: TLS usually ends at the proxy in
			// front, and browsers ignore the header on plain HTTP anyway.
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func isDocsPath(p string) bool {
	return p == "/docs" || strings.HasPrefix(p, "/docs/") || p == "/redoc" || strings.HasPrefix(p, "/redoc/")
}

// CORS: what browsers on an allowed origin may send and read. The methods
// are those the operations use, and the exposed headers every response
// header the API sets beyond the safelisted ones (a test checks both
// against the OpenAPI document).
const (
	corsAllowMethods  = "GET, POST, PATCH, DELETE"
	corsAllowHeaders  = "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-ID"
	corsExposeHeaders = "ETag, Location, Idempotent-Replayed, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After, WWW-Authenticate, X-Request-ID"
)

// cors answers cross-origin requests from the origins in
// TASKAPI_CORS_ORIGINS ("*" for any); without it CORS is off and browsers
// keep other sites out. Preflights from allowed origins are answered here;
// others fall through to the router, which refuses OPTIONS. No credentials
// mode: the API takes bearer tokens, not cookies.
func (s *server) cors(next http.Handler) http.Handler {
	if s.cfg == nil || len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	anyOrigin := false
	allowed := make(map[string]bool, len(s.cfg.CORSOrigins))
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" {
			anyOrigin = true
		}
		allowed[strings.ToLower(o)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" || !(anyOrigin || allowed[strings.ToLower(origin)]) {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}
