package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestWebhookPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("ada")
		want(t, b.get("/settings"), http.StatusOK, `href="/settings/webhooks"`)
		want(t, b.get("/settings/webhooks"), http.StatusOK, "No endpoints yet.", `value="task.created" checked`)

		// Refused URLs are field errors that keep what was typed.
		for _, bad := range []string{"http://hooks.example.com/x", "https://127.0.0.1/x", "https://169.254.169.254/", "not a url"} {
			p := b.post("/settings/webhooks", url.Values{"url": {bad}, "event_types": {"task.created"}})
			want(t, p, http.StatusUnprocessableEntity, `aria-invalid="true"`)
			if !strings.Contains(p.Body, `value="`+strings.ReplaceAll(bad, "&", "&amp;")+`"`) {
				t.Errorf("%s: the form lost the URL", bad)
			}
		}
		want(t, b.post("/settings/webhooks", url.Values{"url": {"https://hooks.example.com/x"}}),
			http.StatusUnprocessableEntity, "Must name at least one event type")

		// The secret is in the answer to the create, and only there.
		p := b.post("/settings/webhooks", url.Values{"url": {"https://hooks.example.com/x"}, "description": {"CI"},
			"event_types": {"task.created", "task.completed"}})
		want(t, p, http.StatusCreated, "shown only once", "https://hooks.example.com/x")
		secret := secretPattern.FindString(html.UnescapeString(p.Body))
		if secret == "" {
			t.Fatalf("no secret in the answer:\n%s", p.Body)
		}
		list := b.get("/settings/webhooks")
		want(t, list, http.StatusOK, "https://hooks.example.com/x", "2 event types")
		if strings.Contains(list.Body, secret) {
			t.Errorf("the list shows the secret")
		}
		id := regexp.MustCompile(`href="/settings/webhooks/([0-9a-f-]{36})"`).FindStringSubmatch(list.Body)[1]
		hook := "/settings/webhooks/" + id

		want(t, b.follow(b.post(hook+"/ping", nil)), http.StatusOK, "A test event is on its way", "webhook.ping", "Waiting")
		// The log pages by a signed cursor: 51 deliveries make two pages.
		for range 50 {
			b.post(hook+"/ping", nil)
		}
		first := b.get(hook)
		older := regexp.MustCompile(`href="(/settings/webhooks/[^"]+\?cursor=[^"]+)"`).FindStringSubmatch(first.Body)
		if older == nil {
			t.Fatalf("no link to older deliveries")
		}
		next := strings.ReplaceAll(older[1], "&amp;", "&")
		if rows := strings.Count(b.get(next).Body, "<code>webhook.ping</code>"); rows != 1 {
			t.Errorf("the second page lists %d deliveries, want 1", rows)
		}
		want(t, b.get(strings.Replace(next, "cursor=", "cursor=x", 1)), http.StatusBadRequest, "This link is broken")
		want(t, b.follow(b.post(hook+"/pause", nil)), http.StatusOK, "Deliveries paused", "Paused", "Turn on")
		want(t, b.follow(b.post(hook+"/resume", nil)), http.StatusOK, "Deliveries resumed.", "Active")
		rot := b.post(hook+"/rotate", nil)
		want(t, rot, http.StatusOK, "shown only once")
		if s := secretPattern.FindString(html.UnescapeString(rot.Body)); s == "" || s == secret {
			t.Errorf("rotation showed %q", s)
		}

		// Another person sees nothing of it.
		other := e.browser(t)
		other.signup("bob")
		want(t, other.get(hook), http.StatusNotFound)
		want(t, other.post(hook+"/delete", nil), http.StatusNotFound)

		want(t, b.follow(b.post(hook+"/delete", nil)), http.StatusOK, "Webhook deleted.", "No endpoints yet.")
	})
}

// secretPattern finds a whole signing secret in a page, once the page's
// HTML escapes are undone (the template writes "+" as "&#43;").
var secretPattern = regexp.MustCompile(`whsec_[A-Za-z0-9+/]{32}`)
