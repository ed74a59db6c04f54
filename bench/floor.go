package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// floor is the least a server could do to answer the read workloads: a
// bare net/http mux, no framework and no middleware, the token's signature
// checked and nothing more (no session lookup), and one SQL query per
// request against the same database through the store's own read pool.
// taskapi's throughput divided by the floor's says what everything taskapi
// adds (validation, sessions, logging, metrics, problem+json) costs.
//
// The SQL is what the contract asks of the list: user-scoped, ARCHIVED left
// out unless a status is named, keyset pagination ordered by the sort key
// then id, a page of up to 100.
type floor struct {
	db     *sql.DB
	engine string
	tokens *auth.Tokens
	log    *slog.Logger
}

// newFloorHandler returns the floor's handler over st.
func newFloorHandler(st *store.Store, tokens *auth.Tokens, log *slog.Logger) http.Handler {
	f := &floor{db: st.ReadDB(), engine: st.Engine(), tokens: tokens, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	mux.HandleFunc("GET /api/v1/tasks", f.list)
	mux.HandleFunc("GET /api/v1/tasks/{id}", f.get)
	return mux
}

// floorColumns are the task columns both handlers read.
const floorColumns = `id, category_id, title, description, status, priority, due_date, completed_at, created_at, updated_at`

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

	rank int16 // the stored priority, for the cursor
}

func scanFloorTask(r interface{ Scan(...any) error }) (floorTask, error) {
	var t floorTask
	var cat uuid.NullUUID
	var due, done sql.NullTime
	err := r.Scan(&t.ID, &cat, &t.Title, &t.Description, &t.Status, &t.rank, &due, &done, &t.CreatedAt, &t.UpdatedAt)
	if cat.Valid {
		t.CategoryID = &cat.UUID
	}
	if due.Valid {
		d := due.Time.UTC()
		t.DueDate = &d
	}
	if done.Valid {
		d := done.Time.UTC()
		t.CompletedAt = &d
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	switch t.rank {
	case 1:
		t.Priority = "LOW"
	case 3:
		t.Priority = "HIGH"
	case 4:
		t.Priority = "URGENT"
	default:
		t.Priority = "MEDIUM"
	}
	return t, err
}

// caller verifies the bearer token's signature and expiry only.
func (f *floor) caller(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok {
		if c, err := f.tokens.Verify(token); err == nil {
			return c.UserID, true
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
	t, err := scanFloorTask(f.db.QueryRowContext(ctx, `SELECT `+floorColumns+` FROM tasks WHERE id = $1 AND user_id = $2`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		http.Error(w, `{"status":404}`, http.StatusNotFound)
		return
	}
	if err != nil {
		f.fail(w, err)
		return
	}
	writeJSON(w, t)
}

// floorSort is a sort order the floor serves: the contract's default
// (-created_at) and -priority (the filtered workload's).
type floorSort struct {
	orderBy string
	// after is the keyset condition with two placeholders: the sort key
	// and the id of the last row of the previous page.
	after string
}

func floorSorts() map[string]floorSort {
	return map[string]floorSort{
		"-created_at": {"created_at DESC, id DESC", "(created_at < %s OR (created_at = %[1]s AND id < %s))"},
		"-priority":   {"priority DESC, id DESC", "(priority < %s OR (priority = %[1]s AND id < %s))"},
	}
}

func (f *floor) list(w http.ResponseWriter, r *http.Request) {
	userID, ok := f.caller(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	sortName := q.Get("sort")
	if sortName == "" {
		sortName = "-created_at"
	}
	srt, ok := floorSorts()[sortName]
	if !ok {
		http.Error(w, `{"status":400,"detail":"the floor serves sort=-created_at and sort=-priority"}`, http.StatusBadRequest)
		return
	}
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			http.Error(w, `{"status":400,"detail":"limit is 1 to 100"}`, http.StatusBadRequest)
			return
		}
		limit = n
	}
	args := []any{userID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var where strings.Builder
	where.WriteString("user_id = $1")
	if v := q.Get("status"); v != "" {
		statuses := strings.Split(v, ",")
		if len(statuses) > 4 {
			http.Error(w, `{"status":400}`, http.StatusBadRequest)
			return
		}
		where.WriteString(" AND status IN (")
		for i, s := range statuses {
			if i > 0 {
				where.WriteString(", ")
			}
			where.WriteString(arg(s))
		}
		where.WriteString(")")
	} else {
		where.WriteString(" AND status <> 'ARCHIVED'")
	}
	if term := q.Get("q"); term != "" {
		if len(term) > 200 {
			http.Error(w, `{"status":400}`, http.StatusBadRequest)
			return
		}
		like := "LIKE"
		if f.engine == "postgres" {
			like = "ILIKE"
		}
		p := arg("%" + escapeLike(term) + "%")
		fmt.Fprintf(&where, ` AND (title %s %s ESCAPE '\' OR description %[1]s %[2]s ESCAPE '\')`, like, p)
	}
	if c := q.Get("cursor"); c != "" {
		key, id, err := decodeFloorCursor(c, sortName)
		if err != nil {
			http.Error(w, `{"status":400,"detail":"bad cursor"}`, http.StatusBadRequest)
			return
		}
		where.WriteString(" AND " + fmt.Sprintf(srt.after, arg(key), arg(id)))
	}
	query := `SELECT ` + floorColumns + ` FROM tasks WHERE ` + where.String() + ` ORDER BY ` + srt.orderBy + ` LIMIT ` + arg(limit+1)

	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	rows, err := f.db.QueryContext(ctx, query, args...)
	if err != nil {
		f.fail(w, err)
		return
	}
	defer rows.Close()
	page := struct {
		Items      []floorTask `json:"items"`
		NextCursor *string     `json:"next_cursor"`
	}{Items: make([]floorTask, 0, limit+1)}
	for rows.Next() {
		t, err := scanFloorTask(rows)
		if err != nil {
			f.fail(w, err)
			return
		}
		page.Items = append(page.Items, t)
	}
	if err := rows.Err(); err != nil {
		f.fail(w, err)
		return
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		c := encodeFloorCursor(page.Items[limit-1], sortName)
		page.NextCursor = &c
	}
	writeJSON(w, page)
}

// escapeLike makes a search term literal inside a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func encodeFloorCursor(t floorTask, sortName string) string {
	key := t.CreatedAt.Format(time.RFC3339Nano)
	if sortName == "-priority" {
		key = strconv.Itoa(int(t.rank))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key + "|" + t.ID.String()))
}

func decodeFloorCursor(c, sortName string) (any, uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, uuid.Nil, err
	}
	key, idText, ok := strings.Cut(string(b), "|")
	if !ok {
		return nil, uuid.Nil, errors.New("no separator")
	}
	id, err := uuid.Parse(idText)
	if err != nil {
		return nil, uuid.Nil, err
	}
	if sortName == "-priority" {
		n, err := strconv.Atoi(key)
		return n, id, err
	}
	t, err := time.Parse(time.RFC3339Nano, key)
	return t.UTC(), id, err
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *floor) fail(w http.ResponseWriter, err error) {
	f.log.Error("floor query failed", "err", err.Error())
	http.Error(w, `{"status":500}`, http.StatusInternalServerError)
}
