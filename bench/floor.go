package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// floor is the least a server could do to answer the workloads as the
// contract demands: a bare net/http mux, no framework and no middleware,
// the token's signature checked and its session looked up in a query of
// its own (a revoked session is refused at once), and the store's own
// ListTasks, GetTask, CreateTask and UpdateTask — the same SQL as
// taskapi's — with encoding/json. taskapi's throughput divided by the
// floor's says what everything taskapi adds (validation, logging, metrics,
// signed cursors, problem+json) costs. Without checkSession it is the
// older reference line that trusts a token until it expires.
type floor struct {
	st           *store.Store
	tokens       *auth.Tokens
	log          *slog.Logger
	checkSession bool
}

// newFloorHandler returns the floor's handler over st.
func newFloorHandler(st *store.Store, tokens *auth.Tokens, log *slog.Logger, checkSession bool) http.Handler {
	f := &floor{st: st, tokens: tokens, log: log, checkSession: checkSession}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	mux.HandleFunc("GET /api/v1/tasks", f.list)
	mux.HandleFunc("GET /api/v1/tasks/{id}", f.get)
	mux.HandleFunc("POST /api/v1/tasks", f.create)
	mux.HandleFunc("PATCH /api/v1/tasks/{id}", f.update)
	return mux
}

// floorTask is a task as the API shows it.
type floorTask struct {
	ID          uuid.UUID  `json:"id"`
	Title       string     `json:"title"`
	Description *string    `json:"description"`
	Status      string     `json:"status"`
	Priority    string     `json:"priority"`
	DueDate     *time.Time `json:"due_date"`
	CategoryID  *uuid.UUID `json:"category_id"`
	CompletedAt *time.Time `json:"completed_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func newFloorTask(t taskapi.Task) floorTask {
	return floorTask{ID: t.ID, Title: t.Title, Description: t.Description, Status: string(t.Status),
		Priority: string(t.Priority), DueDate: t.DueDate, CategoryID: t.CategoryID, CompletedAt: t.CompletedAt,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// caller verifies the bearer token's signature and expiry and, with
// checkSession, that its session is live and its user active.
func (f *floor) caller(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok {
		if c, err := f.tokens.Verify(token); err == nil {
			if !f.checkSession {
				return c.UserID, true
			}
			ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
			p, _, err := f.st.SessionPrincipal(ctx, c.SessionID)
			cancel()
			if err == nil && p.User.ID == c.UserID {
				return c.UserID, true
			}
			if err != nil && !errors.Is(err, taskapi.ErrUnauthorized) && !errors.Is(err, taskapi.ErrNotFound) {
				f.fail(w, err)
				return uuid.Nil, false
			}
		}
	}
	w.Header().Set("WWW-Authenticate", "Bearer")
	http.Error(w, `{"status":401}`, http.StatusUnauthorized)
	return uuid.Nil, false
}

func (f *floor) get(w http.ResponseWriter, r *http.Request) {
	userID, ok := f.caller(w, r)
	if !ok {
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		http.Error(w, `{"status":404}`, http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	t, err := f.st.GetTask(ctx, userID, id)
	if err != nil {
		f.fail(w, err)
		return
	}
	writeJSON(w, newFloorTask(t))
}

// list reads status, sort, q, limit and cursor, as the contract names
// them, into the store's query.
func (f *floor) list(w http.ResponseWriter, r *http.Request) {
	userID, ok := f.caller(w, r)
	if !ok {
		return
	}
	params := r.URL.Query()
	sort, err := taskapi.ParseTaskSort(params.Get("sort"))
	if err != nil {
		http.Error(w, `{"status":400,"detail":"bad sort"}`, http.StatusBadRequest)
		return
	}
	q := store.TaskQuery{Sort: sort, Limit: 20, Filter: taskapi.TaskFilter{Query: params.Get("q")}}
	if v := params.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			http.Error(w, `{"status":400,"detail":"limit is 1 to 100"}`, http.StatusBadRequest)
			return
		}
		q.Limit = n
	}
	if v := params.Get("status"); v != "" {
		for s := range strings.SplitSeq(v, ",") {
			q.Filter.Statuses = append(q.Filter.Statuses, taskapi.Status(s))
		}
	}
	if c := params.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		q.After = store.Position(b)
		if err != nil || len(b) > 1024 {
			http.Error(w, `{"status":400,"detail":"bad cursor"}`, http.StatusBadRequest)
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	items, next, err := f.st.ListTasks(ctx, userID, q)
	if err != nil {
		f.fail(w, err)
		return
	}
	page := struct {
		Items      []floorTask `json:"items"`
		NextCursor *string     `json:"next_cursor"`
	}{Items: make([]floorTask, len(items))}
	for i, t := range items {
		page.Items[i] = newFloorTask(t)
	}
	if next != "" {
		// The cursor is the store's position: unsigned, as the floor
		// trusts its client.
		c := base64.RawURLEncoding.EncodeToString([]byte(next))
		page.NextCursor = &c
	}
	writeJSON(w, page)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers an error from the store: 404 and 400 for what the client
// asked wrongly, 500 (logged) otherwise.
func (f *floor) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, taskapi.ErrNotFound):
		http.Error(w, `{"status":404}`, http.StatusNotFound)
	case errors.Is(err, taskapi.ErrInvalid):
		http.Error(w, `{"status":400}`, http.StatusBadRequest)
	default:
		f.log.Error("floor query failed", "err", err.Error())
		http.Error(w, `{"status":500}`, http.StatusInternalServerError)
	}
}
