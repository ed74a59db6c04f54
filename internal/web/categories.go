package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// palette is the colours offered for categories: each reads on the light
// and the dark background (at least 3:1 as a dot).
var palette = []struct{ Name, Hex string }{
	{"Red", "#DC2626"}, {"Orange", "#EA580C"}, {"Amber", "#D97706"}, {"Green", "#16A34A"},
	{"Teal", "#0D9488"}, {"Cyan", "#0891B2"}, {"Blue", "#2563EB"}, {"Indigo", "#4F46E5"},
	{"Violet", "#7C3AED"}, {"Pink", "#DB2777"}, {"Brown", "#92400E"}, {"Grey", "#6B7280"},
}

type categoriesPage struct {
	Categories []taskapi.Category
	Palette    any
	Name       string
	Color      string
	Errors     fieldErrors
	EditID     string
}

func (a *App) categoriesPage(w http.ResponseWriter, r *http.Request, rq *req) {
	cp := &categoriesPage{Categories: a.categories(r.Context(), rq), Palette: palette, Color: palette[6].Hex, Errors: fieldErrors{}}
	a.render(w, r, rq, http.StatusOK, "categories", view{Title: "Categories", Page: cp})
}

// colorOf reads the colour of a category form: the custom hex when given,
// else the palette choice.
func colorOf(r *http.Request) string {
	if c := strings.TrimSpace(r.PostForm.Get("custom")); c != "" && r.PostForm.Get("color") == "custom" {
		return c
	}
	return strings.TrimSpace(r.PostForm.Get("color"))
}

func (a *App) createCategory(w http.ResponseWriter, r *http.Request, rq *req) {
	c := taskapi.Category{Name: strings.TrimSpace(r.PostForm.Get("name")), Color: colorOf(r)}
	if c.Color == "" {
		c.Color = taskapi.DefaultColor
	}
	in := c
	var err error
	if err = taskapi.ValidateCategoryName(c.Name); err == nil {
		if err = taskapi.ValidateColor(c.Color); err == nil {
			c.Color = taskapi.NormalizeColor(c.Color)
			c, _, err = a.store.CreateCategory(r.Context(), rq.p.User.ID, c, nil)
		}
	}
	if err != nil {
		cp := &categoriesPage{Name: in.Name, Color: in.Color}
		a.categoryFailed(w, r, rq, err, cp, func(fe fieldErrors) { cp.Errors = fe }, "name")
		return
	}
	a.flash(w, "Created “"+c.Name+"”.")
	redirect(w, r, "/categories")
}

// categoryFailed answers a refused category form: the page again with the
// field errors (shown by show) or the duplicate-name message at dupField,
// 422; any other error is the app's failure page.
func (a *App) categoryFailed(w http.ResponseWriter, r *http.Request, rq *req, err error, cp *categoriesPage, show func(fieldErrors), dupField string) {
	cp.Categories, cp.Palette, cp.Errors = a.categories(r.Context(), rq), palette, fieldErrors{}
	if fe, ok := formError(err, nil); ok {
		show(fe)
	} else if errors.Is(err, taskapi.ErrConflict) {
		cp.Errors[dupField] = "You already have a category with this name."
	} else {
		a.fail(w, r, rq, err)
		return
	}
	a.render(w, r, rq, http.StatusUnprocessableEntity, "categories", view{Title: "Categories", Page: cp})
}

func (a *App) updateCategory(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	name, color := strings.TrimSpace(r.PostForm.Get("name")), colorOf(r)
	patch := taskapi.CategoryPatch{Name: &name}
	if color != "" {
		patch.Color = &color
	}
	c, err := a.store.UpdateCategory(r.Context(), rq.p.User.ID, id, patch, nil)
	if err != nil {
		cp := &categoriesPage{Color: palette[6].Hex, EditID: id.String()}
		a.categoryFailed(w, r, rq, err, cp, func(fe fieldErrors) { cp.Errors["edit"] = fe["name"] + fe["color"] }, "edit")
		return
	}
	a.flash(w, "Saved “"+c.Name+"”.")
	redirect(w, r, "/categories")
}

func (a *App) deleteCategory(w http.ResponseWriter, r *http.Request, rq *req) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		a.notFound(w, r, rq)
		return
	}
	c, err := a.store.GetCategory(r.Context(), rq.p.User.ID, id)
	if err == nil {
		err = a.store.DeleteCategory(r.Context(), rq.p.User.ID, id, nil)
	}
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	a.flash(w, "Deleted “"+c.Name+"”; its tasks are kept, without a category.")
	redirect(w, r, "/categories")
}
