package web

import (
	"net/http"
	"net/url"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// webhooksPage is the list of a person's webhook endpoints, the form to
// add one, and a secret just made (shown once).
type webhooksPage struct {
	Hooks      []hookRow
	EventTypes []string
	Form       *form
	Checked    map[string]bool
	Secret     string
	SecretFor  string
}

type hookRow struct {
	W       taskapi.Webhook
	Failing string
}

// webhookDetail is one endpoint with its delivery log.
type webhookDetail struct {
	W          taskapi.Webhook
	Deliveries []deliveryRow
	More       string
}

type deliveryRow struct {
	D    store.Delivery
	When string
	Next string
}

func (a *App) webhookPolicy() store.WebhookPolicy {
	return store.WebhookPolicy{AllowHTTP: a.cfg.WebhookAllowHTTP, AllowPrivate: a.cfg.WebhookAllowPrivate}
}

func (a *App) webhooksView(r *http.Request, rq *req, wp *webhooksPage) (view, error) {
	hooks, _, err := a.store.ListWebhooks(r.Context(), rq.p.User.ID, store.Page{Limit: store.MaxWebhooksPerUser})
	if err != nil {
		return view{}, err
	}
	for _, h := range hooks {
		row := hookRow{W: h}
		if h.FailingSince != nil {
			row.Failing = h.FailingSince.In(rq.loc).Format("2 Jan 15:04")
		}
		wp.Hooks = append(wp.Hooks, row)
	}
	wp.EventTypes = taskapi.WebhookEventTypes()
	if wp.Form == nil {
		wp.Form = newForm(r)
	}
	if wp.Checked == nil {
		wp.Checked = map[string]bool{"task.created": true, "task.updated": true, "task.completed": true, "task.deleted": true}
	}
	return view{Title: "Webhooks", Page: wp}, nil
}

func (a *App) webhooksPage(w http.ResponseWriter, r *http.Request, rq *req) {
	v, err := a.webhooksView(r, rq, &webhooksPage{})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.render(w, r, rq, http.StatusOK, "webhooks", v)
}

// createWebhook adds an endpoint and answers the page with its secret, in
// this answer only (not through a redirect: the secret must not sit in a
// cookie or a URL).
func (a *App) createWebhook(w http.ResponseWriter, r *http.Request, rq *req) {
	f := newForm(r, "url", "description")
	types := r.PostForm["event_types"]
	checked := map[string]bool{}
	for _, t := range types {
		checked[t] = true
	}
	created, _, err := a.store.CreateWebhook(r.Context(), rq.p.User.ID,
		taskapi.Webhook{URL: f.Values["url"], Description: f.Values["description"], EventTypes: types}, a.webhookPolicy(), nil)
	wp := &webhooksPage{Form: f, Checked: checked}
	status := http.StatusCreated
	if err != nil {
		fe, ok := formError(err, nil)
		if !ok {
			a.fail(w, r, rq, err)
			return
		}
		f.Errors, status = fe, http.StatusUnprocessableEntity
	} else {
		wp.Secret, wp.SecretFor, wp.Form = created.Secret, created.Webhook.URL, newForm(r)
		wp.Checked = nil
	}
	v, verr := a.webhooksView(r, rq, wp)
	if verr != nil {
		a.fail(w, r, rq, verr)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	a.render(w, r, rq, status, "webhooks", v)
}

func (a *App) webhookID(w http.ResponseWriter, r *http.Request, rq *req) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return uuid.Nil, false
	}
	return id, true
}

func (a *App) webhookPage(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.webhookID(w, r, rq)
	if !ok {
		return
	}
	hook, err := a.store.GetWebhook(r.Context(), rq.p.User.ID, id)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	d := &webhookDetail{W: hook}
	scope := "deliveries\x00" + id.String()
	var after store.Position
	if c := r.URL.Query().Get("cursor"); c != "" {
		pos, ok := a.openSigned(scope, c)
		if !ok {
			a.errorPage(w, r, rq, http.StatusBadRequest, "That did not work", "This link is broken; open the webhook again.")
			return
		}
		after = store.Position(pos)
	}
	items, next, err := a.store.ListDeliveries(r.Context(), rq.p.User.ID, id, store.Page{Limit: 50, After: after})
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	for _, it := range items {
		row := deliveryRow{D: it, When: it.CreatedAt.In(rq.loc).Format("2 Jan 15:04:05")}
		if it.NextAttempt != nil && it.Attempts > 0 {
			row.Next = it.NextAttempt.In(rq.loc).Format("2 Jan 15:04")
		}
		d.Deliveries = append(d.Deliveries, row)
	}
	if next != "" {
		d.More = "/settings/webhooks/" + id.String() + "?" + url.Values{"cursor": {a.sign(scope, string(next))}}.Encode()
	}
	a.render(w, r, rq, http.StatusOK, "webhook", view{Title: "Webhook", Page: d})
}

// webhookAction runs one of the buttons of an endpoint's page and goes
// back to it with a message.
func (a *App) webhookAction(w http.ResponseWriter, r *http.Request, rq *req) {
	id, ok := a.webhookID(w, r, rq)
	if !ok {
		return
	}
	ctx, uid := r.Context(), rq.p.User.ID
	var (
		err error
		msg string
	)
	back := "/settings/webhooks/" + id.String()
	switch r.PathValue("action") {
	case "ping":
		err, msg = a.store.PingWebhook(ctx, uid, id), "A test event is on its way; its outcome shows below."
	case "pause", "resume":
		on := r.PathValue("action") == "resume"
		_, err = a.store.UpdateWebhook(ctx, uid, id, taskapi.WebhookPatch{Active: &on}, a.webhookPolicy(), nil)
		msg = map[bool]string{true: "Deliveries resumed.", false: "Deliveries paused; events wait until you resume."}[on]
	case "delete":
		err, msg, back = a.store.DeleteWebhook(ctx, uid, id, nil), "Webhook deleted.", "/settings/webhooks"
	case "redeliver":
		did, perr := uuid.Parse(r.PostForm.Get("delivery"))
		if perr != nil {
			a.notFound(w, r, rq)
			return
		}
		err, msg = a.store.Redeliver(ctx, uid, id, did), "Queued again."
	case "rotate":
		var c store.CreatedWebhook
		if c, err = a.store.RotateWebhookSecret(ctx, uid, id, nil); err == nil {
			v, verr := a.webhooksView(r, rq, &webhooksPage{Secret: c.Secret, SecretFor: c.Webhook.URL})
			if verr != nil {
				a.fail(w, r, rq, verr)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			a.render(w, r, rq, http.StatusOK, "webhooks", v)
			return
		}
	default:
		a.notFound(w, r, rq)
		return
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	if a.webhooksQueued != nil {
		a.webhooksQueued()
	}
	a.flash(w, msg)
	redirect(w, r, back)
}
