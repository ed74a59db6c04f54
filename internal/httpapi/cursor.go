package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// cursorCodec makes the opaque cursors of lists. A cursor is a small JSON
// position (the sort key value and ID of the last item, never an offset)
// followed by an HMAC over it and the user's ID, all base64url. Clients
// cannot read much into it nor forge it: a cursor that was altered, made
// for another user, or for another sort or filter set is refused with 400.
type cursorCodec struct {
	key []byte
}

// newCursorCodec derives the cursor key from the token secret, so that no
// extra setting is needed and the two keys are still distinct.
func newCursorCodec(secret string) cursorCodec {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("taskapi list cursor key v1"))
	return cursorCodec{key: m.Sum(nil)}
}

const (
	cursorVersion = 1
	cursorMACLen  = 16
	// maxCursorLen is above any cursor we make (a title key is at most
	// 200 characters).
	maxCursorLen = 2048
)

// cursorPayload is the content of a cursor.
type cursorPayload struct {
	V int `json:"v"`
	// Scope is a digest of the list, the sort and every filter: a cursor
	// only continues the query it came from.
	Scope string `json:"s"`
	// NoKey: in the section of tasks without a due date.
	NoKey bool   `json:"n,omitempty"`
	Key   string `json:"k,omitempty"`
	ID    string `json:"i,omitempty"`
}

var errBadCursor = taskapi.NewProblem(taskapi.ErrBadRequest,
	"the cursor is not valid for this list: use the next_cursor of the previous page with the same sort and filters, or start again without a cursor")

func (c cursorCodec) mac(userID uuid.UUID, payload []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(userID[:])
	m.Write(payload)
	return m.Sum(nil)[:cursorMACLen]
}

func (c cursorCodec) encode(userID uuid.UUID, p cursorPayload) string {
	p.V = cursorVersion
	payload, _ := json.Marshal(p) // a struct of strings and bools always marshals
	return base64.RawURLEncoding.EncodeToString(append(payload, c.mac(userID, payload)...))
}

// decode verifies a cursor and returns its position, which must belong to
// scope.
func (c cursorCodec) decode(userID uuid.UUID, cursor, scope string) (cursorPayload, error) {
	if len(cursor) > maxCursorLen {
		return cursorPayload{}, errBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) <= cursorMACLen {
		return cursorPayload{}, errBadCursor
	}
	payload, mac := raw[:len(raw)-cursorMACLen], raw[len(raw)-cursorMACLen:]
	if !hmac.Equal(mac, c.mac(userID, payload)) {
		return cursorPayload{}, errBadCursor
	}
	var p cursorPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.V != cursorVersion || p.Scope != scope {
		return cursorPayload{}, errBadCursor
	}
	return p, nil
}

// taskScope digests everything that shapes a list of tasks.
func taskScope(sort taskapi.TaskSort, f taskapi.TaskFilter) string {
	statuses := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		statuses[i] = string(s)
	}
	priorities := make([]string, len(f.Priorities))
	for i, p := range f.Priorities {
		priorities[i] = string(p)
	}
	slices.Sort(statuses)
	slices.Sort(priorities)
	optTime := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	category := ""
	if f.CategoryID != nil {
		category = f.CategoryID.String()
	}
	parts, _ := json.Marshal([]string{"tasks", sort.String(), strings.Join(statuses, ","), strings.Join(priorities, ","),
		category, optTime(f.DueAfter), optTime(f.DueBefore), strconv.FormatBool(f.Overdue), f.Query})
	return scopeDigest(parts)
}

func scopeDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// categoryScope is the scope of the one list of categories.
var categoryScope = scopeDigest([]byte("categories by name"))

// encodeTaskCursor makes the cursor of a position in a list of tasks.
func (c cursorCodec) encodeTaskCursor(userID uuid.UUID, scope string, sort taskapi.TaskSortKey, pos store.TaskCursor) string {
	p := cursorPayload{Scope: scope, NoKey: pos.NoDueDate, ID: pos.ID.String()}
	if !pos.NoDueDate {
		switch sort {
		case taskapi.SortPriority:
			p.Key = strconv.Itoa(pos.Rank)
		case taskapi.SortTitle:
			p.Key = pos.Text
		default:
			p.Key = pos.Time.UTC().Format(time.RFC3339Nano)
		}
	}
	return c.encode(userID, p)
}

// decodeTaskCursor reads a cursor of a list of tasks.
func (c cursorCodec) decodeTaskCursor(userID uuid.UUID, cursor, scope string, sort taskapi.TaskSortKey) (*store.TaskCursor, error) {
	p, err := c.decode(userID, cursor, scope)
	if err != nil {
		return nil, err
	}
	id, err := uuid.Parse(p.ID)
	if err != nil {
		return nil, errBadCursor
	}
	pos := &store.TaskCursor{ID: id, NoDueDate: p.NoKey}
	if p.NoKey {
		if sort != taskapi.SortDueDate {
			return nil, errBadCursor
		}
		return pos, nil
	}
	switch sort {
	case taskapi.SortPriority:
		rank, err := strconv.Atoi(p.Key)
		if _, ok := taskapi.PriorityFromRank(rank); err != nil || !ok {
			return nil, errBadCursor
		}
		pos.Rank = rank
	case taskapi.SortTitle:
		pos.Text = p.Key
	default:
		t, err := time.Parse(time.RFC3339Nano, p.Key)
		if err != nil {
			return nil, errBadCursor
		}
		pos.Time = t.UTC()
	}
	return pos, nil
}
