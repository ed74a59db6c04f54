package web

import (
	"context"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// nav is the sidebar: the smart lists with their counts, then the
// categories.
type nav struct {
	Today, All, Completed int64
	Categories            []taskapi.Category
	Tags                  []taskapi.Tag
	// Day is today's day of the month in the user's zone, for the Today icon.
	Day int
}

// categoriesMax is how many categories the sidebar and the pickers load.
const categoriesMax = 200

func (a *App) loadNav(ctx context.Context, rq *req) *nav {
	uid := rq.p.User.ID
	now := a.now()
	n := &nav{Day: now.In(rq.loc).Day()}
	// The Today list's count: what is due before tomorrow, overdue or due
	// today, once each.
	w := taskapi.NewStatsWindow(now, rq.loc)
	if c, err := a.store.TaskNavCounts(ctx, uid, w.TomorrowStart); err == nil {
		n.Today, n.All, n.Completed = c.Today, c.Open, c.Completed
	} else {
		a.log.WarnContext(ctx, "web: sidebar counts", "err", err.Error())
	}
	n.Categories = a.categories(ctx, rq)
	n.Tags = a.tags(ctx, rq)
	return n
}

func (a *App) categories(ctx context.Context, rq *req) []taskapi.Category {
	cats, _, err := a.store.ListCategories(ctx, rq.p.User.ID, store.Page{Limit: categoriesMax})
	if err != nil {
		a.log.WarnContext(ctx, "web: categories", "err", err.Error())
	}
	return cats
}
