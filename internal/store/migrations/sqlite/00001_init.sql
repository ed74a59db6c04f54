-- +goose Up
-- The whole schema of taskapi for SQLite: the same version and meaning as the
-- PostgreSQL tree. UUIDs are TEXT; timestamps are DATETIME holding UTC text
-- in one format (written by the driver), which sorts in time order; booleans
-- are 0/1.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    username      TEXT NOT NULL CHECK (length(username) BETWEEN 3 AND 50),
    full_name     TEXT CHECK (length(full_name) <= 200),
    password_hash TEXT NOT NULL,
    is_active     BOOLEAN NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    is_verified   BOOLEAN NOT NULL DEFAULT 0 CHECK (is_verified IN (0, 1)),
    is_superuser  BOOLEAN NOT NULL DEFAULT 0 CHECK (is_superuser IN (0, 1)),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    -- Grows whenever the user's sessions are ended (password set or reset,
    -- account disabled, logout everywhere): a login opens its session only
    -- if it is still the epoch its password check read.
    session_epoch INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_created_idx ON users (created_at, id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    revoked_at   DATETIME
);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL,
    spent_at    DATETIME
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TABLE email_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('VERIFY_EMAIL', 'RESET_PASSWORD')),
    token_hash  TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    used_at     DATETIME
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires_idx ON email_tokens (expires_at);

CREATE TABLE categories (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    -- lower(name), computed in Go; BINARY collation is byte order, as
    -- "C" on PostgreSQL.
    name_key    TEXT NOT NULL,
    color       TEXT NOT NULL CHECK (length(color) = 7 AND color GLOB '#[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]'),
    -- Kept exact by the triggers on tasks below.
    task_count  INTEGER NOT NULL DEFAULT 0 CHECK (task_count >= 0),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX categories_user_name_key ON categories (user_id, name_key);

CREATE TABLE tasks (
    -- seq is the rowid, declared so that VACUUM keeps it: the search index
    -- (tasks_fts) refers to tasks by rowid. The public key is id.
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id  TEXT REFERENCES categories (id) ON DELETE SET NULL,
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    title_key    TEXT NOT NULL,
    description  TEXT CHECK (length(description) <= 10000),
    status       TEXT NOT NULL DEFAULT 'TODO' CHECK (status IN ('TODO', 'IN_PROGRESS', 'COMPLETED', 'ARCHIVED')),
    priority     INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
    due_date     DATETIME,
    completed_at DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL))
);
-- One index per sort key, each ending in id for the keyset tie-break.
-- SQLite puts NULL due dates first in tasks_user_due_idx, one equal group
-- ordered by id.
CREATE INDEX tasks_user_created_idx  ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated_idx  ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_due_idx      ON tasks (user_id, due_date, id);
CREATE INDEX tasks_user_priority_idx ON tasks (user_id, priority, id);
CREATE INDEX tasks_user_title_idx    ON tasks (user_id, title_key, id);
CREATE INDEX tasks_category_idx      ON tasks (category_id, created_at, id) WHERE category_id IS NOT NULL;

-- q on SQLite: a trigram full-text index over title and description
-- (case-insensitive substring search for 3 characters or more), kept in
-- sync with tasks by the triggers below.
CREATE VIRTUAL TABLE tasks_fts USING fts5 (
    title, description,
    content = 'tasks', content_rowid = 'seq',
    tokenize = 'trigram case_sensitive 0'
);
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

-- categories.task_count follows every insert, delete and move of a task,
-- cascades included (SQLite runs triggers for foreign-key actions).
-- +goose StatementBegin
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks WHEN NEW.category_id IS NOT NULL BEGIN
    UPDATE categories SET task_count = task_count + 1 WHERE id = NEW.category_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks WHEN OLD.category_id IS NOT NULL BEGIN
    UPDATE categories SET task_count = task_count - 1 WHERE id = OLD.category_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_count_update AFTER UPDATE OF category_id ON tasks
WHEN OLD.category_id IS NOT NEW.category_id BEGIN
    UPDATE categories SET task_count = task_count - 1 WHERE id = OLD.category_id;
    UPDATE categories SET task_count = task_count + 1 WHERE id = NEW.category_id;
END;
-- +goose StatementEnd

CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    headers      TEXT NOT NULL,
    body         BLOB NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    -- The account the message is about: its pending mail goes with it.
    user_id         TEXT REFERENCES users (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      DATETIME NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    locked_until    DATETIME,
    sent_at         DATETIME,
    -- Set when the worker gives up after its last attempt; the message is kept
    -- (without its body, which holds a token) for the record.
    failed_at       DATETIME,
    last_error      TEXT
);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_user_idx ON outbox (user_id);
CREATE INDEX outbox_done_idx ON outbox (created_at) WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
-- The abandoned messages alone, for the metrics' count of them.
CREATE INDEX outbox_failed_idx ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE tasks_fts;
DROP TABLE tasks;
DROP TABLE categories;
DROP TABLE email_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
