package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/taskapi/taskapi"
)

// growFeed gives u's change feed n more changes of history, written in SQL
// (through the store each would be a transaction of its own): updates of
// one of u's tasks by the system, numbered on from the user's head, which
// moves past them as the store's writes would move it.
func (s *seeder) growFeed(ctx context.Context, u *benchUser, n int) error {
	if len(u.TaskIDs) == 0 {
		return fmt.Errorf("grow the feed of %s: needs a task", u.Username)
	}
	db := s.st.DB()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `INSERT INTO change_heads (user_id, seq) VALUES ($1, 0) ON CONFLICT DO NOTHING`, u.ID); err != nil {
		return fmt.Errorf("grow the feed of %s: %w", u.Username, err)
	}
	var head int64
	if err := tx.QueryRowContext(ctx, `SELECT seq FROM change_heads WHERE user_id = $1`, u.ID).Scan(&head); err != nil {
		return fmt.Errorf("grow the feed of %s: its head: %w", u.Username, err)
	}
	series := `SELECT g AS i FROM generate_series(1, $2::bigint) g`
	if s.st.Engine() != "postgres" {
		series = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) SELECT i FROM n`
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO changes (user_id, seq, entity_type, entity_id, task_id, op, version, actor_kind, created_at)
		SELECT $1, $3 + i, 'task', $4, $4, 'update', 1, 'system', $5 FROM (`+series+`) s`,
		u.ID, n, head, u.TaskIDs[0], s.now.UTC()); err != nil {
		return fmt.Errorf("grow the feed of %s: %w", u.Username, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE change_heads SET seq = seq + $2 WHERE user_id = $1`, u.ID, n); err != nil {
		return fmt.Errorf("grow the feed of %s: move its head: %w", u.Username, err)
	}
	return tx.Commit()
}

// feedAtHead sets u.FeedCursor feedChanges changes behind the head without
// a full sync (a million tasks would take ten thousand pages): it opens
// the live stream at the present, makes one change, and keeps the cursor
// its event carries (an event's id is a cursor of GET /changes); then it
// makes the changes the workload catches up on.
func (ts *tokenSource) feedAtHead(ctx context.Context, b *bench, u *benchUser) error {
	if len(u.Auth) == 0 || len(u.TaskIDs) == 0 {
		return fmt.Errorf("feed of %s: needs a token and tasks", u.Username)
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, ts.baseURL+"/api/v1/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", u.Auth[0])
	req.Header.Set("Accept", "text/event-stream")
	res, err := ts.client.Do(req)
	if err != nil {
		return fmt.Errorf("feed of %s: open the stream: %w", u.Username, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("feed of %s: open the stream: status %d", u.Username, res.StatusCode)
	}
	r := bufio.NewReader(res.Body)
	if _, err := r.ReadString('\n'); err != nil { // ": stream open": the stream follows from now
		return fmt.Errorf("feed of %s: read the stream: %w", u.Username, err)
	}
	if err := changePriority(ctx, b, u, u.TaskIDs[0], taskapi.PriorityUrgent, taskapi.PriorityLow); err != nil {
		return fmt.Errorf("feed of %s: %w", u.Username, err)
	}
	cursor := ""
	for cursor == "" {
		line, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("feed of %s: read the stream: %w", u.Username, err)
		}
		if id, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "id: "); ok {
			cursor = id
		}
	}
	if err := makeFeedChanges(ctx, b, u); err != nil {
		return err
	}
	u.FeedCursor = cursor
	return nil
}
