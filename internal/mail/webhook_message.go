package mail

// WebhookDisabled tells the owner of a webhook endpoint that the server
// turned it off, and why.
func (t *Templates) WebhookDisabled(to, username, endpoint, reason string) (Message, error) {
	return t.render("webhook-disabled", to, "A taskapi webhook endpoint was turned off",
		data{Username: username, URL: endpoint, Reason: reason, Link: t.baseURL + "/settings/webhooks"})
}

const webhookText = `{{define "webhook-disabled"}}Hello {{.Username}},

taskapi stopped sending events to your webhook endpoint
{{.URL}}
because {{.Reason}}.

Events that were waiting for it will not be sent. When the receiver works again, turn the endpoint back on:
{{.Link}}
{{end}}`

const webhookHTML = `{{define "webhook-disabled"}}{{template "head"}}<p>Hello {{.Username}},</p>
<p>taskapi stopped sending events to your webhook endpoint <code>{{.URL}}</code> because {{.Reason}}.</p>
<p>Events that were waiting for it will not be sent. When the receiver works again, <a href="{{.Link}}">turn the endpoint back on</a>.</p>{{template "foot"}}{{end}}`
