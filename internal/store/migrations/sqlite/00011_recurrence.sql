-- +goose Up
-- Recurrence: a repeating task's rule, what its next date counts from, the
-- number of its current occurrence (which counts towards COUNT) and where
-- the series started. One row per recurring task; it goes with the task.
CREATE TABLE task_recurrences (
    task_id     TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    rule        TEXT NOT NULL CHECK (length(rule) BETWEEN 1 AND 300),
    repeat_from TEXT NOT NULL CHECK (repeat_from IN ('due', 'completion')),
    occurrence  INTEGER NOT NULL CHECK (occurrence >= 1),
    -- The due date the series started from: its time of day is every
    -- occurrence's (a time moved by a DST gap one day is back the next).
    starts_at   DATETIME NOT NULL
);

-- The completions of recurring tasks: when, and which occurrence (its
-- number and due date). Newest first per task; per user by time for the
-- stats' completions per day.
CREATE TABLE task_completions (
    id           TEXT PRIMARY KEY,
    task_id      TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    occurrence   INTEGER NOT NULL,
    due_date     DATETIME NOT NULL,
    completed_at DATETIME NOT NULL
);
CREATE INDEX task_completions_task_idx ON task_completions (task_id, completed_at, id);
CREATE INDEX task_completions_user_idx ON task_completions (user_id, completed_at);

-- +goose Down
DROP TABLE task_completions;
DROP TABLE task_recurrences;
