package taskapi

import (
	"time"

	"github.com/google/uuid"
)

// CalendarFeed is a user's secret calendar address: a URL that calendar
// apps subscribe to, serving the user's tasks with due dates. Its secret
// is shown once, when it is made; only its hash is kept.
type CalendarFeed struct {
	UserID     uuid.UUID
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// MaxCalendarTasks bounds the tasks of one calendar feed: the open tasks
// with the earliest due dates first, then the tasks completed whose due
// date is at most CalendarCompletedDays old.
const MaxCalendarTasks = 1000

// CalendarCompletedDays is how far back a feed keeps completed tasks, by
// due date, so a calendar shows what was done recently and does not grow
// with every task ever finished.
const CalendarCompletedDays = 30
