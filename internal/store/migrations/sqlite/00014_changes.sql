-- +goose Up
-- The change feed: every write to a user's data appends one row per
-- entity it changed, in the write's transaction. seq numbers a user's
-- changes; it is taken from change_heads, whose row for the user is
-- locked by the increment until the write commits, so a user's writers
-- commit in seq order and a reader following seq never skips one that
-- commits late. purged_through is the highest seq the retention purge
-- removed: a cursor below it can no longer be followed (410).
CREATE TABLE change_heads (
    user_id        TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    purged_through INTEGER NOT NULL DEFAULT 0
);

-- task_id is the task an entity belongs to (the task itself, or a
-- comment's task), for the task's activity; version is the entity's after
-- the change (NULL for a delete); fields is a JSON list of what changed.
CREATE TABLE changes (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    task_id     TEXT,
    op          TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    version     INTEGER,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT,
    fields      TEXT,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX changes_task_idx ON changes (user_id, task_id, seq) WHERE task_id IS NOT NULL;
CREATE INDEX changes_created_idx ON changes (created_at);

-- +goose Down
DROP TABLE changes;
DROP TABLE change_heads;
