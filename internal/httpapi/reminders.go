package httpapi

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// ReminderInput is one reminder of a task as a client asks for it: either
// {"at": instant} or {"relative": ISO 8601 duration from the due date}.
type ReminderInput struct {
	At       *time.Time `json:"at,omitempty" doc:"An instant (RFC 3339): the reminder goes off then. Exactly one of at and relative."`
	Relative *string    `json:"relative,omitempty" maxLength:"40" example:"-PT30M" doc:"An ISO 8601 duration from the due date, [+-]P[nW][nD][T[nH][nM][nS]]: -PT30M is 30 minutes before, -P1D one day before (days count on the owner's wall clock), PT0S at the due time. The task needs a due date; the reminder moves with it."`
}

// ReminderBody is a reminder as the API shows it.
type ReminderBody struct {
	ID       string     `json:"id" format:"uuid"`
	At       *time.Time `json:"at" doc:"The instant asked for; null for a relative reminder"`
	Relative *string    `json:"relative" doc:"The offset from the due date asked for, as an ISO 8601 duration; null for an absolute reminder"`
	FireAt   *time.Time `json:"fire_at" doc:"Read-only: when it goes off (UTC); null for a relative reminder while the task has no due date"`
	State    string     `json:"state" enum:"PENDING,SENT,SKIPPED" doc:"Read-only: PENDING until it goes off, then SENT. SKIPPED when its time was already past when it was set or moved, or came while the task was completed or archived."`
	SentAt   *time.Time `json:"sent_at" doc:"Read-only: when it went off"`
}

func reminderBodies(rs []taskapi.Reminder) []ReminderBody {
	out := make([]ReminderBody, len(rs))
	for i, r := range rs {
		b := ReminderBody{ID: r.ID.String(), At: r.At, FireAt: r.FireAt, State: string(r.State), SentAt: r.SentAt}
		if r.Relative != nil {
			v := r.Relative.String()
			b.Relative = &v
		}
		out[i] = b
	}
	return out
}

// reminders turns the reminders of a request into domain values; the
// rules that need the task (a due date, the limit) are the store's.
func reminders(in []ReminderInput) ([]taskapi.Reminder, error) {
	if len(in) > taskapi.MaxRemindersPerTask {
		return nil, taskapi.Invalid("reminders", "at most %d reminders per task", taskapi.MaxRemindersPerTask)
	}
	out := make([]taskapi.Reminder, len(in))
	for i, r := range in {
		field := "reminders[" + strconv.Itoa(i) + "]"
		if (r.At == nil) == (r.Relative == nil) {
			return nil, taskapi.Invalid(field, `must have exactly one of "at" (an instant) and "relative" (an ISO 8601 duration from the due date)`)
		}
		if r.At != nil {
			at := clientTime(*r.At)
			out[i].At = &at
			continue
		}
		o, err := taskapi.ParseOffset(field+".relative", *r.Relative)
		if err != nil {
			return nil, err
		}
		out[i].Relative = &o
	}
	return out, nil
}

// Preferences (GET and PATCH /users/me/preferences).

// PreferencesBody is a user's preferences.
type PreferencesBody struct {
	ReminderEmails bool      `json:"reminder_emails" doc:"Reminders also go by email to your verified address (they always show in the web app)"`
	DigestHour     *int      `json:"digest_hour" doc:"Local hour (0–23, in your time zone) of a daily email of the tasks due today and overdue; null for none. Sent at most once a day, and not when there is nothing to say."`
	UpdatedAt      time.Time `json:"updated_at"`
}

// PreferencesOutput is a response holding the preferences and their ETag.
type PreferencesOutput struct {
	ETag string `header:"ETag" doc:"Version of the preferences, for If-Match"`
	Body PreferencesBody
}

func preferencesETag(p taskapi.Preferences) string { return etagOf("preferences", p.UserID, p.Version) }

func preferencesOutput(p taskapi.Preferences) *PreferencesOutput {
	return &PreferencesOutput{ETag: preferencesETag(p),
		Body: PreferencesBody{ReminderEmails: p.ReminderEmails, DigestHour: p.DigestHour, UpdatedAt: p.UpdatedAt.UTC()}}
}

func (s *server) getPreferences(ctx context.Context, caller taskapi.Principal, _ *struct{}) (*PreferencesOutput, error) {
	p, err := s.store.GetPreferences(ctx, caller.User.ID)
	if err != nil {
		return nil, err
	}
	return preferencesOutput(p), nil
}

// PatchPreferencesInput is a merge-patch of the caller's preferences.
type PatchPreferencesInput struct {
	IfMatchHeader
	precondition
	Body struct {
		ReminderEmails Optional[bool] `json:"reminder_emails,omitzero" doc:"Reminder emails on or off"`
		DigestHour     Optional[int]  `json:"digest_hour,omitzero" minimum:"0" maximum:"23" nullable:"true" doc:"Local hour of the daily digest; null turns it off"`
	}
}

func (in *PatchPreferencesInput) resource(c taskapi.Principal) (uuid.UUID, error) {
	return c.User.ID, nil
}

func (s *server) patchPreferences(ctx context.Context, caller taskapi.Principal, in *PatchPreferencesInput) (*PreferencesOutput, error) {
	var p store.PreferencesPatch
	var err error
	if p.ReminderEmails, err = required("reminder_emails", in.Body.ReminderEmails); err != nil {
		return nil, err
	}
	if p.DigestHour, err = change(in.Body.DigestHour, func(h int) (int, error) { return h, nil }); err != nil {
		return nil, err
	}
	out, err := s.store.UpdatePreferences(ctx, caller.User.ID, p, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return preferencesOutput(out), nil
}

// Notifications (/notifications).

// NotificationBody is one notification: a reminder that went off.
type NotificationBody struct {
	ID        string     `json:"id" format:"uuid"`
	Kind      string     `json:"kind" enum:"REMINDER"`
	TaskID    *string    `json:"task_id" format:"uuid" doc:"The task it is about"`
	Title     string     `json:"title" doc:"The task's title when the reminder went off"`
	DueDate   *time.Time `json:"due_date" doc:"The task's due date when the reminder went off"`
	CreatedAt time.Time  `json:"created_at" doc:"When it went off"`
	ReadAt    *time.Time `json:"read_at" doc:"When it was marked read (dismissed); null while unread"`
}

func notificationBody(n taskapi.Notification) NotificationBody {
	b := NotificationBody{ID: n.ID.String(), Kind: n.Kind, Title: n.Title, DueDate: n.DueDate, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	if n.TaskID != nil {
		id := n.TaskID.String()
		b.TaskID = &id
	}
	return b
}

// ListNotificationsInput pages the caller's notifications.
type ListNotificationsInput struct {
	PageInput
	Unread bool `query:"unread" doc:"Only the unread ones"`
}

// NotificationListOutput is a page of notifications.
type NotificationListOutput struct {
	Body struct {
		Items      []NotificationBody `json:"items"`
		NextCursor *string            `json:"next_cursor" doc:"Cursor of the next page; null on the last"`
	}
}

func (s *server) listNotifications(ctx context.Context, caller taskapi.Principal, in *ListNotificationsInput) (*NotificationListOutput, error) {
	out := &NotificationListOutput{}
	var err error
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("notifications", strconv.FormatBool(in.Unread)), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Notification, store.Position, error) {
			return s.store.ListNotifications(ctx, caller.User.ID, in.Unread, p)
		}, notificationBody)
	return out, err
}

// NotificationPath names one notification.
type NotificationPath struct {
	ID string `path:"id" format:"uuid" doc:"Notification ID"`
}

func (s *server) readNotification(ctx context.Context, caller taskapi.Principal, in *NotificationPath) (*NoContent, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.store.ReadNotifications(ctx, caller.User.ID, &id); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}

func (s *server) readAllNotifications(ctx context.Context, caller taskapi.Principal, _ *struct{}) (*NoContent, error) {
	if err := s.store.ReadNotifications(ctx, caller.User.ID, nil); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}
