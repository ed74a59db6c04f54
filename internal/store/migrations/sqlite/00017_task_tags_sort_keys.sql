-- +goose Up
-- A list filtered by tag walks the tag's own rows of task_tags in the
-- list's order, from the cursor on, so a page costs the same whether the
-- tag is on a third of a million tasks or on twenty of them. Each row
-- carries its task's sort keys, kept equal to the task's by the triggers
-- below in the same transaction as any write: whatever inserts a row, and
-- whatever changes a task (API, bulk, recurrence, cascades).
CREATE TABLE task_tags_new (
    task_id         TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id          TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    -- NULL only between the insert and its trigger (SQLite cannot fill
    -- them before the insert).
    task_created_at DATETIME,
    task_updated_at DATETIME,
    task_due_date   DATETIME,
    task_priority   INTEGER,
    task_title_key  TEXT,
    -- The primary key reads a page's tags, task by task.
    PRIMARY KEY (task_id, tag_id)
) WITHOUT ROWID;
INSERT INTO task_tags_new (task_id, tag_id, task_created_at, task_updated_at, task_due_date, task_priority, task_title_key)
    SELECT tt.task_id, tt.tag_id, t.created_at, t.updated_at, t.due_date, t.priority, t.title_key
      FROM task_tags tt JOIN tasks t ON t.id = tt.task_id;
DROP TABLE task_tags;
ALTER TABLE task_tags_new RENAME TO task_tags;
-- One index per sort key of tasks, as tasks_user_*_idx with the tag in
-- place of the user. The first also serves a tag's delete.
CREATE INDEX task_tags_created_idx  ON task_tags (tag_id, task_created_at, task_id);
CREATE INDEX task_tags_updated_idx  ON task_tags (tag_id, task_updated_at, task_id);
CREATE INDEX task_tags_due_idx      ON task_tags (tag_id, task_due_date, task_id);
CREATE INDEX task_tags_priority_idx ON task_tags (tag_id, task_priority, task_id);
CREATE INDEX task_tags_title_idx    ON task_tags (tag_id, task_title_key, task_id);

-- +goose StatementBegin
CREATE TRIGGER task_tags_keys_insert AFTER INSERT ON task_tags BEGIN
    UPDATE task_tags SET (task_created_at, task_updated_at, task_due_date, task_priority, task_title_key) =
        (SELECT created_at, updated_at, due_date, priority, title_key FROM tasks WHERE id = NEW.task_id)
     WHERE task_id = NEW.task_id AND tag_id = NEW.tag_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_keys_to_task_tags AFTER UPDATE OF created_at, updated_at, due_date, priority, title_key ON tasks BEGIN
    UPDATE task_tags SET task_created_at = NEW.created_at, task_updated_at = NEW.updated_at,
        task_due_date = NEW.due_date, task_priority = NEW.priority, task_title_key = NEW.title_key
     WHERE task_id = NEW.id;
END;
-- +goose StatementEnd

-- How many tasks a tag is on: a list filtered by several tags walks the
-- rarest. Kept exact by the triggers below, cascades included.
ALTER TABLE tags ADD COLUMN task_count INTEGER NOT NULL DEFAULT 0 CHECK (task_count >= 0);
UPDATE tags SET task_count = (SELECT count(*) FROM task_tags WHERE tag_id = tags.id);
-- +goose StatementBegin
CREATE TRIGGER task_tags_count_insert AFTER INSERT ON task_tags BEGIN
    UPDATE tags SET task_count = task_count + 1 WHERE id = NEW.tag_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER task_tags_count_delete AFTER DELETE ON task_tags BEGIN
    UPDATE tags SET task_count = task_count - 1 WHERE id = OLD.tag_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tasks_keys_to_task_tags;
CREATE TABLE task_tags_old (
    task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id  TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, tag_id)
) WITHOUT ROWID;
INSERT INTO task_tags_old (task_id, tag_id) SELECT task_id, tag_id FROM task_tags;
DROP TABLE task_tags;
ALTER TABLE task_tags_old RENAME TO task_tags;
CREATE INDEX task_tags_tag_idx ON task_tags (tag_id, task_id);
ALTER TABLE tags DROP COLUMN task_count;
