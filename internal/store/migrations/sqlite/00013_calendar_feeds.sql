-- +goose Up
-- Calendar feeds (see the PostgreSQL migration of the same version): one
-- secret address per user, kept as the SHA-256 of the secret only.
CREATE TABLE calendar_feeds (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME
);

-- +goose Down
DROP TABLE calendar_feeds;
