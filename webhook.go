package taskapi

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Webhook is an endpoint of a user's that is told of changes to their
// data: each event of a subscribed type is POSTed to URL, signed with the
// endpoint's secret (Standard Webhooks).
type Webhook struct {
	ID          uuid.UUID
	UserID      uuid.UUID
	URL         string
	Description string
	// EventTypes are the event types sent; see WebhookEventTypes.
	EventTypes []string
	// Active is false when the user paused the endpoint or the server
	// disabled it (DisabledReason says why).
	Active         bool
	DisabledReason string
	// FailingSince is when the first of the current run of failed
	// deliveries was made; nil while deliveries succeed.
	FailingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
}

// Webhook rules.
const (
	WebhookURLMaxLen         = 2000
	WebhookDescriptionMaxLen = 200
)

// WebhookEventTypes lists every event type a webhook can subscribe to, in
// a stable order; a new list on every call.
func WebhookEventTypes() []string {
	return []string{
		"task.created", "task.updated", "task.completed", "task.deleted",
		"category.created", "category.updated", "category.deleted",
		"tag.created", "tag.updated", "tag.deleted",
		"comment.created", "comment.updated", "comment.deleted",
	}
}

// ValidateWebhookURL checks the form of an endpoint URL: absolute, http(s),
// no credentials or fragment. Where it may point (not the server's own
// network) is checked again on every delivery, after DNS resolution.
func ValidateWebhookURL(raw string, allowHTTP bool) error {
	if utf8.RuneCountInString(raw) > WebhookURLMaxLen || !ValidText(raw) {
		return Invalid("url", "must be at most %d characters of valid UTF-8", WebhookURLMaxLen)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return Invalid("url", "must be an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	default:
		return Invalid("url", "must use https")
	}
	if u.User != nil || u.Fragment != "" {
		return Invalid("url", "must not carry credentials or a fragment")
	}
	return nil
}

// NormalizeEventTypes checks a subscription and returns it sorted without
// repeats; it must name at least one known type.
func NormalizeEventTypes(types []string) ([]string, error) {
	known := WebhookEventTypes()
	out := make([]string, 0, len(types))
	for _, t := range types {
		if !slices.Contains(known, t) {
			return nil, Invalid("event_types", "%q is not an event type (known: %s)", clipText(t, 40), strings.Join(known, ", "))
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, Invalid("event_types", "must name at least one event type")
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ValidateWebhookDescription checks the description rule.
func ValidateWebhookDescription(d string) error {
	if utf8.RuneCountInString(d) > WebhookDescriptionMaxLen || !ValidText(d) {
		return Invalid("description", "must be at most %d characters of valid UTF-8 without NUL", WebhookDescriptionMaxLen)
	}
	return nil
}

// WebhookPatch is a merge-patch of a webhook: nil fields stay.
type WebhookPatch struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	Active      *bool
}

// Apply validates p and applies it to w, reporting whether anything
// changed. Turning an endpoint back on clears why it was disabled and its
// run of failures.
func (w *Webhook) Apply(p WebhookPatch, allowHTTP bool) (changed bool, err error) {
	if p.URL != nil {
		if err := ValidateWebhookURL(*p.URL, allowHTTP); err != nil {
			return false, err
		}
		changed = changed || *p.URL != w.URL
		w.URL = *p.URL
	}
	if p.Description != nil {
		if err := ValidateWebhookDescription(*p.Description); err != nil {
			return false, err
		}
		changed = changed || *p.Description != w.Description
		w.Description = *p.Description
	}
	if p.EventTypes != nil {
		types, err := NormalizeEventTypes(*p.EventTypes)
		if err != nil {
			return false, err
		}
		changed = changed || !slices.Equal(types, w.EventTypes)
		w.EventTypes = types
	}
	if p.Active != nil && *p.Active != w.Active {
		changed, w.Active = true, *p.Active
		if w.Active {
			w.DisabledReason, w.FailingSince = "", nil
		}
	}
	return changed, nil
}

// Subscribes reports whether w wants events of type t.
func (w Webhook) Subscribes(t string) bool { return slices.Contains(w.EventTypes, t) }

// clipText shortens s for an error message.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
