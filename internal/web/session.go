package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// keys sign the session cookie and derive the CSRF tokens. They come from
// the JWT secret, so every instance agrees on them and rotating the secret
// signs everybody out of the web app as it does of the API.
type keys struct{ session, csrf []byte }

func newKeys(secret string) keys {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("taskapi web " + label))
		return m.Sum(nil)
	}
	return keys{session: derive("session cookie"), csrf: derive("csrf token")}
}

func mac(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// isHTTPS reports whether the public base URL is https: then cookies are
// Secure and carry the __Host- prefix.
func isHTTPS(base string) bool {
	u, err := url.Parse(base)
	return err == nil && u.Scheme == "https"
}

func (a *App) cookieName(name string) string {
	if a.secure {
		return "__Host-" + name
	}
	return name
}

const (
	sessionCookie = "taskapi_session"
	anonCookie    = "taskapi_anon"
	flashCookie   = "taskapi_flash"
	// webSessionAge is how long the browser keeps the cookie; the session
	// row ends on its own schedule (auth's refresh TTL), checked on every
	// request.
	webSessionAge = 30 * 24 * time.Hour
)

func (a *App) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: a.cookieName(name), Value: value, Path: "/", HttpOnly: true, Secure: a.secure,
		SameSite: http.SameSiteLaxMode}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

func (a *App) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(a.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// sessionValue is the cookie of a session: its ID and a MAC over it. The
// session itself (live, not ended, its user active) is checked in the
// sessions table on every request, so an ended session is refused at once
// on every instance whatever the cookie says.
func (a *App) sessionValue(id uuid.UUID) string {
	return id.String() + "." + mac(a.keys.session, "session\x00"+id.String())
}

func (a *App) parseSession(v string) (uuid.UUID, bool) {
	idText, sig, ok := strings.Cut(v, ".")
	if !ok || len(idText) != 36 {
		return uuid.Nil, false
	}
	if !hmac.Equal([]byte(sig), []byte(mac(a.keys.session, "session\x00"+idText))) {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(idText)
	return id, err == nil
}

// csrfToken is the token forms carry: bound to the session, or for a
// visitor not logged in, to a random cookie of their own.
func (a *App) csrfToken(r *http.Request, p *taskapi.Principal) string {
	if p != nil {
		return mac(a.keys.csrf, "session\x00"+p.SessionID.String())
	}
	if anon := a.cookie(r, anonCookie); anon != "" {
		return mac(a.keys.csrf, "anon\x00"+anon)
	}
	return ""
}

func randomToken() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// touchEvery matches auth's: a session's last use is recorded at most
// once a minute.
const touchEvery = time.Minute

// principal reads the session cookie; nil when there is no live session.
func (a *App) principal(ctx context.Context, r *http.Request) (*taskapi.Principal, error) {
	v := a.cookie(r, sessionCookie)
	if v == "" {
		return nil, nil
	}
	id, ok := a.parseSession(v)
	if !ok {
		return nil, nil
	}
	p, lastUsed, err := a.store.SessionPrincipal(ctx, id)
	if errors.Is(err, taskapi.ErrUnauthorized) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if a.now().Sub(lastUsed) > touchEvery {
		if err := a.store.TouchSession(ctx, id); err != nil {
			a.log.WarnContext(ctx, "record session use", "err", err.Error())
		}
	}
	return &p, nil
}

func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
