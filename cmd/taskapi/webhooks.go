package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/egress"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/mail"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/webhooks"
)

// startWebhooks starts the worker that sends webhook deliveries; stop
// ends it once a delivery under way is recorded.
func startWebhooks(cfg *config.Config, st *store.Store, log *slog.Logger) (w *webhooks.Worker, stop func()) {
	templates := mail.NewTemplates(strings.TrimRight(cfg.BaseURL, "/"))
	w = webhooks.NewWorker(st, httpapi.WebhookData(st), log, webhooks.Options{
		Client: egress.New(egress.Options{AllowPrivate: cfg.WebhookAllowPrivate, AllowHTTP: cfg.WebhookAllowHTTP}),
		Notice: func(c store.DeliveryClaim, reason string) (*store.OutboxMessage, error) {
			m, err := templates.WebhookDisabled(c.OwnerEmail, c.OwnerName, c.URL, reason)
			if err != nil {
				return nil, err
			}
			return &store.OutboxMessage{UserID: &c.UserID, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}, nil
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { w.Run(ctx) })
	return w, func() {
		cancel()
		wg.Wait()
	}
}
