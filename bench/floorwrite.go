package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// floorTaskBody is what the create and update workloads send.
type floorTaskBody struct {
	Title       *string    `json:"title"`
	Description *string    `json:"description"`
	Status      *string    `json:"status"`
	Priority    *string    `json:"priority"`
	DueDate     *time.Time `json:"due_date"`
}

// decode reads a bounded JSON body; it answers 400 itself when it cannot.
func (f *floor) decode(w http.ResponseWriter, r *http.Request) (floorTaskBody, bool) {
	var b floorTaskBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&b); err != nil {
		http.Error(w, `{"status":400}`, http.StatusBadRequest)
		return b, false
	}
	return b, true
}

func (f *floor) create(w http.ResponseWriter, r *http.Request) {
	userID, ok := f.caller(w, r)
	if !ok {
		return
	}
	b, ok := f.decode(w, r)
	if !ok {
		return
	}
	t := taskapi.Task{Description: b.Description, DueDate: b.DueDate, Status: taskapi.StatusTodo, Priority: taskapi.PriorityMedium}
	if b.Title != nil {
		t.Title = *b.Title
	}
	if b.Priority != nil {
		t.Priority = taskapi.Priority(*b.Priority)
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	created, _, err := f.st.CreateTask(ctx, userID, t, nil)
	if err != nil {
		f.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
	writeJSON(w, newFloorTask(created))
}

func (f *floor) update(w http.ResponseWriter, r *http.Request) {
	userID, ok := f.caller(w, r)
	if !ok {
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		http.Error(w, `{"status":404}`, http.StatusNotFound)
		return
	}
	b, ok := f.decode(w, r)
	if !ok {
		return
	}
	var p taskapi.TaskPatch
	p.Title = b.Title
	if b.Status != nil {
		s := taskapi.Status(*b.Status)
		p.Status = &s
	}
	if b.Priority != nil {
		pr := taskapi.Priority(*b.Priority)
		p.Priority = &pr
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	t, err := f.st.UpdateTask(ctx, userID, id, p, nil)
	if err != nil {
		f.fail(w, err)
		return
	}
	writeJSON(w, newFloorTask(t))
}
