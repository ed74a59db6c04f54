package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// Tags in the web app: the tags page (create, rename, recolour, delete),
// the task detail's tags section (templates/part_task_tags.html), the
// chips on rows (part_row_tags.html), which filter the list by a click,
// and the sidebar's Tags. The store's rules are the API's.

// tagsMax is how many tags the sidebar, the pickers and quick add load.
const tagsMax = 200

func (a *App) tags(ctx context.Context, rq *req) []taskapi.Tag {
	tags, _, err := a.store.ListTags(ctx, rq.p.User.ID, store.Page{Limit: tagsMax})
	if err != nil {
		a.log.WarnContext(ctx, "web: tags", "err", err.Error())
	}
	return tags
}

// tagURL is the list of the open tasks that have a tag: where a chip goes.
func tagURL(id uuid.UUID) string { return "/all?tag=" + id.String() }

type tagsPage struct {
	Tags    []taskapi.Tag
	Palette any
	Name    string
	Color   string
	Errors  fieldErrors
	EditID  string
}

func (a *App) tagsPage(w http.ResponseWriter, r *http.Request, rq *req) {
	tp := &tagsPage{Tags: a.tags(r.Context(), rq), Palette: palette, Color: palette[5].Hex, Errors: fieldErrors{}}
	a.render(w, r, rq, http.StatusOK, "tags", view{Title: "Tags", Page: tp})
}

func (a *App) createTagPost(w http.ResponseWriter, r *http.Request, rq *req) {
	in := taskapi.Tag{Name: strings.TrimSpace(r.PostForm.Get("name")), Color: colorOf(r)}
	if in.Color == "" {
		in.Color = taskapi.DefaultColor
	}
	tag, _, err := a.store.CreateTag(r.Context(), rq.p.User.ID, in, nil)
	if err != nil {
		tp := &tagsPage{Name: in.Name, Color: in.Color}
		a.tagFailed(w, r, rq, err, tp, func(fe fieldErrors) { tp.Errors = fe }, "name")
		return
	}
	a.flash(w, "Created “"+tag.Name+"”.")
	redirect(w, r, "/tags")
}

// tagFailed answers a refused tag form as categoryFailed does: the page
// again with the errors, 422.
func (a *App) tagFailed(w http.ResponseWriter, r *http.Request, rq *req, err error, tp *tagsPage, show func(fieldErrors), dupField string) {
	tp.Tags, tp.Palette, tp.Errors = a.tags(r.Context(), rq), palette, fieldErrors{}
	if fe, ok := formError(err, nil); ok {
		show(fe)
	} else if errors.Is(err, taskapi.ErrConflict) {
		tp.Errors[dupField] = "You already have a tag with this name."
	} else {
		a.fail(w, r, rq, err)
		return
	}
	a.render(w, r, rq, http.StatusUnprocessableEntity, "tags", view{Title: "Tags", Page: tp})
}

func (a *App) updateTagPost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	name, color := strings.TrimSpace(r.PostForm.Get("name")), colorOf(r)
	patch := taskapi.TagPatch{Name: &name}
	if color != "" {
		patch.Color = &color
	}
	tag, err := a.store.UpdateTag(r.Context(), rq.p.User.ID, id, patch, nil)
	if err != nil {
		tp := &tagsPage{Color: palette[5].Hex, EditID: id.String()}
		a.tagFailed(w, r, rq, err, tp, func(fe fieldErrors) { tp.Errors["edit"] = fe["name"] + fe["color"] }, "edit")
		return
	}
	a.flash(w, "Saved “"+tag.Name+"”.")
	redirect(w, r, "/tags")
}

func (a *App) deleteTagPost(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	tag, err := a.store.GetTag(r.Context(), rq.p.User.ID, id)
	if err == nil {
		err = a.store.DeleteTag(r.Context(), rq.p.User.ID, id, nil)
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.flash(w, "Deleted “"+tag.Name+"”; its tasks are kept, without it.")
	redirect(w, r, "/tags")
}

// tagsSection is the task detail's tags: the task's, and the user's
// others to offer.
type tagsSection struct {
	Items  []taskapi.TaskTag
	Others []taskapi.Tag
	Full   bool
}

// loadTags fills the section from the task as read.
func (a *App) loadTags(r *http.Request, rq *req, f *taskForm) {
	s := tagsSection{Items: f.T.Tags, Full: len(f.T.Tags) >= taskapi.MaxTagsPerTask}
	have := make(map[uuid.UUID]bool, len(f.T.Tags))
	for _, t := range f.T.Tags {
		have[t.ID] = true
	}
	for _, t := range a.tags(r.Context(), rq) {
		if !have[t.ID] {
			s.Others = append(s.Others, t)
		}
	}
	f.Tags = s
}

// taskTagAdd puts a tag on the task by name: one of the user's (case
// ignored), or a new one made on the spot, as typing a new label does in
// Todoist.
func (a *App) taskTagAdd(w http.ResponseWriter, r *http.Request, rq *req) {
	ctx := r.Context()
	name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.PostForm.Get("name")), "@"))
	if name == "" {
		a.reminderDone(w, r, "Type the name of a tag.")
		return
	}
	var tag *taskapi.Tag
	for _, t := range a.tags(ctx, rq) {
		if taskapi.TagNameKey(t.Name) == taskapi.TagNameKey(name) {
			tag = &t
			break
		}
	}
	done := "Tagged “" + name + "”."
	if tag == nil {
		made, _, err := a.store.CreateTag(ctx, rq.p.User.ID, taskapi.Tag{Name: name}, nil)
		if err != nil {
			var fe *taskapi.FieldError
			if errors.As(err, &fe) || errors.Is(err, taskapi.ErrQuotaExceeded) {
				a.reminderDone(w, r, "That tag is not possible: "+errText(err))
				return
			}
			a.fail(w, r, rq, err)
			return
		}
		tag, done = &made, "Created the tag “"+made.Name+"” and added it."
	}
	a.changeTags(w, r, rq, done, func(ids []uuid.UUID) []uuid.UUID { return append(ids, tag.ID) })
}

// taskTagRemove takes one tag off the task.
func (a *App) taskTagRemove(w http.ResponseWriter, r *http.Request, rq *req) {
	tid, err := uuid.Parse(r.PathValue("tid"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	a.changeTags(w, r, rq, "Tag removed.", func(ids []uuid.UUID) []uuid.UUID {
		out := ids[:0:0]
		for _, id := range ids {
			if id != tid {
				out = append(out, id)
			}
		}
		return out
	})
}

// changeTags replaces the task's tags with edit(current) under the
// version it read, and goes back to the task.
func (a *App) changeTags(w http.ResponseWriter, r *http.Request, rq *req, done string, edit func([]uuid.UUID) []uuid.UUID) {
	a.patchFromDetail(w, r, rq, done, func(t taskapi.Task) taskapi.TaskPatch {
		ids := edit(tagIDsOf(t.Tags))
		return taskapi.TaskPatch{TagIDs: &ids}
	}, func(fe *taskapi.FieldError) string { return "That tag is not possible: " + errText(fe) })
}

// tagFilter reads a list's tag filter from its URL (?tag=ID[,ID]): the
// IDs to filter on and the user's tags they name, for the chips that
// undo it. An ID that is not one of the user's tags is left out.
func (a *App) tagFilter(ctx context.Context, rq *req, value string) ([]uuid.UUID, []taskapi.Tag) {
	if value == "" {
		return nil, nil
	}
	byID := map[uuid.UUID]taskapi.Tag{}
	for _, t := range a.tags(ctx, rq) {
		byID[t.ID] = t
	}
	var ids []uuid.UUID
	var tags []taskapi.Tag
	for part := range strings.SplitSeq(value, ",") {
		id, err := uuid.Parse(strings.TrimSpace(part))
		if t, ok := byID[id]; err == nil && ok && len(ids) < taskapi.MaxTagsPerFilter {
			ids, tags = append(ids, id), append(tags, t)
			delete(byID, id)
		}
	}
	return ids, tags
}

// tagChip is an active tag filter: the tag, and the list's URL without it.
type tagChip struct {
	Tag    taskapi.Tag
	Remove string
}

// tagChips are the chips of the active tag filters of the list at u.
func tagChips(u *url.URL, tags []taskapi.Tag) []tagChip {
	out := make([]tagChip, len(tags))
	for i, t := range tags {
		var rest []string
		for _, o := range tags {
			if o.ID != t.ID {
				rest = append(rest, o.ID.String())
			}
		}
		q := u.Query()
		q.Del("cursor")
		if len(rest) == 0 {
			q.Del("tag")
		} else {
			q.Set("tag", strings.Join(rest, ","))
		}
		out[i] = tagChip{Tag: t, Remove: u.Path + "?" + q.Encode()}
		if len(q) == 0 {
			out[i].Remove = u.Path
		}
	}
	return out
}

func tagIDsOf(tags []taskapi.TaskTag) []uuid.UUID {
	ids := make([]uuid.UUID, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	return ids
}
