package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// The Access tokens page (Settings → Access tokens): make a personal
// access token for a script, see the secret once, see and revoke the
// others. It calls auth and the store as the API does, with the same
// rules.

type scopeOption struct {
	Value, Description string
	Checked            bool
}

type expiryOption struct {
	Value, Label string
	Checked      bool
}

type tokenRow struct {
	T        taskapi.AccessToken
	Created  string
	LastUsed string
	Expires  string
	Expired  bool
}

// newTokenView is a token just made: the only time its secret is shown.
type newTokenView struct {
	Name, Secret string
	Scopes       []taskapi.Scope
	Expires      string
}

type tokensPage struct {
	Form   *form
	Scopes []scopeOption
	Expiry []expiryOption
	Tokens []tokenRow
	New    *newTokenView
	Max    int
}

// tokenExpiries are the lifetimes offered; "never" makes a token without
// expiry.
var tokenExpiries = []struct {
	value, label string
	days         int
}{
	{"7", "7 days", 7}, {"30", "30 days", 30}, {"90", "90 days", 90}, {"365", "1 year", 365}, {"never", "No expiry", 0},
}

const defaultTokenExpiry = "30"

func (a *App) tokensView(r *http.Request, rq *req, f *form, checked []string) (*tokensPage, error) {
	tp := &tokensPage{Form: f, Max: taskapi.MaxAccessTokens}
	for _, sc := range taskapi.Scopes {
		o := scopeOption{Value: string(sc), Description: taskapi.ScopeDescriptions[sc]}
		for _, c := range checked {
			o.Checked = o.Checked || c == string(sc)
		}
		tp.Scopes = append(tp.Scopes, o)
	}
	exp := f.Values["expires"]
	if exp == "" {
		exp = defaultTokenExpiry
	}
	for _, e := range tokenExpiries {
		tp.Expiry = append(tp.Expiry, expiryOption{Value: e.value, Label: e.label, Checked: e.value == exp})
	}
	toks, _, err := a.store.ListAccessTokens(r.Context(), rq.p.User.ID, store.Page{Limit: taskapi.MaxAccessTokens + 50})
	if err != nil {
		return nil, err
	}
	now := a.now()
	for _, t := range toks {
		row := tokenRow{T: t, Created: t.CreatedAt.In(rq.loc).Format("2 Jan 2006"), LastUsed: "Never used", Expires: "Never expires",
			Expired: t.Expired(now)}
		if t.LastUsedAt != nil {
			row.LastUsed = "Last used " + t.LastUsedAt.In(rq.loc).Format("2 Jan 2006 15:04")
		}
		if t.ExpiresAt != nil {
			row.Expires = "Expires " + t.ExpiresAt.In(rq.loc).Format("2 Jan 2006")
			if row.Expired {
				row.Expires = "Expired " + t.ExpiresAt.In(rq.loc).Format("2 Jan 2006")
			}
		}
		tp.Tokens = append(tp.Tokens, row)
	}
	return tp, nil
}

func (a *App) renderTokens(w http.ResponseWriter, r *http.Request, rq *req, status int, tp *tokensPage) {
	a.render(w, r, rq, status, "tokens", view{Title: "Access tokens", Page: tp})
}

func (a *App) tokensPage(w http.ResponseWriter, r *http.Request, rq *req) {
	tp, err := a.tokensView(r, rq, newForm(r), nil)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.renderTokens(w, r, rq, http.StatusOK, tp)
}

// createTokenPost makes a token and answers the page itself, with the
// secret, instead of redirecting: the secret must not travel in a cookie
// or a URL, and the page is no-store like every page.
func (a *App) createTokenPost(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r, "name", "expires")
	scopes := r.PostForm["scopes"]
	in := auth.NewAccessToken{Name: f.Values["name"], Scopes: scopes}
	if f.Values["expires"] == "" {
		f.Values["expires"] = defaultTokenExpiry
	}
	switch exp := f.Values["expires"]; exp {
	case "never":
	default:
		days := 0
		for _, e := range tokenExpiries {
			if e.value == exp {
				days = e.days
			}
		}
		if days == 0 {
			f.Errors["expires"] = "Choose when the token expires."
		}
		at := a.now().Add(time.Duration(days) * 24 * time.Hour)
		in.ExpiresAt = &at
	}
	var (
		t      taskapi.AccessToken
		secret string
		err    error
	)
	if len(f.Errors) == 0 {
		t, secret, err = a.auth.CreateAccessToken(r.Context(), *rq.p, in)
	}
	if len(f.Errors) > 0 || err != nil {
		switch fe, ok := formError(err, nil); {
		case err == nil:
		case ok:
			f.Errors = fe
			if fe["scopes"] != "" {
				f.Errors["scopes"] = "Choose at least one thing the token may do."
			}
		case errors.Is(err, taskapi.ErrQuotaExceeded):
			f.Error = "You have " + strconv.Itoa(taskapi.MaxAccessTokens) + " tokens, the most an account may keep. Revoke one you no longer use first."
		default:
			a.fail(w, r, rq, err)
			return
		}
		tp, verr := a.tokensView(r, rq, f, scopes)
		if verr != nil {
			a.fail(w, r, rq, verr)
			return
		}
		a.renderTokens(w, r, rq, http.StatusUnprocessableEntity, tp)
		return
	}
	tp, err := a.tokensView(r, rq, newForm(r), nil)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	tp.New = &newTokenView{Name: t.Name, Secret: secret, Scopes: t.Scopes, Expires: "It never expires."}
	if t.ExpiresAt != nil {
		tp.New.Expires = "It expires on " + t.ExpiresAt.In(rq.loc).Format("2 January 2006") + "."
	}
	a.renderTokens(w, r, rq, http.StatusOK, tp)
}

func (a *App) revokeTokenPost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	t, err := a.store.GetAccessToken(r.Context(), rq.p.User.ID, id)
	if err == nil {
		err = a.auth.RevokeAccessToken(r.Context(), *rq.p, id)
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.flash(w, "Token “"+t.Name+"” revoked. Anything using it is refused from now on.")
	redirect(w, r, "/settings/tokens")
}
