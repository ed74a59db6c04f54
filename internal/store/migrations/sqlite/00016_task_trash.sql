-- +goose Up
-- What a delete that can be undone took away: the task, its subtasks and
-- everything that went with them (comments, reminders, tags, recurrence,
-- completions), as the rows they were, for a short while (see
-- store.DeleteTaskUndoable). One row per deleted task.
CREATE TABLE task_trash (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id    TEXT NOT NULL,
    deleted_at DATETIME NOT NULL,
    snapshot   TEXT NOT NULL,
    PRIMARY KEY (user_id, task_id)
);
CREATE INDEX task_trash_deleted_idx ON task_trash (deleted_at);

-- +goose Down
DROP TABLE task_trash;
