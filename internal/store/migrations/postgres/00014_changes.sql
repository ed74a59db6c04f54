-- +goose Up
-- The change feed: every write to a user's data appends one row per
-- entity it changed, in the write's transaction. seq numbers a user's
-- changes; it is taken from change_heads, whose row for the user is
-- locked by the increment until the write commits, so a user's writers
-- commit in seq order and a reader following seq never skips one that
-- commits late. purged_through is the highest seq the retention purge
-- removed: a cursor below it can no longer be followed (410).
CREATE TABLE change_heads (
    user_id        uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seq            bigint NOT NULL,
    purged_through bigint NOT NULL DEFAULT 0
);

-- task_id is the task an entity belongs to (the task itself, or a
-- comment's task), for the task's activity; version is the entity's after
-- the change (NULL for a delete); fields is a JSON list of what changed.
CREATE TABLE changes (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    entity_type text NOT NULL,
    entity_id   uuid NOT NULL,
    task_id     uuid,
    op          text NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    version     bigint,
    actor_kind  text NOT NULL,
    actor_id    uuid,
    fields      text,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX changes_task_idx ON changes (user_id, task_id, seq) WHERE task_id IS NOT NULL;
CREATE INDEX changes_created_idx ON changes (created_at);

-- +goose Down
DROP TABLE changes;
DROP TABLE change_heads;
