-- +goose Up
-- The full-text index of tasks covers title_key (the title lower-cased in
-- Go) instead of title. A search is "title_key contains the lower-cased
-- text, or the description contains the text ignoring ASCII case" (LIKE),
-- at every length; the index only narrows the candidates, and for that
-- every task the condition keeps must also match the index, which holds
-- for title_key in every script but not for title (the index folds case
-- by an older Unicode table than Go's).
DROP TRIGGER tasks_fts_insert;
DROP TRIGGER tasks_fts_delete;
DROP TRIGGER tasks_fts_update;
DROP TABLE tasks_fts;
CREATE VIRTUAL TABLE tasks_fts USING fts5 (
    title_key, description,
    content = 'tasks', content_rowid = 'seq',
    tokenize = 'trigram case_sensitive 0'
);
INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');
-- +goose StatementBegin
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, title_key, description) VALUES (NEW.seq, NEW.title_key, NEW.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title_key, description) VALUES ('delete', OLD.seq, OLD.title_key, OLD.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title_key, description ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title_key, description) VALUES ('delete', OLD.seq, OLD.title_key, OLD.description);
    INSERT INTO tasks_fts (rowid, title_key, description) VALUES (NEW.seq, NEW.title_key, NEW.description);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tasks_fts_insert;
DROP TRIGGER tasks_fts_delete;
DROP TRIGGER tasks_fts_update;
DROP TABLE tasks_fts;
CREATE VIRTUAL TABLE tasks_fts USING fts5 (
    title, description,
    content = 'tasks', content_rowid = 'seq',
    tokenize = 'trigram case_sensitive 0'
);
INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');
-- +goose StatementBegin
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, title, description) VALUES (NEW.seq, NEW.title, NEW.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, description) VALUES ('delete', OLD.seq, OLD.title, OLD.description);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, description ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title, description) VALUES ('delete', OLD.seq, OLD.title, OLD.description);
    INSERT INTO tasks_fts (rowid, title, description) VALUES (NEW.seq, NEW.title, NEW.description);
END;
-- +goose StatementEnd
