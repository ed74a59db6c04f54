-- +goose Up
-- Subtasks: a task may have a parent (same owner, at most 4 levels, no
-- cycles: the store checks both). Deleting a parent deletes its subtree.
-- position orders the children of one parent; new ones go to the end, a
-- move takes the middle of its neighbours' positions (see MoveTask).
ALTER TABLE tasks ADD COLUMN parent_id TEXT REFERENCES tasks (id) ON DELETE CASCADE;
ALTER TABLE tasks ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tasks_parent_idx ON tasks (parent_id, position, id) WHERE parent_id IS NOT NULL;

-- Comments on a task, oldest first; they go with their task.
CREATE TABLE comments (
    id         TEXT PRIMARY KEY,
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX comments_task_idx ON comments (task_id, created_at, id);
CREATE INDEX comments_user_idx ON comments (user_id);

-- +goose Down
DROP TABLE comments;
DROP INDEX tasks_parent_idx;
ALTER TABLE tasks DROP COLUMN position;
ALTER TABLE tasks DROP COLUMN parent_id;
