package web

import (
	"context"
	"errors"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// The task detail's Activity section (templates/part_task_activity.html):
// the latest changes of the task and its comments, from the change feed,
// in words ("priority Low → High · you · 2 h ago").

// activityShown is how many of the latest changes the section lists.
const activityShown = 10

type activitySection struct {
	Items []activityItem
	More  bool // older changes exist
}

type activityItem struct {
	What, Who, When string
	At              string // RFC 3339, for <time datetime>
}

// loadActivity reads the section's changes. A task deleted meanwhile has
// none to show.
func (a *App) loadActivity(ctx context.Context, rq *req, f *taskForm) error {
	recs, next, err := a.store.TaskActivity(ctx, rq.p.User.ID, f.T.ID, store.Page{Limit: activityShown})
	if errors.Is(err, taskapi.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	names := make(map[string]string, len(f.Categories))
	for _, c := range f.Categories {
		names[c.ID.String()] = c.Name
	}
	now := a.now()
	f.Activity.More = next != ""
	for _, r := range recs {
		what := taskapi.ActivityPhrase(r.Type, string(r.Op), r.Fields, func(field string, v *string) string {
			return activityValue(field, v, names, rq.loc)
		})
		f.Activity.Items = append(f.Activity.Items, activityItem{What: what, Who: actorWords(r),
			When: agoWords(r.At, now, rq.loc), At: r.At.Format(time.RFC3339)})
	}
	return nil
}

// activityValue shows a field's value as the rest of the app does.
func activityValue(field string, v *string, categories map[string]string, loc *time.Location) string {
	if v == nil {
		return "none"
	}
	switch field {
	case "status":
		return statusName(taskapi.Status(*v))
	case "priority":
		return priorityName(taskapi.Priority(*v))
	case "category_id":
		if name, ok := categories[*v]; ok {
			return name
		}
		return "a deleted category"
	case "due_date":
		if t, err := time.Parse(time.RFC3339, *v); err == nil {
			return t.In(loc).Format("Mon 2 Jan 15:04")
		}
	case "title":
		return "“" + *v + "”"
	}
	return *v
}

// actorWords says who made a change: you (a session of yours), a token
// by its name, or taskapi itself.
func actorWords(r store.ChangeRecord) string {
	switch r.Actor.Kind {
	case store.ActorSession:
		return "you"
	case store.ActorToken:
		if r.ActorName != "" {
			return "token “" + r.ActorName + "”"
		}
		return "a deleted token"
	}
	return "taskapi"
}
