-- +goose Up
-- A list filtered by tag walks the tag's own rows of task_tags in the
-- list's order, from the cursor on, so a page costs the same whether the
-- tag is on a third of a million tasks or on twenty of them. Each row
-- carries its task's sort keys, kept equal to the task's by the triggers
-- below in the same transaction as any write: whatever inserts a row, and
-- whatever changes a task (API, bulk, recurrence, cascades). A row is
-- inserted by a write that holds its task (locked, or just made), so the
-- keys it copies are current.
ALTER TABLE task_tags
    ADD COLUMN task_created_at timestamptz,
    ADD COLUMN task_updated_at timestamptz,
    ADD COLUMN task_due_date   timestamptz,
    ADD COLUMN task_priority   smallint,
    ADD COLUMN task_title_key  text COLLATE "C";
UPDATE task_tags tt
   SET task_created_at = t.created_at, task_updated_at = t.updated_at, task_due_date = t.due_date,
       task_priority = t.priority, task_title_key = t.title_key
  FROM tasks t WHERE t.id = tt.task_id;
ALTER TABLE task_tags
    ALTER COLUMN task_created_at SET NOT NULL,
    ALTER COLUMN task_updated_at SET NOT NULL,
    ALTER COLUMN task_priority SET NOT NULL,
    ALTER COLUMN task_title_key SET NOT NULL;
-- One index per sort key of tasks, as tasks_user_*_idx with the tag in
-- place of the user. The first also serves a tag's delete.
DROP INDEX task_tags_tag_idx;
CREATE INDEX task_tags_created_idx  ON task_tags (tag_id, task_created_at, task_id);
CREATE INDEX task_tags_updated_idx  ON task_tags (tag_id, task_updated_at, task_id);
CREATE INDEX task_tags_due_idx      ON task_tags (tag_id, task_due_date, task_id);
CREATE INDEX task_tags_priority_idx ON task_tags (tag_id, task_priority, task_id);
CREATE INDEX task_tags_title_idx    ON task_tags (tag_id, task_title_key, task_id);

-- +goose StatementBegin
CREATE FUNCTION task_tags_keys_from_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT created_at, updated_at, due_date, priority, title_key
      INTO NEW.task_created_at, NEW.task_updated_at, NEW.task_due_date, NEW.task_priority, NEW.task_title_key
      FROM tasks WHERE id = NEW.task_id;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER task_tags_keys_insert BEFORE INSERT ON task_tags
    FOR EACH ROW EXECUTE FUNCTION task_tags_keys_from_task();
-- +goose StatementBegin
CREATE FUNCTION tasks_keys_to_task_tags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_tags
       SET task_created_at = NEW.created_at, task_updated_at = NEW.updated_at, task_due_date = NEW.due_date,
           task_priority = NEW.priority, task_title_key = NEW.title_key
     WHERE task_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_keys_to_task_tags AFTER UPDATE OF created_at, updated_at, due_date, priority, title_key ON tasks
    FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.updated_at IS DISTINCT FROM NEW.updated_at
        OR OLD.due_date IS DISTINCT FROM NEW.due_date OR OLD.priority IS DISTINCT FROM NEW.priority
        OR OLD.title_key IS DISTINCT FROM NEW.title_key)
    EXECUTE FUNCTION tasks_keys_to_task_tags();

-- How many tasks a tag is on: a list filtered by several tags walks the
-- rarest. Kept exact by the triggers below, cascades included: once per
-- statement, the tags locked in ID order so that two writes tagging the
-- same tags cannot deadlock on the counters.
ALTER TABLE tags ADD COLUMN task_count bigint NOT NULL DEFAULT 0 CHECK (task_count >= 0);
UPDATE tags SET task_count = (SELECT count(*) FROM task_tags WHERE tag_id = tags.id);
-- +goose StatementBegin
CREATE FUNCTION task_tags_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM tags WHERE id IN (SELECT tag_id FROM changed) ORDER BY id FOR NO KEY UPDATE;
        UPDATE tags g SET task_count = g.task_count + c.n
          FROM (SELECT tag_id, count(*) AS n FROM changed GROUP BY tag_id) c WHERE g.id = c.tag_id;
    ELSE
        PERFORM 1 FROM tags WHERE id IN (SELECT tag_id FROM gone) ORDER BY id FOR NO KEY UPDATE;
        UPDATE tags g SET task_count = g.task_count - c.n
          FROM (SELECT tag_id, count(*) AS n FROM gone GROUP BY tag_id) c WHERE g.id = c.tag_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER task_tags_count_insert AFTER INSERT ON task_tags
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION task_tags_count();
CREATE TRIGGER task_tags_count_delete AFTER DELETE ON task_tags
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION task_tags_count();

-- +goose Down
DROP TRIGGER task_tags_count_delete ON task_tags;
DROP TRIGGER task_tags_count_insert ON task_tags;
DROP FUNCTION task_tags_count();
ALTER TABLE tags DROP COLUMN task_count;
DROP TRIGGER tasks_keys_to_task_tags ON tasks;
DROP FUNCTION tasks_keys_to_task_tags();
DROP TRIGGER task_tags_keys_insert ON task_tags;
DROP FUNCTION task_tags_keys_from_task();
DROP INDEX task_tags_title_idx;
DROP INDEX task_tags_priority_idx;
DROP INDEX task_tags_due_idx;
DROP INDEX task_tags_updated_idx;
DROP INDEX task_tags_created_idx;
CREATE INDEX task_tags_tag_idx ON task_tags (tag_id, task_id);
ALTER TABLE task_tags
    DROP COLUMN task_created_at, DROP COLUMN task_updated_at, DROP COLUMN task_due_date,
    DROP COLUMN task_priority, DROP COLUMN task_title_key;
