package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// feedChanges is how many changes the changes workload catches up on:
// ten pages of 100.
const feedChanges = 1000

// prepareFeed syncs u's change feed to its head through the API, then
// makes feedChanges changes (priority updates through the store, each
// recorded in the feed as the API's are), so that every catch-up from the
// kept cursor reads the same 1,000 changes.
func (ts *tokenSource) prepareFeed(ctx context.Context, b *bench, u *benchUser) error {
	if len(u.Auth) == 0 || len(u.TaskIDs) == 0 {
		return fmt.Errorf("feed of %s: needs a token and tasks", u.Username)
	}
	cursor := ""
	for range 100_000 {
		var page struct {
			NextCursor string `json:"next_cursor"`
			HasMore    bool   `json:"has_more"`
		}
		if err := ts.getJSON(ctx, u.Auth[0], "/api/v1/changes?limit=100&cursor="+url.QueryEscape(cursor), &page); err != nil {
			return fmt.Errorf("sync the feed of %s: %w", u.Username, err)
		}
		cursor = page.NextCursor
		if !page.HasMore {
			break
		}
	}
	if err := makeFeedChanges(ctx, b, u); err != nil {
		return err
	}
	u.FeedCursor = cursor
	return nil
}

// makeFeedChanges makes the feedChanges changes that the changes workload
// catches up on, to the tasks --feed-tasks names.
func makeFeedChanges(ctx context.Context, b *bench, u *benchUser) error {
	ids := u.TaskIDs
	if b.o.feedTasks == "recent" {
		var err error
		if ids, err = b.seed.newestIDs(ctx, u.ID, feedChanges); err != nil {
			return fmt.Errorf("feed of %s: %w", u.Username, err)
		}
	}
	prios := []taskapi.Priority{taskapi.PriorityLow, taskapi.PriorityHigh}
	for i := range feedChanges {
		if err := changePriority(ctx, b, u, ids[i%len(ids)], prios[i%2], prios[(i+1)%2]); err != nil {
			return fmt.Errorf("feed of %s: %w", u.Username, err)
		}
	}
	return nil
}

// changePriority sets the task's priority to want, or to other when it has
// want already: an update that changes nothing records no change (a
// quarter of the seeded tasks are LOW, a quarter HIGH, one in ten URGENT).
func changePriority(ctx context.Context, b *bench, u *benchUser, id uuid.UUID, want, other taskapi.Priority) error {
	t, err := b.st.GetTask(ctx, u.ID, id)
	if err != nil {
		return fmt.Errorf("change a task: %w", err)
	}
	if t.Priority == want {
		want = other
	}
	if _, err := b.st.UpdateTask(ctx, u.ID, id, taskapi.TaskPatch{Priority: &want}, nil); err != nil {
		return fmt.Errorf("change a task: %w", err)
	}
	return nil
}

// getJSON reads path with the given Authorization header into v.
func (ts *tokenSource) getJSON(ctx context.Context, auth, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.baseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", auth)
	res, err := ts.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, res.StatusCode, snippet(body))
	}
	return json.Unmarshal(body, v)
}
