-- +goose Up
-- A user's version grows with every change of the account, like a task's
-- or a category's: its ETag is made from it and If-Match is checked
-- against it in the write.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);

-- +goose Down
ALTER TABLE users DROP COLUMN version;
