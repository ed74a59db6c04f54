-- +goose Up
-- Nothing changes on PostgreSQL: version 2 rebuilt SQLite's full-text index
-- (see the SQLite tree), and the trees keep the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
