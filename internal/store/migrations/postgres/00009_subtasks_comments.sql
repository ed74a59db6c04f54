-- +goose Up
-- Subtasks: a task may have a parent (same owner, at most 4 levels, no
-- cycles: the store checks both). Deleting a parent deletes its subtree.
-- position orders the children of one parent; new ones go to the end, a
-- move takes the middle of its neighbours' positions (see MoveTask).
ALTER TABLE tasks ADD COLUMN parent_id uuid REFERENCES tasks (id) ON DELETE CASCADE;
ALTER TABLE tasks ADD COLUMN position bigint NOT NULL DEFAULT 0;
-- The children of a task in order: the subtasks list, the counts in every
-- task's select list, the subtree walks and the cascade of deletes.
CREATE INDEX tasks_parent_idx ON tasks (parent_id, position, id) WHERE parent_id IS NOT NULL;

-- Comments on a task, oldest first; they go with their task.
CREATE TABLE comments (
    id         uuid PRIMARY KEY,
    task_id    uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint NOT NULL DEFAULT 1
);
CREATE INDEX comments_task_idx ON comments (task_id, created_at, id);
CREATE INDEX comments_user_idx ON comments (user_id);

-- +goose Down
DROP TABLE comments;
DROP INDEX tasks_parent_idx;
ALTER TABLE tasks DROP COLUMN position;
ALTER TABLE tasks DROP COLUMN parent_id;
