-- +goose Up
-- The whole schema of taskapi. The SQLite tree holds the same version with
-- the same meaning; only types differ (uuid/timestamptz/bytea here).

-- Trigram indexes serve the case-insensitive substring search of tasks.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    username      text NOT NULL CHECK (length(username) BETWEEN 3 AND 50),
    full_name     text CHECK (length(full_name) <= 200),
    password_hash text NOT NULL,
    is_active     boolean NOT NULL DEFAULT true,
    is_verified   boolean NOT NULL DEFAULT false,
    is_superuser  boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    -- Grows whenever the user's sessions are ended (password set or reset,
    -- account disabled, logout everywhere): a login opens its session only
    -- if it is still the epoch its password check read.
    session_epoch bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_created_idx ON users (created_at, id);

-- One row per login; access tokens name their session (sid) and are honoured
-- only while it is not revoked and not expired.
CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Every refresh token a session was given, by hash; a spent one presented
-- again reveals theft and ends the session.
CREATE TABLE refresh_tokens (
    token_hash  text PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    spent_at    timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Single-use tokens sent by email, stored by hash.
CREATE TABLE email_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('VERIFY_EMAIL', 'RESET_PASSWORD')),
    token_hash  text NOT NULL UNIQUE,
    email       text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires_idx ON email_tokens (expires_at);

CREATE TABLE categories (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    -- lower(name), computed in Go; byte order ("C") so that lists sort the
    -- same on every engine and every locale.
    name_key    text COLLATE "C" NOT NULL,
    color       text NOT NULL CHECK (color ~ '^#[0-9A-F]{6}$'),
    -- Kept exact by the trigger on tasks below, so that a list of
    -- categories never counts tasks.
    task_count  bigint NOT NULL DEFAULT 0 CHECK (task_count >= 0),
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
-- Names are unique per user ignoring case; the index also serves the list
-- sorted by name.
CREATE UNIQUE INDEX categories_user_name_key ON categories (user_id, name_key);

CREATE TABLE tasks (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id  uuid REFERENCES categories (id) ON DELETE SET NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- lower(title), computed in Go, compared byte by byte: the title sort
    -- is the same on both engines whatever the database's locale.
    title_key    text COLLATE "C" NOT NULL,
    description  text CHECK (length(description) <= 10000),
    status       text NOT NULL DEFAULT 'TODO' CHECK (status IN ('TODO', 'IN_PROGRESS', 'COMPLETED', 'ARCHIVED')),
    -- Priority is stored as its rank (LOW=1 … URGENT=4) so it sorts by rank.
    priority     smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
    due_date     timestamptz,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- Grows by one on every change; ETags are built from it.
    version      bigint NOT NULL DEFAULT 1,
    CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL))
);
-- One index per sort key, each ending in id for the keyset tie-break, so a
-- page is one index range scan wherever it starts. NULL due dates sit at
-- the end of tasks_user_due_idx (ASC NULLS LAST), one equal group ordered
-- by id, which the second section of a due-date list walks.
CREATE INDEX tasks_user_created_idx  ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated_idx  ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_due_idx      ON tasks (user_id, due_date, id);
CREATE INDEX tasks_user_priority_idx ON tasks (user_id, priority, id);
CREATE INDEX tasks_user_title_idx    ON tasks (user_id, title_key, id);
-- The tasks of one category (its list, and nulling category_id when the
-- category is deleted).
CREATE INDEX tasks_category_idx      ON tasks (category_id, created_at, id) WHERE category_id IS NOT NULL;
-- Trigram indexes serve q (ILIKE '%…%') on title and description.
CREATE INDEX tasks_title_trgm_idx       ON tasks USING gin (title gin_trgm_ops);
CREATE INDEX tasks_description_trgm_idx ON tasks USING gin (description gin_trgm_ops);

-- categories.task_count follows every insert, delete and move of a task,
-- whoever makes it (API, bulk, cascades). Both counters of a move are
-- changed in one statement, in one order, to keep lock order stable.
-- +goose StatementBegin
CREATE FUNCTION tasks_count_in_categories() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE categories SET task_count = task_count + 1 WHERE id = NEW.category_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE categories SET task_count = task_count - 1 WHERE id = OLD.category_id;
    ELSE
        UPDATE categories
           SET task_count = task_count + CASE WHEN id = NEW.category_id THEN 1 ELSE -1 END
         WHERE id IN (OLD.category_id, NEW.category_id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks
    FOR EACH ROW WHEN (NEW.category_id IS NOT NULL) EXECUTE FUNCTION tasks_count_in_categories();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks
    FOR EACH ROW WHEN (OLD.category_id IS NOT NULL) EXECUTE FUNCTION tasks_count_in_categories();
CREATE TRIGGER tasks_count_update AFTER UPDATE OF category_id ON tasks
    FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id) EXECUTE FUNCTION tasks_count_in_categories();

-- Responses to POSTs made with an Idempotency-Key, replayed on repeats. A
-- key is claimed in the transaction that creates the resource, so a racing
-- duplicate waits on the primary key and then replays.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method       text NOT NULL,
    path         text NOT NULL,
    request_hash text NOT NULL,
    status_code  integer NOT NULL,
    headers      text NOT NULL,
    body         bytea NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Emails to send, written in the same transaction as the token they carry.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    -- The account the message is about: its pending mail goes with it.
    user_id         uuid REFERENCES users (id) ON DELETE CASCADE,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    locked_until    timestamptz,
    sent_at         timestamptz,
    -- Set when the worker gives up after its last attempt; the message is kept
    -- (without its body, which holds a token) for the record.
    failed_at       timestamptz,
    last_error      text
);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_user_idx ON outbox (user_id);
CREATE INDEX outbox_done_idx ON outbox (created_at) WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
-- The abandoned messages alone, for the metrics' count of them.
CREATE INDEX outbox_failed_idx ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE tasks;
DROP FUNCTION tasks_count_in_categories();
DROP TABLE categories;
DROP TABLE email_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
