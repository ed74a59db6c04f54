// Package web is taskapi's web app for people: server-rendered pages over
// the same auth service and store as the JSON API, a stylesheet and a
// small script of our own, all embedded in the binary. Every action is a
// plain form post; the script only makes it quicker.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
)

// Deps is what the web app needs from the rest of the program.
type Deps struct {
	Config *config.Config
	Store  *store.Store
	Auth   *auth.Service
	Logger *slog.Logger
	// Limiter is the rate limiter the API uses, so that the account pages
	// share its budgets; nil when rate limiting is off.
	Limiter ratelimit.Limiter
	// ClientKey names the client of a request for per-IP limits, in the
	// form the API uses (so both count against one budget); nil means the
	// TCP peer's address.
	ClientKey func(*http.Request) string
	// ClientIP is the client's address as shown in the list of sessions;
	// nil means the TCP peer's address.
	ClientIP func(*http.Request) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// WebhooksQueued, when set, wakes the webhook worker after a page
	// queued a delivery.
	WebhooksQueued func()
	// EventsHub is the instance's hub of live-update streams, the one the
	// API's GET /events uses, so that the bounds per user count the
	// streams of both; nil makes one of the app's own (tests, tools).
	EventsHub *events.Hub
}

// App is the web app.
type App struct {
	cfg       *config.Config
	store     *store.Store
	auth      *auth.Service
	log       *slog.Logger
	limiter   ratelimit.Limiter
	clientKey func(*http.Request) string
	clientIP  func(*http.Request) string
	now       func() time.Time
	keys      keys
	secure    bool
	views     *views
	assets    *assets
	gzip      *compressor
	// webhooksQueued wakes the webhook worker; nil when none runs here.
	webhooksQueued func()
	// hub tells the live-update streams when their user's feed moved.
	hub *events.Hub
}

// New builds the web app.
func New(d Deps) (*App, error) {
	a := &App{cfg: d.Config, store: d.Store, auth: d.Auth, log: d.Logger, clientKey: d.ClientKey, clientIP: d.ClientIP, now: d.Now,
		webhooksQueued: d.WebhooksQueued, hub: d.EventsHub}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.hub == nil && a.store != nil {
		a.hub = events.New(a.store, events.Options{})
	}
	if a.clientKey == nil {
		a.clientKey = peerAddr
	}
	if a.clientIP == nil {
		a.clientIP = peerAddr
	}
	a.keys = newKeys(a.cfg.JWTSecret)
	a.gzip = newCompressor()
	a.secure = isHTTPS(a.cfg.BaseURL)
	// Failed password checks are counted by auth.Service itself, for the
	// web pages and the API alike.
	if a.cfg.RateLimit && d.Limiter != nil {
		a.limiter = d.Limiter
	}
	var err error
	if a.assets, err = newAssets(); err != nil {
		return nil, err
	}
	if a.views, err = newViews(a.assets); err != nil {
		return nil, err
	}
	return a, nil
}

// Register adds the app's routes to mux. Each is wrapped in the
// cross-origin protection, the security headers and the session lookup.
func (a *App) Register(mux *http.ServeMux) {
	for _, r := range a.routes() {
		mux.Handle(r.pattern, a.gzip.wrap(a.wrap(r)))
	}
	mux.Handle("GET /assets/{name}", a.gzip.wrap(a.assets))
}

// Handler returns the app alone on a mux of its own (for tests and tools).
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	a.Register(mux)
	return mux
}
