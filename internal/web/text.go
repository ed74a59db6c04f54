package web

import (
	"html/template"
	"net/http"
	"regexp"
	"strings"
)

var urlRE = regexp.MustCompile(`https?://[^\s<>"']+[^\s<>"'.,;:!?)\]]`)

// linkify escapes plain text and makes its http(s) URLs links; nothing in
// the text can become markup.
func linkify(s string) template.HTML {
	var b strings.Builder
	at := 0
	for _, m := range urlRE.FindAllStringIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(s[at:m[0]]))
		u := template.HTMLEscapeString(s[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `" rel="noopener noreferrer nofollow" target="_blank">` + u + `</a>`)
		at = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[at:]))
	return template.HTML(b.String())
}

// rowCtx is what the task row template needs besides the row.
type rowCtx struct {
	CSRF, Back string
	Row        row
}

const themeCookie = "taskapi_theme"

// themeOf is the theme the person chose, "" to follow the system.
func themeOf(r *http.Request) string {
	c, err := r.Cookie(themeCookie)
	if err != nil {
		return ""
	}
	switch c.Value {
	case "light", "dark":
		return c.Value
	}
	return ""
}

// themePost switches the theme without JavaScript; the script does the
// same in place.
func (a *App) themePost(w http.ResponseWriter, r *http.Request, rq *req) {
	next := "dark"
	switch r.PostForm.Get("theme") {
	case "light", "dark":
		next = r.PostForm.Get("theme")
	default:
		if themeOf(r) == "dark" {
			next = "light"
		}
	}
	// Not a secret: the script reads and writes it too.
	http.SetCookie(w, &http.Cookie{Name: themeCookie, Value: next, Path: "/", MaxAge: 365 * 24 * 3600, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	redirect(w, r, safeNext(r.PostForm.Get("back")))
}
