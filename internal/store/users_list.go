package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// ListUsers returns one page of the users in ID order (userOrder: UUIDv7,
// so creation order), and the position of the next page ("" on the last).
// A non-empty query keeps users whose email or username contains it,
// ignoring case. The keyset on the primary key makes every page cost the
// same.
func (s *Store) ListUsers(ctx context.Context, query string, page Page) ([]taskapi.User, Position, error) {
	after, err := userOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list users: limit %d: %w", page.Limit, err)
	}
	var a args
	var where []string
	if after != nil {
		where = append(where, userOrder.after(&a, after, false))
	}
	if query != "" {
		like := a.add("%" + escapeLike(strings.ToLower(query)) + "%")
		where = append(where, `(email LIKE `+like+` ESCAPE '\' OR lower(username) LIKE `+like+` ESCAPE '\')`)
	}
	q := `SELECT ` + userColumns + ` FROM users`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY ` + userOrder.order(false) + ` LIMIT ` + a.add(page.Limit+1)
	rows, err := s.query(ctx, q, a...)
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", s.mapErr(err))
	}
	defer rows.Close()
	out := make([]taskapi.User, 0, page.Limit+1)
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	out, next := pageOf(userOrder, out, page.Limit, func(u taskapi.User) uuid.UUID { return u.ID })
	return out, next, nil
}
