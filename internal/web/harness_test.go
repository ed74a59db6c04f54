package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/config/configtest"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/mail"
	"github.com/taskapi/taskapi/internal/mail/mailtest"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
	"github.com/taskapi/taskapi/internal/web"
)

// env is the whole server (API and web app) on a real database, with its
// email going over SMTP to a catcher.
type env struct {
	URL   string
	Store *store.Store
	Auth  *auth.Service
	Mail  *mailtest.Catcher
	Cfg   *config.Config
	// Clock is the server's clock (real time plus what a test adds).
	Clock *testkit.Clock
}

func newEnv(t testing.TB, engine storetest.Engine, tweak ...func(*config.Config)) *env {
	t.Helper()
	cfg := configtest.Load(t)
	for _, f := range tweak {
		f(cfg)
	}
	// One clock for the whole server, as cmd/taskapi has one (time.Now):
	// the store, the account rules, the API and the web app.
	clock := testkit.NewRealClock()
	st := storetest.Open(t, engine.NewURL(t), store.WithClock(clock.Now))
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	catcher := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.NewSMTPSender(catcher.URL("", ""), cfg.MailFrom, mail.SMTPOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var worker *mail.Worker
	authSvc, err := auth.NewService(st, auth.NewTokens(cfg.JWTSecret, nil, cfg.AccessTokenTTL, clock.Now), auth.Options{
		BcryptCost: cfg.BcryptCost, BaseURL: cfg.BaseURL, MailQueued: func() { worker.Notify() }, Logger: logger}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	worker = mail.NewWorker(st, sender, logger, mail.WorkerOptions{Poll: 100 * time.Millisecond, Backoff: 50 * time.Millisecond,
		Resolve: authSvc.ResolveEmailRequest})
	// Reminders go off as they would in cmd/taskapi, looked for often so
	// that browser tests see them soon.
	reminders := mail.NewReminderWorker(st, mail.NewTemplates(cfg.BaseURL), logger,
		mail.ReminderOptions{Poll: 100 * time.Millisecond, MailQueued: worker.Notify})
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { worker.Run(wctx); done <- struct{}{} }()
	go func() { reminders.Run(wctx); done <- struct{}{} }()
	t.Cleanup(func() { stop(); <-done; <-done })
	// One limiter for the API and the web app, as cmd/taskapi wires them.
	limiter := ratelimit.NewMemory(context.Background(), ratelimit.MemoryOptions{SweepInterval: -1})
	// One hub for the API's streams and the app's, as in cmd/taskapi;
	// quick, so that tests see changes and ended sessions soon.
	hub := events.New(st, events.Options{Poll: 100 * time.Millisecond, Recheck: 200 * time.Millisecond})
	app, err := web.New(web.Deps{Config: cfg, Store: st, Auth: authSvc, Logger: logger, Limiter: limiter, Now: clock.Now,
		ClientKey: httpapi.ClientKey, ClientIP: httpapi.ClientIP, EventsHub: hub})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Config: cfg, Store: st, Auth: authSvc, Logger: logger, Limiter: limiter,
		Version: "test", Now: clock.Now, Pages: app.Register, EventsHub: hub}))
	// The hub closes first, so open streams end and the server can close.
	t.Cleanup(srv.Close)
	t.Cleanup(hub.Close)
	return &env{URL: srv.URL, Store: st, Auth: authSvc, Mail: catcher, Cfg: cfg, Clock: clock}
}

func eachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) { fn(t, newEnv(t, engine)) })
	}
}

// browser is a person's browser: it keeps cookies, does not follow
// redirects on its own (tests follow them to check each step), and
// remembers the CSRF token of the last page it read.
type browser struct {
	t    testing.TB
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a finished response.
type page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	p := page{Status: res.StatusCode, Header: res.Header, Body: string(body), Location: res.Header.Get("Location")}
	if m := csrfRE.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && res.Header.Get("Content-Security-Policy") == "" {
		b.t.Errorf("%s %s: a page without Content-Security-Policy", req.Method, req.URL.Path)
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.URL+path, nil)
	return b.do(req)
}

// post sends a form as a browser on this site does: with the page's CSRF
// token and Sec-Fetch-Site: same-origin.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// follow goes where a redirect points.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.Status != http.StatusSeeOther && p.Status != http.StatusFound {
		b.t.Fatalf("want a redirect, got %d:\n%s", p.Status, p.Body)
	}
	return b.get(p.Location)
}

func want(t *testing.T, p page, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d; body:\n%s", p.Status, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("the page lacks %q; body:\n%s", s, p.Body)
		}
	}
}

// signup creates an account through the sign-up page and leaves the
// browser logged in, on the page it lands on.
func (b *browser) signup(name string) page {
	b.t.Helper()
	b.get("/signup")
	p := b.post("/signup", url.Values{"email": {name + "@example.com"}, "username": {name}, "password": {"a calm purple otter 42"},
		"timezone": {"Europe/Paris"}})
	if p.Status != http.StatusSeeOther || p.Location != "/today" {
		b.t.Fatalf("signup: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	return b.get("/today")
}

var taskLinkRE = regexp.MustCompile(`href="/tasks/([0-9a-f-]{36})`)

// taskIDs lists the tasks a page links to, in order.
func taskIDs(p page) []string {
	var ids []string
	for _, m := range taskLinkRE.FindAllStringSubmatch(p.Body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

var linkRE = regexp.MustCompile(`https?://[^/\s]+(/[^\s]*token=[A-Za-z0-9_-]+)`)

// linkPath is the path and query of the link in an email's text.
func linkPath(text string) string {
	if m := linkRE.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return "/no-link-in-the-email"
}

// atNoon sets the server's clock to the next noon in loc, less than a day
// ahead of real time (cookies expire by real time), and returns it: a test
// whose "today" must stay one day from its first request to its last runs
// it far from midnight, whenever it runs. Call it before signing up.
func (e *env) atNoon(loc *time.Location) time.Time {
	n := e.Clock.Now().In(loc)
	noon := time.Date(n.Year(), n.Month(), n.Day(), 12, 0, 0, 0, loc)
	if !noon.After(n) {
		noon = time.Date(n.Year(), n.Month(), n.Day()+1, 12, 0, 0, 0, loc)
	}
	e.Clock.Set(noon)
	return noon
}
