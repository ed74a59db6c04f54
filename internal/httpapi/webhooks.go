package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// WebhookBody is a webhook endpoint as the API shows it (never its secret).
type WebhookBody struct {
	ID             string     `json:"id" format:"uuid"`
	URL            string     `json:"url" doc:"Where events are POSTed"`
	Description    string     `json:"description"`
	EventTypes     []string   `json:"event_types" doc:"The event types sent to this endpoint"`
	Active         bool       `json:"active" doc:"false when paused by you or turned off by the server (see disabled_reason)"`
	DisabledReason string     `json:"disabled_reason,omitempty" doc:"Why the server turned the endpoint off (410 Gone, or 5 days of failures)"`
	FailingSince   *time.Time `json:"failing_since" doc:"Start of the current run of failed deliveries; null while deliveries succeed"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func webhookBody(w taskapi.Webhook) WebhookBody {
	types := w.EventTypes
	if types == nil {
		types = []string{}
	}
	return WebhookBody{ID: w.ID.String(), URL: w.URL, Description: w.Description, EventTypes: types, Active: w.Active,
		DisabledReason: w.DisabledReason, FailingSince: w.FailingSince, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

func webhookETag(w taskapi.Webhook) string { return etagOf("webhook", w.ID, w.Version) }

// WebhookPath names one endpoint.
type WebhookPath struct {
	ID string `path:"id" format:"uuid" doc:"Webhook ID"`
}

func (p *WebhookPath) resource(taskapi.Principal) (uuid.UUID, error) {
	return parseUUID("path.id", p.ID)
}

// WebhookOutput is one endpoint and its ETag.
type WebhookOutput struct {
	ETag string `header:"ETag"`
	Body WebhookBody
}

func webhookOutput(w taskapi.Webhook) *WebhookOutput {
	return &WebhookOutput{ETag: webhookETag(w), Body: webhookBody(w)}
}

// WebhookWithSecret is an endpoint with its signing secret, shown only when
// it is made (create, rotate).
type WebhookWithSecret struct {
	WebhookBody
	Secret string `json:"secret" doc:"The signing secret (whsec_…), shown only now: keep it to verify signatures"`
}

// CreatedWebhookOutput answers a create.
type CreatedWebhookOutput struct {
	ReplayedHeader
	Status   int
	Location string `header:"Location"`
	ETag     string `header:"ETag"`
	Body     WebhookWithSecret
}

func createdWebhook(c store.CreatedWebhook) *CreatedWebhookOutput {
	return &CreatedWebhookOutput{Status: http.StatusCreated, Location: apiPrefix + "/webhooks/" + c.Webhook.ID.String(),
		ETag: webhookETag(c.Webhook), Body: WebhookWithSecret{WebhookBody: webhookBody(c.Webhook), Secret: c.Secret}}
}

// CreateWebhookInput is POST /webhooks.
type CreateWebhookInput struct {
	IdempotencyKeyHeader
	Body struct {
		URL         string   `json:"url" minLength:"1" maxLength:"2000" doc:"https URL of the receiver; it must not resolve to a private or loopback address"`
		Description string   `json:"description,omitempty" maxLength:"200"`
		EventTypes  []string `json:"event_types" minItems:"1" maxItems:"20" enum:"task.created,task.updated,task.completed,task.deleted,category.created,category.updated,category.deleted,tag.created,tag.updated,tag.deleted,comment.created,comment.updated,comment.deleted" doc:"The event types to send. A task whose counts alone changed (subtask_count, completed_subtask_count, comment_count: a subtask or comment added, completed, reopened, moved or deleted) gets no task.updated: the subtask's own task.* event or the comment.* event says it"`
	}
}

func (s *server) createWebhook(ctx context.Context, caller taskapi.Principal, in *CreateWebhookInput) (*CreatedWebhookOutput, error) {
	c, replayed, err := s.store.CreateWebhook(ctx, caller.User.ID, taskapi.Webhook{URL: in.Body.URL,
		Description: in.Body.Description, EventTypes: in.Body.EventTypes}, s.webhookPolicy(), in.key())
	return answer(createdWebhook, c, replayed, err)
}

// webhookPolicy is what the operator allows of endpoint URLs.
func (s *server) webhookPolicy() store.WebhookPolicy {
	if s.cfg == nil {
		return store.WebhookPolicy{}
	}
	return store.WebhookPolicy{AllowHTTP: s.cfg.WebhookAllowHTTP, AllowPrivate: s.cfg.WebhookAllowPrivate}
}

// ListWebhooksInput is GET /webhooks.
type ListWebhooksInput struct {
	PageInput
}

// WebhookListOutput is one page of endpoints, oldest first.
type WebhookListOutput struct {
	Body struct {
		Items      []WebhookBody `json:"items"`
		NextCursor *string       `json:"next_cursor" doc:"null on the last page"`
	}
}

func (s *server) listWebhooks(ctx context.Context, caller taskapi.Principal, in *ListWebhooksInput) (*WebhookListOutput, error) {
	out := &WebhookListOutput{}
	var err error
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("webhooks"), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Webhook, store.Position, error) {
			return s.store.ListWebhooks(ctx, caller.User.ID, p)
		}, webhookBody)
	return out, err
}

// GetWebhookInput names the endpoint to read.
type GetWebhookInput struct{ WebhookPath }

func (s *server) getWebhook(ctx context.Context, caller taskapi.Principal, in *GetWebhookInput) (*WebhookOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	w, err := s.store.GetWebhook(ctx, caller.User.ID, id)
	if err != nil {
		return nil, err
	}
	return webhookOutput(w), nil
}

// PatchWebhookInput is a merge-patch of an endpoint.
type PatchWebhookInput struct {
	WebhookPath
	IfMatchHeader
	precondition
	Body struct {
		URL         Optional[string]   `json:"url,omitzero" maxLength:"2000"`
		Description Optional[string]   `json:"description,omitzero" maxLength:"200"`
		EventTypes  Optional[[]string] `json:"event_types,omitzero" maxItems:"20"`
		Active      Optional[bool]     `json:"active,omitzero" doc:"false pauses deliveries (they wait); true turns a disabled endpoint back on"`
	}
}

func (s *server) patchWebhook(ctx context.Context, caller taskapi.Principal, in *PatchWebhookInput) (*WebhookOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	var patch taskapi.WebhookPatch
	if patch.URL, err = required("url", in.Body.URL); err != nil {
		return nil, err
	}
	if patch.Description, err = required("description", in.Body.Description); err != nil {
		return nil, err
	}
	if patch.EventTypes, err = required("event_types", in.Body.EventTypes); err != nil {
		return nil, err
	}
	if patch.Active, err = required("active", in.Body.Active); err != nil {
		return nil, err
	}
	w, err := s.store.UpdateWebhook(ctx, caller.User.ID, id, patch, s.webhookPolicy(), in.ifMatch())
	if err != nil {
		return nil, err
	}
	s.webhookQueued() // a resumed endpoint may have deliveries waiting
	return webhookOutput(w), nil
}

// DeleteWebhookInput names the endpoint to delete.
type DeleteWebhookInput struct {
	WebhookPath
	IfMatchHeader
	precondition
}

func (s *server) deleteWebhook(ctx context.Context, caller taskapi.Principal, in *DeleteWebhookInput) (*struct{}, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	return nil, s.store.DeleteWebhook(ctx, caller.User.ID, id, in.ifMatch())
}

// RotateWebhookSecretInput is POST /webhooks/{id}/rotate-secret.
type RotateWebhookSecretInput struct {
	WebhookPath
	IfMatchHeader
	precondition
}

// RotatedWebhookOutput answers a rotation with the new secret.
type RotatedWebhookOutput struct {
	ETag string `header:"ETag"`
	Body WebhookWithSecret
}

func (s *server) rotateWebhookSecret(ctx context.Context, caller taskapi.Principal, in *RotateWebhookSecretInput) (*RotatedWebhookOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.RotateWebhookSecret(ctx, caller.User.ID, id, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return &RotatedWebhookOutput{ETag: webhookETag(c.Webhook), Body: WebhookWithSecret{WebhookBody: webhookBody(c.Webhook), Secret: c.Secret}}, nil
}

// PingWebhookInput is POST /webhooks/{id}/ping.
type PingWebhookInput struct{ WebhookPath }

func (s *server) pingWebhook(ctx context.Context, caller taskapi.Principal, in *PingWebhookInput) (*struct{}, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.store.PingWebhook(ctx, caller.User.ID, id); err != nil {
		return nil, err
	}
	s.webhookQueued()
	return nil, nil
}

// DeliveryBody is one entry of an endpoint's delivery log.
type DeliveryBody struct {
	ID          string     `json:"id" format:"uuid" doc:"Also the webhook-id header of the request"`
	EventType   string     `json:"event_type"`
	EntityType  string     `json:"entity_type"`
	EntityID    string     `json:"entity_id" format:"uuid"`
	Status      string     `json:"status" enum:"pending,delivered,failed"`
	Attempts    int        `json:"attempts"`
	LastStatus  *int       `json:"response_status" doc:"HTTP status of the last attempt; null when none came back"`
	LastError   *string    `json:"last_error"`
	DurationMS  *int       `json:"duration_ms" doc:"How long the last attempt took"`
	Payload     *string    `json:"payload" doc:"The body sent; kept 7 days"`
	Response    *string    `json:"response_body" doc:"The start of the receiver's answer; kept 7 days"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at"`
	NextAttempt *time.Time `json:"next_attempt_at" doc:"When a pending delivery is tried next"`
}

func deliveryBody(d store.Delivery) DeliveryBody {
	return DeliveryBody{ID: d.ID.String(), EventType: d.EventType, EntityType: d.EntityType, EntityID: d.EntityID.String(),
		Status: d.Status, Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError, DurationMS: d.DurationMS,
		Payload: d.Payload, Response: d.Response, CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt, NextAttempt: d.NextAttempt}
}

// ListDeliveriesInput is GET /webhooks/{id}/deliveries.
type ListDeliveriesInput struct {
	WebhookPath
	PageInput
}

// DeliveryListOutput is one page of a delivery log, newest first.
type DeliveryListOutput struct {
	Body struct {
		Items      []DeliveryBody `json:"items"`
		NextCursor *string        `json:"next_cursor" doc:"null on the last page"`
	}
}

func (s *server) listDeliveries(ctx context.Context, caller taskapi.Principal, in *ListDeliveriesInput) (*DeliveryListOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	out := &DeliveryListOutput{}
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("deliveries", id.String()), in.Cursor, in.Limit,
		func(p store.Page) ([]store.Delivery, store.Position, error) {
			return s.store.ListDeliveries(ctx, caller.User.ID, id, p)
		}, deliveryBody)
	return out, err
}

// RedeliverInput is POST /webhooks/{id}/deliveries/{delivery_id}/redeliver.
type RedeliverInput struct {
	WebhookPath
	DeliveryID string `path:"delivery_id" format:"uuid" doc:"Delivery ID"`
}

func (s *server) redeliver(ctx context.Context, caller taskapi.Principal, in *RedeliverInput) (*struct{}, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	did, err := parseUUID("path.delivery_id", in.DeliveryID)
	if err != nil {
		return nil, err
	}
	if err := s.store.Redeliver(ctx, caller.User.ID, id, did); err != nil {
		return nil, err
	}
	s.webhookQueued()
	return nil, nil
}

// webhookQueued wakes the delivery worker, when one runs in this process.
func (s *server) webhookQueued() {
	if s.webhooksQueued != nil {
		s.webhooksQueued()
	}
}

// WebhookData renders the data of a webhook event as the API shows the
// entity (a task, a category), so a receiver reads what a GET would give;
// an entity that is gone, or of a kind without a body here, is {"id": …}.
func WebhookData(st *store.Store) func(ctx context.Context, userID uuid.UUID, entityType string, id uuid.UUID) (json.RawMessage, error) {
	return func(ctx context.Context, userID uuid.UUID, entityType string, id uuid.UUID) (json.RawMessage, error) {
		var (
			body any
			err  error
		)
		switch entityType {
		case "task":
			var t taskapi.Task
			if t, err = st.GetTask(ctx, userID, id); err == nil {
				body = taskBody(t)
			}
		case "category":
			var c taskapi.Category
			if c, err = st.GetCategory(ctx, userID, id); err == nil {
				body = categoryBody(c)
			}
		case "tag":
			var t taskapi.Tag
			if t, err = st.GetTag(ctx, userID, id); err == nil {
				body = tagBody(t)
			}
		case "comment":
			var cs map[uuid.UUID]taskapi.Comment
			if cs, err = st.CommentsByID(ctx, userID, []uuid.UUID{id}); err == nil {
				if c, ok := cs[id]; ok {
					body = commentBody(c)
				}
			}
		}
		if errors.Is(err, taskapi.ErrNotFound) || (err == nil && body == nil) {
			body, err = map[string]string{"id": id.String()}, nil
		}
		if err != nil {
			return nil, err
		}
		return json.Marshal(body)
	}
}
