-- +goose Up
-- Tags: a user's labels, any number per task. Names are unique per user
-- ignoring case (name_key, lower(name) computed in Go), as categories'.
CREATE TABLE tags (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    name_key    TEXT NOT NULL,
    color       TEXT NOT NULL CHECK (length(color) = 7 AND color GLOB '#[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]'),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
-- Uniqueness, and the list sorted by name.
CREATE UNIQUE INDEX tags_user_name_key ON tags (user_id, name_key);

-- Which task has which tag. A row goes with its task or its tag.
CREATE TABLE task_tags (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id  TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    -- The primary key reads a page's tags, task by task.
    PRIMARY KEY (task_id, tag_id)
) WITHOUT ROWID;
-- The other way round: the tag filters' semi-joins, and a tag's delete.
CREATE INDEX task_tags_tag_idx ON task_tags (tag_id, task_id);

-- +goose Down
DROP TABLE task_tags;
DROP TABLE tags;
