package taskapi

import (
	"time"

	"github.com/google/uuid"
)

// Preferences are what a user chose about the mail the service sends on
// its own: reminder emails, and a daily digest of the tasks due today and
// overdue.
type Preferences struct {
	UserID uuid.UUID
	// ReminderEmails: reminders also go by email (they always show in the
	// web app). On by default.
	ReminderEmails bool
	// DigestHour is the local hour (0–23, in the user's time zone) of the
	// daily digest; nil: no digest.
	DigestHour *int
	UpdatedAt  time.Time
	// Version counts the changes; 1 for the defaults nobody changed yet.
	Version int64
}

// DefaultPreferences are a user's preferences until they change them.
func DefaultPreferences(userID uuid.UUID) Preferences {
	return Preferences{UserID: userID, ReminderEmails: true, Version: 1}
}

// ValidateDigestHour checks a digest hour: none, or 0–23.
func ValidateDigestHour(h *int) error {
	if h != nil && (*h < 0 || *h > 23) {
		return Invalid("digest_hour", "must be an hour from 0 to 23, or null for no digest")
	}
	return nil
}

// DigestAt is when the digest of the local day of t falls in loc: that
// day at hour:00 on the wall clock. On a day when summer time skips that
// hour, it is the first instant after the gap.
func DigestAt(t time.Time, loc *time.Location, hour int) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
}

// NextDigest is the first digest time of hour in loc that is after now:
// today's when it is still to come, else tomorrow's.
func NextDigest(now time.Time, loc *time.Location, hour int) time.Time {
	at := DigestAt(now, loc, hour)
	if !at.After(now) {
		l := now.In(loc)
		at = time.Date(l.Year(), l.Month(), l.Day()+1, hour, 0, 0, 0, loc)
	}
	return at.UTC()
}

// Notification is a message to a user in the web app: a reminder that
// went off. Read ones stay listed until purged.
type Notification struct {
	ID     uuid.UUID
	UserID uuid.UUID
	TaskID *uuid.UUID // nil once the task is gone
	Kind   string     // "REMINDER"
	// Title and DueDate are the task's when the notification was made.
	Title     string
	DueDate   *time.Time
	CreatedAt time.Time
	ReadAt    *time.Time
}

// NotificationReminder is the kind of a notification of a reminder.
const NotificationReminder = "REMINDER"
