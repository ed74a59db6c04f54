-- +goose Up
-- Calendar feeds: each user may have one secret calendar address
-- (/calendar/{secret}.ics). Only the SHA-256 of the secret is kept and the
-- feed is found by it alone; making a new address replaces the row,
-- turning the feed off deletes it.
CREATE TABLE calendar_feeds (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_hash  text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz
);

-- +goose Down
DROP TABLE calendar_feeds;
