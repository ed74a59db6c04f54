package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// cursorCodec makes the opaque cursors of lists. A cursor is the store's
// position in the list (the sort key value and ID of the last item, never
// an offset), with the scope of the list it belongs to, followed by an
// HMAC over it and the user's ID, all base64url. The API only signs and
// checks it: clients cannot forge it, and a cursor that was altered, made
// for another user, or for another list, sort or filter set is refused
// with 400; the store reads the position.
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
	// cursorVersion 2: the position is the store's (version 1 held the
	// sort key and ID as separate fields).
	cursorVersion = 2
	cursorMACLen  = 16
	// maxCursorLen is above any cursor we make (a title key is at most
	// 200 characters).
	maxCursorLen = 2048
)

// cursorPayload is the content of a cursor.
type cursorPayload struct {
	V int `json:"v"`
	// Scope is a digest of the list, its sort and every filter: a cursor
	// only continues the list it came from.
	Scope string `json:"s"`
	// At is where the next page starts.
	At store.Position `json:"p"`
}

var errBadCursor = taskapi.NewProblem(taskapi.ErrBadRequest,
	"the cursor is not valid for this list: use the next_cursor of the previous page with the same sort and filters, or start again without a cursor")

func (c cursorCodec) mac(userID uuid.UUID, payload []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(userID[:])
	m.Write(payload)
	return m.Sum(nil)[:cursorMACLen]
}

// next is the cursor of the page at next, or nil on the last page.
func (c cursorCodec) next(userID uuid.UUID, scope string, next store.Position) *string {
	if next == "" {
		return nil
	}
	payload, _ := json.Marshal(cursorPayload{V: cursorVersion, Scope: scope, At: next}) // strings always marshal
	cur := base64.RawURLEncoding.EncodeToString(append(payload, c.mac(userID, payload)...))
	return &cur
}

// page checks a cursor of the list scope and returns the page it asks for;
// "" is the first page.
func (c cursorCodec) page(userID uuid.UUID, scope, cursor string, limit int) (store.Page, error) {
	page := store.Page{Limit: limit}
	if limit == 0 {
		page.Limit = 20
	}
	if cursor == "" {
		return page, nil
	}
	if len(cursor) > maxCursorLen {
		return page, errBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) <= cursorMACLen {
		return page, errBadCursor
	}
	payload, mac := raw[:len(raw)-cursorMACLen], raw[len(raw)-cursorMACLen:]
	if !hmac.Equal(mac, c.mac(userID, payload)) {
		return page, errBadCursor
	}
	var p cursorPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.V != cursorVersion || p.Scope != scope || p.At == "" {
		return page, errBadCursor
	}
	page.After = p.At
	return page, nil
}

// PageInput is the pagination of every list: embed it in a list's input.
// The cursor has no schema bound: cursorCodec answers a cursor that is too
// long like any other it did not make (400), on every list alike.
type PageInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Page size"`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page, with the same sort and filters; leave out for the first page"`
}

// scope digests the identity of a list: its name and whatever else
// shapes it (sort, filters, search).
func scope(parts ...string) string {
	b, _ := json.Marshal(parts) // strings always marshal
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// listPage answers one page of one of the caller's lists, which scope
// names: it checks the cursor, reads the page (read), signs the cursor of
// the next one, and renders each item (body). Every list goes through it,
// so a new list is a store method and one call.
func listPage[T, B any](s *server, caller taskapi.Principal, scope, cursor string, limit int,
	read func(store.Page) ([]T, store.Position, error), body func(T) B) ([]B, *string, error) {
	page, err := s.cursors.page(caller.User.ID, scope, cursor, limit)
	if err != nil {
		return nil, nil, err
	}
	items, next, err := read(page)
	if err != nil {
		return nil, nil, err
	}
	out := make([]B, len(items))
	for i, it := range items {
		out[i] = body(it)
	}
	return out, s.cursors.next(caller.User.ID, scope, next), nil
}
