// Package httpapi is taskapi's HTTP interface: NewServer returns the whole
// API as one http.Handler. routes.go lists every operation; each resource
// has its own file; errors.go maps domain errors to problem+json.
package httpapi

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/httpapi/docsui"
	"github.com/taskapi/taskapi/internal/metrics"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
)

// Deps is what the server needs from the rest of the program.
type Deps struct {
	Config  *config.Config
	Store   *store.Store
	Auth    *auth.Service
	Logger  *slog.Logger
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Limiter keeps the rate limits (a ratelimit.Fallback over Redis when
	// several instances run); nil means an in-memory limiter of this
	// server's own. Unused when Config.RateLimit is off.
	Limiter ratelimit.Limiter
	// Metrics is the registry served at /metrics; nil means a new one.
	// The server registers its collectors on it, so use it for one server.
	Metrics *metrics.Metrics
	// Outbox, when set, reports the email outbox's depth on /metrics.
	Outbox metrics.OutboxStats
	// Pages, when set, registers the web app's routes on the server's
	// mux, so that they pass the same middleware (request ID, access log,
	// metrics, recovery, deadline, body limit).
	Pages func(*http.ServeMux)
	// WebhooksQueued, when set, wakes the webhook delivery worker after a
	// request queued a delivery (ping, redeliver, resume).
	WebhooksQueued func()
	// Events tunes the live-update streams (GET /events); zero values take
	// the defaults. Hub, when set, is the instance's hub, shared with the
	// web app; otherwise the server makes its own.
	Events    events.Options
	EventsHub *events.Hub
}

// server holds the dependencies shared by the handlers.
type server struct {
	cfg     *config.Config
	store   *store.Store
	auth    *auth.Service
	log     *slog.Logger
	version string
	now     func() time.Time
	// outage logs a database outage once; nil without a store.
	outage *outage
	// cursors signs and checks the cursors of lists.
	cursors cursorCodec
	metrics *metrics.Metrics
	// limiter is nil when rate limiting is off.
	limiter ratelimit.Limiter
	// searches bounds the task searches one user runs at once
	// (TASKAPI_SEARCHES_PER_USER), whether rate limiting is on or not.
	searches *ratelimit.Concurrency
	// webhooksQueued wakes the webhook worker; nil when none runs here.
	webhooksQueued func()
	// hub tells the event streams when their user's feed moved.
	hub *events.Hub
}

// apiPrefix is the base path of the versioned API.
const apiPrefix = "/api/v1"

// apiVersion is the version of the contract in the OpenAPI document; it is
// not the build version, so the checked-in document does not churn.
const apiVersion = "1.0.0"

// NewServer builds the HTTP handler of the whole service.
func NewServer(deps Deps) http.Handler {
	s := &server{cfg: deps.Config, store: deps.Store, auth: deps.Auth, log: deps.Logger, version: deps.Version, now: deps.Now,
		webhooksQueued: deps.WebhooksQueued}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cfg != nil {
		s.cursors = newCursorCodec(s.cfg.JWTSecret)
	}
	if s.store != nil {
		s.outage = &outage{ping: s.store.Ping, log: s.log, every: 500 * time.Millisecond}
	}
	s.hub = deps.EventsHub
	if s.hub == nil && s.store != nil {
		s.hub = events.New(s.store, deps.Events)
	}
	s.metrics = deps.Metrics
	if s.metrics == nil {
		s.metrics = metrics.New(deps.Version)
	}
	s.setupRateLimits(deps.Limiter)
	perUser := 2
	if s.cfg != nil && s.cfg.SearchesPerUser > 0 {
		perUser = s.cfg.SearchesPerUser
	}
	s.searches = ratelimit.NewConcurrency(perUser, limitSearchUser)
	s.watch(deps)
	mux := http.NewServeMux()
	api := s.newAPI(mux)
	s.routes(api)
	polishDocument(api.OpenAPI())
	mux.Handle("GET /openapi.json", s.openAPIHandler(api))
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.Handle("GET /calendar/{file}", s.calendarHandler())
	docsui.Register(mux, "/openapi.json")
	if deps.Pages != nil {
		deps.Pages(mux)
	}
	return s.middleware(mux)
}

// setupRateLimits picks the limiter: the one given, else one in memory.
// The in-memory one runs no janitor (the server has no Close); its size is
// bounded all the same.
func (s *server) setupRateLimits(l ratelimit.Limiter) {
	s.limiter = nil
	if s.cfg == nil || !s.cfg.RateLimit {
		return
	}
	if l == nil {
		l = ratelimit.NewMemory(context.Background(), ratelimit.MemoryOptions{SweepInterval: -1})
	}
	s.limiter = l
}

// watch registers the collectors of the server's dependencies.
func (s *server) watch(deps Deps) {
	if st := deps.Store; st != nil {
		s.metrics.WatchDBPools(func() map[string]sql.DBStats {
			read, write := st.Stats()
			if st.Engine() == "sqlite" {
				return map[string]sql.DBStats{"read": read, "write": write}
			}
			return map[string]sql.DBStats{"main": write}
		})
	}
	switch l := s.limiter.(type) {
	case *ratelimit.Fallback:
		s.metrics.WatchRateLimitFallback(l.Stats)
	case *ratelimit.Memory:
		s.metrics.WatchMemoryLimiter(l)
	}
	s.metrics.WatchOutbox(deps.Outbox)
}

// newAPI configures huma: our own docs routes, no $schema links in bodies,
// and the problem+json scrubbing transformer.
func (s *server) newAPI(mux *http.ServeMux) huma.API {
	cfg := huma.DefaultConfig("taskapi", apiVersion)
	cfg.Info.Description = "Task management API: accounts, categories and tasks. " +
		"Errors are RFC 9457 problem+json; lists use opaque keyset cursors."
	cfg.OpenAPIPath = ""
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil
	cfg.Formats = formats()
	cfg.Transformers = []huma.Transformer{scrubProblem}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		securityScheme: {
			Type:        "oauth2",
			Description: "Log in with POST /api/v1/auth/login (OAuth2 password flow) and send the access token as `Authorization: Bearer …`.",
			Flows: &huma.OAuthFlows{
				Password: &huma.OAuthFlow{TokenURL: apiPrefix + "/auth/login", Scopes: map[string]string{}},
			},
		},
		tokenScheme: {
			Type: "http", Scheme: "bearer", BearerFormat: "tapi_… personal access token",
			Description: "A personal access token, made with POST /api/v1/tokens (or on the web app's Access tokens page), " +
				"sent as `Authorization: Bearer tapi_…`. It carries scopes; each operation names the scope it needs " +
				"(a write scope includes its read scope). A token without it gets 403 with " +
				"`WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"…\"`. Operations that manage the password, " +
				"email, sessions, tokens or the account, and administration, accept no token (403). Scopes: " + scopeList() + ".",
		},
	}
	api := humago.New(mux, cfg)
	// Per-IP limits come before authentication (the auth routes have
	// none), per-user limits after it (they need the user).
	api.UseMiddleware(formOnlyForLogin(api), repeatedQuery(api), s.limitByIP(api), s.authenticate(api), s.limitByUser(api))
	return api
}

// securityScheme is the name operations use to declare they need a
// session's access token (a JWT from login).
const securityScheme = "bearer"

// tokenScheme is the name of personal access tokens in the document; user
// operations that take them list it with the scope they need.
const tokenScheme = "accessToken"

// scopeList describes every scope, for the document.
func scopeList() string {
	var b strings.Builder
	for i, sc := range taskapi.Scopes {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("`" + string(sc) + "`: " + taskapi.ScopeDescriptions[sc])
	}
	return b.String()
}

// maxBodyBytes is the body limit of every operation.
func (s *server) maxBodyBytes() int64 {
	if s.cfg == nil || s.cfg.MaxBodyBytes == 0 {
		return 1 << 20
	}
	return s.cfg.MaxBodyBytes
}

// openAPIHandler serves the document, marshalled once: the routes are
// all registered before it is built.
func (s *server) openAPIHandler(api huma.API) http.Handler {
	// Made on first request: it takes a while, and the server should
	// start listening at once.
	doc := sync.OnceValues(func() ([]byte, error) { return documentJSON(api) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := doc()
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/openapi+json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
}

// OpenAPI returns the OpenAPI document the server generates, indented, as
// checked in at openapi.json.
func OpenAPI() ([]byte, error) {
	s := &server{version: "v1", log: slog.New(slog.DiscardHandler), now: time.Now}
	api := s.newAPI(http.NewServeMux())
	s.routes(api)
	polishDocument(api.OpenAPI())
	return documentJSON(api)
}
