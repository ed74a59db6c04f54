-- +goose Up
-- Personal access tokens: a user's long-lived credentials for scripts and
-- integrations, limited to scopes. Only the SHA-256 of the secret is kept;
-- prefix is its start, shown so a person can tell tokens apart. A token
-- is looked up by hash alone, never by prefix. Revoking deletes the row;
-- expired rows stay a week (shown as expired), then the janitor deletes
-- them.
CREATE TABLE access_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   text NOT NULL UNIQUE,
    prefix       text NOT NULL,
    -- Space-separated, in the canonical order of taskapi.Scopes.
    scopes       text NOT NULL CHECK (scopes <> ''),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    expires_at   timestamptz
);
CREATE INDEX access_tokens_user_idx ON access_tokens (user_id, id);
CREATE INDEX access_tokens_expires_idx ON access_tokens (expires_at) WHERE expires_at IS NOT NULL;

-- +goose Down
DROP TABLE access_tokens;
