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
    updated_at    timestamptz NOT NULL
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
    name_key    text NOT NULL,
    color       text NOT NULL CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
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
    description  text CHECK (length(description) <= 10000),
    status       text NOT NULL DEFAULT 'TODO' CHECK (status IN ('TODO', 'IN_PROGRESS', 'COMPLETED', 'ARCHIVED')),
    -- Priority is stored as its rank (LOW=1 … URGENT=4) so it sorts by rank.
    priority     smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
    due_date     timestamptz,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL))
);
-- One index per sort key, each ending in id for the keyset tie-break.
CREATE INDEX tasks_user_created_idx  ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated_idx  ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_due_idx      ON tasks (user_id, due_date, id);
CREATE INDEX tasks_user_priority_idx ON tasks (user_id, priority, id);
CREATE INDEX tasks_user_title_idx    ON tasks (user_id, title, id);
CREATE INDEX tasks_user_status_idx   ON tasks (user_id, status, priority);
CREATE INDEX tasks_category_idx      ON tasks (category_id, created_at, id) WHERE category_id IS NOT NULL;
CREATE INDEX tasks_title_trgm_idx       ON tasks USING gin (title gin_trgm_ops);
CREATE INDEX tasks_description_trgm_idx ON tasks USING gin (description gin_trgm_ops);

-- Responses to POSTs made with an Idempotency-Key, replayed on repeats.
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

-- +goose Down
DROP TABLE outbox;
DROP TABLE idempotency_keys;
DROP TABLE tasks;
DROP TABLE categories;
DROP TABLE email_tokens;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
