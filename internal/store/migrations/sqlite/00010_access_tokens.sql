-- +goose Up
-- Personal access tokens (see the PostgreSQL migration of the same
-- version): the SHA-256 of the secret only, looked up by hash alone.
CREATE TABLE access_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scopes       TEXT NOT NULL CHECK (scopes <> ''),
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    expires_at   DATETIME
);
CREATE INDEX access_tokens_user_idx ON access_tokens (user_id, id);
CREATE INDEX access_tokens_expires_idx ON access_tokens (expires_at) WHERE expires_at IS NOT NULL;

-- +goose Down
DROP TABLE access_tokens;
