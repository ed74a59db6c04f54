package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// feedTypes lists the entity types of the change feed, in the order a
// full sync sends them (categories before the tasks that name them), with
// the scope a personal access token needs to see each. A new type is one
// entry here, one in snapshotReaders and one in renderEntities.
var feedTypes = []struct {
	name  string
	scope taskapi.Scope
}{
	{store.EntityCategory, taskapi.ScopeCategoriesRead},
	{store.EntityTag, taskapi.ScopeTagsRead},
	{store.EntityTask, taskapi.ScopeTasksRead},
	{store.EntityComment, taskapi.ScopeTasksRead},
}

// ChangesInput is GET /changes.
type ChangesInput struct {
	Cursor string `query:"cursor" doc:"next_cursor of the previous answer; leave out to start a full sync"`
	Limit  int    `query:"limit" default:"50" minimum:"1" maximum:"100" doc:"Most entities in one answer"`
	Types  string `query:"types" doc:"Comma-separated entity types to follow: category, tag, task, comment. Default: every type the caller may read (a token sees categories only with categories:read, tags only with tags:read). A cursor only continues the types it was made for."`
}

// ActorBody says who made a change.
type ActorBody struct {
	Kind string  `json:"kind" enum:"session,token,system" doc:"A signed-in session of the user, one of the user's personal access tokens, or the system"`
	ID   *string `json:"id" format:"uuid" doc:"The session's or token's ID; null for the system"`
	Name *string `json:"name" doc:"The token's name; null otherwise, or when the token was deleted"`
}

// ChangeBody is one entry of the feed.
type ChangeBody struct {
	Seq   int64      `json:"seq" doc:"The change's sequence number in the caller's feed; in a full sync, the feed's position the snapshot was taken at"`
	Type  string     `json:"type" enum:"category,tag,task,comment"`
	Op    string     `json:"op" enum:"upsert,delete" doc:"upsert: data is the entity as it is now; delete: a tombstone, data is null"`
	ID    string     `json:"id" format:"uuid"`
	ETag  *string    `json:"etag" doc:"The entity's current ETag; null for a delete"`
	Data  any        `json:"data" doc:"The entity as its GET answers it; null for a delete"`
	Actor *ActorBody `json:"actor,omitempty" doc:"Who made the change; absent in a full sync"`
	At    *time.Time `json:"at" doc:"When the change was made; null in a full sync"`
}

// ChangesOutput is one answer of the feed.
type ChangesOutput struct {
	Body struct {
		Changes    []ChangeBody `json:"changes"`
		NextCursor string       `json:"next_cursor" doc:"Pass as cursor next time: it continues the sync where this answer ends"`
		HasMore    bool         `json:"has_more" doc:"true: ask again at once, more is waiting; false: the caller is up to date (poll later, or follow /events)"`
	}
}

// A feed position, inside the signed cursor: "c<seq>" follows the changes
// after seq; "s<head>.<type index>.<list position>" is a full sync under
// way, taken at head, in the list of feedTypes[type index].
func changesPosition(seq int64) store.Position {
	return store.Position("c" + strconv.FormatInt(seq, 10))
}

func snapshotPosition(head int64, typ int, at store.Position) store.Position {
	return store.Position("s" + strconv.FormatInt(head, 10) + "." + strconv.Itoa(typ) + "." + string(at))
}

type feedPosition struct {
	snapshot bool
	seq      int64 // the head of a snapshot, or the last change seen
	typ      int
	at       store.Position
}

func parseFeedPosition(p store.Position) (feedPosition, error) {
	s := string(p)
	switch {
	case strings.HasPrefix(s, "c"):
		seq, err := strconv.ParseInt(s[1:], 10, 64)
		if err != nil || seq < 0 {
			return feedPosition{}, errBadCursor
		}
		return feedPosition{seq: seq}, nil
	case strings.HasPrefix(s, "s"):
		parts := strings.SplitN(s[1:], ".", 3)
		if len(parts) != 3 {
			return feedPosition{}, errBadCursor
		}
		head, err1 := strconv.ParseInt(parts[0], 10, 64)
		typ, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || head < 0 || typ < 0 || typ > len(feedTypes) {
			return feedPosition{}, errBadCursor
		}
		return feedPosition{snapshot: true, seq: head, typ: typ, at: store.Position(parts[2])}, nil
	}
	return feedPosition{}, errBadCursor
}

// followedTypes reads the types parameter against what the caller may
// read: left out, every type the caller may see; a type named but not
// allowed is the 403 of a missing scope.
func followedTypes(caller taskapi.Principal, param string) ([]string, error) {
	var out []string
	if strings.TrimSpace(param) == "" {
		for _, t := range feedTypes {
			if caller.Allows(t.scope) {
				out = append(out, t.name)
			}
		}
		return out, nil
	}
	asked := map[string]bool{}
	for _, name := range strings.Split(param, ",") {
		asked[strings.TrimSpace(name)] = true
	}
	for _, t := range feedTypes {
		if !asked[t.name] {
			continue
		}
		delete(asked, t.name)
		if !caller.Allows(t.scope) {
			return nil, huma.ErrorWithHeaders(
				huma.Error403Forbidden(fmt.Sprintf("this access token lacks the scope %s that %s changes need", t.scope, t.name)),
				http.Header{"WWW-Authenticate": {fmt.Sprintf(`Bearer realm="taskapi", error="insufficient_scope", scope=%q`, string(t.scope))}})
		}
		out = append(out, t.name)
	}
	if len(asked) > 0 || len(out) == 0 {
		return nil, taskapi.Invalid("query.types", "must list some of: category, tag, task, comment")
	}
	return out, nil
}

func (s *server) listChanges(ctx context.Context, caller taskapi.Principal, in *ChangesInput) (*ChangesOutput, error) {
	types, err := followedTypes(caller, in.Types)
	if err != nil {
		return nil, err
	}
	page, err := s.cursors.page(caller.User.ID, scope("changes", strings.Join(types, ",")), in.Cursor, in.Limit)
	if err != nil {
		return nil, err
	}
	var pos feedPosition
	if page.After == "" {
		head, err := s.store.ChangeHead(ctx, caller.User.ID)
		if err != nil {
			return nil, err
		}
		pos = feedPosition{snapshot: true, seq: head}
	} else if pos, err = parseFeedPosition(page.After); err != nil {
		return nil, err
	}
	var (
		changes []ChangeBody
		next    store.Position
		more    bool
	)
	if pos.snapshot {
		changes, next, more, err = s.snapshotPage(ctx, caller.User.ID, types, pos, page.Limit)
	} else {
		changes, next, more, err = s.changesPage(ctx, caller.User.ID, types, pos.seq, page.Limit)
	}
	if err != nil {
		return nil, err
	}
	out := &ChangesOutput{}
	out.Body.Changes, out.Body.HasMore = changes, more
	out.Body.NextCursor = *s.cursors.next(caller.User.ID, scope("changes", strings.Join(types, ",")), next)
	return out, nil
}

// snapshotReaders read one page of everything of a type, as feed entries.
func (s *server) snapshotReaders(ctx context.Context, userID uuid.UUID) map[string]func(store.Page) ([]ChangeBody, store.Position, error) {
	return map[string]func(store.Page) ([]ChangeBody, store.Position, error){
		store.EntityCategory: func(p store.Page) ([]ChangeBody, store.Position, error) {
			items, next, err := s.store.ListCategories(ctx, userID, p)
			return upserts(items, next, err, store.EntityCategory, func(c taskapi.Category) (uuid.UUID, string, any) {
				return c.ID, categoryETag(c), categoryBody(c)
			})
		},
		store.EntityTag: func(p store.Page) ([]ChangeBody, store.Position, error) {
			items, next, err := s.store.ListTags(ctx, userID, p)
			return upserts(items, next, err, store.EntityTag, func(t taskapi.Tag) (uuid.UUID, string, any) {
				return t.ID, tagETag(t), tagBody(t)
			})
		},
		store.EntityTask: func(p store.Page) ([]ChangeBody, store.Position, error) {
			items, next, err := s.store.AllTasks(ctx, userID, p)
			return upserts(items, next, err, store.EntityTask, func(t taskapi.Task) (uuid.UUID, string, any) {
				return t.ID, taskETag(t), taskBody(t)
			})
		},
		store.EntityComment: func(p store.Page) ([]ChangeBody, store.Position, error) {
			items, next, err := s.store.AllComments(ctx, userID, p)
			return upserts(items, next, err, store.EntityComment, func(c taskapi.Comment) (uuid.UUID, string, any) {
				return c.ID, commentETag(c), commentBody(c)
			})
		},
	}
}

func upserts[T any](items []T, next store.Position, err error, typ string, render func(T) (uuid.UUID, string, any)) ([]ChangeBody, store.Position, error) {
	if err != nil {
		return nil, "", err
	}
	out := make([]ChangeBody, len(items))
	for i, it := range items {
		id, etag, data := render(it)
		out[i] = ChangeBody{Type: typ, Op: "upsert", ID: id.String(), ETag: &etag, Data: data}
	}
	return out, next, nil
}

// snapshotPage is a page of a full sync: the lists of every followed type
// in turn, each entry stamped with the head the sync started at. Once
// the last list ends, the cursor follows the changes after that head, so
// whatever changed during the sync comes next.
func (s *server) snapshotPage(ctx context.Context, userID uuid.UUID, types []string, pos feedPosition, limit int) ([]ChangeBody, store.Position, bool, error) {
	readers := s.snapshotReaders(ctx, userID)
	out := []ChangeBody{}
	for typ := pos.typ; typ < len(feedTypes); typ, pos.at = typ+1, "" {
		if !slices.Contains(types, feedTypes[typ].name) {
			continue
		}
		if len(out) == limit {
			return out, snapshotPosition(pos.seq, typ, ""), true, nil
		}
		items, next, err := readers[feedTypes[typ].name](store.Page{Limit: limit - len(out), After: pos.at})
		if err != nil {
			return nil, "", false, err
		}
		for i := range items {
			items[i].Seq = pos.seq
		}
		out = append(out, items...)
		if next != "" {
			return out, snapshotPosition(pos.seq, typ, next), true, nil
		}
	}
	return out, changesPosition(pos.seq), false, nil
}

// changesPage is a page of the changes after seq: each entity once, as it
// is now (a tombstone when it is gone, even if the page's record of it is
// an upsert: its delete is on its way).
func (s *server) changesPage(ctx context.Context, userID uuid.UUID, types []string, seq int64, limit int) ([]ChangeBody, store.Position, bool, error) {
	page, err := s.store.ReadChanges(ctx, userID, seq, types, limit)
	if err != nil {
		return nil, "", false, err
	}
	current, err := s.currentEntities(ctx, userID, page.Records)
	if err != nil {
		return nil, "", false, err
	}
	out := make([]ChangeBody, len(page.Records))
	for i, r := range page.Records {
		at := r.At
		c := ChangeBody{Seq: r.Seq, Type: r.Type, Op: "delete", ID: r.ID.String(), Actor: actorBody(r), At: &at}
		if e, ok := current[r.ID]; ok && r.Op != store.ChangeDelete {
			c.Op, c.ETag, c.Data = "upsert", &e.etag, e.data
		}
		out[i] = c
	}
	return out, changesPosition(page.Next), page.More, nil
}

type entityNow struct {
	etag string
	data any
}

// currentEntities reads the entities the records name, one query per
// type, as the API shows them.
func (s *server) currentEntities(ctx context.Context, userID uuid.UUID, recs []store.ChangeRecord) (map[uuid.UUID]entityNow, error) {
	ids := map[string][]uuid.UUID{}
	for _, r := range recs {
		if r.Op != store.ChangeDelete {
			ids[r.Type] = append(ids[r.Type], r.ID)
		}
	}
	out := map[uuid.UUID]entityNow{}
	tasks, err := s.store.TasksByID(ctx, userID, ids[store.EntityTask])
	if err != nil {
		return nil, err
	}
	for id, t := range tasks {
		out[id] = entityNow{taskETag(t), taskBody(t)}
	}
	cats, err := s.store.CategoriesByID(ctx, userID, ids[store.EntityCategory])
	if err != nil {
		return nil, err
	}
	for id, c := range cats {
		out[id] = entityNow{categoryETag(c), categoryBody(c)}
	}
	tags, err := s.store.TagsByID(ctx, userID, ids[store.EntityTag])
	if err != nil {
		return nil, err
	}
	for id, t := range tags {
		out[id] = entityNow{tagETag(t), tagBody(t)}
	}
	comments, err := s.store.CommentsByID(ctx, userID, ids[store.EntityComment])
	if err != nil {
		return nil, err
	}
	for id, c := range comments {
		out[id] = entityNow{commentETag(c), commentBody(c)}
	}
	return out, nil
}

func actorBody(r store.ChangeRecord) *ActorBody {
	a := &ActorBody{Kind: r.Actor.Kind}
	if r.Actor.ID != uuid.Nil {
		id := r.Actor.ID.String()
		a.ID = &id
	}
	if r.ActorName != "" {
		a.Name = &r.ActorName
	}
	return a
}
